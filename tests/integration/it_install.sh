# cmake --install (what `make install PREFIX=...` runs) lays out a copy a
# user can build on: swlc builds an example workload against the installed
# header and library, and the binary runs against the test cluster; the
# workloads, configs and docs are there.
. "$(dirname "$0")/lib.sh"

cmake --install "$SDB_BUILD" --prefix "$WORK/x" >install.txt 2>&1 || { cat install.txt; fail "install"; }
for f in bin/swlc bin/stormdb-simple bin/stormdb-tpcc bin/stormdb-pgbench include/stormdb.h \
         lib/libstormdb_rt.a share/stormdb/workloads/tpcc.swl share/stormdb/examples/bank.swl \
         share/stormdb/config/config_tpcc.yaml share/doc/stormdb/language.md share/doc/stormdb/README.md; do
    [ -e "$WORK/x/$f" ] || fail "not installed: $f"
done
# the installed swlc uses the installed runtime, not the build tree's
"$WORK/x/bin/swlc" --build "$WORK/x/share/stormdb/examples/bank.swl" -o bank 2>err.txt \
    || { cat err.txt; fail "swlc --build against the installed copy"; }
./bank --setup --duration 2s --workers 2 --no-summary --json b.json >out.txt 2>&1 \
    || { cat out.txt; fail "the example built against the installed copy"; }
assert_gt "$($JGET b.json performance.successful)" 0 "transactions"
"$WORK/x/bin/stormdb-simple" --version >v.txt
assert_contains v.txt "stormdb-simple"
echo "ok"
