# Where the connection settings come from, against the live cluster:
# flags > STORMDB_DB_* > the file (with ${VAR} expansion) > PG* (libpq) >
# defaults; database.query_timeout and connection_timeout reach the server;
# --print-config shows each value's source with the secrets masked.
. "$(dirname "$0")/lib.sh"

# a workload whose checks read the session's settings
cat >envw.swl <<'SWL'
workload envw {
    description "reads its session settings";
}
schema {
    CREATE TABLE envw_t (id int);
}
statement one: SELECT 1;
transaction t {
    one();
}
check timeout "statement_timeout from query_timeout": SELECT current_setting('statement_timeout') = '1500ms';
check appname "application_name": SELECT current_setting('application_name') = 'stormdb-envw';
SWL
$BIN/swlc --build envw.swl -o stormdb-envw 2>err.txt || { cat err.txt; fail "swlc --build"; }
real_db=$PGDATABASE

# the file points at a port nothing listens on and a missing database
cat >cfg.yaml <<YAML
database:
  host: \${SDB_IT_HOST:-127.0.0.1}
  port: 1
  dbname: no_such_db
  password: FileS3cret_pw
  query_timeout: 1500ms
  connection_timeout: 3s
workload_config: {}
duration: 1s
YAML

# file alone: its port wins over PGPORT -> cannot connect
expect_status 1 ./stormdb-envw -c cfg.yaml --no-summary >out.txt 2>err.txt
assert_contains err.txt "cannot connect"
assert_contains err.txt "port 1"

# STORMDB_DB_PORT beats the file; the file's dbname still wins over PGDATABASE
expect_status 1 env STORMDB_DB_PORT=$PGPORT ./stormdb-envw -c cfg.yaml --no-summary \
    >out.txt 2>err.txt
assert_contains err.txt 'database "no_such_db" does not exist'

# STORMDB_DB_NAME beats the file; the flag beats STORMDB_DB_NAME
STORMDB_DB_PORT=$PGPORT STORMDB_DB_NAME=$real_db ./stormdb-envw -c cfg.yaml --setup \
    --no-summary --json a.json >out.txt 2>err.txt || { cat out.txt err.txt; fail "env over file"; }
assert_contains out.txt "dbname=$real_db"
assert_contains out.txt "host=127.0.0.1"
expect_status 1 env STORMDB_DB_PORT=$PGPORT STORMDB_DB_NAME=$real_db ./stormdb-envw -c cfg.yaml \
    --dbname flag_db --no-summary >out.txt 2>err.txt
assert_contains err.txt 'database "flag_db" does not exist'

# ${VAR} in the file: the variable wins over its default
expect_status 1 env SDB_IT_HOST=127.0.0.2 STORMDB_DB_PORT=$PGPORT ./stormdb-envw -c cfg.yaml \
    --no-summary >out.txt 2>err.txt
assert_contains err.txt "127.0.0.2"

# query_timeout and application_name reach the session (the checks read them)
STORMDB_DB_PORT=$PGPORT STORMDB_DB_NAME=$real_db ./stormdb-envw -c cfg.yaml --check \
    >chk.txt 2>&1 || { cat chk.txt; fail "settings checks"; }
assert_contains chk.txt "PASS timeout"
assert_contains chk.txt "PASS appname"

# PG* come last: with no file, libpq's PGHOST/PGPORT/PGDATABASE are used
expect_status 1 ./stormdb-envw --check >chk.txt 2>&1
assert_contains chk.txt "PASS appname"
assert_contains chk.txt "FAIL timeout"      # no query_timeout anywhere: server default

# an unset ${VAR} without a default: exit 2, the message names it and its place
cat >unset.yaml <<'YAML'
database:
  host: ${SDB_IT_NOT_SET}
YAML
expect_status 2 ./stormdb-envw -c unset.yaml 2>err.txt
assert_contains err.txt "unset.yaml:2:9: error: environment variable 'SDB_IT_NOT_SET' is not set"
expect_status 2 env STORMDB_DB_PORT=x ./stormdb-envw 2>err.txt
assert_contains err.txt "invalid value 'x' for STORMDB_DB_PORT"

# --print-config: values, sources, masking; exit 0 without connecting
STORMDB_DB_PORT=$PGPORT STORMDB_DB_PASSWORD=EnvS3cret_pw ./stormdb-envw -c cfg.yaml \
    --dbname flag_db --workers 3 --print-config >pc.txt 2>pc.err || { cat pc.txt pc.err; fail "--print-config"; }
assert_contains pc.txt "  host: 127.0.0.1"
assert_contains pc.txt "# file cfg.yaml:2"
assert_contains pc.txt "  port: $PGPORT"
assert_contains pc.txt "# env STORMDB_DB_PORT"
assert_contains pc.txt "  dbname: flag_db"
assert_contains pc.txt "# flag --dbname"
assert_contains pc.txt "  username: $PGUSER"
assert_contains pc.txt "# env PGUSER (libpq)"
assert_contains pc.txt '  password: "********"'
assert_contains pc.txt "# env STORMDB_DB_PASSWORD"
assert_contains pc.txt "  query_timeout: 1.5s"
assert_contains pc.txt "workers: 3"
assert_contains pc.txt "duration: 1s"
assert_contains pc.txt "summary_interval: 10s"
if grep -q 'S3cret_pw' pc.txt pc.err; then fail "--print-config printed a password"; fi

# a url: its password masked, a field set elsewhere overrides the url's
cat >url.yaml <<YAML
database:
  url: "postgresql://$PGUSER:Url%2FS3cret_pw@127.0.0.1:1/no_such_db?application_name=x"
YAML
env STORMDB_DB_PORT=$PGPORT ./stormdb-envw -c url.yaml --dbname "$real_db" --print-config >pc.txt
assert_contains pc.txt "url: postgresql://$PGUSER:********@127.0.0.1:1/"
assert_contains pc.txt "  port: $PGPORT"
if grep -q 'S3cret_pw' pc.txt; then fail "--print-config printed the url's password"; fi
expect_status 1 env STORMDB_DB_PORT=$PGPORT ./stormdb-envw -c url.yaml --dbname "$real_db" \
    --check >chk.txt 2>&1
assert_contains chk.txt "PASS appname"      # ours overrides the url's application_name
echo "ok"
