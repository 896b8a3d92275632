#!/usr/bin/env bash
# A private PostgreSQL server for the tests (Debian's postgresql package), on loopback only.
#   postgres_fixture.sh start DIR   initdb a fresh cluster, start it on a free port, write DIR/conninfo
#   postgres_fixture.sh stop DIR    stop it and remove it
#   postgres_fixture.sh pause DIR   stop it at once, as a crash would (the store outage test), keeping it
#   postgres_fixture.sh resume DIR  start it again on the same port
# The cluster lives under /tmp (the server's user must be able to reach it, whatever the checkout's
# permissions); DIR/datadir says where. Run as root (CI), the server runs as the `postgres` user,
# as PostgreSQL requires.
set -euo pipefail
action="$1"
dir="$2"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop() {
  if [ -f "$dir/datadir" ]; then
    local data
    data="$(cat "$dir/datadir")"
    if [ -f "$data/cluster/postmaster.pid" ]; then
      as_postgres "$bin/pg_ctl" -D "$data/cluster" stop -m fast >/dev/null 2>&1 || true
    fi
    rm -rf "$data"
  fi
  rm -rf "$dir"
}
launch() {  # launch DATA PORT
  as_postgres "$bin/pg_ctl" -D "$1/cluster" -l "$1/server.log" -w \
    -o "-p $2 -k $1 -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
}
case "$action" in
  start)
    stop  # what an interrupted run left
    mkdir -p "$dir"
    data="$(mktemp -d /tmp/gatehouse-pg.XXXXXX)"
    echo "$data" >"$dir/datadir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$data"; fi
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    as_postgres "$bin/initdb" -D "$data/cluster" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    echo "$port" >"$dir/port"
    launch "$data" "$port"
    echo "host=127.0.0.1 port=$port dbname=postgres user=postgres" >"$dir/conninfo"
    echo "postgres on 127.0.0.1:$port ($data)"
    ;;
  stop)
    stop
    ;;
  pause)
    as_postgres "$bin/pg_ctl" -D "$(cat "$dir/datadir")/cluster" stop -m immediate >/dev/null
    ;;
  resume)
    launch "$(cat "$dir/datadir")" "$(cat "$dir/port")"
    ;;
  *)
    echo "usage: $0 start|stop|pause|resume DIR" >&2
    exit 2
    ;;
esac
