# The example configs in config/ load as they are, and flags override the
# file (flags > file > PG* variables > defaults).
. "$(dirname "$0")/lib.sh"

pgbench -i -s 1 -q >/dev/null 2>&1
has_pgvector=$(sql "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")
for f in "$SDB_SOURCE"/config/config_*.yaml; do
    name=$(basename "$f" .yaml)
    # config_WORKLOAD.yaml or config_WORKLOAD_TYPE.yaml (config_imdb_mixed.yaml)
    workload=${name#config_}
    bin=$BIN/stormdb-${workload%%_*}
    [ -x "$bin" ] || fail "$f names no built workload binary ($bin)"
    # the vector configs need pgvector on the server; it_vector.sh runs them
    # (smaller) when it is there, and asserts the message when it is not
    if [ "${workload%%_*}" = vector ] && [ "$has_pgvector" = 0 ]; then
        echo "SKIPPED: $f: pgvector is not installed on the test server"
        continue
    fi
    # the file points at localhost:5432/bench; the flags point at the test cluster
    $bin -c "$f" --host "$PGHOST" --port "$PGPORT" --dbname "$PGDATABASE" -u "$PGUSER" \
        --setup --duration 1s --workers 2 --connections 2 --no-summary --json "$name.json" \
        >out.txt 2>&1 || { cat out.txt; fail "$f"; }
    assert_gt "$($JGET "$name.json" performance.tps)" 0 "$name tps"
    assert_eq "$($JGET "$name.json" run.workers)" 2 "$name: --workers overrides the file"
done
# the file's own workload type is used when no flag names one
assert_eq "$($JGET config_pgbench.json run.type)" pgbench_tpcb_like "type from the file"
assert_eq "$($JGET config_simple.json run.type)" simple_mixed "type from the file"

# a file with the database section pointing at the cluster; PG* variables unset
cat >db.yaml <<YAML
database:
  host: $PGHOST
  port: $PGPORT
  dbname: $PGDATABASE
  username: $PGUSER
workload: pgbench_select_only
duration: 1s
workers: 3
YAML
env -u PGHOST -u PGPORT -u PGDATABASE -u PGUSER $BIN/stormdb-pgbench -c db.yaml --no-summary \
    --json db.json >out.txt 2>&1 || { cat out.txt; fail "db.yaml"; }
assert_eq "$($JGET db.json run.type)" pgbench_select_only "workload from the file"
assert_eq "$($JGET db.json run.workers)" 3 "workers from the file"
assert_eq "$($JGET db.json run.connections)" 3 "connections default to workers"
# a flag beats the file
env -u PGHOST -u PGPORT -u PGDATABASE -u PGUSER $BIN/stormdb-pgbench -c db.yaml --no-summary \
    -w pgbench_tpcb_like --json db2.json >/dev/null 2>&1
assert_eq "$($JGET db2.json run.type)" pgbench_tpcb_like "flag overrides the file"
echo "ok"
