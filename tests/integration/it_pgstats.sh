# Server statistics (runtime/src/pgstats.c) against the test cluster: the
# live checks of tests/unit/test_pgstats.c, pointed at this test's database
# (SDB_PGSTATS_DSN): a write load shows WAL bytes and buffers written, a
# CHECKPOINT shows as requested, a blocked UPDATE shows as lock waits and a
# Lock wait event, and --pg-stat-statements without the extension preloaded
# says so and goes on.  Then a second cluster that preloads
# pg_stat_statements: a statement run N times is in the top statements with
# calls == N, and the monitor's own queries are not.
. "$(dirname "$0")/lib.sh"

PROBE=$SDB_BUILD/tests/test_pgstats
PGSS=$WORK/pgss
trap 'rc=$?; sh "$SDB_SOURCE/tests/integration/cluster.sh" stop "$PGSS" >/dev/null 2>&1 || true;
      dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1 || true; rm -rf "$WORK"; exit $rc' EXIT

SDB_PGSTATS_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE" \
    "$PROBE" >live.txt 2>&1 || { cat live.txt; fail "live checks on the test cluster"; }
assert_contains live.txt "[       OK ] test_live_write_checkpoint"
assert_contains live.txt "[       OK ] test_live_lock_waits"
assert_contains live.txt "is not in shared_preload_libraries"
grep "monitor cost" live.txt

# --collect-pg-stats on real runs: a write-heavy run with a CHECKPOINT in
# the middle shows WAL bytes, a requested checkpoint and buffers written;
# a lock held by the test shows in the wait-event profile and lock waits
$BIN/stormdb-pgbench --rebuild --force --scale 1 --no-run >/dev/null 2>&1
(sleep 2; psql -XAtq -c CHECKPOINT) &
ck=$!
$BIN/stormdb-pgbench --duration 4s --workers 4 --summary-interval 1s --collect-pg-stats \
    --json w.json --csv w.csv --html w.html >run.txt 2>&1 \
    || { cat run.txt; fail "pgbench run with --collect-pg-stats"; }
wait $ck
assert_contains run.txt "Server (PostgreSQL"
assert_gt "$($JGET w.json pg_stats.run.wal_bytes)" 0 "WAL bytes of a write-heavy run"
assert_gt "$($JGET w.json pg_stats.run.checkpoints_requested)" 0 "the CHECKPOINT, requested"
assert_gt "$($JGET w.json pg_stats.run.buffers_checkpoint)" 0 "buffers written by the checkpointer"
assert_gt "$($JGET w.json pg_stats.run.tup_inserted)" 100 "rows inserted"
head -1 w_server.csv | grep -q '^t_s,length_s,pg_wal_bytes,' || fail "server CSV header"
assert_gt "$(wc -l < w_server.csv)" 2 "server CSV rows"
for title in "WAL written over time" "Buffer cache hit ratio over time" "Wait events (samples per interval)"; do
    assert_contains w.html "aria-label=\"$title\""
done

$BIN/stormdb-pgbench -w pgbench_select_only --duration 5s --workers 2 --no-summary \
    --collect-pg-stats --json l.json >run.txt 2>&1 &
pid=$!
i=0
until grep -q '^running' run.txt || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
psql -X -q -c "BEGIN; LOCK TABLE pgbench_accounts IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(2); COMMIT" \
    >/dev/null 2>&1
wait $pid || { cat run.txt; fail "run with a lock held"; }
python3 - l.json <<'PY' || fail "a held lock is not in the wait-event profile"
import json, sys
p = json.load(open(sys.argv[1]))["pg_stats"]
lock = sum(e["samples"] for e in p["wait_events"]["events"] if e["type"] == "Lock")
assert lock > 0, p["wait_events"]
assert p["lock_waits"]["polls_with_waiters"] > 0, p["lock_waits"]
PY

SDB_CLUSTER_EXTRA_OPTS="-c shared_preload_libraries=pg_stat_statements" \
    sh "$SDB_SOURCE/tests/integration/cluster.sh" start "$PGSS" >/dev/null
(
    . "$PGSS/env"
    createdb t_pgss
    psql -XAtq -v ON_ERROR_STOP=1 -d t_pgss -c "CREATE EXTENSION pg_stat_statements"
    SDB_PGSTATS_PGSS=1 SDB_PGSTATS_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=t_pgss" \
        "$PROBE" >"$WORK/pgss.txt" 2>&1
) || { cat pgss.txt; fail "pg_stat_statements checks"; }
assert_contains pgss.txt "[       OK ] test_live_statements"
grep "monitor cost" pgss.txt
# --pg-stat-statements on a real run: the top statements are the
# workload's, with the calls the report counted
(
    . "$PGSS/env"
    export PGDATABASE=t_pgss
    $BIN/stormdb-pgbench --rebuild --scale 1 --no-run >/dev/null 2>&1
    $BIN/stormdb-pgbench --duration 3s --workers 2 --no-summary --pg-stat-statements \
        --json "$WORK/s.json" >"$WORK/srun.txt" 2>&1
) || { cat srun.txt; fail "run with --pg-stat-statements"; }
python3 - s.json <<'PY' || fail "top statements do not match the report"
import json, sys
d = json.load(open(sys.argv[1]))
top = d["pg_stats"]["statements"]["top"]
assert top, d["pg_stats"]["statements"]
for st in d["statements"]:
    if st["executed"] == 0:
        continue
    word = {"update_account": "pgbench_accounts SET", "select_balance": "SELECT abalance",
            "update_teller": "pgbench_tellers", "update_branch": "pgbench_branches",
            "insert_history": "INSERT INTO pgbench_history"}[st["name"]]
    hits = [t for t in top if word in t["query"]]
    assert hits, (st["name"], [t["query"] for t in top])
    assert hits[0]["calls"] == st["executed"], (st["name"], hits[0]["calls"], st["executed"])
PY
echo "ok"
