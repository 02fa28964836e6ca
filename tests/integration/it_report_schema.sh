# The --json reports of real runs validate against docs/report-schema.json:
# stormdb-simple (closed loop with --threshold, an open loop with --rate
# and --latency-limit, a run with --collect-pg-stats, a pooled run, a mixed
# connection-mode run), stormdb-tpcc at one warehouse (headline, probes,
# counters, response-time limits, NURand), and a workload of our own that
# fails on purpose (errors by SQLSTATE, a probe that cannot be read, shares
# of probes and counters) under a --threshold that fails.  The threshold,
# open-loop and pg-stats runs must also be fully documented: a field the
# schema does not describe fails the test there.  The CSV headers are those
# docs/report-format.md lists.  Then copies of a real report with a required
# field removed or of the wrong type must fail validation, and a copy with
# fields the schema does not know must still pass.
. "$(dirname "$0")/lib.sh"

SCHEMA=$SDB_SOURCE/docs/report-schema.json
VALIDATE="python3 $SDB_SOURCE/tests/integration/validate_report.py $SCHEMA"

# valid REPORT: validation passes
valid() {
    $VALIDATE "$1" >val.txt 2>&1 || { cat val.txt >&2; fail "$1 does not match the schema"; }
    cat val.txt
}

# documented REPORT: validation passes and the schema describes every field
# the report holds (validate_report.py prints no "not in the schema" note)
documented() {
    valid "$1"
    if grep -q "not in the schema" val.txt; then
        fail "$1 has fields docs/report-schema.json does not describe (see the notes above)"
    fi
}

# --- stormdb-simple -------------------------------------------------------
# closed loop, with thresholds on the run and on a transaction
$BIN/stormdb-simple --setup --workers 2 --duration 2s --no-summary \
    --threshold 'p99<10s' --threshold 'tps>0' --threshold 'read.p95<10s' \
    --json simple.json --csv simple.csv >out.txt 2>&1 \
    || { cat out.txt; fail "simple run"; }
documented simple.json
assert_gt "$($JGET simple.json performance.successful)" 0 "simple: transactions"
assert_gt "$($JGET simple.json time_series.rows.0.completed)" 0 "simple: time series"
assert_eq "$($JGET simple.json run.load_model)" closed "simple: load model"
assert_eq "$($JGET simple.json run.latency_measured_from)" start "simple: latency from"
assert_eq "$($JGET simple.json thresholds.2.transaction)" read "simple: threshold on a transaction"
assert_eq "$($JGET simple.json thresholds.2.unit)" ms "simple: threshold unit"
assert_eq "$($JGET simple.json thresholds.1.unit)" tps "simple: tps threshold unit"
assert_eq "$($JGET simple.json schedule_lag.count)" 0 "simple: no schedule lag in a closed loop"
assert_eq "$($JGET simple.json workers.1.worker)" 2 "simple: workers"
assert_eq "$(head -1 simple.csv)" \
    "t_s,length_s,completed,failed,tps,mean_ms,p50_ms,p90_ms,p99_ms,max_ms,lag_p99_ms" \
    "simple: the time series' CSV header"

# open loop
$BIN/stormdb-simple --workers 2 --rate 200 --latency-limit 1s --duration 2s --no-summary \
    --json open.json >out.txt 2>&1 || { cat out.txt; fail "open-loop run"; }
documented open.json
assert_eq "$($JGET open.json run.load_model)" open "open: load model"
assert_eq "$($JGET open.json run.latency_measured_from)" intended_start "open: latency from"
assert_gt "$($JGET open.json run.rate_tps)" 199 "open: rate"
assert_gt "$($JGET open.json run.latency_limit_ms)" 999 "open: latency limit"
assert_gt "$($JGET open.json schedule_lag.count)" 0 "open: schedule lag"
assert_gt "$($JGET open.json service_time.count)" 0 "open: service time"
$JGET open.json performance.not_started >/dev/null || fail "open: not_started"

# the server's side: pg_stats in the JSON, FILE_server.csv
$BIN/stormdb-simple --workers 2 --duration 2s --no-summary --collect-pg-stats \
    --json pgs.json --csv pgs.csv >out.txt 2>&1 || { cat out.txt; fail "pg-stats run"; }
documented pgs.json
assert_eq "$($JGET pgs.json run.config.collect_pg_stats)" true "pgs: config"
assert_gt "$($JGET pgs.json pg_stats.server_version_num)" 0 "pgs: pg_stats"
assert_eq "$($JGET pgs.json pg_stats.statements.status)" off "pgs: pg_stat_statements off"
assert_eq "$(head -1 pgs_server.csv)" \
    "t_s,length_s,pg_wal_bytes,pg_wal_bytes_per_s,pg_hit_ratio_pct,pg_xact_commit,pg_conn_active,pg_lock_waiters,pg_wait1,pg_wait1_samples,pg_wait2,pg_wait2_samples,pg_wait3,pg_wait3_samples" \
    "pgs: the server CSV's header"
[ "$(wc -l <pgs_server.csv)" -gt 1 ] || fail "pgs: no interval in pgs_server.csv"

# sessions sharing a pooled connection; half the transactions on new connections
$BIN/stormdb-simple --workers 3 --connections 1 --duration 1s --no-summary \
    --json pooled.json >out.txt 2>&1 || { cat out.txt; fail "pooled run"; }
valid pooled.json
assert_gt "$($JGET pooled.json connections.pool_waits)" 0 "pooled: waits"
$BIN/stormdb-simple --workers 2 --connection-mode mixed --duration 1s --no-summary \
    --json mixed.json >out.txt 2>&1 || { cat out.txt; fail "mixed-mode run"; }
valid mixed.json
assert_gt "$($JGET mixed.json connections.opened)" 0 "mixed: connections opened"
assert_gt "$($JGET mixed.json connections.by_mode.transient.transactions)" 0 "mixed: transient"

# --- stormdb-tpcc, one warehouse -------------------------------------------
$BIN/stormdb-tpcc --setup --scale 1 --no-run >setup.txt 2>&1 || { cat setup.txt; fail "tpcc setup"; }
$BIN/stormdb-tpcc --workers 2 --duration 3s --no-summary --json tpcc.json >out.txt 2>&1 \
    || { cat out.txt; fail "tpcc run"; }
valid tpcc.json
assert_eq "$($JGET tpcc.json headline.name)" tpmC "tpcc: headline"
assert_eq "$($JGET tpcc.json transactions.0.limit.percentile)" "90.000000" "tpcc: New-Order's limit"
assert_gt "$($JGET tpcc.json counters.0.value)" 0 "tpcc: order lines counted"
assert_gt "$($JGET tpcc.json probes.0.change)" 0 "tpcc: nopm probe"
$JGET tpcc.json run.nurand.c_run.2 >/dev/null || fail "tpcc: NURand C-Run"

# --- errors, probes and counters, a failing threshold ----------------------
cat >errs.swl <<'SWL'
workload errs {
    description "errors on purpose";
}
schema {
    CREATE TABLE errs_log (n int);
}
statement log_row: INSERT INTO errs_log VALUES ($1);
statement divide: SELECT 100 / $1::int;
probe all_rows "rows logged": SELECT count(*) FROM errs_log;
probe zero_rows "rows of 0" per all_rows: SELECT count(*) FROM errs_log WHERE n = 0;
probe broken "cannot be read": SELECT 1 / 0;
counter draws "draws";
counter zeros "zeros drawn" per draws;
transaction t {
    let d = uniform(0, 2);
    count draws;
    if d == 0 { count zeros; }
    log_row(d);
    divide(d);
}
mix errs_mix { t: 1; }
SWL
$BIN/swlc --build errs.swl -o stormdb-errs 2>err.txt || { cat err.txt; fail "swlc --build"; }
expect_status 99 ./stormdb-errs --setup --workers 2 --duration 2s --no-summary \
    --threshold 'error_rate<0.1%' --json errs.json >out.txt 2>&1
valid errs.json
assert_gt "$($JGET errs.json performance.failed)" 0 "errs: failed transactions"
assert_eq "$($JGET errs.json errors.0.sqlstate)" 22012 "errs: SQLSTATE"
assert_eq "$($JGET errs.json errors.0.condition)" division_by_zero "errs: condition name"
assert_eq "$($JGET errs.json errors.0.class)" "Data Exception" "errs: SQLSTATE class"
assert_eq "$($JGET errs.json thresholds.0.pass)" false "errs: the failing threshold"
assert_gt "$($JGET errs.json time_series.rows.0.failed)" 0 "errs: failures in the time series"
$JGET errs.json probes.2.error >/dev/null || fail "errs: the broken probe has an error"
$JGET errs.json probes.1.percent >/dev/null || fail "errs: probe share"
$JGET errs.json counters.1.percent >/dev/null || fail "errs: counter share"

# --- the whole-report example in docs/report-format.md is valid too ---------
python3 - "$SDB_SOURCE/docs/report-format.md" example.json <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
docs = [b for b in re.findall(r"```json\n(.*?)```", text, re.S) if b.startswith("{")]
if len(docs) != 1:
    sys.exit(f"want one whole-report example in {sys.argv[1]}, found {len(docs)}")
json.dump(json.loads(docs[0]), open(sys.argv[2], "w"))
PY
valid example.json

# --- the schema rejects what is wrong ---------------------------------------
# mutate NAME PYTHON: a copy of simple.json as NAME.json, after PYTHON has
# changed the report `d`
mutate() {
    python3 - simple.json "$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
}
# invalid NAME PYTHON WHAT: that mutation must fail validation with exit 1
invalid() {
    mutate "$1" "$2"
    set +e
    $VALIDATE "$1.json" >val.txt 2>&1
    rc=$?
    set -e
    [ "$rc" = 1 ] || { cat val.txt >&2; fail "the schema accepts $3 (validator exit $rc)"; }
    echo "rejected as expected, $3: $(head -1 val.txt)"
}
mutate same 'pass'
valid same.json
invalid no_perf 'del d["performance"]' "a report without performance"
invalid tps_str 'd["performance"]["tps"] = str(d["performance"]["tps"])' "tps as a string"
invalid no_p99 'del d["latency"]["percentiles"]["p99"]' "a latency without p99"
invalid count_frac 'd["transactions"][0]["latency"]["count"] = 1.5' "a fractional count"
invalid neg_failed 'd["performance"]["failed"] = -1' "a negative count"
invalid no_run_seed 'del d["run"]["seed"]' "a run without its seed"
invalid kind 'd["statements"][0]["kind"] = "merge"' "an unknown query kind"
invalid password 'd["run"]["target"] += " password=secret"' "a password in the target"
invalid rows_obj 'd["time_series"]["rows"] = {}' "time series rows as an object"
invalid no_series_p99 'del d["time_series"]["rows"][0]["p99_ms"]' "a time-series row without p99_ms"
invalid config_password 'd["run"]["config"]["database"]["password"] = "secret"' "a password in run.config"
invalid config_url 'd["run"]["config"]["database"]["url"] = "postgresql://u:secret@h/db"' "a password in run.config's URL"
invalid load_model 'd["run"]["load_model"] = "batch"' "an unknown load model"
invalid no_lag 'del d["schedule_lag"]' "a report without schedule_lag"
invalid no_not_started 'del d["performance"]["not_started"]' "a report without performance.not_started"
invalid threshold_unit 'd["thresholds"][0]["unit"] = "s"' "an unknown threshold unit"
invalid worker_str 'd["workers"][0]["committed"] = "1"' "a worker's count as a string"
invalid no_lag_p99 'del d["time_series"]["rows"][0]["lag_p99_ms"]' "a time-series row without lag_p99_ms"
invalid pgs_run 'd["pg_stats"] = json.load(open("pgs.json"))["pg_stats"]; d["pg_stats"]["run"] = []' "pg_stats.run as an array"
mutate masked 'd["run"]["config"]["database"]["password"] = "********"; d["run"]["config"]["database"]["url"] = "postgresql://u:********@h/db"'
documented masked.json
# fields added later are allowed (with a note)
mutate extra 'd["future"] = d["latency"]; d["run"]["rate"] = 100; d["transactions"][0]["skipped"] = 0'
valid extra.json
grep -q "future is not in the schema" val.txt || fail "no note on a field the schema does not know"
echo "ok"
