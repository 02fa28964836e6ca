# stormdb-simple: --setup loads 10000 rows per scale unit, then each workload
# type runs with no failures, and the JSON report carries the documented
# fields with consistent values.
. "$(dirname "$0")/lib.sh"

$BIN/stormdb-simple --setup --scale 2 --workload simple_mixed --workers 4 \
    --duration 3s --no-summary --json mixed.json >out.txt 2>err.txt || { cat out.txt err.txt; fail "run failed"; }
assert_eq "$(sql 'SELECT count(*) FROM loadtest')" 20000 "rows loaded"
assert_eq "$(sql 'SELECT count(DISTINCT id) FROM loadtest WHERE length(val) BETWEEN 20 AND 40')" 20000 "generated values"
assert_eq "$($JGET mixed.json run.scale)" 2 "scale in JSON"
assert_eq "$($JGET mixed.json run.type)" simple_mixed "type in JSON"
assert_eq "$($JGET mixed.json performance.failed)" 0 "failed"
assert_gt "$($JGET mixed.json performance.tps)" 0 "tps"
assert_gt "$($JGET mixed.json performance.qps)" 0 "qps"
ok=$($JGET mixed.json performance.successful)
total=$($JGET mixed.json performance.total_transactions)
assert_eq "$ok" "$total" "successful == total"
assert_eq "$($JGET mixed.json performance.success_rate)" "100.000000" "success rate"
for p in p50 p95 p99 p999; do
    assert_gt "$($JGET mixed.json latency.percentiles.$p)" 0 "latency $p"
done
p50=$($JGET mixed.json latency.percentiles.p50)
p99=$($JGET mixed.json latency.percentiles.p99)
awk -v a="$p50" -v b="$p99" 'BEGIN { exit !(a <= b) }' || fail "p50 $p50 > p99 $p99"
# both transactions ran, about half each
reads=$($JGET mixed.json transactions.0.successful)
writes=$($JGET mixed.json transactions.1.successful)
awk -v r="$reads" -v w="$writes" 'BEGIN { f = r / (r + w); exit !(f > 0.4 && f < 0.6) }' \
    || fail "mix 50/50: reads $reads writes $writes"
# the writes really happened: updated rows carry a timestamp
assert_gt "$(sql 'SELECT count(*) FROM loadtest WHERE updated IS NOT NULL')" 0 "updated rows"
# the time series: one row per second of the 3 s run, adding up to the
# completions (those of the final drain aside: at most one per session)
rows=$($JGET mixed.json time_series.rows)
nrows=$(printf '%s' "$rows" | grep -o '"t_s"' | wc -l)
[ "$nrows" -ge 3 ] && [ "$nrows" -le 4 ] || fail "time series rows: $nrows"
sum=$(printf '%s' "$rows" | grep -o '"completed":[0-9]*' | cut -d: -f2 | awk '{ s += $1 } END { print s }')
awk -v s="$sum" -v ok="$ok" 'BEGIN { exit !(s <= ok && s >= ok - 4) }' \
    || fail "time series sum $sum vs completed $ok"
assert_eq "$($JGET mixed.json time_series.interval_s)" "1.000000" "series interval"
assert_contains out.txt "Performance Summary"
assert_contains out.txt "Latency Distribution"

# CSV and HTML reports of a run
$BIN/stormdb-simple --workload simple_mixed --workers 2 --duration 3s --no-summary \
    --csv series.csv --html report.html >/dev/null 2>&1 || fail "csv/html run"
assert_eq "$(head -1 series.csv)" "t_s,length_s,completed,failed,tps,mean_ms,p50_ms,p90_ms,p99_ms,max_ms,lag_p99_ms" "csv header"
n=$(($(wc -l <series.csv) - 1))
[ "$n" -ge 3 ] && [ "$n" -le 4 ] || fail "csv rows: $n"
awk -F, 'NR > 1 && $3 <= 0 { bad = 1 } END { exit bad }' series.csv || fail "an empty interval"
assert_eq "$(head -1 series_transactions.csv | cut -d, -f1-3)" "transaction,weight,completed" "tx csv header"
assert_eq "$(grep -c '^read,\|^write,' series_transactions.csv)" 2 "tx csv rows"
assert_contains report.html "<svg"
assert_contains report.html "Throughput over time"
assert_contains report.html "Latency by percentile"
[ "$(grep -c '<polyline' report.html)" -ge 5 ] || fail "html charts"
# self-contained: no address but the SVG namespace
if grep -o 'https\?://[^"]*' report.html | grep -v '^http://www.w3.org/2000/svg$' | grep -q .; then
    fail "the HTML report refers to something outside itself"
fi
ls series.csv.tmp.* report.html.tmp.* >/dev/null 2>&1 && fail "temporary files left"

# read-only and write-only types; the scale is read from the data (2)
$BIN/stormdb-simple --workload simple_read --duration 2s --no-summary --json read.json >/dev/null
assert_eq "$($JGET read.json run.scale)" 2 "scale detected from data"
assert_eq "$($JGET read.json performance.queries.update)" 0 "simple_read runs no update"
assert_gt "$($JGET read.json performance.queries.select)" 0 "simple_read selects"
$BIN/stormdb-simple --workload simple_write --duration 2s --no-summary --json write.json >/dev/null
assert_eq "$($JGET write.json performance.queries.select)" 0 "simple_write runs no select"
assert_gt "$($JGET write.json performance.queries.update)" 0 "simple_write updates"
echo "ok"
