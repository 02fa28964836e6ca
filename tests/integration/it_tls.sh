# TLS settings reach libpq unchanged: against a cluster of the test's own
# with ssl=on and a server certificate for localhost signed by a test CA,
# sslmode=verify-full with sslrootcert=the CA succeeds; without the CA, with
# another CA, or with a host name the certificate does not name, the
# connection fails with libpq's clear message (exit 1).
. "$(dirname "$0")/lib.sh"

T=$WORK/tls
mkdir -p "$T"
cd "$T"
openssl req -x509 -new -nodes -newkey rsa:2048 -days 2 -subj "/CN=stormdb test CA" \
    -keyout ca.key -out ca.crt >/dev/null 2>&1
openssl req -new -nodes -newkey rsa:2048 -subj "/CN=localhost" \
    -keyout server.key -out server.csr >/dev/null 2>&1
printf 'subjectAltName=DNS:localhost\n' >san.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
    -extfile san.ext -out server.crt >/dev/null 2>&1
openssl req -x509 -new -nodes -newkey rsa:2048 -days 2 -subj "/CN=another CA" \
    -keyout other.key -out other.crt >/dev/null 2>&1
chmod 600 server.key
[ "$(id -u)" -eq 0 ] && chown nobody:nogroup server.key server.crt
cd "$WORK"

CL=$WORK/cl
SDB_CLUSTER_EXTRA_OPTS="-c ssl=on -c ssl_cert_file=$T/server.crt -c ssl_key_file=$T/server.key" \
    sh "$SDB_SOURCE/tests/integration/cluster.sh" start "$CL" >/dev/null
trap 'rc=$?; sh "$SDB_SOURCE/tests/integration/cluster.sh" stop "$CL"; dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1 || true; rm -rf "$WORK"; exit $rc' EXIT
CLPORT=$(sed -n 's/^export PGPORT=//p' "$CL/env")
# nothing of the caller's may help or hinder: no PG* connection or TLS
# variables, no ~/.postgresql
simple() {
    env -u PGSSLMODE -u PGSSLROOTCERT -u PGSSLCERT -u PGSSLKEY -u PGHOST -u PGPORT \
        -u PGDATABASE HOME="$WORK" "$BIN/stormdb-simple" "$@"
}

cat >tls.yaml <<YAML
database:
  host: localhost
  port: $CLPORT
  dbname: postgres
  username: stormdb
  sslmode: verify-full
  sslrootcert: $T/ca.crt
duration: 1s
workers: 2
YAML
simple -c tls.yaml --setup --no-summary --json tls.json >ok.out 2>ok.err \
    || { cat ok.out ok.err; fail "verify-full with the CA"; }
assert_gt "$($JGET tls.json performance.tps)" 0 "tps over TLS"
simple -c tls.yaml --print-config >pc.out
assert_contains pc.out "  sslrootcert: $T/ca.crt"
assert_contains pc.out "  sslmode: verify-full"

# a flag over the file: require encrypts without checking the certificate
simple -c tls.yaml --sslmode require --host 127.0.0.1 --duration 1s --no-summary \
    >req.out 2>&1 || { cat req.out; fail "sslmode=require"; }

# no CA: libpq says the root certificate file is missing
sed "/sslrootcert/d" tls.yaml >noca.yaml
expect_status 1 simple -c noca.yaml --no-summary >noca.out 2>noca.err
assert_contains noca.err "cannot connect"
assert_contains noca.err "root certificate file"
assert_contains noca.err "does not exist"

# another CA: verification fails
sed "s|$T/ca.crt|$T/other.crt|" tls.yaml >other.yaml
expect_status 1 simple -c other.yaml --no-summary >other.out 2>other.err
assert_contains other.err "certificate verify failed"

# the right CA but a host name the certificate does not name
expect_status 1 simple -c tls.yaml --host 127.0.0.1 --no-summary >host.out 2>host.err
assert_contains host.err 'does not match host name "127.0.0.1"'
echo "ok"
