#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster for the DB tests, or stops it.
#   source scripts/pg-test-server.sh start   -> exports BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
#   scripts/pg-test-server.sh stop
# The cluster lives in a temp dir, listens on a free loopback port, runs as a non-root
# user (the `postgres` system user when we are root), and is deleted on stop.
# Where no server can be started it prints why and leaves the variable unset, so the
# PostgreSQL variants of the DB tests are skipped (and say so).

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_STATE_FILE="${TMPDIR:-/tmp}/marketplace-pg-test-server.env"

pg__as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u "$PG_OWNER" -- "$@"
  else
    "$@"
  fi
}

pg__start() {
  if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
    echo "[pg] SKIP PostgreSQL tests: no PostgreSQL 15 server binaries in $PG_BIN"
    return 0
  fi
  PG_OWNER="$(id -un)"
  if [ "$(id -u)" = "0" ]; then
    if id postgres >/dev/null 2>&1; then
      PG_OWNER=postgres
    else
      echo "[pg] SKIP PostgreSQL tests: running as root and there is no 'postgres' user to run the server as"
      return 0
    fi
  fi
  local dir port
  dir="$(mktemp -d "${TMPDIR:-/tmp}/marketplace-pg.XXXXXX")"
  chmod 755 "$dir"
  [ "$(id -u)" = "0" ] && chown "$PG_OWNER" "$dir"
  port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  if ! pg__as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1; then
    echo "[pg] SKIP PostgreSQL tests: initdb failed:"; tail -5 "$dir/initdb.log"
    return 0
  fi
  if ! pg__as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null 2>&1; then
    echo "[pg] SKIP PostgreSQL tests: the server did not start:"; tail -5 "$dir/server.log"
    return 0
  fi
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="postgresql://postgres:postgres@127.0.0.1:$port"
  printf 'PG_DIR=%q\nPG_OWNER=%q\n' "$dir" "$PG_OWNER" >"$PG_STATE_FILE"
  echo "[pg] PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') started on 127.0.0.1:$port (data in $dir); DB tests run on SQLite and PostgreSQL 15"
}

pg__stop() {
  [ -f "$PG_STATE_FILE" ] || return 0
  # shellcheck disable=SC1090
  . "$PG_STATE_FILE"
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    pg__as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
  rm -f "$PG_STATE_FILE"
}

case "${1:-}" in
  start) pg__start ;;
  stop) pg__stop ;;
  *) echo "usage: scripts/pg-test-server.sh start|stop" >&2 ;;
esac
