# stormdb-vector.  Without pgvector on the test server: the message naming
# the extension and how to install it, exit status 2, and a visible SKIPPED
# line for the rest.  With pgvector: a small clustered load (5,000 vectors of
# 32 dimensions), recall exactly 1.0 with index none for L2, cosine and
# inner product (and the inner product ordered largest first), recall@10 >=
# 0.9 with hnsw at pgvector's default parameters (and the index really used:
# ef_search=5 caps it at 0.5), ivfflat, the three search types, ingestion
# and updates, --check, a run whose dim differs from the set-up's, the three
# example configs, and the default 1024 dimensions end to end.
. "$(dirname "$0")/lib.sh"

VEC=$BIN/stormdb-vector
[ -x "$VEC" ] || fail "$VEC not built"

# status CMD... — runs CMD with its output in out.txt; prints its exit status
status() {
    set +e
    "$@" >out.txt 2>&1
    echo $?
    set -e
}


# recall JSON METRIC: found / truth of the metric's recall counters (fails
# when no query was sampled)
recall() {
    truth=$(json_counter "$1" "$2_truth")
    found=$(json_counter "$1" "$2_found")
    assert_gt "$truth" 0 "$1: $2 neighbours checked"
    awk -v f="$found" -v t="$truth" 'BEGIN { printf "%.4f\n", f / t }'
}

# run WHAT ARGS...: a run with --json WHAT.json; fails on a failed
# transaction or an error
run() {
    what=$1
    shift
    $VEC "$@" --no-summary --json "$what.json" >"$what.txt" 2>&1 || { cat "$what.txt"; fail "$what"; }
    assert_eq "$($JGET "$what.json" performance.failed)" 0 "$what: failed transactions"
    assert_eq "$($JGET "$what.json" errors)" "[]" "$what: errors"
}

# --- without pgvector ---------------------------------------------------------
if [ "$(sql "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")" = 0 ]; then
    for args in "--setup --scale 1 --set dim=16 --duration 1s" "--duration 1s"; do
        assert_eq "$(status $VEC $args)" 2 "stormdb-vector $args without pgvector: exit status"
        assert_contains out.txt "workload vector needs the PostgreSQL extension 'vector', which is not installed on the server"
        assert_contains out.txt "postgresql-$(($(sql 'SHOW server_version_num') / 10000))-pgvector"
        assert_contains out.txt "https://github.com/pgvector/pgvector"
    done
    assert_eq "$(sql "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'vector%'")" 0 "no table made without pgvector"
    echo "SKIPPED: pgvector is not installed on the test server; the recall tests need it"
    echo "ok (missing-extension path only)"
    exit 0
fi

SMALL="--scale 5 --set dim=32 --workers 3"

# --- index none: exact, recall 1.0 -----------------------------------------------
$VEC --setup $SMALL --set index=none --no-run >setup.txt 2>&1 || { cat setup.txt; fail "setup, index none"; }
echo "index none: $(grep '^setup done' setup.txt)"
assert_eq "$(sql 'SELECT count(*) FROM vector_items')" 5000 "vectors loaded"
assert_eq "$(sql 'SELECT count(*), min(id) FROM vector_load')" "1|0" "the load's staging table emptied but for its marker"
# a second --setup finds the data complete and uses it
$VEC --setup $SMALL --set index=none --no-run >setup2.txt 2>&1 || { cat setup2.txt; fail "second setup"; }
assert_contains setup2.txt "exist and hold data: using them as they are"
assert_eq "$(sql 'SELECT count(*) FROM vector_centroids')" 100 "cluster centres"
assert_eq "$(sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
                   WHERE attrelid = 'vector_items'::regclass AND attname = 'embedding'")" "vector(32)" "column type"
# clustered: a point is nearer its own centre than any other centre
assert_eq "$(sql 'SELECT count(*) FROM vector_items i
                   WHERE i.cluster <> (SELECT c.cluster FROM vector_centroids c
                                        ORDER BY c.center <-> i.embedding LIMIT 1)')" 0 "points nearest their centre"
$VEC --check >check.txt 2>&1 || { cat check.txt; fail "--check, index none"; }
assert_contains check.txt "checks: 2 passed, 0 failed, 0 errors"

run none -w vector_recall --duration 3s $SMALL
for metric in l2 cosine inner; do
    assert_eq "$(recall none.json $metric)" "1.0000" "recall@10 ($metric) without an index"
done
# <#> is the negative inner product: ascending order puts the largest first
assert_eq "$(sql "WITH q AS (SELECT center AS v FROM vector_centroids WHERE cluster = 7)
                  SELECT (SELECT inner_product(embedding, q.v) FROM vector_items ORDER BY embedding <#> q.v LIMIT 1)
                         = (SELECT max(inner_product(embedding, q.v)) FROM vector_items) FROM q")" t \
    "ORDER BY <#> ASC gives the largest inner product first"

for type in vector_1024 vector_1024_cosine vector_1024_inner; do
    run "$type" -w "$type" --duration 2s $SMALL
    assert_eq "$($JGET "$type.json" run.type)" "$type" "$type: type"
    assert_gt "$($JGET "$type.json" performance.tps)" 0 "$type: tps"
done

# a run must make vectors of the set-up's dimension
status $VEC -w vector_1024 --duration 1s --scale 5 --set dim=16 --no-summary >/dev/null
assert_contains out.txt "the vectors have 32 dimensions, the run makes 16: run with --set dim=32"

# --- ingestion and updates -------------------------------------------------------
n0=$(sql 'SELECT count(*) FROM vector_items')
run single -w vector_ingest_single --duration 2s $SMALL
n1=$(sql 'SELECT count(*) FROM vector_items')
assert_eq "$((n1 - n0))" "$($JGET single.json performance.successful)" "rows added by single-row inserts"
run batch -w vector_ingest_batch --duration 2s $SMALL --set batch_rows=25
n2=$(sql 'SELECT count(*) FROM vector_items')
assert_eq "$((n2 - n1))" "$(($($JGET batch.json performance.successful) * 25))" "rows added by 25-row inserts"
assert_gt "$(sql "SELECT count(DISTINCT cluster) FROM vector_items WHERE id > $n1")" 50 "a batch spreads over the clusters"
run update -w vector_update --duration 2s $SMALL
assert_eq "$(sql 'SELECT count(*) FROM vector_items')" "$n2" "updates add no row"
assert_gt "$($JGET update.json performance.successful)" 0 "updates"
$VEC --check >check2.txt 2>&1 || { cat check2.txt; fail "--check after ingestion"; }
assert_contains check2.txt "checks: 2 passed, 0 failed, 0 errors"

# --- hnsw at pgvector's defaults: recall@10 >= 0.9 --------------------------------
$VEC --rebuild $SMALL --set index=hnsw --no-run >hnsw_setup.txt 2>&1 || { cat hnsw_setup.txt; fail "rebuild, hnsw"; }
echo "hnsw: $(grep '^setup done' hnsw_setup.txt), index build $(sql 'SELECT round(index_build_s::numeric, 2) FROM vector_meta') s"
assert_eq "$(sql "SELECT count(*) FROM pg_indexes WHERE tablename = 'vector_items' AND indexdef LIKE '%USING hnsw%'")" 3 "three hnsw indexes"
$VEC --check >check3.txt 2>&1 || { cat check3.txt; fail "--check, hnsw"; }
run hnsw -w vector_recall --duration 5s $SMALL
for metric in l2 cosine inner; do
    r=$(recall hnsw.json $metric)
    echo "hnsw (m 16, ef_construction 64, ef_search 40): recall@10 $metric $r"
    assert_gt "$r" 0.8999 "recall@10 ($metric) with hnsw at the default parameters"
done
# the searches go through the index: ef_search 5 returns at most 5 of 10
run hnsw5 -w vector_recall --duration 2s $SMALL --set ef_search=5
for metric in l2 cosine inner; do
    r=$(recall hnsw5.json $metric)
    assert_gt 0.5001 "$r" "recall@10 ($metric) with hnsw and ef_search 5"
done

# --- ivfflat ----------------------------------------------------------------------
$VEC --rebuild $SMALL --set index=ivfflat --set lists=20 --set metric=l2 --no-run >ivf_setup.txt 2>&1 \
    || { cat ivf_setup.txt; fail "rebuild, ivfflat"; }
assert_eq "$(sql "SELECT string_agg(indexname || ' ' || substr(indexdef, strpos(indexdef, 'USING')), '; ')
                   FROM pg_indexes WHERE tablename = 'vector_items' AND indexname <> 'vector_items_pkey'")" \
    "vector_items_ivfflat_l2 USING ivfflat (embedding) WITH (lists='20')" "one ivfflat index, L2 (the default opclass), 20 lists"
$VEC --check >check4.txt 2>&1 || { cat check4.txt; fail "--check, ivfflat"; }
run ivf1 -w vector_1024 --duration 3s $SMALL --set probes=1
run ivf20 -w vector_recall --duration 3s $SMALL --set probes=20
echo "ivfflat (20 lists): recall@10 L2 $(recall ivf1.json l2) with 1 probe (1% sampled), $(recall ivf20.json l2) with 20"
assert_gt "$(recall ivf20.json l2)" 0.9899 "recall@10 with every list probed"
# metric=l2: the other distances have no index, so their searches are exact
assert_eq "$(recall ivf20.json cosine)" "1.0000" "cosine without an index of its own"

# --- the example configs, smaller ---------------------------------------------------
sql "SELECT 1" >/dev/null
for m in l2 cosine inner; do
    f=$SDB_SOURCE/config/config_vector_$m.yaml
    $VEC -c "$f" --host "$PGHOST" --port "$PGPORT" --dbname "$PGDATABASE" -u "$PGUSER" --rebuild \
        --scale 2 --set dim=32 --duration 2s --workers 2 --connections 2 --no-summary --json "cfg_$m.json" \
        >"cfg_$m.txt" 2>&1 || { cat "cfg_$m.txt"; fail "$f"; }
    assert_gt "$($JGET "cfg_$m.json" performance.tps)" 0 "$f: tps"
    assert_eq "$($JGET "cfg_$m.json" performance.failed)" 0 "$f: failed transactions"
    assert_eq "$(sql "SELECT metric || ' ' || index_kind FROM vector_meta")" "$m hnsw" "$f: the index it asks for"
done
assert_eq "$($JGET cfg_l2.json run.type)" vector_1024 "config_vector_l2: type"
assert_eq "$($JGET cfg_cosine.json run.type)" vector_1024_cosine "config_vector_cosine: type"
assert_eq "$($JGET cfg_inner.json run.type)" vector_1024_inner "config_vector_inner: type"

# --- the default dimension (1024: about 10 KB of text per vector) ---------------------
$VEC --rebuild --scale 1 --set metric=l2 --no-run >big_setup.txt 2>&1 || { cat big_setup.txt; fail "rebuild, 1024 dimensions"; }
run big -w vector_mixed --duration 2s --workers 2
run big_batch -w vector_ingest_batch --duration 1s --workers 2
assert_eq "$(sql 'SELECT DISTINCT vector_dims(embedding) FROM vector_items')" 1024 "1024 dimensions"
echo "ok"
