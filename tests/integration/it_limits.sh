# Server limits and timeouts: more connections than the server (or the
# role) allows is refused before the run with the numbers; statement and
# lock timeouts are counted per SQLSTATE and the run goes on.
. "$(dirname "$0")/lib.sh"

$BIN/stormdb-simple --setup --no-run >/dev/null 2>&1
max=$(sql 'SHOW max_connections')
expect_status 1 $BIN/stormdb-simple --workers $((max + 50)) --duration 1s --no-summary \
    >out.txt 2>err.txt
assert_contains err.txt "the run needs $((max + 50)) connections, but the server has room for"
assert_contains err.txt "max_connections is $max"

role=lim_$$
sql "CREATE ROLE $role LOGIN CONNECTION LIMIT 3; GRANT SELECT, UPDATE ON loadtest TO $role" >/dev/null
set +e
PGUSER=$role $BIN/stormdb-simple --workers 5 -w simple_read --duration 1s --no-summary \
    >out.txt 2>err.txt
rc=$?
set -e
sql "REVOKE ALL ON loadtest FROM $role; DROP ROLE $role" >/dev/null
assert_eq "$rc" 1 "exit status over the role's connection limit"
assert_contains err.txt "the role's CONNECTION LIMIT is 3"

# statement_timeout (57014) and lock_timeout (55P03): counted, not fatal
cat >slow.swl <<'SWL'
workload slow {
    description "timeouts on purpose";
}
schema {
    CREATE TABLE slow_row (id int PRIMARY KEY, n int);
}
load slow_row rows 1 {
    id = row;
    n = 0;
}
statement nap: SELECT pg_sleep($1::float8);
statement bump: UPDATE slow_row SET n = n + 1 WHERE id = 1;
transaction napper {
    nap(choose([0.001, 0.5]));
}
transaction bumper {
    bump();
}
mix slow_mixed { napper: 1; bumper: 1; }
SWL
$BIN/swlc --build slow.swl -o stormdb-slow 2>err.txt || { cat err.txt; fail "swlc --build"; }
./stormdb-slow --setup --no-run >/dev/null 2>&1
# a session holds the row's lock for the first 3 s of the run
psql -X -q -c "BEGIN; SELECT * FROM slow_row FOR UPDATE; SELECT pg_sleep(3); COMMIT" \
    >/dev/null 2>&1 &
locker=$!
sleep 0.5
PGOPTIONS='-c statement_timeout=200 -c lock_timeout=100' ./stormdb-slow --workers 2 \
    --duration 5s --no-summary --json s.json >out.txt 2>&1 || { cat out.txt; fail "run"; }
wait $locker || true
has() { # has SQLSTATE: the count of errors with that SQLSTATE in s.json
    i=0; total=0
    while code=$($JGET s.json errors.$i.sqlstate 2>/dev/null); do
        [ "$code" = "$1" ] && total=$((total + $($JGET s.json errors.$i.count)))
        i=$((i + 1))
    done
    echo $total
}
assert_gt "$(has 57014)" 0 "statement timeouts counted"
assert_gt "$(has 55P03)" 0 "lock timeouts counted"
assert_gt "$($JGET s.json performance.successful)" 10 "the run went on"
assert_eq "$($JGET s.json run.interrupted)" false "not interrupted"
echo "ok"
