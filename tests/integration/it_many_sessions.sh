# 1000 sessions on 2 threads, sharing 50 connections (the test cluster allows
# 200) and thinking between transactions: the run completes, every session
# ran transactions (each writes its own row), and the client's memory per
# session stays small.  Memory per session is the growth of the client's peak
# RSS (/usr/bin/time) from 10 sessions to 1000, divided by the 990 sessions
# added; it also counts the 40 connections added, so it is an upper bound.
. "$(dirname "$0")/lib.sh"
[ -x /usr/bin/time ] || fail "/usr/bin/time not found (apt-get install time)"

cat >many.swl <<'SWL'
workload many {
    version "0.1";
    description "many sessions that mostly think";
}
schema {
    CREATE TABLE many_seen (w int PRIMARY KEY, n bigint NOT NULL);
}
statement touch:
    INSERT INTO many_seen (w, n) VALUES ($1, 1)
    ON CONFLICT (w) DO UPDATE SET n = many_seen.n + 1;
-- each session counts its transactions in its own row, then thinks ~200 ms
transaction visit think uniform(0.1, 0.3) {
    touch(worker);
}
SWL
$BIN/swlc --build many.swl -o stormdb-many >build.txt 2>&1 || { cat build.txt; fail "swlc --build"; }
./stormdb-many --setup --no-run >setup.txt 2>&1 || { cat setup.txt; fail "setup"; }

# peak RSS in KB of a run of $1 sessions on $2 connections, 2 threads, 4 s
run() {
    sql 'TRUNCATE many_seen' >/dev/null
    /usr/bin/time -f '%M' -o "time$1" ./stormdb-many --workers "$1" --connections "$2" --threads 2 \
        --duration 4s --no-summary --json "r$1.json" >"out$1.txt" 2>&1 \
        || { cat "out$1.txt"; fail "run of $1 sessions"; }
    tail -1 "time$1"
}

rss10=$(run 10 10)
rss1000=$(run 1000 50)
assert_eq "$($JGET r1000.json run.workers)" 1000 "workers"
assert_eq "$($JGET r1000.json run.threads)" 2 "threads"
assert_eq "$($JGET r1000.json performance.failed)" 0 "failed transactions"
committed=$($JGET r1000.json performance.successful)
# each session thinks 0.2 s on average: about 4 transactions each in 4 s
assert_gt "$committed" 1999 "transactions committed by 1000 sessions in 4 s"
assert_eq "$(sql 'SELECT count(*) FROM many_seen')" 1000 "sessions that committed a transaction"
assert_eq "$(sql 'SELECT sum(n) FROM many_seen')" "$committed" "rows written == committed"

per_session=$(awk -v a="$rss10" -v b="$rss1000" 'BEGIN { printf "%.1f", (b - a) / 990 }')
echo "peak RSS: 10 sessions $rss10 KB, 1000 sessions $rss1000 KB: $per_session KB per session"
# a sanitizer build's memory (shadow memory, red zones, a quarantine of
# freed blocks) says nothing about the client's: the bound holds for plain
# builds only
if grep -q '^SDB_SANITIZE:[A-Z]*=.\+' "$SDB_BUILD/CMakeCache.txt" 2>/dev/null; then
    echo "SKIPPED: the memory bound (a sanitizer build)"
else
    awk -v k="$per_session" 'BEGIN { exit !(k < 64) }' ||
        fail "memory per session: $per_session KB, expected < 64"
fi
echo "ok"
