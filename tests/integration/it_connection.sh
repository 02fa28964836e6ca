# stormdb-connection compares persistent and new connections on the same
# transactions: both modes run, every transient transaction opened one
# connection (and the server saw that many backends), and the report gives
# connect-time percentiles and the per-mode throughput and latency.
. "$(dirname "$0")/lib.sh"

$BIN/stormdb-connection --setup --workers 2 --duration 3s --no-summary --json c.json >out.txt 2>&1 \
    || { cat out.txt; fail "connection run"; }
assert_eq "$($JGET c.json performance.failed)" 0 "failed"
persistent=$($JGET c.json connections.by_mode.persistent.transactions)
transient=$($JGET c.json connections.by_mode.transient.transactions)
assert_gt "$persistent" 10 "persistent transactions"
assert_gt "$transient" 10 "transient transactions"
# mixed mode: every other transaction of a session is transient
awk -v p="$persistent" -v t="$transient" 'BEGIN { d = p - t; if (d < 0) d = -d; exit !(d <= 2) }' \
    || fail "alternation: persistent $persistent transient $transient"
assert_eq "$($JGET c.json connections.opened)" "$transient" "one connection per transient transaction"
assert_gt "$($JGET c.json connections.setup.percentiles.p50)" 0 "connect p50"
assert_gt "$($JGET c.json connections.setup.percentiles.p99)" 0 "connect p99"
assert_gt "$($JGET c.json connections.by_mode.transient.tps)" 0 "transient tps"
# a transient transaction includes its connection set-up: it is slower
awk -v p="$($JGET c.json connections.by_mode.persistent.latency.average_ms)" \
    -v t="$($JGET c.json connections.by_mode.transient.latency.average_ms)" \
    'BEGIN { exit !(t > p) }' || fail "transient not slower than persistent"
assert_contains out.txt "Overhead"
assert_contains out.txt "connections opened"

# the mode from the command line: every transaction on a new connection
$BIN/stormdb-connection --connection-mode transient --workers 2 --duration 2s --no-summary \
    --json t.json >/dev/null 2>&1 || fail "transient run"
assert_eq "$($JGET t.json connections.by_mode.persistent.transactions)" 0 "no persistent ones"
assert_eq "$($JGET t.json connections.opened)" "$($JGET t.json performance.successful)" \
    "one connection per transaction"
# fewer connections than workers: the sessions share them and some wait
$BIN/stormdb-connection --connection-mode persistent --workers 6 --connections 2 \
    --duration 2s --no-summary --json p.json >out.txt 2>&1 || { cat out.txt; fail "pooled run"; }
assert_eq "$($JGET p.json connections.opened)" 0 "pooled: nothing opened per transaction"
assert_gt "$($JGET p.json connections.pool_waits)" 0 "pooled: sessions waited"
assert_eq "$($JGET p.json performance.failed)" 0 "pooled: failures"
assert_contains out.txt "Pool waits"
echo "ok"
