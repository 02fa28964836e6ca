# bench/lib.sh — shared by the benchmark scripts (sourced).  Sets root and
# build (BUILD=dir picks another build directory), and bench_cluster NAME
# starts a throwaway cluster in a new work directory ($work), sources its
# PG* variables and removes it all on exit.
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac

bench_cluster() {
    work=$(mktemp -d "/tmp/sdb-$1-XXXXXX")
    chmod 755 "$work"   # the server runs as nobody when we are root
    cluster=$work/cluster
    trap 'sh "$root/tests/integration/cluster.sh" stop "$cluster" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
    trap 'exit 130' INT TERM
    sh "$root/tests/integration/cluster.sh" start "$cluster" >/dev/null
    . "$cluster/env"
}
