# SIGINT during a run: the run stops within about 2 seconds, prints the final
# report, writes the JSON (marked interrupted) and exits 130.
. "$(dirname "$0")/lib.sh"

$BIN/stormdb-simple --setup --duration 1s --no-summary >/dev/null
start=$(date +%s)
$BIN/stormdb-simple --duration 60s --workers 4 --no-summary --json i.json >out.txt 2>&1 &
pid=$!
sleep 3
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))
assert_eq "$rc" 130 "exit status after SIGINT"
[ "$elapsed" -le 8 ] || fail "took ${elapsed}s to stop"
assert_contains out.txt "Performance Summary"
assert_contains out.txt "(interrupted)"
assert_eq "$($JGET i.json run.interrupted)" true "interrupted in JSON"
assert_gt "$($JGET i.json performance.successful)" 0 "transactions before the signal"
ls i.json.tmp.* >/dev/null 2>&1 && fail "temporary JSON left behind"
echo "ok"
