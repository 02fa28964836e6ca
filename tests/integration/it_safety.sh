# Safety: a password never shows in any output (console, JSON, a failed
# login, --print-config), against a cluster of the test's own that really
# demands it over TCP; --rebuild and --cleanup drop only tables stormdb
# created (marked by a table comment), refuse a foreign table of the same
# name (made by hand or by pgbench -i), and drop it with --force and a
# warning.
. "$(dirname "$0")/lib.sh"

# ---- a cluster with password authentication on 127.0.0.1 ----------------
CL=$WORK/cl
sh "$SDB_SOURCE/tests/integration/cluster.sh" start "$CL" >/dev/null
trap 'rc=$?; sh "$SDB_SOURCE/tests/integration/cluster.sh" stop "$CL"; dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1 || true; rm -rf "$WORK"; exit $rc' EXIT
CLPORT=$(sed -n 's/^export PGPORT=//p' "$CL/env")
csql() {
    PGHOST=$CL PGPORT=$CLPORT PGDATABASE=postgres psql -XAtq -v ON_ERROR_STOP=1 -c "$1"
}
PW='Sec_Pw-7781zz'
csql "CREATE ROLE pwuser LOGIN PASSWORD '$PW'"
csql "CREATE DATABASE safety OWNER pwuser"
# first match wins: TCP from 127.0.0.1 now needs the password (contents
# replaced in place, so the file keeps its owner)
hba=$CL/data/pg_hba.conf
{ echo "host all all 127.0.0.1/32 scram-sha-256"; cat "$hba"; } >hba.new
cat hba.new >"$hba"
csql "SELECT pg_reload_conf()" >/dev/null
sleep 0.5

cat >pw.yaml <<YAML
database:
  host: 127.0.0.1
  port: $CLPORT
  dbname: safety
  username: pwuser
  password: "$PW"
duration: 1s
workers: 2
YAML
# without the password the server refuses: the test is real
expect_status 1 env -u PGPASSWORD $BIN/stormdb-simple --host 127.0.0.1 --port $CLPORT \
    --dbname safety -u pwuser --no-summary >nopw.out 2>nopw.err
assert_contains nopw.err "cannot connect"

# a run with the right password: set-up, run, JSON, --print-config
$BIN/stormdb-simple -c pw.yaml --setup --summary-interval 500ms --json run.json \
    >run.out 2>run.err || { cat run.out run.err; fail "run with the password"; }
assert_gt "$($JGET run.json performance.tps)" 0 "tps with password auth"
$BIN/stormdb-simple -c pw.yaml --print-config >pc.out 2>pc.err
assert_contains pc.out '  password: "********"'
# the same password through every other source
STORMDB_DB_PASSWORD=$PW $BIN/stormdb-simple --host 127.0.0.1 --port $CLPORT --dbname safety \
    -u pwuser --duration 1s --no-summary >env.out 2>env.err || { cat env.err; fail "STORMDB_DB_PASSWORD"; }
$BIN/stormdb-simple --host 127.0.0.1 --port $CLPORT --dbname safety -u pwuser -p "$PW" \
    --duration 1s --no-summary --json flag.json >flag.out 2>flag.err || { cat flag.err; fail "-p"; }
cat >url.yaml <<YAML
database:
  url: "postgresql://pwuser:$PW@127.0.0.1:$CLPORT/safety"
duration: 1s
YAML
$BIN/stormdb-simple -c url.yaml --no-summary --json url.json >url.out 2>url.err \
    || { cat url.err; fail "url with password"; }
$BIN/stormdb-simple -c url.yaml --print-config >urlpc.out 2>&1

# failed logins: wrong passwords (the wrong one must not show either), and
# a malformed url that libpq's parser echoes
WRONG='Wrong_Pw-4452qq'
expect_status 1 $BIN/stormdb-simple --host 127.0.0.1 --port $CLPORT --dbname safety -u pwuser \
    -p "$WRONG" --no-summary >bad1.out 2>bad1.err
assert_contains bad1.err "password authentication failed"
cat >badurl.yaml <<YAML
database:
  url: "postgresql://pwuser:$WRONG@127.0.0.1:$CLPORT/safety?sslmode=nope"
YAML
expect_status 1 $BIN/stormdb-simple -c badurl.yaml >bad2.out 2>bad2.err
assert_contains bad2.err 'invalid sslmode value: "nope"'
cat >badurl1.yaml <<YAML
database:
  url: "postgresql://pwuser:$WRONG@127.0.0.1:$CLPORT/safety?bogus=1"
YAML
expect_status 2 $BIN/stormdb-simple -c badurl1.yaml >bad4.out 2>bad4.err
assert_contains bad4.err "badurl1.yaml:2:8: error: invalid value for 'database.url'"
cat >badurl2.yaml <<YAML
database:
  url: "host=127.0.0.1 port=$CLPORT dbname=safety user=pwuser password=$WRONG"
YAML
expect_status 1 $BIN/stormdb-simple -c badurl2.yaml --no-summary >bad3.out 2>bad3.err
assert_contains bad3.err "password authentication failed"

for f in run.out run.err run.json pc.out pc.err env.out env.err flag.out flag.err flag.json \
         url.out url.err url.json urlpc.out nopw.out nopw.err; do
    [ -f "$f" ] || fail "$f missing"
    if grep -qF "$PW" "$f"; then cat "$f" >&2; fail "the password shows in $f"; fi
done
for f in bad1.out bad1.err bad2.out bad2.err bad3.out bad3.err bad4.out bad4.err; do
    if grep -qF "$WRONG" "$f"; then cat "$f" >&2; fail "the wrong password shows in $f"; fi
done
# the server's log is not ours, but the JSON target names no secret at all
assert_eq "$($JGET run.json run.target)" "host=127.0.0.1 port=$CLPORT dbname=safety user=pwuser" "JSON target"

# ---- ownership: only tables stormdb created are dropped -------------------
# (on the shared cluster: PG* from lib.sh)
sql "CREATE TABLE loadtest (mine text)" >/dev/null
sql "INSERT INTO loadtest VALUES ('precious')" >/dev/null
expect_status 1 $BIN/stormdb-simple --rebuild --duration 1s --no-summary >o.txt 2>e.txt
assert_contains e.txt "refusing to drop table loadtest: stormdb did not create it"
assert_contains e.txt "--force"
assert_eq "$(sql 'SELECT mine FROM loadtest')" precious "--rebuild kept the foreign table"
expect_status 1 $BIN/stormdb-simple --cleanup >o.txt 2>e.txt
assert_contains e.txt "refusing to drop table loadtest"
assert_eq "$(sql "SELECT to_regclass('loadtest') IS NOT NULL")" t "--cleanup kept the foreign table"

$BIN/stormdb-simple --rebuild --force --duration 1s --no-summary >o.txt 2>e.txt \
    || { cat o.txt e.txt; fail "--rebuild --force"; }
assert_contains e.txt "warning: --force: dropping table loadtest, which stormdb did not create"
assert_eq "$(sql 'SELECT count(*) FROM loadtest')" 10000 "rebuilt by stormdb"
assert_eq "$(sql "SELECT replace(obj_description('loadtest'::regclass, 'pg_class'), chr(10), '|')")" \
    "created by stormdb workload simple|stormdb setup complete" "the ownership and completion marks"
# now ours: no --force needed, no warning
$BIN/stormdb-simple --rebuild --duration 1s --no-summary >o.txt 2>e.txt || { cat e.txt; fail "rebuild own"; }
if grep -q warning e.txt; then cat e.txt; fail "a warning for our own table"; fi
# dropped by hand and recreated: the mark is gone, so it is foreign again
sql "DROP TABLE loadtest; CREATE TABLE loadtest (mine text)" >/dev/null
expect_status 1 $BIN/stormdb-simple --cleanup >o.txt 2>e.txt
assert_contains e.txt "refusing to drop table loadtest"
sql "DROP TABLE loadtest" >/dev/null

# tables made by pgbench -i are not stormdb-pgbench's to drop
pgbench -i -s 1 -q >/dev/null 2>&1
expect_status 1 $BIN/stormdb-pgbench --rebuild --duration 1s --no-summary >o.txt 2>e.txt
assert_contains e.txt "refusing to drop tables pgbench_history, pgbench_tellers, pgbench_accounts, pgbench_branches"
assert_contains e.txt "pgbench -i"
assert_eq "$(sql 'SELECT count(*) FROM pgbench_branches')" 1 "pgbench -i tables kept"
# ... but are used as they are
$BIN/stormdb-pgbench --setup -w pgbench_select_only --duration 1s --no-summary >o.txt 2>&1 \
    || { cat o.txt; fail "run on pgbench -i tables"; }
# a table stormdb-simple created is not stormdb-pgbench's either (the mark names the workload)
$BIN/stormdb-pgbench --rebuild --force --no-run >o.txt 2>e.txt || { cat e.txt; fail "pgbench --force"; }
$BIN/stormdb-pgbench --cleanup >o.txt 2>e.txt || { cat e.txt; fail "cleanup own pgbench tables"; }
assert_eq "$(sql "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'pgbench_%'")" 0 "cleanup"
echo "ok"
