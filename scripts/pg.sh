#!/usr/bin/env bash
# A throw-away PostgreSQL server on 127.0.0.1 for the tests and benchmarks.
#   scripts/pg.sh start   start it (initialising the data folder once) and print its URL
#   scripts/pg.sh stop    stop it
#   scripts/pg.sh url     print the URL of the test database
# THIDUA_PG_DURABLE=0 (the tests) runs the server without waiting for the disk (fsync,
# full_page_writes and synchronous_commit off): a test database is thrown away, and copying a
# template per test then costs a fraction. Any other value (the benchmarks, the default) puts
# durability back, so that commits are measured as production makes them. The server reloads
# its settings at each start; both modes never run on it at once.
set -euo pipefail
PORT="${THIDUA_PG_PORT:-54329}"
DATA="${THIDUA_PG_DATA:-/tmp/thidua-pg-$PORT}"
DB="${THIDUA_PG_DB:-thidua_test}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$BIN" ] || { echo "PostgreSQL is not installed (scripts/system-deps.sh test)" >&2; exit 1; }
URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/$DB"
DURABLE="${THIDUA_PG_DURABLE:-1}"

as_pg() {
  # PostgreSQL refuses to run as root: run its tools as the postgres user then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  if ! as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    boot
  fi
  if ! as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
    as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
  fi
  durability
  echo "$URL"
}

durability() {
  local how="SET" off=" = off"
  [ "$DURABLE" = 0 ] || { how="RESET"; off=""; }
  as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qAt -v ON_ERROR_STOP=1 \
    -c "ALTER SYSTEM $how fsync$off" -c "ALTER SYSTEM $how full_page_writes$off" \
    -c "ALTER SYSTEM $how synchronous_commit$off" -c "SELECT pg_reload_conf()" postgres >/dev/null
}

boot() {
  if [ ! -f "$DATA/PG_VERSION" ]; then
    rm -rf "$DATA"; mkdir -p "$DATA"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DATA"
    as_pg "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
    -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
}

case "${1:-start}" in
  start) start ;;
  stop) as_pg "$BIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
