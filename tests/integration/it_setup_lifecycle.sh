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

# a load interrupted midway: the tables stay marked unfinished; a plain run
# warns, --setup drops and redoes them, and --rebuild works on them too
$BIN/stormdb-simple --setup --scale 400 --no-run >load.txt 2>&1 &
pid=$!
i=0
while [ "$(sql "SELECT to_regclass('loadtest') IS NOT NULL")" != t ] && [ $i -lt 200 ]; do
    sleep 0.05
    i=$((i + 1))
done
sleep 0.3
kill -INT $pid
st=0
wait $pid || st=$?
assert_eq "$st" 130 "interrupted setup exit status"
assert_eq "$(sql "SELECT obj_description('loadtest'::regclass, 'pg_class') LIKE '%setup complete%'")" f "no completion mark"
$BIN/stormdb-simple --duration 1s --no-summary -w simple_read >out.txt 2>err.txt
assert_contains err.txt "the setup of workload simple did not finish (interrupted?)"
$BIN/stormdb-simple --setup --scale 2 --duration 1s --no-summary -w simple_read >out.txt 2>err.txt
assert_contains out.txt "an earlier setup of workload simple did not finish"
assert_eq "$(sql 'SELECT count(*) FROM loadtest')" 20000 "redone setup loaded every row"
assert_eq "$(sql "SELECT obj_description('loadtest'::regclass, 'pg_class') LIKE '%setup complete%'")" t "completion mark"
$BIN/stormdb-simple --setup --duration 1s --no-summary -w simple_read >out.txt
assert_contains out.txt "exist and hold data: using them as they are"
$BIN/stormdb-simple --cleanup >/dev/null

# a partly created schema is not silently reused
sql 'CREATE TABLE pgbench_branches (bid int)' >/dev/null
expect_status 1 $BIN/stormdb-pgbench --setup --duration 1s --no-summary >out.txt 2>err.txt
assert_contains err.txt "run with --rebuild"
echo "ok"
