# Server faults during a run, on a cluster of this test's own:
#  (a) an immediate shutdown 3 s into a 15 s run, the server back 2 s later;
#  (b) every worker session terminated twice during a run;
# with dedicated and with pooled connections.  The run goes on (connections
# reopened with backoff, statements prepared again), exits 0 with a complete
# report that counts the failures by class, the outage shows in the time
# series, and no data is lost: every committed pgbench transaction is in
# pgbench_history (rows may exceed the count by the transactions in doubt,
# never fall short).  Then TPC-C through the same faults still passes its
# consistency checks.
. "$(dirname "$0")/lib.sh"

OWN=$WORK/own
CL="$SDB_SOURCE/tests/integration/cluster.sh"
trap 'rc=$?; sh "$CL" stop "$OWN" >/dev/null 2>&1 || true;
      dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1 || true; rm -rf "$WORK"; exit $rc' EXIT
# synchronous_commit on: a commit is acknowledged once its WAL is written,
# so the crash loses none (the shared test cluster runs with it off)
SDB_CLUSTER_EXTRA_OPTS="-c synchronous_commit=on" sh "$CL" start "$OWN" >/dev/null
. "$OWN/env"
export PGDATABASE=postgres
$BIN/stormdb-pgbench --setup --scale 1 --no-run >/dev/null 2>&1

# wait_running FILE: until the run's first progress line
wait_running() {
    i=0
    until grep -q '^progress' "$1" || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done
}
terminate() {
    psql -XAtq -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                   WHERE application_name LIKE 'stormdb-%' AND backend_type = 'client backend'
                   AND pid <> pg_backend_pid()"
}
# check NAME: exit 0 already checked; the report, reconnections, failure
# classes, the outage or the recovery in the time series, and history rows
check() {
    assert_contains $1.txt "Performance Summary"
    assert_contains $1.txt "reopened"
    assert_eq "$($JGET $1.json run.interrupted)" false "$1: not interrupted"
    assert_gt "$($JGET $1.json connections.reconnects)" 1 "$1: connections reopened"
    rows=$(sql "SELECT count(*) FROM pgbench_history")
    python3 - $1.json "$rows" "$2" <<'PY' || { cat $1.txt; fail "$1: the report does not add up"; }
import json, sys
d = json.load(open(sys.argv[1]))
rows, outage = int(sys.argv[2]), sys.argv[3] == "outage"
perf = d["performance"]
ok, doubt = perf["successful"], perf["in_doubt"]
# no data lost: every committed transaction inserted its history row
assert ok <= rows <= ok + doubt, (ok, doubt, rows)
assert perf["failed"] > 0 and perf["failed"] == sum(e["count"] for e in d["errors"]), d["errors"]
for e in d["errors"]:   # shutdown, termination (57P01..03) or a vanished connection (08xxx)
    assert e["sqlstate"].startswith("57P") or e["sqlstate"].startswith("08"), e
rows_ts = d["time_series"]["rows"]
if outage:
    assert any(r["completed"] == 0 for r in rows_ts), [r["completed"] for r in rows_ts]
assert sum(r["completed"] for r in rows_ts[-3:]) > 0, [r["completed"] for r in rows_ts]
PY
}

for mode in dedicated pooled; do
    extra=""
    [ $mode = pooled ] && extra="--connections 2"

    # (a) the server restarts 3 s into a 15 s run
    sql "TRUNCATE pgbench_history"
    $BIN/stormdb-pgbench --duration 15s --workers 4 $extra --summary-interval 1s \
        --json a_$mode.json >a_$mode.txt 2>&1 &
    pid=$!
    wait_running a_$mode.txt
    sleep 2
    sh "$CL" crash "$OWN"
    sleep 2
    sh "$CL" restart "$OWN"
    wait $pid || { cat a_$mode.txt; fail "(a) $mode: exit status not 0"; }
    check a_$mode outage

    # (b) every worker session terminated twice
    sql "TRUNCATE pgbench_history"
    $BIN/stormdb-pgbench --duration 8s --workers 4 $extra --summary-interval 1s \
        --json b_$mode.json >b_$mode.txt 2>&1 &
    pid=$!
    wait_running b_$mode.txt
    sleep 1.5
    n1=$(terminate)
    sleep 2.5
    n2=$(terminate)
    wait $pid || { cat b_$mode.txt; fail "(b) $mode: exit status not 0"; }
    assert_gt "$n1" 0 "(b) $mode: sessions terminated, first time"
    assert_gt "$n2" 0 "(b) $mode: sessions terminated, second time"
    check b_$mode none
done

# TPC-C through both faults: its consistency checks still pass
$BIN/stormdb-tpcc --setup --scale 1 --no-run >/dev/null 2>&1
$BIN/stormdb-tpcc --duration 10s --workers 4 --summary-interval 1s --json t.json >t.txt 2>&1 &
pid=$!
wait_running t.txt
sleep 1
terminate >/dev/null
sleep 1.5
sh "$CL" crash "$OWN"
sleep 1
sh "$CL" restart "$OWN"
wait $pid || { cat t.txt; fail "TPC-C run with faults"; }
$BIN/stormdb-tpcc --check >check.txt 2>&1 || { cat check.txt; fail "TPC-C checks after faults"; }
assert_gt "$($JGET t.json connections.reconnects)" 1 "TPC-C: connections reopened"
echo "ok"
