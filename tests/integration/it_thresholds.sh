# --threshold gates a run for CI: passing ones exit 0, a failing one exits
# 99 with a FAIL line, a malformed one exits 2 before anything runs.
. "$(dirname "$0")/lib.sh"

$BIN/stormdb-simple --setup --duration 1s --no-summary >/dev/null
$BIN/stormdb-simple -w simple_read --workers 2 --duration 2s --no-summary \
    --threshold 'p99<10s' --threshold 'error_rate<0.1%' --threshold 'tps>1' \
    --threshold 'read.p50<=10s' >out.txt 2>&1 || { cat out.txt; fail "passing thresholds"; }
assert_contains out.txt "Thresholds"
[ "$(grep -c ' PASS ' out.txt)" = 4 ] || { cat out.txt; fail "four PASS lines"; }

expect_status 99 $BIN/stormdb-simple -w simple_read --workers 2 --duration 2s --no-summary \
    --threshold 'p99<10s' --threshold 'tps>1000000000' >out.txt 2>&1
assert_contains out.txt "tps>1000000000"
assert_contains out.txt "FAIL"
assert_contains out.txt "exit status 99"

# a latency too strict for any real run, on one transaction
expect_status 99 $BIN/stormdb-simple -w simple_read --workers 1 --duration 1s --no-summary \
    --threshold 'read.max<1ns' >out.txt 2>&1

# mistakes are found before the run
expect_status 2 $BIN/stormdb-simple --threshold 'p98<5ms' 2>err.txt
assert_contains err.txt "unknown metric 'p98'"
expect_status 2 $BIN/stormdb-simple --threshold 'nosuch.p99<5ms' 2>err.txt
assert_contains err.txt "no transaction 'nosuch'"
expect_status 2 $BIN/stormdb-simple --threshold 'p99<5 parsecs' 2>err.txt
assert_contains err.txt "a latency takes ns, us, ms or s"

# thresholds from the config file, with the flags' ones added
cat >t.yaml <<'YAML'
duration: 2s
thresholds:
  - tps>1
  - error_rate<1%
YAML
$BIN/stormdb-simple -c t.yaml --no-summary --json ok.json >out.txt 2>&1 \
    || { cat out.txt; fail "passing thresholds from the file"; }
assert_contains out.txt "tps>1"
assert_contains out.txt "error_rate<1%"
assert_eq "$($JGET ok.json thresholds.0.expression)" "tps>1" "thresholds in the JSON"
assert_eq "$($JGET ok.json thresholds.0.pass)" true "threshold passed in the JSON"
assert_eq "$($JGET ok.json thresholds.1.metric)" error_rate "threshold metric in the JSON"
expect_status 99 $BIN/stormdb-simple -c t.yaml --no-summary --threshold 'p99<1ns' >out.txt 2>&1
assert_contains out.txt "p99<1ns"
printf 'thresholds:\n  - tps>1\n  - p42<5ms\n' >bad.yaml
expect_status 2 $BIN/stormdb-simple -c bad.yaml 2>err.txt
assert_contains err.txt "bad.yaml:3:5: error: threshold 'p42<5ms'"

# --abort-on-fail: a failing run-level threshold stops the run early
start=$(date +%s)
expect_status 99 $BIN/stormdb-simple --duration 60s --summary-interval 1s --abort-on-fail \
    --threshold 'p99<1ns' --json ab.json >out.txt 2>err.txt
elapsed=$(( $(date +%s) - start ))
[ "$elapsed" -le 10 ] || fail "--abort-on-fail took ${elapsed}s to stop"
assert_contains err.txt "--abort-on-fail: threshold p99<1ns"
assert_contains out.txt "the run was stopped early"
assert_contains out.txt "Performance Summary"
# a passing one lets the run take its whole duration
$BIN/stormdb-simple --duration 3s --summary-interval 1s --abort-on-fail --threshold 'tps>1' \
    --no-summary --json full.json >out.txt 2>&1 || { cat out.txt; fail "abort-on-fail, passing"; }
assert_gt "$($JGET full.json run.elapsed_s)" 2.9 "full duration"
echo "ok"
