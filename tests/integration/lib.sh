# lib.sh — shared by the integration tests (sourced).
#
# Each test gets its own database (named after the test) on the shared test
# cluster, so tests can run in parallel; it is dropped at the end.
set -eu
: "${SDB_BUILD:?}" "${SDB_CLUSTER:?}"
. "$SDB_CLUSTER/env"
BIN=$SDB_BUILD/bin
JGET=$SDB_BUILD/tests/jget
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sdb-$TEST_NAME-XXXXXX")
chmod 755 "$WORK"   # an embedded server running as nobody must reach into it
export PGDATABASE="t_$TEST_NAME"
dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1 || true
createdb "$PGDATABASE"
trap 'rc=$?; dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1 || true; rm -rf "$WORK"; exit $rc' EXIT
cd "$WORK"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# assert_eq ACTUAL EXPECTED WHAT
assert_eq() {
    [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}

# assert_gt ACTUAL MIN WHAT  (numbers, possibly fractional)
assert_gt() {
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }' || fail "$3: expected > $2, got '$1'"
}

# assert_contains FILE TEXT
assert_contains() {
    grep -qF -- "$2" "$1" || { echo "--- $1:" >&2; cat "$1" >&2; fail "$1 does not contain '$2'"; }
}

# sql QUERY — prints the single value the query returns
sql() {
    psql -XAtq -v ON_ERROR_STOP=1 -c "$1"
}

# expect_status N CMD... — runs CMD, checks its exit status is N
expect_status() {
    want=$1
    shift
    set +e
    "$@"
    got=$?
    set -e
    [ "$got" = "$want" ] || fail "'$*' exited $got, expected $want"
}

# json_counter FILE NAME — the value of the workload counter NAME in the
# JSON report FILE (fails when it has none)
json_counter() {
    j=0
    while name=$($JGET "$1" counters.$j.name 2>/dev/null) && [ -n "$name" ]; do
        [ "$name" = "$2" ] && { $JGET "$1" counters.$j.value; return; }
        j=$((j + 1))
    done
    fail "$1: no counter $2"
}
