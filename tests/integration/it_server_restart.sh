# Server faults during a run, on a cluster of this test's own: an immediate
# shutdown and a restart 2 s later, then pg_terminate_backend of every
# session.  The run goes on: connections are reopened with backoff and the
# statements prepared again, the transactions in flight are counted as
# failed with their class, the outage shows in the time series, and the
# run ends normally with a full report.  Dedicated and pooled sessions.
. "$(dirname "$0")/lib.sh"

OWN=$WORK/own
trap 'rc=$?; sh "$SDB_SOURCE/tests/integration/cluster.sh" stop "$OWN" >/dev/null 2>&1 || true;
      dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1 || true; rm -rf "$WORK"; exit $rc' EXIT
sh "$SDB_SOURCE/tests/integration/cluster.sh" start "$OWN" >/dev/null
. "$OWN/env"
export PGDATABASE=postgres
$BIN/stormdb-simple --setup --no-run >/dev/null 2>&1

for mode in dedicated pooled; do
    extra=""
    [ $mode = pooled ] && extra="--connections 2"
    $BIN/stormdb-simple --duration 12s --workers 4 $extra --summary-interval 1s \
        --json $mode.json >$mode.txt 2>&1 &
    pid=$!
    i=0
    until grep -q '^progress' $mode.txt || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
    sleep 1
    sh "$SDB_SOURCE/tests/integration/cluster.sh" crash "$OWN"
    sleep 2
    sh "$SDB_SOURCE/tests/integration/cluster.sh" restart "$OWN"
    sleep 3
    psql -XAtq -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                   WHERE application_name = 'stormdb-simple' AND backend_type = 'client backend'
                   AND pid <> pg_backend_pid()" >/dev/null
    wait $pid || { cat $mode.txt; fail "$mode: the run did not end normally"; }
    assert_contains $mode.txt "Performance Summary"
    assert_contains $mode.txt "reopened"
    assert_eq "$($JGET $mode.json run.interrupted)" false "$mode: not interrupted"
    assert_gt "$($JGET $mode.json connections.reconnects)" 1 "$mode: connections reopened"
    python3 - $mode.json <<'PY' || { cat $mode.txt; fail "$mode: the outage or the recovery is not in the report"; }
import json, sys
d = json.load(open(sys.argv[1]))
rows = d["time_series"]["rows"]
# the outage: seconds without a completion; the recovery: completions in
# the last seconds, after both faults
assert any(r["completed"] == 0 for r in rows), [r["completed"] for r in rows]
assert sum(r["completed"] for r in rows[-3:]) > 0, [r["completed"] for r in rows]
assert d["performance"]["successful"] > 0
classes = {e["sqlstate"] for e in d["errors"]}
# the transactions lost: the shutdown or the termination (57P01
# admin_shutdown) or the broken connection (08xxx)
assert classes and all(c == "57P01" or c.startswith("08") or c == "57P02" or c == "57P03"
                       for c in classes), classes
assert d["performance"]["failed"] == sum(e["count"] for e in d["errors"]), d["errors"]
PY
done
echo "ok"
