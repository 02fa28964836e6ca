# stormdb-pgbench on tables made by `pgbench -i`: it uses them as they are,
# reads the scale from them, and its committed transactions match what the
# database shows (one pgbench_history row per tpcb_like/simple_update).
. "$(dirname "$0")/lib.sh"

pgbench -i -s 3 -q >pgbench-init.log 2>&1 || { cat pgbench-init.log; fail "pgbench -i"; }
$BIN/stormdb-pgbench --workload pgbench_select_only --workers 8 --connections 8 \
    --duration 3s --no-summary --json sel.json >out.txt 2>&1 || { cat out.txt; fail "select_only run"; }
assert_gt "$($JGET sel.json performance.tps)" 0 "select_only tps"
assert_eq "$($JGET sel.json performance.failed)" 0 "select_only failures"
assert_eq "$($JGET sel.json run.scale)" 3 "scale read from pgbench_branches"
assert_eq "$($JGET sel.json performance.queries.update)" 0 "select_only updates"

$BIN/stormdb-pgbench -w pgbench_tpcb_like --workers 4 --duration 3s --no-summary \
    --json tpcb.json >out.txt 2>&1 || { cat out.txt; fail "tpcb_like run"; }
committed=$($JGET tpcb.json performance.successful)
assert_gt "$committed" 0 "tpcb_like committed"
assert_eq "$($JGET tpcb.json performance.failed)" 0 "tpcb_like failures"
assert_eq "$(sql 'SELECT count(*) FROM pgbench_history')" "$committed" "history rows == committed"
# TPC-B invariant: every delta went to one account, teller and branch
assert_eq "$(sql 'SELECT (SELECT sum(abalance) FROM pgbench_accounts) = (SELECT sum(bbalance) FROM pgbench_branches)')" t "sum(abalance) = sum(bbalance)"
assert_eq "$(sql 'SELECT (SELECT sum(tbalance) FROM pgbench_tellers) = (SELECT sum(delta) FROM pgbench_history)')" t "sum(tbalance) = sum(delta)"
# statements per transaction: BEGIN, 3 updates, 1 select, 1 insert, COMMIT
assert_eq "$($JGET tpcb.json performance.queries.update)" $((committed * 3)) "updates"
assert_eq "$($JGET tpcb.json performance.queries.insert)" "$committed" "inserts"
# per statement: each of the five ran once per committed transaction, none failed
for i in 0 1 2 3 4; do
    assert_eq "$($JGET tpcb.json statements.$i.executed)" "$committed" "statement $i executions"
    assert_eq "$($JGET tpcb.json statements.$i.errors)" 0 "statement $i errors"
    assert_gt "$($JGET tpcb.json statements.$i.latency.percentiles.p99)" 0 "statement $i p99"
done
assert_eq "$($JGET tpcb.json statements.1.name)" select_balance "statement order"
assert_eq "$($JGET tpcb.json statements.1.kind)" select "statement kind"
assert_gt "$($JGET tpcb.json client.cpu_us_per_transaction)" 0 "client CPU per transaction"

before=$(sql 'SELECT count(*) FROM pgbench_history')
$BIN/stormdb-pgbench -w pgbench_simple_update --workers 2 --duration 2s --no-summary \
    --json su.json >/dev/null
after=$(sql 'SELECT count(*) FROM pgbench_history')
assert_eq "$((after - before))" "$($JGET su.json performance.successful)" "simple_update history rows"
assert_eq "$($JGET su.json performance.queries.update)" "$($JGET su.json performance.successful)" "one update each"

# the pipelined mix: ten selects per transaction, in one batch
$BIN/stormdb-pgbench -w pgbench_select_pipeline --workers 4 --duration 2s --no-summary \
    --json pipe.json >out.txt 2>&1 || { cat out.txt; fail "select_pipeline run"; }
pipe_tx=$($JGET pipe.json performance.successful)
assert_gt "$pipe_tx" 0 "select_pipeline committed"
assert_eq "$($JGET pipe.json performance.failed)" 0 "select_pipeline failures"
assert_eq "$($JGET pipe.json performance.queries.select)" $((pipe_tx * 10)) "ten selects each"

# a different --scale is reported and ignored, as pgbench does
$BIN/stormdb-pgbench -w pgbench_select_only --scale 7 --duration 1s --no-summary \
    --json s7.json >out.txt 2>err.txt
assert_contains err.txt "--scale 7 ignored: the loaded data has scale 3"
assert_eq "$($JGET s7.json run.scale)" 3 "scale kept from data"
echo "ok"
