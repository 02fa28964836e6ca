# `found` and `affected` after statements of each kind: rows updated
# (command tag), rows selected, rows returned by UPDATE ... RETURNING, none;
# alone, between begin and commit, and inside a pipeline.
# One session: two would update the same rows and could deadlock.
. "$(dirname "$0")/lib.sh"

cat >fa.swl <<'SWL'
workload fa {
    version "0.1";
    description "found and affected";
}
schema {
    CREATE TABLE fa_rows (id int PRIMARY KEY, v int NOT NULL);
}
load fa_rows rows 10 {
    id = row;
    v = 0;
}
statement bump: UPDATE fa_rows SET v = v + 1 WHERE id <= $1;
statement pick: SELECT id FROM fa_rows WHERE id <= $1;
statement bump_ret: UPDATE fa_rows SET v = v + 1 WHERE id <= $1 RETURNING id;
statement nothing: SELECT id FROM fa_rows WHERE id < $1;
counter updated;
counter selected;
counter returned;
counter misses;
counter piped;
transaction t {
    bump(3);
    count updated by affected;
    pick(4);
    count selected by affected;
    begin;
    bump_ret(5);
    count returned by affected;
    nothing(0);
    commit;
    if not found { count misses; }
    pipeline {
        pick(2);
        pick(6);
    }
    count piped by affected;
}
SWL
$BIN/swlc --build fa.swl -o stormdb-fa >build.txt 2>&1 || { cat build.txt; fail "swlc --build"; }
./stormdb-fa --setup --workers 1 --duration 2s --no-summary --json r.json >out.txt 2>&1 \
    || { cat out.txt; fail "run"; }
tx=$($JGET r.json performance.successful)
assert_gt "$tx" 0 "transactions"
assert_eq "$($JGET r.json performance.failed)" 0 "failed"
assert_eq "$($JGET r.json counters.0.value)" $((tx * 3)) "affected by an UPDATE"
assert_eq "$($JGET r.json counters.1.value)" $((tx * 4)) "affected by a SELECT"
assert_eq "$($JGET r.json counters.2.value)" $((tx * 5)) "affected by UPDATE ... RETURNING after begin"
assert_eq "$($JGET r.json counters.3.value)" "$tx" "not found before commit"
assert_eq "$($JGET r.json counters.4.value)" $((tx * 6)) "affected by a pipeline's last statement"
assert_eq "$(sql 'SELECT sum(v) FROM fa_rows')" $((tx * 8)) "rows updated"
echo "ok"
