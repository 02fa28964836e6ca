# bench/lib.sh — shared by the benchmark scripts (sourced).  Sets root and
# build (BUILD=dir picks another build directory), and bench_cluster NAME
# starts a throwaway cluster in a new work directory ($work), sources its
# PG* variables and removes it all on exit.
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac

# Helpers of the timing scripts.
now() { date +%s.%N; }
# elapsed START END -> seconds with 3 decimals
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# median of the numbers on stdin (separated by spaces or newlines)
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# ratio A B -> A / B with 2 decimals ("-" when B is 0)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

bench_cluster() {
    work=$(mktemp -d "/tmp/sdb-$1-XXXXXX")
    chmod 755 "$work"   # the server runs as nobody when we are root
    cluster=$work/cluster
    trap 'sh "$root/tests/integration/cluster.sh" stop "$cluster" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
    trap 'exit 130' INT TERM
    sh "$root/tests/integration/cluster.sh" start "$cluster" >/dev/null
    . "$cluster/env"
}

# The server's own share of loading a table, which no client can go below:
# floor_prepare TABLE KEY saves TABLE's rows (as loaded) as two binary COPY
# files, split at half the largest KEY; floor_run TABLE KEY then empties
# TABLE (and drops its primary key TABLE_pkey), and the server reads the
# files itself, in two sessions at once (COPY FROM 'file': no client makes
# or sends a row), then runs VACUUM (FREEZE), ADD PRIMARY KEY (KEY) and
# ANALYZE as the stormdb loader does.  It prints "TOTAL COPY VACUUM KEY
# ANALYZE" in seconds (the COPY timed with date, the rest with psql's
# \timing), after a CHECKPOINT and a sync.  Needs a superuser (COPY from a
# server file) and the server able to read $work; floor_ok says whether
# the role is one.
floor_ok() { [ "$(psql -XAtc 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user')" = t ]; }
floor_prepare() {
    half=$(psql -XAtc "SELECT max($2) / 2 FROM $1")
    psql -Xq -c "\\copy (SELECT * FROM $1 WHERE $2 <= $half) TO '$work/floor.0' (FORMAT binary)" \
             -c "\\copy (SELECT * FROM $1 WHERE $2 > $half) TO '$work/floor.1' (FORMAT binary)"
    chmod 644 "$work/floor.0" "$work/floor.1"
}
floor_ms() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | awk '{ s += $1 } END { printf "%.3f", s / 1000 }'; }
floor_run() {
    psql -Xq -c "ALTER TABLE $1 DROP CONSTRAINT IF EXISTS $1_pkey" -c "TRUNCATE $1"
    psql -Xqc CHECKPOINT
    sync
    f0=$(date +%s.%N)
    for k in 0 1; do
        psql -Xq -c "SET synchronous_commit = on" -c "COPY $1 FROM '$work/floor.$k' WITH (FORMAT binary)" &
    done
    wait
    f1=$(date +%s.%N)
    fv=$(psql -Xq -c '\timing on' -c "VACUUM (FREEZE) $1" | floor_ms)
    fk=$(psql -Xq -c "SET maintenance_work_mem = '256MB'" -c '\timing on' \
              -c "ALTER TABLE $1 ADD PRIMARY KEY ($2)" | floor_ms)
    fa=$(psql -Xq -c '\timing on' -c "ANALYZE $1" | floor_ms)
    awk -v a="$f0" -v b="$f1" -v v="$fv" -v k="$fk" -v n="$fa" \
        'BEGIN { c = b - a; printf "%.3f %.3f %.3f %.3f %.3f\n", c + v + k + n, c, v, k, n }'
}
# floor_series TABLE KEY RUNS: floor_prepare, then RUNS times floor_run,
# printing each; leaves the median total in floor_median.
floor_series() {
    floor_prepare "$1" "$2"
    fs_all=""
    fs_i=1
    while [ "$fs_i" -le "$3" ]; do
        # shellcheck disable=SC2046  # the five numbers as $4..$8
        set -- "$1" "$2" "$3" $(floor_run "$1" "$2")
        echo "server only, $1, run $fs_i: $4 s (COPY from files in 2 sessions $5 s, vacuum $6 s, primary key $7 s, analyze $8 s)"
        fs_all="$fs_all $4"
        fs_i=$((fs_i + 1))
    done
    floor_median=$(echo "$fs_all" | median)
}
