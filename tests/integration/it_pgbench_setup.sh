# stormdb-pgbench --setup generates exactly pgbench -i's data, so the two
# tools' tables are interchangeable.
. "$(dirname "$0")/lib.sh"

$BIN/stormdb-pgbench --setup --scale 2 -w pgbench_select_only --duration 1s \
    --no-summary >out.txt 2>&1 || { cat out.txt; fail "setup"; }
ours=$(sql "SELECT (SELECT count(*) || '/' || sum(abalance) || '/' || min(aid) || '/' || max(aid) || '/' || count(DISTINCT bid) || '/' || max(length(filler)) FROM pgbench_accounts) || ' ' || (SELECT count(*) || '/' || sum(bid) FROM pgbench_tellers) || ' ' || (SELECT count(*) || '/' || max(bid) FROM pgbench_branches) || ' ' || (SELECT count(*) FROM pgbench_history)")
# every account's branch is the one pgbench gives it
assert_eq "$(sql 'SELECT count(*) FROM pgbench_accounts WHERE bid <> (aid - 1) / 100000 + 1')" 0 "account branches"
assert_eq "$(sql "SELECT count(*) FROM pg_indexes WHERE tablename LIKE 'pgbench_%' AND indexname LIKE '%pkey'")" 3 "primary keys"

createdb ref_$TEST_NAME
PGDATABASE=ref_$TEST_NAME pgbench -i -s 2 -q >/dev/null 2>&1
theirs=$(PGDATABASE=ref_$TEST_NAME sql "SELECT (SELECT count(*) || '/' || sum(abalance) || '/' || min(aid) || '/' || max(aid) || '/' || count(DISTINCT bid) || '/' || max(length(filler)) FROM pgbench_accounts) || ' ' || (SELECT count(*) || '/' || sum(bid) FROM pgbench_tellers) || ' ' || (SELECT count(*) || '/' || max(bid) FROM pgbench_branches) || ' ' || (SELECT count(*) FROM pgbench_history)")
dropdb ref_$TEST_NAME
assert_eq "$ours" "$theirs" "same data as pgbench -i"
echo "ok"
