#!/bin/sh
# tpcc-compare.sh — stormdb-tpcc's loading and throughput, and sysbench-tpcc's
# next to it when available.
#
# On a throwaway PostgreSQL cluster (tests/integration/cluster.sh, in a
# directory under /tmp; fsync off) it measures:
#   1. loading 1, 2 and 4 warehouses (stormdb-tpcc --rebuild --no-run, each
#      in its own database): wall seconds of the whole set-up, the loader's
#      own seconds and rows/s;
#   2. runs on the 1-warehouse database at 4 and 8 workers, DURATION each
#      (default 30s), of the client-side mix (tpcc) and the PL/pgSQL one
#      (tpcc_stored): tpmC (New-Orders per minute, rollbacks included, no
#      keying or think times: "tpmC-like"), NOPM, transactions/s, and the
#      client's CPU per transaction ((user + sys) of /usr/bin/time divided
#      by the transactions completed);
#   3. when SYSBENCH_TPCC names a checkout of Percona-Lab/sysbench-tpcc and
#      `sysbench` is installed: its prepare of 1 warehouse (--tables=1
#      --scale=1; note that its prepare sleeps 30 s on purpose) and runs at
#      the same thread counts and duration at READ COMMITTED (--trx_level=RC,
#      as ours; its default is RR), with its transactions/s (all five
#      types: compare with our tps, not tpmC) and client CPU per transaction.
#
# Usage: bench/tpcc-compare.sh              (after `make`; BUILD=dir for another
#        DURATION=10s bench/tpcc-compare.sh  build directory)
#        SYSBENCH_TPCC=/path/to/sysbench-tpcc bench/tpcc-compare.sh
set -eu
. "$(dirname "$0")/lib.sh"
tpcc=$build/bin/stormdb-tpcc
jget=$build/tests/jget
[ -x "$tpcc" ] || { echo "tpcc-compare: $tpcc not found: run make first" >&2; exit 2; }
[ -x "$jget" ] || { echo "tpcc-compare: $jget not found: run make first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "tpcc-compare: /usr/bin/time not found (apt-get install time)" >&2; exit 2; }
duration=${DURATION:-30s}
secs=$(echo "$duration" | sed 's/s$//')

bench_cluster tpcc-compare

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

server=$(psql -XAtc 'SHOW server_version')
echo "machine: $(nproc) CPUs, $(uname -sr), PostgreSQL $server (cluster: fsync=off, synchronous_commit=off)"
echo

# --- 1. loading ---------------------------------------------------------------
echo "== loading (stormdb-tpcc --rebuild --no-run)"
printf '%-11s %10s %10s %12s %10s   %s\n' warehouses rows "wall s" "rows/s" "load s" "phases"
for w in 1 2 4; do
    createdb "w$w"
    t0=$(now)
    PGDATABASE=w$w "$tpcc" --rebuild --no-run --scale "$w" --seed "$w" >"$work/load$w.log" 2>&1 \
        || { cat "$work/load$w.log"; exit 1; }
    t1=$(now)
    s=$(elapsed "$t0" "$t1")
    rows=$(sed -n 's/^loaded \([0-9,]*\) rows in \([0-9.]*\) s.*/\1/p' "$work/load$w.log" | tr -d ,)
    load_s=$(sed -n 's/^loaded \([0-9,]*\) rows in \([0-9.]*\) s.*/\2/p' "$work/load$w.log")
    printf '%-11s %10s %10s %12s %10s   %s\n' "$w" "$rows" "$s" \
        "$(awk -v r="$rows" -v s="$s" 'BEGIN { printf "%.0f", r / s }')" "$load_s" \
        "$(sed -n 's/^setup done in //p' "$work/load$w.log")"
done
echo

# --- 2. stormdb-tpcc runs ------------------------------------------------------
# cpu_per_tx TIMEFILE N: client CPU microseconds per transaction
cpu_per_tx() {
    awk -v n="$2" '{ u = $1; s = $2 } END { if (n > 0) printf "%.1f", 1e6 * (u + s) / n; else print "-" }' "$1"
}
echo "== stormdb-tpcc, 1 warehouse, $duration per run, no keying/think times"
printf '%-12s %8s %12s %12s %10s %10s %14s\n' mix workers tpmC NOPM tps "rollback%" "client us/tx"
for mix in tpcc tpcc_stored; do
    no=0
    [ "$mix" = tpcc_stored ] && no=5      # index of its New-Order in the report
    for n in 4 8; do
        PGDATABASE=w1 /usr/bin/time -f "%U %S" -o "$work/time" "$tpcc" -w "$mix" --workers "$n" \
            --duration "$duration" --no-summary --json "$work/r.json" >"$work/run.log" 2>&1 \
            || { cat "$work/run.log"; exit 1; }
        tx=$("$jget" "$work/r.json" performance.successful)
        tpm=$("$jget" "$work/r.json" transactions.$no.tpm)
        rb=$("$jget" "$work/r.json" transactions.$no.rolled_back)
        nos=$("$jget" "$work/r.json" transactions.$no.successful)
        printf '%-12s %8s %12s %12s %10s %10s %14s\n' "$mix" "$n" \
            "$(awk -v t="$tpm" 'BEGIN { printf "%d", t }')" \
            "$(awk -v t="$("$jget" "$work/r.json" probes.0.per_minute)" 'BEGIN { printf "%d", t }')" \
            "$(awk -v t="$("$jget" "$work/r.json" performance.tps)" 'BEGIN { printf "%.1f", t }')" \
            "$(awk -v r="$rb" -v n="$nos" 'BEGIN { printf "%.2f", n ? 100 * r / n : 0 }')" \
            "$(cpu_per_tx "$work/time" "$tx")"
    done
done
PGDATABASE=w1 "$tpcc" --check >"$work/check.log" 2>&1 || { cat "$work/check.log"; exit 1; }
echo "consistency afterwards: $(tail -1 "$work/check.log")"
echo

# --- 3. sysbench-tpcc ----------------------------------------------------------
if [ -z "${SYSBENCH_TPCC:-}" ] || [ ! -f "${SYSBENCH_TPCC:-}/tpcc.lua" ]; then
    echo "== sysbench-tpcc: skipped (set SYSBENCH_TPCC to a checkout of Percona-Lab/sysbench-tpcc)"
    exit 0
fi
if ! command -v sysbench >/dev/null; then
    echo "== sysbench-tpcc: skipped (sysbench is not installed: apt-get install sysbench)"
    exit 0
fi
createdb sbtest
sb() {
    (cd "$SYSBENCH_TPCC" && sysbench ./tpcc.lua --db-driver=pgsql --pgsql-host="$PGHOST" \
        --pgsql-port="$PGPORT" --pgsql-user="$PGUSER" --pgsql-db=sbtest --tables=1 --scale=1 "$@")
}
echo "== sysbench-tpcc ($(sysbench --version)), 1 warehouse (--tables=1 --scale=1)"
t0=$(now)
sb --threads=2 prepare >"$work/sbprep.log" 2>&1 || { cat "$work/sbprep.log"; exit 1; }
t1=$(now)
s=$(elapsed "$t0" "$t1")
echo "prepare: $s s wall, of which 30 s is its own sleep(30) (\"Waiting on tables\"): about $(awk -v s="$s" 'BEGIN { printf "%.1f", s - 30 }') s of work"
printf '%-12s %8s %10s %12s %14s\n' "" threads tps "errors/s" "client us/tx"
for n in 4 8; do
    (cd "$SYSBENCH_TPCC" && /usr/bin/time -f "%U %S" -o "$work/time" sysbench ./tpcc.lua \
        --db-driver=pgsql --pgsql-host="$PGHOST" --pgsql-port="$PGPORT" --pgsql-user="$PGUSER" \
        --pgsql-db=sbtest --tables=1 --scale=1 --trx_level=RC --threads="$n" --time="$secs" \
        --report-interval=0 run) >"$work/sbrun.log" 2>&1 || { cat "$work/sbrun.log"; exit 1; }
    tx=$(sed -n 's/^ *transactions: *\([0-9]*\).*/\1/p' "$work/sbrun.log")
    tps=$(sed -n 's/^ *transactions: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p' "$work/sbrun.log")
    errs=$(sed -n 's/^ *ignored errors: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p' "$work/sbrun.log")
    printf '%-12s %8s %10s %12s %14s\n' sysbench "$n" "$tps" "$errs" "$(cpu_per_tx "$work/time" "$tx")"
done
echo "(sysbench-tpcc at READ COMMITTED like ours (--trx_level=RC; its default is RR): a random warehouse"
echo " per transaction, no home terminal; tps counts all five types; errors/s are the deadlocks and"
echo " other errors its PostgreSQL driver treats as ignorable, after which sysbench restarts the event)"
