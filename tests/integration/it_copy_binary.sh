# Loads go in binary COPY when every column's type takes its values in
# binary; the rows must be exactly those a text COPY makes.  One table of
# every type the binary path encodes (and edge values: negative and huge
# numerics, exponents, NaN, escapes, NULLs, years 1 and 9999) is loaded both
# ways with the same seed and compared; a table with a type the binary path
# does not encode goes as text; an out-of-range value fails with the row.
. "$(dirname "$0")/lib.sh"

cat >types.swl <<'SWL'
workload types {
    description "every type of the binary COPY path";
}
schema {
    CREATE TABLE t_all (id bigint, s2 smallint, i4 int, i8 bigint, n1 numeric, n2 numeric(12,2),
                        n3 numeric, f8 float8, tx text, vc varchar(40), bp char(12), js json,
                        jb jsonb, u uuid, b bool, ts timestamp, d date, nn text, ni int);
    CREATE TABLE t_other (id int, tz timestamptz, f4 real, iv interval);
}
load t_all rows 5000 {
    id = row;
    s2 = uniform(-32768, 32767);
    i4 = uniform(-2147483648, 2147483647);
    i8 = uniform(-9223372036854775807, 9223372036854775807);
    n1 = uniform(-99999999999, 99999999999);
    n2 = decimal(-100000, 100000, 2);
    n3 = choose([0.0001, -0.5, 1e+20, 1.5e-7, 123456789.125, 0.0, -0.0, 10000.0, 9999.9999]);
    f8 = choose([1.5, -2.25e300, 5e-324, 0.1, 0.0]);
    tx = choose(["plain", "tab\there", "new\nline", "back\\slash", "", "ünïcødé"]);
    vc = random_string(0, 40);
    bp = random_string(1, 12);
    js = "{\"a\": " || string(row) || "}";
    jb = "{\"k\": [1, 2, " || string(row) || "], \"s\": \"x\"}";
    u = uuid();
    b = uniform(0, 1) == 1;
    ts = timestamp_between(timestamp "0001-01-01 00:00:00", timestamp "9999-12-31 23:59:59");
    d = date_between(date "0001-01-01", date "9999-12-31");
    nn = nullable(random_string(1, 5), 0.5);
    ni = nullable(uniform(1, 9), 0.3);
}
load t_other rows 100 {
    id = row;
    tz = timestamp_between(timestamp "2000-01-01 00:00:00", timestamp "2030-01-01 00:00:00");
    f4 = decimal(0, 10, 3);
    iv = string(uniform(1, 100)) || " seconds";
}
statement one: SELECT 1;
transaction t { one(); }
SWL
$BIN/swlc --build types.swl -o stormdb-types 2>err.txt || { cat err.txt; fail "swlc --build"; }

digest() { # digest TABLE: row count and md5 of every row in order
    sql "SELECT count(*) || ' ' || md5(string_agg(x::text, ',' ORDER BY x.id)) FROM $1 x"
}
./stormdb-types --setup --no-run --seed 11 >bin.txt 2>&1 || { cat bin.txt; fail "binary load"; }
assert_contains bin.txt "text COPY for t_other (a column whose type"
grep -q "text COPY for.*t_all" bin.txt && fail "t_all should load in binary"
a_bin=$(digest t_all)
o_bin=$(digest t_other)
STORMDB_COPY_FORMAT=text ./stormdb-types --rebuild --no-run --seed 11 >txt.txt 2>&1 \
    || { cat txt.txt; fail "text load"; }
assert_eq "$(digest t_all)" "$a_bin" "binary and text loads of every type"
assert_eq "$(digest t_other)" "$o_bin" "the table of other types"
assert_eq "$(sql 'SELECT count(*) FROM t_all')" 5000 "rows"
assert_gt "$(sql 'SELECT count(*) FROM t_all WHERE nn IS NULL')" 1000 "NULLs"
assert_eq "$(sql "SELECT count(*) FROM t_all WHERE tx = E'tab\\there'")" \
    "$(sql "SELECT count(*) FROM t_all WHERE strpos(tx, chr(9)) > 0")" "tabs"
assert_gt "$(sql "SELECT count(*) FROM t_all WHERE n3 = 100000000000000000000")" 0 "1e+20 as numeric"
assert_eq "$(sql "SELECT min(n3)::text FROM t_all")" "-0.5" "negative numeric"
assert_eq "$(sql "SELECT count(*) FROM t_all WHERE (jb->'k'->>2)::bigint = id")" 5000 "jsonb"

# a 16-bit overflow in binary reports the row (the text COPY fails too)
cat >bad.swl <<'SWL'
workload bad { description "out of range"; }
schema { CREATE TABLE t_bad (id int, s smallint); }
load t_bad rows 10 { id = row; s = row * 10000; }
statement one: SELECT 1;
transaction t { one(); }
SWL
$BIN/swlc --build bad.swl -o stormdb-bad 2>err.txt || { cat err.txt; fail "swlc --build bad"; }
expect_status 1 ./stormdb-bad --setup --no-run >bad.txt 2>&1
assert_contains bad.txt "loading t_bad, row 4: value 40000 is out of range for column 2 (smallint)"
echo "ok"
