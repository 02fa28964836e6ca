# The --json reports of real runs validate against docs/report-schema.json:
# stormdb-simple (closed loop, a pooled run, a mixed connection-mode run),
# stormdb-tpcc at one warehouse (headline, probes, counters, response-time
# limits, NURand), and a workload of our own that fails on purpose (errors
# by SQLSTATE, a probe that cannot be read, shares of probes and counters)
# under a --threshold that fails.  Then copies of a real report with a
# required field removed or of the wrong type must fail validation, and a
# copy with fields the schema does not know must still pass.
. "$(dirname "$0")/lib.sh"

SCHEMA=$SDB_SOURCE/docs/report-schema.json
VALIDATE="python3 $SDB_SOURCE/tests/integration/validate_report.py $SCHEMA"

# valid REPORT: validation passes
valid() {
    $VALIDATE "$1" >val.txt 2>&1 || { cat val.txt >&2; fail "$1 does not match the schema"; }
    cat val.txt
}

# --- stormdb-simple -------------------------------------------------------
$BIN/stormdb-simple --setup --workers 2 --duration 2s --no-summary \
    --threshold 'p99<10s' --threshold 'tps>0' --json simple.json >out.txt 2>&1 \
    || { cat out.txt; fail "simple run"; }
valid simple.json
assert_gt "$($JGET simple.json performance.successful)" 0 "simple: transactions"
assert_gt "$($JGET simple.json time_series.rows.0.completed)" 0 "simple: time series"

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
# fields added later (open-loop figures and the like) are allowed
mutate extra 'd["service_time"] = d["latency"]; d["run"]["rate"] = 100; d["transactions"][0]["skipped"] = 0'
valid extra.json
echo "ok"
