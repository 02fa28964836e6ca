# data_loading.mode sql and dump: the tables come from a file instead of
# the workload's generators: a SQL file run with psql, a custom-format dump
# restored with pg_restore, a plain dump run with psql; the loaded tables are
# then stormdb's (marked, analysed) and a run uses them.  A file that fails,
# or does not create the workload's tables, is an error; a mode without a
# file is a configuration error.
. "$(dirname "$0")/lib.sh"

# a SQL file: the simple workload's table with 500 rows
cat >data.sql <<'SQL'
CREATE TABLE loadtest (id bigint PRIMARY KEY, val text NOT NULL, updated timestamptz);
INSERT INTO loadtest (id, val) SELECT g, 'v' || g FROM generate_series(1, 500) g;
SQL
printf 'data_loading:\n  mode: sql\n  filepath: %s/data.sql\n' "$WORK" >sql.yaml
$BIN/stormdb-simple -c sql.yaml --setup --duration 1s --no-summary --json s.json >out.txt 2>&1 \
    || { cat out.txt; fail "setup from a SQL file"; }
assert_contains out.txt "loading workload simple from $WORK/data.sql with psql"
assert_eq "$(sql 'SELECT count(*) FROM loadtest')" 500 "rows from the SQL file"
assert_eq "$(sql "SELECT obj_description('loadtest'::regclass, 'pg_class') LIKE '%setup complete%'")" t "marked complete"
assert_gt "$($JGET s.json performance.successful)" 0 "a run on the loaded table"

# dumps: custom format (pg_restore) and plain (psql)
pg_dump -Fc -t loadtest -f data.dump
pg_dump -Fp -t loadtest -f plain.sql
for f in data.dump plain.sql; do
    printf 'data_loading:\n  mode: dump\n  filepath: %s/%s\n' "$WORK" "$f" >dump.yaml
    $BIN/stormdb-simple -c dump.yaml --rebuild --no-run >out.txt 2>&1 \
        || { cat out.txt; fail "rebuild from $f"; }
    assert_eq "$(sql 'SELECT count(*) FROM loadtest')" 500 "rows restored from $f"
done
assert_contains out.txt "with psql"
printf 'data_loading:\n  mode: dump\n  filepath: %s/data.dump\n' "$WORK" >dump.yaml
$BIN/stormdb-simple -c dump.yaml --rebuild --no-run >out.txt 2>&1 || { cat out.txt; fail "rebuild"; }
assert_contains out.txt "with pg_restore"

# failures: a SQL error, a file without the workload's table, no file, no mode file
printf 'CREATE TABLE loadtest (id int);\nSELECT 1/0;\n' >bad.sql
printf 'data_loading:\n  mode: sql\n  filepath: %s/bad.sql\n' "$WORK" >bad.yaml
expect_status 1 $BIN/stormdb-simple -c bad.yaml --rebuild --no-run >out.txt 2>&1
assert_contains out.txt "psql failed (exit status 3) loading $WORK/bad.sql"
printf 'CREATE TABLE other_table (id int);\n' >other.sql
printf 'data_loading:\n  mode: sql\n  filepath: %s/other.sql\n' "$WORK" >other.yaml
expect_status 1 $BIN/stormdb-simple -c other.yaml --rebuild --no-run >out.txt 2>&1
assert_contains out.txt "did not create every table of workload simple: loadtest is missing"
printf 'data_loading:\n  mode: sql\n  filepath: %s/nothing.sql\n' "$WORK" >none.yaml
expect_status 1 $BIN/stormdb-simple -c none.yaml --rebuild --no-run >out.txt 2>&1
assert_contains out.txt "nothing.sql: No such file or directory"
printf 'data_loading:\n  mode: dump\n' >nofile.yaml
expect_status 2 $BIN/stormdb-simple -c nofile.yaml --no-run 2>err.txt
assert_contains err.txt "data_loading.mode dump needs data_loading.filepath"
echo "ok"
