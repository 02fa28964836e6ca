# Without --setup a missing schema is a clear error; --setup on loaded tables
# keeps them; --rebuild reloads at a new scale; --cleanup drops only the
# workload's tables.
. "$(dirname "$0")/lib.sh"

expect_status 1 $BIN/stormdb-simple --duration 1s --no-summary >out.txt 2>err.txt
assert_contains err.txt "tables of workload simple are missing (loadtest); run with --setup"

sql 'CREATE TABLE unrelated (x int)' >/dev/null
$BIN/stormdb-simple --setup --scale 1 --duration 1s --no-summary >/dev/null
assert_eq "$(sql 'SELECT count(*) FROM loadtest')" 10000 "scale 1 rows"
sql "UPDATE loadtest SET val = 'marker' WHERE id = 1" >/dev/null
$BIN/stormdb-simple --setup --duration 1s --no-summary -w simple_read >out.txt
assert_contains out.txt "exist and hold data: using them as they are"
assert_eq "$(sql 'SELECT val FROM loadtest WHERE id = 1')" marker "setup kept the data"

$BIN/stormdb-simple --rebuild --scale 3 --duration 1s --no-summary -w simple_read --json r.json >/dev/null
assert_eq "$(sql 'SELECT count(*) FROM loadtest')" 30000 "rebuilt at scale 3"
assert_eq "$($JGET r.json run.scale)" 3 "scale after rebuild"

$BIN/stormdb-simple --cleanup >/dev/null
assert_eq "$(sql "SELECT to_regclass('loadtest') IS NULL")" t "cleanup dropped loadtest"
assert_eq "$(sql "SELECT to_regclass('unrelated') IS NOT NULL")" t "cleanup kept other tables"

# a partly created schema is not silently reused
sql 'CREATE TABLE pgbench_branches (bid int)' >/dev/null
expect_status 1 $BIN/stormdb-pgbench --setup --duration 1s --no-summary >out.txt 2>err.txt
assert_contains err.txt "run with --rebuild"
echo "ok"
