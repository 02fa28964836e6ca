#!/bin/sh
# load-compare.sh — how fast stormdb loads data, next to pgbench.
#
# On a throwaway PostgreSQL cluster it starts itself (tests/integration/
# cluster.sh, in a directory under /tmp), it times, alternately, PAIRS
# (default 3) times each:
#   A  pgbench -i -s 10 -q: 1,000,000 pgbench_accounts rows (4 columns)
#      generated client-side, COPY FREEZE, vacuum, primary keys;
#   F  a stormdb workload built here with swlc: a 10-column table of
#      1,000,000 rows of integers (a fact table: a bigint key and nine int
#      and bigint columns);
#   W  another: a wide 10-column table of 1,000,000 rows (bigints, floats
#      and three random strings of 10..40 characters);
# F and W with --rebuild --no-run (drop, create, load in parallel chunks,
# VACUUM (FREEZE), primary key, ANALYZE).  Each run is timed with
# `date +%s.%N` around the whole command, after a CHECKPOINT and a sync
# (the previous run's writes out of the way).  It prints every run's
# seconds, the medians, the ratios stormdb/pgbench of the median times
# (below 1: stormdb was faster), and each table's size on disk and COPY
# text per row.
#
# Then the server's own share of F and W, which no client can go below:
# the loaded rows are saved as two binary COPY files, and the server reads
# them itself (COPY FROM 'file', two sessions at once: no client makes or
# sends a row), then VACUUM (FREEZE), the primary key and ANALYZE run as
# the loader runs them (floor_run in lib.sh).  Skipped when the role is not
# a superuser (the test cluster's is).
#
# Usage: bench/load-compare.sh            (after `make`; BUILD=dir to pick
#                                          another build directory)
set -eu
. "$(dirname "$0")/lib.sh"
bin=$build/bin
[ -x "$bin/swlc" ] || { echo "load-compare: $bin/swlc not found: run make first" >&2; exit 2; }
command -v pgbench >/dev/null || { echo "load-compare: pgbench not found" >&2; exit 2; }
pairs=${PAIRS:-3}

bench_cluster load-compare
export PGDATABASE=loadcmp
createdb "$PGDATABASE"

cat >"$work/lf.swl" <<'SWL'
workload lf {
    description "a 10-column table of 1,000,000 integer rows, for load comparisons";
}
schema {
    CREATE TABLE lf_sales (id bigint NOT NULL, customer_id int, product_id int, store_id int,
                           day_key int, quantity int, amount_cents bigint, discount_cents int,
                           status int, channel int);
}
load lf_sales rows 1_000_000 * scale {
    id = row;
    customer_id = uniform(1, 100000);
    product_id = uniform(1, 10000);
    store_id = uniform(1, 500);
    day_key = uniform(20240101, 20241231);
    quantity = uniform(1, 20);
    amount_cents = uniform(100, 5000000);
    discount_cents = uniform(0, 5000);
    status = uniform(1, 5);
    channel = uniform(1, 3);
}
after load {
    ALTER TABLE lf_sales ADD PRIMARY KEY (id);
}
statement get: SELECT amount_cents FROM lf_sales WHERE id = $1;
transaction lookup {
    get(uniform(1, 1000000 * scale));
}
SWL
cat >"$work/lw.swl" <<'SWL'
workload lw {
    description "a wide 10-column table of 1,000,000 rows, for load comparisons";
}
schema {
    CREATE TABLE lw_data (id bigint NOT NULL, a bigint, b bigint, c bigint,
                          f1 float8, f2 float8, s1 text, s2 text, s3 text, d bigint);
}
load lw_data rows 1_000_000 * scale {
    id = row;
    a = uniform(1, 1000000);
    b = uniform(1, 1000);
    c = uniform(-100000, 100000);
    f1 = decimal(0, 1000, 3);
    f2 = decimal(-5000, 5000, 2);
    s1 = random_string(10, 40);
    s2 = random_string(10, 40);
    s3 = random_string(10, 40);
    d = uniform(0, 2000000000);
}
after load {
    ALTER TABLE lw_data ADD PRIMARY KEY (id);
}
statement get: SELECT s1 FROM lw_data WHERE id = $1;
transaction lookup {
    get(uniform(1, 1000000 * scale));
}
SWL
"$bin/swlc" --build "$work/lf.swl" -o "$work/stormdb-lf"
"$bin/swlc" --build "$work/lw.swl" -o "$work/stormdb-lw"

# Before each timed command: a checkpoint and the kernel's dirty pages
# written, so that neither lands in the middle of one tool's run.
quiesce() { psql -Xqc CHECKPOINT; sync; }
# timed LABEL PAIR COMMAND...: runs it after quiesce, prints a line, and
# leaves the seconds in $took.
timed() {
    label=$1 run=$2
    shift 2
    quiesce
    t0=$(now)
    "$@" >"$work/run.log" 2>&1 || { cat "$work/run.log"; exit 1; }
    t1=$(now)
    took=$(elapsed "$t0" "$t1")
    printf '%-4s %-8s %8s   %s\n' "$run" "$label" "$took" \
        "$(sed -n 's/^setup done in [0-9.]* s (\(.*\))$/\1/p' "$work/run.log")"
}

server=$(psql -XAtc 'SHOW server_version')
echo "machine: $(nproc) CPUs, $(uname -sr), PostgreSQL $server (cluster: fsync=off, synchronous_commit=off)"
echo "A = pgbench -i -s 10 -q    F = stormdb, 10 integer columns    W = stormdb, 10 wide columns (1,000,000 rows each)"
printf '%-4s %-8s %8s\n' run tool seconds

times_a="" times_f="" times_w=""
i=1
while [ "$i" -le "$pairs" ]; do
    timed A "$i" pgbench -i -s 10 -q
    times_a="$times_a $took"
    timed F "$i" "$work/stormdb-lf" --rebuild --no-run --seed "$i"
    times_f="$times_f $took"
    timed W "$i" "$work/stormdb-lw" --rebuild --no-run --seed "$i"
    times_w="$times_w $took"
    i=$((i + 1))
done

ma=$(echo "$times_a" | median)
mf=$(echo "$times_f" | median)
mw=$(echo "$times_w" | median)
echo "median  A $ma s   F $mf s   W $mw s"
echo "ratio stormdb/pgbench (time): F $(ratio "$mf" "$ma"), W $(ratio "$mw" "$ma")"
size() { psql -XAtc "SELECT round(pg_relation_size('$1') / 1e6)"; }
echo "on disk: pgbench_accounts $(size pgbench_accounts) MB, F $(size lf_sales) MB, W $(size lw_data) MB"
echo "COPY text per row: pgbench_accounts $(psql -XAtc "SELECT round(avg(length(concat_ws(chr(9), aid, bid, abalance, ''))) + 1) FROM pgbench_accounts") bytes, F $(psql -XAtc "SELECT round(avg(length(concat_ws(chr(9), id, customer_id, product_id, store_id, day_key, quantity, amount_cents, discount_cents, status, channel))) + 1) FROM lf_sales") bytes, W $(psql -XAtc "SELECT round(avg(length(concat_ws(chr(9), id, a, b, c, f1, f2, s1, s2, s3, d))) + 1) FROM lw_data") bytes"

# The server's share (see the header).
floor_ok || exit 0
for t in lf_sales lw_data; do
    floor_series "$t" id "$pairs"
    echo "median  server only, $t: $floor_median s without any client work, $(ratio "$floor_median" "$ma") x pgbench -i"
done
