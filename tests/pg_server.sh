#!/usr/bin/env bash
# A throwaway PostgreSQL for the store tests, listening on 127.0.0.1 only (trust auth, a
# free port, data in a temporary folder), so tests/test_store.py runs its PostgreSQL
# variant. Installs Debian's `postgresql` when it is missing (root only).
#
#   eval "$(bash tests/pg_server.sh start)"   # exports TEST_DATABASE_URL (idempotent)
#   bash tests/pg_server.sh stop              # stops it and removes its data
#
# Messages go to stderr; stdout carries only the export line, for eval.
set -euo pipefail

DIR="${CPTS_PGTEST_DIR:-${TMPDIR:-/tmp}/cpts-pgtest}"
DB=cpts_test

say() { echo "pg_server: $*" >&2; }

pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_installed() {
    [ -n "$(pg_bin)" ] && return 0
    if [ "$(id -u)" != 0 ]; then
        say "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)."
        return 1
    fi
    say "installing Debian's postgresql"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
}

# postgres refuses to run as root: run its tools as the postgres user then.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    ensure_installed
    local bin
    bin="$(pg_bin)"
    if [ -f "$DIR/url" ] && as_owner "$bin/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
        echo "export TEST_DATABASE_URL=$(cat "$DIR/url")"
        return 0
    fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    local port
    port="$(free_port)"
    as_owner "$bin/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 \
        -o "-p $port -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB"
    echo "postgresql://postgres@127.0.0.1:$port/$DB" > "$DIR/url"
    say "PostgreSQL listening on 127.0.0.1:$port (log: $DIR/server.log)"
    echo "export TEST_DATABASE_URL=$(cat "$DIR/url")"
}

stop() {
    local bin
    bin="$(pg_bin)"
    if [ -n "$bin" ] && [ -d "$DIR/data" ]; then
        as_owner "$bin/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
