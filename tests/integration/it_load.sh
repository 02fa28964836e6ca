# Chunked parallel loading: a table of 1.2 M rows (~120 MB of COPY text, over
# SDB_LOAD_PARALLEL_BYTES) spans several chunks of
# 500,000 rows; every row number 1..N is made exactly once; the data is the
# same for the same --seed whatever the number of loader threads (and
# differs for another seed); multi-chunk tables are vacuumed (frozen) and
# analyzed, single-chunk ones loaded with COPY FREEZE and analyzed; SIGINT
# during a load aborts it cleanly with exit 130.
. "$(dirname "$0")/lib.sh"

cat >ld.swl <<'SWL'
workload ld {
    description "chunked loading";
}
schema {
    CREATE TABLE ld_data (id bigint NOT NULL, a bigint, b bigint, s text);
    CREATE TABLE ld_small (id bigint NOT NULL, v bigint);
}
load ld_data rows 1_200_000 * scale {
    id = row;
    a = uniform(1, 1000000);
    b = row * 2 + uniform(0, 1);
    s = random_string(60, 80);   -- wide enough (~100 bytes a row) to load in parallel chunks
}
load ld_small rows 1000 {
    id = row;
    v = uniform(1, 10);
}
after load {
    ALTER TABLE ld_data ADD PRIMARY KEY (id);
}
statement get: SELECT a FROM ld_data WHERE id = $1;
transaction lookup {
    get(uniform(1, 1000));
}
SWL
$BIN/swlc --build ld.swl -o stormdb-ld 2>err.txt || { cat err.txt; fail "swlc --build"; }

digest() {
    sql "SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM $1 t"
}

# --- three loader threads ------------------------------------------------
./stormdb-ld --rebuild --no-run --seed 42 --load-threads 3 >out1.txt 2>&1 \
    || { cat out1.txt; fail "load with 3 threads"; }
assert_contains out1.txt "loaded 1,201,000 rows in"
assert_contains out1.txt "3 loaders"
assert_eq "$(sql 'SELECT count(*) FROM ld_data')" 1200000 "rows of ld_data"
assert_eq "$(sql 'SELECT count(*) FROM ld_small')" 1000 "rows of ld_small"
# row is exactly 1..N: no gap, no duplicate
assert_eq "$(sql 'SELECT count(DISTINCT id) = 1200000 AND min(id) = 1 AND max(id) = 1200000 FROM ld_data')" t "ids 1..N"
assert_eq "$(sql 'SELECT count(*) FROM ld_data WHERE b NOT IN (id * 2, id * 2 + 1)')" 0 "row-derived column"
assert_eq "$(sql 'SELECT min(a) >= 1 AND max(a) <= 1000000 FROM ld_data')" t "uniform range"
# different chunks use different random streams: strings of chunk 1 and 2
# at the same offset differ
assert_eq "$(sql 'SELECT count(*) < 100 FROM ld_data x JOIN ld_data y ON y.id = x.id + 500000 WHERE x.id <= 10000 AND x.s = y.s')" t "chunks have their own streams"
d1=$(digest ld_data)
s1=$(digest ld_small)

# --- one loader thread, same seed: the same data --------------------------
./stormdb-ld --rebuild --no-run --seed 42 --load-threads 1 >out2.txt 2>&1 \
    || { cat out2.txt; fail "load with 1 thread"; }
assert_contains out2.txt "1 loader)"
assert_eq "$(digest ld_data)" "$d1" "ld_data identical with 1 and 3 threads"
assert_eq "$(digest ld_small)" "$s1" "ld_small identical with 1 and 3 threads"

# --- default threads, another seed: other data ----------------------------
./stormdb-ld --rebuild --no-run --seed 43 >out3.txt 2>&1 || { cat out3.txt; fail "seed 43"; }
[ "$(digest ld_data)" != "$d1" ] || fail "another seed gave the same data"

# --- frozen and analyzed ---------------------------------------------------
stats() {
    sql "SELECT (last_analyze IS NOT NULL)::text || ',' || (last_vacuum IS NOT NULL)::text FROM pg_stat_user_tables WHERE relname = '$1'"
}
assert_eq "$(stats ld_data)" "true,true" "ld_data analyzed and vacuumed"
assert_eq "$(stats ld_small)" "true,false" "ld_small analyzed (loaded frozen, not vacuumed)"
assert_eq "$(sql "SELECT reltuples FROM pg_class WHERE relname = 'ld_data'")" 1.2e+06 "reltuples of ld_data"
assert_eq "$(sql "SELECT reltuples FROM pg_class WHERE relname = 'ld_small'")" 1000 "reltuples of ld_small"
assert_eq "$(sql "SELECT relallvisible = relpages AND relpages > 0 FROM pg_class WHERE relname = 'ld_data'")" t "ld_data all visible"
if [ "$(sql "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_visibility'")" = 1 ]; then
    sql "CREATE EXTENSION IF NOT EXISTS pg_visibility" >/dev/null
    for t in ld_data ld_small; do
        assert_eq "$(sql "SELECT all_frozen = (SELECT relpages FROM pg_class WHERE relname = '$t') FROM pg_visibility_map_summary('$t')")" t "$t all frozen"
    done
else
    echo "note: pg_visibility not available; frozen pages not checked"
fi

# --- SIGINT during a long load aborts every COPY ----------------------------
start=$(date +%s)
./stormdb-ld --rebuild --no-run --scale 30 --seed 1 >int.txt 2>&1 &
pid=$!
i=0
until grep -q "^setting up" int.txt 2>/dev/null || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1.5
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))
assert_eq "$rc" 130 "exit status after SIGINT during the load"
[ "$elapsed" -le 15 ] || fail "took ${elapsed}s to stop loading"
assert_contains int.txt "interrupted"
# no COPY left running on the server
sleep 0.5
assert_eq "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY%' AND state <> 'idle'")" 0 "COPY sessions left"
echo "ok"
