# SIGINT during a run: the run stops within about 2 seconds, prints the final
# report, writes the JSON (marked interrupted) and exits 130.
. "$(dirname "$0")/lib.sh"

$BIN/stormdb-simple --setup --duration 1s --no-summary >/dev/null
$BIN/stormdb-simple --duration 60s --workers 4 --no-summary --json i.json --html i.html \
    >out.txt 2>&1 &
pid=$!
sleep 3
start=$(date +%s.%N)
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
assert_eq "$rc" 130 "exit status after SIGINT"
awk -v e="$elapsed" 'BEGIN { exit !(e <= 3) }' || fail "took ${elapsed}s to stop after SIGINT"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' i.json || fail "the JSON is not valid"
tail -c 20 i.html | grep -q '</html>' || fail "the HTML is not complete"
assert_contains i.html "<svg"
assert_contains out.txt "Performance Summary"
assert_contains out.txt "(interrupted)"
assert_eq "$($JGET i.json run.interrupted)" true "interrupted in JSON"
assert_gt "$($JGET i.json performance.successful)" 0 "transactions before the signal"
ls i.json.tmp.* >/dev/null 2>&1 && fail "temporary JSON left behind"

# SIGINT while a setup statement waits for another session's lock: the
# statement is cancelled at once, not when the lock goes away
psql -X -q -c "BEGIN; LOCK TABLE loadtest IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(30); COMMIT" \
    >/dev/null 2>&1 &
locker=$!
i=0
while [ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = 'loadtest'::regclass AND mode = 'AccessExclusiveLock' AND granted")" != 1 ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
$BIN/stormdb-simple --rebuild --no-run >setup.txt 2>&1 &
pid=$!
sleep 1.5
start=$(date +%s)
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))
kill $locker 2>/dev/null || true
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()" >/dev/null
wait $locker 2>/dev/null || true
assert_eq "$rc" 130 "exit status after SIGINT during a blocked setup"
[ "$elapsed" -le 3 ] || fail "a blocked setup took ${elapsed}s to stop"
assert_eq "$(sql "SELECT to_regclass('loadtest') IS NOT NULL")" t "the table was not dropped"
echo "ok"
