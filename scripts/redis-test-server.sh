#!/usr/bin/env bash
# Starts a throwaway Redis server for the gateway's shared-limits tests, or stops it.
#   source scripts/redis-test-server.sh start   -> exports MARKETPLACE_TEST_REDIS_URL
#   scripts/redis-test-server.sh stop
# The server is Debian's redis-server (installed with apt-get when missing and we may),
# listens on a free loopback port without persistence, and its temp dir is deleted on stop.
# Where no server can be started it prints why and leaves the variable unset, so the
# Redis variants of the tests are skipped (and say so).

REDIS_BIN="${REDIS_BIN:-/usr/bin/redis-server}"
REDIS_STATE_FILE="${TMPDIR:-/tmp}/marketplace-redis-test-server.env"

redis__install() {
  [ -x "$REDIS_BIN" ] && return 0
  echo "[redis] installing Debian's redis-server"
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
}

redis__start() {
  redis__install || true
  if [ ! -x "$REDIS_BIN" ]; then
    echo "[redis] SKIP Redis tests: no redis-server at $REDIS_BIN and it could not be installed"
    return 0
  fi
  local dir port pid
  dir="$(mktemp -d "${TMPDIR:-/tmp}/marketplace-redis.XXXXXX")"
  port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  "$REDIS_BIN" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$dir" --logfile "$dir/server.log" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 50); do
    if node -e "require('net').connect($port,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"; then
      export MARKETPLACE_TEST_REDIS_URL="redis://127.0.0.1:$port"
      printf 'REDIS_DIR=%q\nREDIS_PID=%q\n' "$dir" "$pid" >"$REDIS_STATE_FILE"
      echo "[redis] $("$REDIS_BIN" --version | sed 's/.*v=\([0-9.]*\).*/\1/') started on 127.0.0.1:$port (pid $pid); the shared-limits tests run on it"
      return 0
    fi
    sleep 0.1
  done
  echo "[redis] SKIP Redis tests: the server did not start:"; tail -5 "$dir/server.log"
  kill "$pid" 2>/dev/null || true
  rm -rf "$dir"
  return 0
}

redis__stop() {
  [ -f "$REDIS_STATE_FILE" ] || return 0
  # shellcheck disable=SC1090
  . "$REDIS_STATE_FILE"
  if [ -n "${REDIS_PID:-}" ]; then
    kill "$REDIS_PID" 2>/dev/null || true
    # Wait until it has exited (or is a zombie of the shell that started it):
    # it writes its log on the way out.
    for _ in $(seq 1 50); do
      state="$(awk '{print $3}' "/proc/$REDIS_PID/stat" 2>/dev/null || echo gone)"
      [ "$state" = "gone" ] || [ "$state" = "Z" ] && break
      sleep 0.1
    done
  fi
  [ -n "${REDIS_DIR:-}" ] && rm -rf "$REDIS_DIR"
  rm -f "$REDIS_STATE_FILE"
}

case "${1:-}" in
  start) redis__start ;;
  stop) redis__stop ;;
  *) echo "usage: scripts/redis-test-server.sh start|stop" >&2 ;;
esac
