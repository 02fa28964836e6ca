# --rate: an open loop of Poisson arrivals, measured without coordinated
# omission.  (a) A 2 s lock on the table shows in the latency from the
# intended start (p99 >= 1 s) and not in the service time (p99 < 200 ms);
# (b) with no stall the rate is held (within 10%) with a small lag;
# (c) --latency-limit skips arrivals already too late, and they are not
# failures; (d) a run without --rate says it was a closed loop.
. "$(dirname "$0")/lib.sh"

cat >rt.swl <<'SWL'
workload rt {
    version "0.1";
    description "one row, updated";
}
schema {
    CREATE TABLE rt_row (id int PRIMARY KEY, n bigint);
}
load rt_row rows 1 {
    id = row;
    n = 0;
}
statement bump_row: UPDATE rt_row SET n = n + 1 WHERE id = 1;
transaction bump {
    bump_row();
}
mix rt_mixed { bump: 1; }
SWL
$BIN/swlc --build rt.swl -o stormdb-rt 2>err.txt || { cat err.txt; fail "swlc --build"; }
./stormdb-rt --setup --duration 1s --workers 1 --no-summary >out.txt 2>&1 \
    || { cat out.txt; fail "set-up run"; }

# stall: from ~3 s into the run, hold an exclusive lock on the table for 2 s
stall() {
    sleep "$1"
    psql -XAtq -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<'SQL'
BEGIN;
LOCK TABLE rt_row IN ACCESS EXCLUSIVE MODE;
SELECT pg_sleep(2);
COMMIT;
SQL
}

# (a) coordinated omission
stall 3 &
stall_pid=$!
./stormdb-rt --rate 200 --workers 4 --duration 10s --summary-interval 2s --json co.json \
    >co.txt 2>&1 || { cat co.txt; fail "rate run with a stall"; }
wait $stall_pid
p99=$($JGET co.json latency.percentiles.p99)
svc_p99=$($JGET co.json service_time.percentiles.p99)
lag_p99=$($JGET co.json schedule_lag.percentiles.p99)
echo "stall: latency p99 $p99 ms, service time p99 $svc_p99 ms, lag p99 $lag_p99 ms"
assert_eq "$($JGET co.json run.load_model)" open "load model"
assert_eq "$($JGET co.json run.latency_measured_from)" intended_start "latency measured from"
assert_gt "$p99" 999.999 "latency p99 from the intended start covers the stall"
assert_gt 200 "$svc_p99" "service time p99 does not"
assert_gt "$lag_p99" 500 "schedule lag p99 shows the stall"
assert_eq "$($JGET co.json performance.failed)" 0 "failed"
assert_eq "$($JGET co.json performance.skipped)" 0 "nothing skipped without --latency-limit"
assert_contains co.txt "open loop at 200 tps (Poisson)"
assert_contains co.txt "lag p99"
assert_contains co.txt "Service time"

# (b) no stall: the rate is held
./stormdb-rt --rate 200 --workers 4 --duration 10s --no-summary --json ok.json --csv ok.csv \
    >ok.txt 2>&1 || { cat ok.txt; fail "rate run"; }
tps=$($JGET ok.json performance.tps)
lag_mean=$($JGET ok.json schedule_lag.average_ms)
echo "no stall: $tps tps, mean lag $lag_mean ms"
assert_gt "$tps" 180 "tps at --rate 200"
assert_gt 220 "$tps" "tps at --rate 200"
assert_gt 5 "$lag_mean" "mean lag (ms) without a stall"
assert_eq "$($JGET ok.json run.rate_tps)" 200.000000 "rate in the JSON"
assert_eq "$($JGET ok.json schedule_lag.count)" "$($JGET ok.json latency.count)" \
    "a lag for every completed transaction"
head -1 ok.csv | grep -q lag_p99_ms || fail "CSV time series has lag_p99_ms"
# the per-worker and per-thread breakdowns add up to the totals
done_total=$($JGET ok.json performance.successful)
sum_w=0
for i in 0 1 2 3; do
    sum_w=$((sum_w + $($JGET ok.json workers.$i.committed)))
done
assert_eq "$sum_w" "$done_total" "workers' committed transactions add up"
assert_eq "$($JGET ok.json threads.0.latency.count)" \
    "$($JGET ok.json threads.0.committed)" "thread 0's histogram counts its transactions"

# (c) --latency-limit with a stall: late arrivals are skipped, not failed
stall 2 &
stall_pid=$!
./stormdb-rt --rate 200 --workers 4 --duration 6s --latency-limit 100ms --no-summary \
    --json ll.json >ll.txt 2>&1 || { cat ll.txt; fail "rate run with a latency limit"; }
wait $stall_pid
skipped=$($JGET ll.json performance.skipped)
echo "latency limit: $skipped skipped, $($JGET ll.json performance.late) late"
assert_gt "$skipped" 0 "skipped arrivals"
assert_eq "$($JGET ll.json performance.failed)" 0 "skipped are not failures"
assert_eq "$($JGET ll.json run.latency_limit_ms)" 100.000000 "latency limit in the JSON"
assert_contains ll.txt "skipped"

# (d) closed loop
./stormdb-rt --workers 2 --duration 1s --no-summary --json cl.json >cl.txt 2>&1 \
    || { cat cl.txt; fail "closed-loop run"; }
assert_eq "$($JGET cl.json run.load_model)" closed "load model"
assert_eq "$($JGET cl.json run.latency_measured_from)" start "latency measured from"
assert_eq "$($JGET cl.json run.rate_tps)" null "no rate"
assert_contains cl.txt "closed loop"
echo "ok"
