#!/bin/sh
# load-compare.sh — how fast stormdb loads data, next to pgbench.
#
# On a throwaway PostgreSQL cluster it starts itself (tests/integration/
# cluster.sh, in a directory under /tmp), it times, alternately, three times
# each:
#   A  pgbench -i -s 10 -q: 1,000,000 pgbench_accounts rows generated
#      client-side, COPY FREEZE, vacuum, primary keys;
#   B  a stormdb workload built here with swlc: one 10-column table of
#      1,000,000 rows (ints, floats, three random strings of 10..40
#      characters), primary key after the load, with --rebuild --no-run
#      (drop, create, chunked parallel load, primary key, vacuum/analyze).
# Each run is timed with `date +%s.%N` around the whole command, after a
# CHECKPOINT and a sync (the previous run's writes out of the way).  It prints
# every run's seconds and rows/s, the medians and the ratio stormdb/pgbench
# (of the median times: below 1 means stormdb was faster).  The rows are not
# the same size: a pgbench_accounts row ships about 12 bytes of COPY text
# (its filler is empty), ours about 130.
#
# Then the server's own share of B, which no client can go below: the
# loaded rows are saved as two binary COPY files, and the server reads them
# itself (COPY FROM 'file', two sessions at once: no client makes or sends
# a row), then VACUUM (FREEZE), the primary key and ANALYZE run as B runs
# them (floor_run in lib.sh).  Skipped when the role is not a superuser
# (the test cluster's is).
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

cat >"$work/lc.swl" <<'SWL'
workload lc {
    description "a 10-column table of 1,000,000 rows, for load comparisons";
}
schema {
    CREATE TABLE lc_data (id bigint NOT NULL, a bigint, b bigint, c bigint,
                          f1 float8, f2 float8, s1 text, s2 text, s3 text, d bigint);
}
load lc_data rows 1_000_000 * scale {
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
    ALTER TABLE lc_data ADD PRIMARY KEY (id);
}
statement get: SELECT s1 FROM lc_data WHERE id = $1;
transaction lookup {
    get(uniform(1, 1000000 * scale));
}
SWL
"$bin/swlc" --build "$work/lc.swl" -o "$work/stormdb-lc"

now() { date +%s.%N; }
# elapsed START END -> seconds with 3 decimals
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Before each timed command: a checkpoint and the kernel's dirty pages
# written, so that neither lands in the middle of one tool's run.
quiesce() { psql -Xqc CHECKPOINT; sync; }
rate() { awk -v s="$1" 'BEGIN { printf "%.0f", 1000000 / s }'; }

server=$(psql -XAtc 'SHOW server_version')
echo "machine: $(nproc) CPUs, $(uname -sr), PostgreSQL $server (cluster: fsync=off, synchronous_commit=off)"
echo "A = pgbench -i -s 10 -q (1,000,000 rows)    B = stormdb-lc --rebuild --no-run (1,000,000 rows, 10 columns)"
printf '%-4s %-8s %10s %12s\n' run tool seconds rows/s

times_a=""
times_b=""
i=1
while [ "$i" -le "$pairs" ]; do
    quiesce
    t0=$(now)
    pgbench -i -s 10 -q >"$work/a.log" 2>&1 || { cat "$work/a.log"; exit 1; }
    t1=$(now)
    sa=$(elapsed "$t0" "$t1")
    printf '%-4s %-8s %10s %12s\n' "$i" pgbench "$sa" "$(rate "$sa")"
    quiesce
    t0=$(now)
    "$work/stormdb-lc" --rebuild --no-run --seed "$i" >"$work/b.log" 2>&1 || { cat "$work/b.log"; exit 1; }
    t1=$(now)
    sb=$(elapsed "$t0" "$t1")
    printf '%-4s %-8s %10s %12s   (%s)\n' "$i" stormdb "$sb" "$(rate "$sb")" \
        "$(grep '^setup done' "$work/b.log" | sed 's/^setup done in //')"
    times_a="$times_a $sa"
    times_b="$times_b $sb"
    i=$((i + 1))
done

ma=$(echo "$times_a" | median)
mb=$(echo "$times_b" | median)
echo "median  pgbench $ma s ($(rate "$ma") rows/s)   stormdb $mb s ($(rate "$mb") rows/s)"
awk -v a="$ma" -v b="$mb" 'BEGIN { printf "ratio stormdb/pgbench (time): %.2f\n", b / a }'
echo "rows shipped as COPY text: pgbench $(psql -XAtc "SELECT round(avg(length(concat_ws(chr(9), aid, bid, abalance, ''))) + 1) FROM pgbench_accounts") bytes/row, stormdb $(psql -XAtc "SELECT round(avg(length(concat_ws(chr(9), id, a, b, c, f1, f2, s1, s2, s3, d))) + 1) FROM lc_data") bytes/row"

# The server's share (see the header).
floor_ok || exit 0
floor_prepare lc_data id
floors=""
i=1
while [ "$i" -le "$pairs" ]; do
    set -- $(floor_run lc_data id)
    echo "server only, run $i: $1 s (COPY from files in 2 sessions $2 s, vacuum $3 s, primary key $4 s, analyze $5 s)"
    floors="$floors $1"
    i=$((i + 1))
done
mf=$(echo "$floors" | median)
echo "median  server only $mf s: B without any client work; pgbench -i took $ma s"
awk -v a="$ma" -v f="$mf" 'BEGIN { printf "ratio server-only/pgbench (time): %.2f\n", f / a }'
