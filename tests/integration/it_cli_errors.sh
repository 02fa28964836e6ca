# Bad input is a clear message and a non-zero exit, never a crash: unknown
# flags and types, bad values, unreachable servers, wrong passwords (which
# are never printed).
. "$(dirname "$0")/lib.sh"

$BIN/stormdb-pgbench --help >help.txt
for t in pgbench_tpcb_like pgbench_select_only pgbench_simple_update pgbench_select_pipeline; do
    assert_contains help.txt "$t"
done
assert_contains help.txt "--workers"
assert_contains help.txt "--summary-interval"
$BIN/stormdb-pgbench --list >list.txt
assert_eq "$(wc -l <list.txt)" 4 "--list lines"

expect_status 2 $BIN/stormdb-pgbench --bogus 2>err.txt
assert_contains err.txt "bogus"
expect_status 2 $BIN/stormdb-pgbench --workers 8x 2>err.txt
assert_contains err.txt "workers"
expect_status 2 $BIN/stormdb-pgbench -w no_such_type 2>err.txt
assert_contains err.txt "pgbench_select_only"
expect_status 2 $BIN/stormdb-pgbench --duration 5parsecs 2>err.txt
assert_contains err.txt "duration"
expect_status 2 $BIN/stormdb-pgbench -c "$WORK/missing.yaml" 2>err.txt
assert_contains err.txt "missing.yaml"

# nothing listens on this port: a connection error, exit 1
expect_status 1 $BIN/stormdb-pgbench --host 127.0.0.1 --port 1 --duration 1s 2>err.txt
assert_contains err.txt "cannot connect"

# a wrong password against a server that demands one is reported without it
psql -XAtq -c "CREATE ROLE pwuser LOGIN PASSWORD 'right-secret'" >/dev/null
cat >cfg.yaml <<YAML
database:
  host: 127.0.0.1
  port: $PGPORT
  dbname: $PGDATABASE
  username: pwuser
  password: Sup3rS3cretPw
duration: 1s
YAML
set +e
$BIN/stormdb-pgbench -c cfg.yaml >out.txt 2>err.txt
rc=$?
set -e
psql -XAtq -c "DROP ROLE pwuser" >/dev/null
# the test cluster trusts every connection, so the login works and the
# missing tables are the error; either way the password must not show
[ "$rc" -ne 0 ] || fail "run without tables should fail"
if grep -q Sup3rS3cretPw out.txt err.txt; then fail "password printed"; fi
echo "ok"
