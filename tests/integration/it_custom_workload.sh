# A user's own .swl built with `swlc --build`: it runs, statement errors are
# counted per SQLSTATE and statement without stopping the run, and a failed
# statement inside begin/commit rolls the whole transaction back.
. "$(dirname "$0")/lib.sh"

cat >mine.swl <<'SWL'
workload mine {
    version "0.1";
    description "errors on purpose";
}
schema {
    CREATE TABLE mine_log (id bigint, n int);
}
load mine_log rows 10 * scale {
    id = row;
    n = row % 3;
}
statement log_row: INSERT INTO mine_log (id, n) VALUES ($1, $2);
statement divide: SELECT 100 / $1::int;
transaction good {
    let k = uniform(1000, 2000);
    log_row(k, 1);
}
-- one time in three the division fails, after the insert: nothing commits
transaction bad {
    let d = uniform(0, 2);
    begin;
    log_row(-1, d);
    divide(d);
    commit;
}
mix mine_mixed { good: 1; bad: 1; }
SWL
$BIN/swlc --build mine.swl -o stormdb-mine 2>err.txt || { cat err.txt; fail "swlc --build"; }
./stormdb-mine --setup --duration 3s --workers 2 --no-summary --json m.json >out.txt 2>&1 \
    || { cat out.txt; fail "custom run"; }
assert_eq "$(sql 'SELECT count(*) FROM mine_log WHERE id BETWEEN 1 AND 10')" 10 "loaded rows"
failed=$($JGET m.json performance.failed)
assert_gt "$failed" 0 "failed transactions"
assert_eq "$($JGET m.json errors.0.sqlstate)" 22012 "division_by_zero SQLSTATE"
assert_eq "$($JGET m.json errors.0.statement)" divide "failing statement"
assert_eq "$($JGET m.json errors.0.count)" "$failed" "errors counted once per failed transaction"
assert_contains out.txt "22012"
# every failed 'bad' rolled back its insert; every successful one committed
bad_ok=$($JGET m.json transactions.1.successful)
assert_eq "$(sql 'SELECT count(*) FROM mine_log WHERE id = -1')" "$bad_ok" "committed 'bad' inserts"
assert_eq "$(sql 'SELECT count(*) FROM mine_log WHERE id = -1 AND n = 0')" 0 "no insert of a failed transaction"
good_ok=$($JGET m.json transactions.0.successful)
assert_eq "$(sql 'SELECT count(*) FROM mine_log WHERE id >= 1000')" "$good_ok" "committed 'good' inserts"
# rows: each insert affected one row and returned none; each division
# returned one
assert_eq "$($JGET m.json statements.0.rows_affected)" "$($JGET m.json statements.0.executed)" "rows inserted"
assert_eq "$($JGET m.json statements.0.rows_returned)" 0 "an INSERT returns no rows"
assert_eq "$($JGET m.json statements.1.rows_returned)" "$($JGET m.json statements.1.executed)" "rows returned"

# on_error: stop ends the run at the first failure (within the second);
# max_errors N once N failed; both with the whole report and exit 1
start=$(date +%s)
expect_status 1 ./stormdb-mine --duration 60s --workers 2 --no-summary --on-error stop \
    --json stop.json >out.txt 2>err.txt
[ $(( $(date +%s) - start )) -le 10 ] || fail "--on-error stop did not end the run early"
assert_contains err.txt "the run was ended after"
assert_contains err.txt "(on_error: stop)"
assert_contains out.txt "Performance Summary"
assert_gt "$($JGET stop.json performance.failed)" 0 "failures counted"
printf 'duration: 60s\nmax_errors: 50\n' >max.yaml
expect_status 1 ./stormdb-mine -c max.yaml --workers 2 --no-summary --json max.json >out.txt 2>err.txt
assert_contains err.txt "(max_errors)"
assert_gt "$($JGET max.json performance.failed)" 49 "at least max_errors failures"
expect_status 2 ./stormdb-mine --on-error halt 2>err.txt
assert_contains err.txt "invalid value 'halt' for --on-error: expected continue or stop"
echo "ok"
