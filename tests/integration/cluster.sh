#!/bin/sh
# cluster.sh start|stop|crash|restart DIR — the integration tests' PostgreSQL.
#
# start: initdb into DIR/data and start a server on a unix socket in DIR and
# on 127.0.0.1 (for TCP tests), on a free port; writes DIR/env with the PG*
# variables the tests source.  As root the server runs as `nobody`
# (PostgreSQL refuses root).  stop: fast shutdown, then removes DIR.
# SDB_CLUSTER_EXTRA_OPTS: more server options for start ("-c ssl=on ..."),
# for a test's own cluster; files they name must be readable by the server
# user.  crash: an immediate shutdown (as after a crash: the next start
# recovers); restart: starts it again with the options of `start` (same
# port and socket).
set -eu
cmd=$1
dir=$2
bindir=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bindir/postgres" ] || bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
    else
        "$@"
    fi
}

case $cmd in
start)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$dir"
    cd "$dir"   # the server user may not be able to enter the caller's cwd
    as_owner "$bindir/initdb" -D "$dir/data" -U stormdb -A trust -E UTF8 --no-locale \
        --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; exit 1; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + $$ % 20000)))
    opts="-k $dir -p $port -c listen_addresses=127.0.0.1 -c unix_socket_permissions=0777 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${SDB_CLUSTER_EXTRA_OPTS:-}"
    echo "$opts" >"$dir/opts"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts" \
        start >/dev/null || { cat "$dir/server.log"; exit 1; }
    cat >"$dir/env" <<ENV
export PGHOST=$dir
export PGPORT=$port
export PGUSER=stormdb
export PGDATABASE=postgres
export SDB_TEST_BINDIR=$bindir
ENV
    echo "test cluster on port $port in $dir"
    ;;
crash)
    cd "$dir"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
restart)
    cd "$dir"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$(cat "$dir/opts")" \
        start >/dev/null || { cat "$dir/server.log"; exit 1; }
    ;;
stop)
    if [ -d "$dir/data" ]; then
        cd "$dir"
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || \
            as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: cluster.sh start|stop|crash|restart DIR" >&2
    exit 2
    ;;
esac
