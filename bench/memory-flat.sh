#!/bin/sh
# memory-flat.sh — peak memory of a run does not grow with its length.
#
# On a throwaway PostgreSQL cluster it starts itself (bench/lib.sh), it loads
# stormdb-simple's table, then runs simple_mixed twice with the same
# settings, SHORT (30 s) and then LONG (5 min), each writing the JSON, CSV
# and HTML reports (which hold the per-second time series, the one thing
# that grows with the run: a few dozen bytes per second).  Each run's peak
# resident set size is measured by `/usr/bin/time -f %M` (KB).  It prints
# both peaks and their difference, and exits 1 when the long run peaked more
# than LIMIT_KB (1024 KB) above the short one.
#
# Usage: bench/memory-flat.sh     (after `make`; BUILD=dir picks another build
#                                  directory; SHORT=5s LONG=30s for a quick try;
#                                  WORKERS=4 THREADS=2 LIMIT_KB=1024)
set -eu
. "$(dirname "$0")/lib.sh"
bin=$build/bin
[ -x "$bin/stormdb-simple" ] || { echo "memory-flat: $bin/stormdb-simple not found: run make first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "memory-flat: /usr/bin/time not found (Debian package time)" >&2; exit 2; }
short=${SHORT:-30s}
long=${LONG:-5m}
workers=${WORKERS:-4}
threads=${THREADS:-2}
limit=${LIMIT_KB:-1024}

bench_cluster memory-flat
export PGDATABASE=memflat
createdb "$PGDATABASE"
"$bin/stormdb-simple" --setup --scale 10 --no-run >"$work/setup.log" 2>&1 \
    || { cat "$work/setup.log"; exit 1; }

# run NAME DURATION: one run under /usr/bin/time; sets peak_kb and tps
run() {
    /usr/bin/time -f %M -o "$work/$1.rss" "$bin/stormdb-simple" -w simple_mixed \
        --workers "$workers" --threads "$threads" --duration "$2" --seed 1 \
        --json "$work/$1.json" --csv "$work/$1.csv" --html "$work/$1.html" \
        >"$work/$1.log" 2>&1 || { cat "$work/$1.log"; exit 1; }
    peak_kb=$(tail -1 "$work/$1.rss")
    tps=$(grep -o '"tps": [0-9.]*' "$work/$1.json" | head -1 | cut -d' ' -f2)
    rows=$(grep -c '"t_s"' "$work/$1.json")
    printf '%-6s %8s %10s KB peak RSS   %10.0f tps   %5d time-series rows\n' \
        "$1" "$2" "$peak_kb" "$tps" "$rows"
}

echo "machine: $(nproc) CPUs, $(uname -sr), PostgreSQL $(psql -XAtc 'SHOW server_version')"
echo "stormdb-simple -w simple_mixed --workers $workers --threads $threads (scale 10), --json --csv --html"
run short "$short"
short_kb=$peak_kb
run long "$long"
long_kb=$peak_kb
diff=$((long_kb - short_kb))
echo "difference: $diff KB (long - short; limit $limit KB)"
if [ "$diff" -gt "$limit" ]; then
    echo "FAIL: the $long run peaked $diff KB above the $short run" >&2
    exit 1
fi
echo "ok: peak memory does not grow with the length of the run"
