# Workload parameters, checks and required extensions, end to end:
# parameters set with --set/-D and with the YAML file's workload_config
# change the rows loaded and the values statements bind (flags win over the
# file), unknown ones are refused (exit 2, located in the file); --check alone
# runs only the checks (exit 0 when all pass, 1 when one fails), --check with
# a run runs them after it; a missing extension exits 2 with the message
# saying what to install, an available one is created by --setup.
. "$(dirname "$0")/lib.sh"

cat >pc.swl <<'SWL'
workload pc {
    description "parameters and checks";
}
param nrows = 100;
param label = "plain";
schema {
    CREATE TABLE pc_data (id bigint NOT NULL, lbl text);
    CREATE TABLE pc_log (lbl text);
}
load pc_data rows nrows {
    id = row;
    lbl = label;
}
statement log_label: INSERT INTO pc_log (lbl) VALUES ($1);
transaction note {
    log_label(label);
}
check has_rows "pc_data is not empty": SELECT count(*) > 0 FROM pc_data;
check flagged "every row is labelled flagged": SELECT bool_and(lbl = 'flagged') FROM pc_data;
SWL
$BIN/swlc --build pc.swl -o stormdb-pc 2>err.txt || { cat err.txt; fail "swlc --build pc.swl"; }

# --- --set / -D ------------------------------------------------------------
./stormdb-pc --rebuild --duration 1s --workers 2 --no-summary --set nrows=250 -D label=flagged \
    >out1.txt 2>&1 || { cat out1.txt; fail "run with --set"; }
assert_contains out1.txt 'parameters: nrows=250 (--set), label="flagged" (--set)'
assert_eq "$(sql 'SELECT count(*) FROM pc_data')" 250 "rows loaded with --set nrows=250"
assert_eq "$(sql "SELECT count(*) FROM pc_data WHERE lbl = 'flagged'")" 250 "loaded label"
assert_gt "$(sql 'SELECT count(*) FROM pc_log')" 0 "statements ran"
assert_eq "$(sql "SELECT count(*) FROM pc_log WHERE lbl <> 'flagged'")" 0 "bound label"

# --- --check alone: only the checks, all pass -> 0 -------------------------
sql 'TRUNCATE pc_log' >/dev/null
expect_status 0 ./stormdb-pc --check >chk1.txt 2>&1
assert_contains chk1.txt "PASS has_rows — pc_data is not empty"
assert_contains chk1.txt "PASS flagged — every row is labelled flagged"
assert_contains chk1.txt "checks: 2 passed, 0 failed, 0 errors"
assert_eq "$(sql 'SELECT count(*) FROM pc_log')" 0 "--check alone ran no transaction"

# --- YAML workload_config, and a flag over it ------------------------------
cat >pc.yaml <<'YAML'
workers: 2
workload_config:
  nrows: 120
  label: fromyaml
YAML
./stormdb-pc -c pc.yaml --rebuild --duration 1s --no-summary >out2.txt 2>&1 \
    || { cat out2.txt; fail "run with workload_config"; }
assert_contains out2.txt 'parameters: nrows=120 (workload_config), label="fromyaml" (workload_config)'
assert_eq "$(sql 'SELECT count(*) FROM pc_data')" 120 "rows loaded with workload_config"
assert_eq "$(sql "SELECT count(DISTINCT lbl) || lbl FROM pc_data GROUP BY lbl")" 1fromyaml "label from the file"

./stormdb-pc -c pc.yaml -D nrows=77 --rebuild --duration 1s --no-summary >out3.txt 2>&1 \
    || { cat out3.txt; fail "run with workload_config and --set"; }
assert_contains out3.txt 'nrows=77 (--set), label="fromyaml" (workload_config)'
assert_eq "$(sql 'SELECT count(*) FROM pc_data')" 77 "--set over workload_config"

# --- a failing check -> 1; --check after a run ------------------------------
expect_status 1 ./stormdb-pc --check >chk2.txt 2>&1
assert_contains chk2.txt "PASS has_rows — pc_data is not empty"
assert_contains chk2.txt "FAIL flagged — every row is labelled flagged (got: f)"
assert_contains chk2.txt "checks: 1 passed, 1 failed, 0 errors"

expect_status 1 ./stormdb-pc --check --duration 1s --workers 1 --no-summary >chk3.txt 2>&1
assert_contains chk3.txt "Performance Summary"
assert_contains chk3.txt "FAIL flagged"
# the checks come after the report
report_line=$(grep -n "Performance Summary" chk3.txt | head -1 | cut -d: -f1)
check_line=$(grep -n "^FAIL flagged" chk3.txt | head -1 | cut -d: -f1)
[ "$check_line" -gt "$report_line" ] || fail "checks ran before the run's report"

# --- parameter errors --------------------------------------------------------
cat >bad.yaml <<'YAML'
workload_config:
  nrows: 5
  nrowz: 6
YAML
expect_status 2 ./stormdb-pc -c bad.yaml --check >err1.txt 2>&1
assert_contains err1.txt "bad.yaml:3:3: error: unknown parameter 'nrowz' in workload_config (did you mean 'nrows'?); workload pc has parameters: nrows (int), label (string)"
expect_status 2 ./stormdb-pc --set nrows=many --check >err2.txt 2>&1
assert_contains err2.txt "invalid value 'many' for --set nrows (a parameter of type int)"
expect_status 2 ./stormdb-pc --set nrows >err3.txt 2>&1
assert_contains err3.txt "expected NAME=VALUE"

# --- extensions --------------------------------------------------------------
cat >ext.swl <<'SWL'
workload ext {
    requires extension no_such_ext;
}
schema {
    CREATE TABLE ext_t (id bigint);
}
load ext_t rows 10 {
    id = row;
}
statement one: SELECT 1;
transaction t {
    one();
}
SWL
$BIN/swlc --build ext.swl -o stormdb-ext 2>err.txt || { cat err.txt; fail "swlc --build ext.swl"; }
expect_status 2 ./stormdb-ext --setup --duration 1s --no-summary >ext1.txt 2>&1
assert_contains ext1.txt "workload ext needs the PostgreSQL extension 'no_such_ext', which is not installed on the server"
assert_contains ext1.txt "the Debian package postgresql-15-no_such_ext"
assert_eq "$(sql "SELECT to_regclass('ext_t') IS NULL")" t "no schema made without the extension"

if [ "$(sql "SELECT count(*) FROM pg_available_extensions WHERE name = 'pgcrypto'")" = 1 ]; then
    sed 's/no_such_ext/pgcrypto/; s/ext_t/ext2_t/g; s/workload ext/workload ext2/' ext.swl >ext2.swl
    $BIN/swlc --build ext2.swl -o stormdb-ext2 2>err.txt || { cat err.txt; fail "swlc --build ext2.swl"; }
    sql 'DROP EXTENSION IF EXISTS pgcrypto' >/dev/null 2>&1
    expect_status 1 ./stormdb-ext2 --duration 1s --no-summary >ext2.txt 2>&1
    assert_contains ext2.txt "run with --setup (or --rebuild) to create it"
    ./stormdb-ext2 --setup --duration 1s --no-summary >ext3.txt 2>&1 || { cat ext3.txt; fail "--setup with pgcrypto"; }
    assert_contains ext3.txt "created extension pgcrypto"
    assert_eq "$(sql "SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto'")" 1 "pgcrypto created"
else
    echo "note: pgcrypto not available; extension creation not tested"
fi
echo "ok"
