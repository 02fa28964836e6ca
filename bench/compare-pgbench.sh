#!/bin/sh
# compare-pgbench.sh — stormdb-pgbench next to pgbench on identical work: the
# throughput, the client's own CPU per transaction and its peak memory, and
# loading (issue 8).
#
# On a throwaway PostgreSQL cluster it starts itself (tests/integration/
# cluster.sh, in a directory under /tmp; fsync off) it runs `pgbench -i -s
# SCALE` once, then, on those same tables, for each case and transport:
#   select_only, simple_update, tpcb_like   pgbench -M prepared -b <builtin>
#                                           against stormdb-pgbench -w
#                                           pgbench_<case>;
#   pipeline                                a pgbench script of ten select-only
#                                           queries between \startpipeline and
#                                           \endpipeline against the
#                                           pgbench_select_pipeline mix (the
#                                           same ten selects in one `pipeline`
#                                           block): compared in statements/s;
# each over TCP (127.0.0.1) and over the unix socket, CLIENTS sessions on
# THREADS threads (pgbench -c/-j, our --workers/--threads), DURATION each,
# in pairs, A B then B A (PAIRS pairs; pgbench first in odd pairs, ours in
# even ones, so that neither always inherits the other's churn).  Before
# every run of either tool: VACUUM of pgbench_branches and pgbench_tellers,
# TRUNCATE pgbench_history (what pgbench does before a run without -n) and
# a CHECKPOINT.  Every run is under
# /usr/bin/time -f '%U %S %M': the client's CPU (user + system, from its own
# accounting, start-up included for both tools) divided by the transactions
# it completed, and its peak RSS.  TPS is pgbench's "tps = ... (without
# initial connection time)" and our JSON report's performance.tps.  pgbench
# runs with -n (the script has done its vacuum); stormdb-pgbench uses the
# tables as they are and reads the scale from pgbench_branches.  Both run the same
# SQL in the same round trips (simple_update 5 per transaction, tpcb_like 7;
# the pipelined case one per transaction).
# Then loading, in another database, alternately, PAIRS times each:
#   pgbench -i -s LOAD_SCALE -q            (client-side generation, COPY)
#   pgbench -i -s LOAD_SCALE -q -I dtGvp   (server-side generate_series)
#   stormdb-pgbench --rebuild --force --no-run --scale LOAD_SCALE
# timed with `date +%s.%N` around the whole command, after a CHECKPOINT and
# a sync; then, as a superuser, the server's own share of loading
# pgbench_accounts (floor_run in lib.sh: the server reads the rows from
# files itself, vacuums, adds the key and analyzes), which no client can
# beat.
# It prints every run, then per case the medians and the ratios ours/pgbench,
# and checks them against issue 8's targets (MET / MISSED):
#   TPS ratio >= 1.00 and CPU per transaction ratio <= 0.90 (each case and
#   transport); pipelined statements/s ratio >= 1.00; load time <= 0.80 x
#   pgbench -i client-side; peak RSS <= pgbench's + 8 MB (8192 KB).
# (Memory staying flat over a long run: bench/memory-flat.sh.)
# A missed target does not change the exit status; an error does (non-zero).
#
# Usage: bench/compare-pgbench.sh           (after `make`; BUILD=dir for another
#                                            build directory)
#        DURATION=60 PAIRS=5 bench/compare-pgbench.sh
# Knobs (environment): DURATION seconds per run (default 30), PAIRS (3),
# SCALE of the run tables (10), LOAD_SCALE (20), CLIENTS (8), THREADS (2),
# CASES (default "select_only simple_update tpcb_like pipeline"),
# TRANSPORTS ("tcp unix"), LOAD (1; 0 skips the loading comparison).
set -eu
. "$(dirname "$0")/lib.sh"
ours=$build/bin/stormdb-pgbench
jget=$build/tests/jget
[ -x "$ours" ] || { echo "compare-pgbench: $ours not found: run make first" >&2; exit 2; }
[ -x "$jget" ] || { echo "compare-pgbench: $jget not found: run make first" >&2; exit 2; }
command -v pgbench >/dev/null || { echo "compare-pgbench: pgbench not found" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "compare-pgbench: /usr/bin/time not found (apt-get install time)" >&2; exit 2; }
duration=$(echo "${DURATION:-30}" | sed 's/s$//')
pairs=${PAIRS:-3}
scale=${SCALE:-10}
load_scale=${LOAD_SCALE:-20}
clients=${CLIENTS:-8}
threads=${THREADS:-2}
cases=${CASES:-select_only simple_update tpcb_like pipeline}
transports=${TRANSPORTS:-tcp unix}
depth=10    # statements in the pipelined case (the pgbench_select_pipeline mix has ten)

bench_cluster compare-pgbench
export PGDATABASE=cmp
createdb "$PGDATABASE"
socket=$PGHOST

# pgbench's side of the pipelined case
{
    i=1
    while [ "$i" -le "$depth" ]; do
        printf '\\set aid%d random(1, 100000 * :scale)\n' "$i"
        i=$((i + 1))
    done
    printf '%s\n' '\startpipeline'
    i=1
    while [ "$i" -le "$depth" ]; do
        echo "SELECT abalance FROM pgbench_accounts WHERE aid = :aid$i;"
        i=$((i + 1))
    done
    printf '%s\n' '\endpipeline'
} >"$work/pipeline.sql"

# verdict OK_EXPR: MET or MISSED (awk expression over nothing but numbers)
verdict() { if awk "BEGIN { exit !($1) }"; then echo MET; else echo MISSED; fi; }
# timed OUT CMD...: runs CMD under /usr/bin/time into $work/time, output to OUT;
# sets cpu_s and rss_kb
timed() {
    out=$1
    shift
    /usr/bin/time -f '%U %S %M' -o "$work/time" "$@" >"$out" 2>&1 || {
        cat "$out" >&2
        echo "compare-pgbench: failed: $*" >&2
        exit 1
    }
    cpu_s=$(tail -1 "$work/time" | awk '{ print $1 + $2 }')
    rss_kb=$(tail -1 "$work/time" | awk '{ print $3 }')
}
us_per() { awk -v c="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.2f", 1e6 * c / n; else print "-" }'; }

# Before every run, for both tools alike: what pgbench does before a run
# without -n (vacuum the small tables the updates churn, empty the history),
# then a checkpoint, so that the previous run's garbage and dirty buffers
# do not land in the next one.
settle() {
    psql -Xq -c "VACUUM pgbench_branches, pgbench_tellers" -c "TRUNCATE pgbench_history" \
             -c CHECKPOINT
}

# host_of TRANSPORT
host_of() { if [ "$1" = tcp ]; then echo 127.0.0.1; else echo "$socket"; fi; }

# run_pgbench CASE TRANSPORT: sets tps, tx, cpu_s, rss_kb
run_pgbench() {
    if [ "$1" = pipeline ]; then
        script="-s $scale -f $work/pipeline.sql"    # a custom script's :scale is 1 without -s
    else
        script="-b $(echo "$1" | tr _ -)"
    fi
    # shellcheck disable=SC2086  # $script is several words on purpose
    timed "$work/a.log" pgbench -h "$(host_of "$2")" -n -M prepared -c "$clients" -j "$threads" \
        -T "$duration" $script
    tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time).*/\1/p' "$work/a.log")
    tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/a.log")
    [ -n "$tps" ] && [ -n "$tx" ] || { cat "$work/a.log" >&2; echo "compare-pgbench: no tps in pgbench's output" >&2; exit 1; }
}

# run_ours CASE TRANSPORT: sets tps, tx, cpu_s, rss_kb
run_ours() {
    rm -f "$work/b.json"
    if [ "$1" = pipeline ]; then mix=pgbench_select_pipeline; else mix=pgbench_$1; fi
    timed "$work/b.log" "$ours" --host "$(host_of "$2")" -w "$mix" --workers "$clients" \
        --threads "$threads" --duration "${duration}s" --no-summary --json "$work/b.json"
    tps=$("$jget" "$work/b.json" performance.tps)
    tx=$("$jget" "$work/b.json" performance.successful)
    failed=$("$jget" "$work/b.json" performance.failed)
    [ "$failed" = 0 ] || { cat "$work/b.log" >&2; echo "compare-pgbench: $failed failed transactions" >&2; exit 1; }
}

server=$(psql -XAtc 'SHOW server_version')
echo "machine: $(nproc) CPUs, $(uname -sr), PostgreSQL $server, $(pgbench --version)"
echo "cluster: fsync=off, synchronous_commit=off, full_page_writes=off"
echo "runs: $clients clients on $threads threads, ${duration} s each, $pairs pairs, scale $scale; load scale $load_scale"
echo "round trips per transaction (both tools): select_only 1, simple_update 5, tpcb_like 7, pipeline 1"
pgbench -i -s "$scale" -q >"$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
echo

summary=$work/summary
: >"$summary"
misses=0
printf '%-14s %-5s %-4s %-8s %12s %10s %10s %10s\n' case via pair tool tps "us/tx" "RSS KB" "stmts/s"
for c in $cases; do
    for t in $transports; do
        a_tps="" b_tps="" a_cpu="" b_cpu="" a_rss="" b_rss=""
        n=1
        [ "$c" = pipeline ] && n=$depth
        p=1
        while [ "$p" -le "$pairs" ]; do
            # A B, then B A: neither tool always runs second, on tables
            # the other has just updated
            order="pgbench stormdb"
            [ $((p % 2)) = 0 ] && order="stormdb pgbench"
            for tool in $order; do
                settle
                if [ "$tool" = pgbench ]; then run_pgbench "$c" "$t"; else run_ours "$c" "$t"; fi
                us=$(us_per "$cpu_s" "$tx")
                printf '%-14s %-5s %-4s %-8s %12.1f %10s %10s %10.0f\n' "$c" "$t" "$p" "$tool" "$tps" \
                    "$us" "$rss_kb" "$(awk -v t="$tps" -v n="$n" 'BEGIN { print t * n }')"
                if [ "$tool" = pgbench ]; then
                    a_tps="$a_tps $tps" a_cpu="$a_cpu $us" a_rss="$a_rss $rss_kb"
                else
                    b_tps="$b_tps $tps" b_cpu="$b_cpu $us" b_rss="$b_rss $rss_kb"
                fi
            done
            p=$((p + 1))
        done
        echo "$c $t $n $(echo "$a_tps" | median) $(echo "$b_tps" | median) $(echo "$a_cpu" | median) $(echo "$b_cpu" | median) $(echo "$a_rss" | median) $(echo "$b_rss" | median)" >>"$summary"
    done
done

echo
echo "== medians (ratio = stormdb / pgbench; us/tx = client CPU user+sys per transaction)"
printf '%-14s %-5s %11s %11s %6s %9s %9s %6s %9s %9s\n' case via "pgbench tps" "ours tps" ratio \
    "pgb us/tx" "ours us/tx" ratio "pgb RSS" "ours RSS"
while read -r c t n atps btps acpu bcpu arss brss; do
    printf '%-14s %-5s %11.1f %11.1f %6s %9s %9s %6s %9s %9s\n' "$c" "$t" "$atps" "$btps" \
        "$(ratio "$btps" "$atps")" "$acpu" "$bcpu" "$(ratio "$bcpu" "$acpu")" "$arss" "$brss"
done <"$summary"

echo
echo "== targets (issue 8)"
while read -r c t n atps btps acpu bcpu arss brss; do
    r_tps=$(ratio "$btps" "$atps")
    r_cpu=$(ratio "$bcpu" "$acpu")
    if [ "$c" = pipeline ]; then
        v=$(verdict "$r_tps >= 1.00")
        printf '%-6s %-14s %-5s statements/s ratio %s >= 1.00 (%.0f vs %.0f)\n' "$v" "$c" "$t" "$r_tps" \
            "$(awk -v x="$btps" -v n="$n" 'BEGIN { print x * n }')" "$(awk -v x="$atps" -v n="$n" 'BEGIN { print x * n }')"
        [ "$v" = MET ] || misses=$((misses + 1))
    else
        v=$(verdict "$r_tps >= 1.00")
        printf '%-6s %-14s %-5s TPS ratio %s >= 1.00\n' "$v" "$c" "$t" "$r_tps"
        [ "$v" = MET ] || misses=$((misses + 1))
        v=$(verdict "$r_cpu <= 0.90")
        printf '%-6s %-14s %-5s CPU/tx ratio %s <= 0.90\n' "$v" "$c" "$t" "$r_cpu"
        [ "$v" = MET ] || misses=$((misses + 1))
    fi
    v=$(verdict "$brss <= $arss + 8192")
    printf '%-6s %-14s %-5s peak RSS %s KB <= %s KB + 8192\n' "$v" "$c" "$t" "$brss" "$arss"
    [ "$v" = MET ] || misses=$((misses + 1))
done <"$summary"

if [ "${LOAD:-1}" != 0 ]; then
    echo
    echo "== loading at scale $load_scale ($((load_scale * 100000)) pgbench_accounts rows), wall seconds"
    export PGDATABASE=cmpload
    createdb "$PGDATABASE"
    l_client="" l_server="" l_ours=""
    printf '%-4s %-30s %10s\n' run tool seconds
    p=1
    while [ "$p" -le "$pairs" ]; do
        for tool in client server ours; do
            case $tool in
            client) set -- pgbench -i -s "$load_scale" -q ;;
            server) set -- pgbench -i -s "$load_scale" -q -I dtGvp ;;
            ours) set -- "$ours" --rebuild --force --no-run --scale "$load_scale" --seed "$p" ;;
            esac
            psql -Xqc CHECKPOINT; sync   # the previous load's writes out of the way
            t0=$(now)
            "$@" >"$work/load.log" 2>&1 || { cat "$work/load.log"; echo "compare-pgbench: failed: $*" >&2; exit 1; }
            t1=$(now)
            s=$(elapsed "$t0" "$t1")
            case $tool in
            client) l_client="$l_client $s"; label="pgbench -i (client-side)" ;;
            server) l_server="$l_server $s"; label="pgbench -i -I dtGvp (server)" ;;
            ours) l_ours="$l_ours $s"; label="stormdb-pgbench --rebuild" ;;
            esac
            printf '%-4s %-30s %10s\n' "$p" "$label" "$s"
        done
        p=$((p + 1))
    done
    rows=$(psql -XAtc 'SELECT count(*) FROM pgbench_accounts')
    [ "$rows" = $((load_scale * 100000)) ] || { echo "compare-pgbench: $rows accounts after our load" >&2; exit 1; }
    mc=$(echo "$l_client" | median)
    ms=$(echo "$l_server" | median)
    mo=$(echo "$l_ours" | median)
    echo "median  pgbench -i $mc s   pgbench -i -I dtGvp $ms s   stormdb $mo s"
    echo "ratio stormdb/pgbench -i (client-side) $(ratio "$mo" "$mc"), stormdb/pgbench -i -I dtGvp (server-side) $(ratio "$mo" "$ms")"
    v=$(verdict "$mo <= 0.80 * $mc")
    echo "$v load time $mo s <= 0.80 x $mc s (pgbench -i client-side)"
    [ "$v" = MET ] || misses=$((misses + 1))
    if floor_ok; then
        # The server's own share of the accounts load (floor_run, lib.sh):
        # no client can load faster than this.
        floor_series pgbench_accounts aid "$pairs"
        mf=$floor_median
        echo "median  server only (pgbench_accounts alone, no client work) $mf s: $(ratio "$mf" "$mc") x pgbench -i"
    fi
fi
echo
echo "targets missed: $misses"
