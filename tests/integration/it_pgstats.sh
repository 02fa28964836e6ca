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
echo "ok"
