# Deck mixes deal exact proportions per deck; probes measure the change of a
# server value over the run; the headline leads the report; latency limits
# pass or fail; pg_stat_database's transactions during the run are reported.
. "$(dirname "$0")/lib.sh"

cat >feat.swl <<'SWL'
workload feat {
    description "report features";
    headline a "apm";
}
schema {
    CREATE TABLE feat_log (kind text);
}
statement log_a: INSERT INTO feat_log VALUES ('a');
statement log_b: INSERT INTO feat_log VALUES ('b');
probe a_rows "rows logged by a": SELECT count(*) FROM feat_log WHERE kind = 'a';
probe all_rows "rows logged": SELECT count(*) FROM feat_log;
probe a_share "share of a" per all_rows: SELECT count(*) FROM feat_log WHERE kind = 'a';
counter runs "transactions of a";
counter odd "odd draws" per runs;
transaction a limit p90 10s {
    count runs;
    if uniform(1, 2) == 1 { count odd by 1; }
    log_a();
}
transaction b limit p50 1ms {
    sleep 5ms;
    log_b();
}
mix feat_deck deck { a: 3; b: 1; }
mix feat_weighted { a: 3; b: 1; }
SWL
$BIN/swlc --build feat.swl -o stormdb-feat 2>err.txt || { cat err.txt; fail "swlc --build"; }
./stormdb-feat --setup --workers 1 --duration 2s --no-summary --json d.json >out.txt 2>&1 \
    || { cat out.txt; fail "deck run"; }
a=$($JGET d.json transactions.0.successful)
b=$($JGET d.json transactions.1.successful)
assert_gt "$a" 100 "a completions"
# one session deals whole decks of 3 a + 1 b: at any moment |a - 3b| <= 3
awk -v a="$a" -v b="$b" 'BEGIN { d = a - 3 * b; if (d < 0) d = -d; exit !(d <= 3) }' \
    || fail "deck proportions: a=$a b=$b"
# the probe saw exactly the rows a inserted
assert_eq "$($JGET d.json probes.0.change | cut -d. -f1)" "$a" "probe change == a's inserts"
assert_eq "$(sql "SELECT count(*) FROM feat_log WHERE kind = 'a'")" "$a" "rows of a"
# a probe 'per' another shows the share of its change: 3 of 4 rows are a's
share=$($JGET d.json probes.2.percent)
awk -v s="$share" 'BEGIN { exit !(s > 74 && s < 76.5) }' || fail "probe share $share"
# client counters: one per a, about half of them odd
assert_eq "$($JGET d.json counters.0.value)" "$a" "counter runs == a's completions"
odd=$($JGET d.json counters.1.percent)
awk -v s="$odd" 'BEGIN { exit !(s > 40 && s < 60) }' || fail "counter share $odd"
assert_contains out.txt "Counters"
assert_eq "$($JGET d.json headline.name)" apm "headline name"
assert_gt "$($JGET d.json headline.per_minute)" 0 "headline value"
assert_contains out.txt "apm"
assert_eq "$($JGET d.json transactions.0.limit.pass)" true "a's p90 within 10 s"
assert_eq "$($JGET d.json transactions.1.limit.pass)" false "b's p50 over 1 ms (it sleeps 5 ms)"
assert_contains out.txt "Response-Time Limits"
assert_contains out.txt "FAIL"
# the server counted at least our transactions
assert_gt "$($JGET d.json server.transactions)" "$a" "server transactions"

# the weighted mix draws independently: proportions only on average
./stormdb-feat -w feat_weighted --workers 2 --duration 2s --no-summary --json w.json >/dev/null 2>&1
a=$($JGET w.json transactions.0.successful)
b=$($JGET w.json transactions.1.successful)
awk -v a="$a" -v b="$b" 'BEGIN { f = a / (a + b); exit !(f > 0.6 && f < 0.9) }' \
    || fail "weighted proportions: a=$a b=$b"
echo "ok"
