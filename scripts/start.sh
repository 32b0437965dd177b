#!/usr/bin/env bash
# Installs everything, builds the frontend and starts the portal with the sample catalog
# on http://localhost:7007 (the backend serves the production build of the frontend).
#
#  1. yarn install --immutable (a no-op when nothing changed)
#  2. the frontend's production build, reused while its sources and the lockfile are
#     unchanged (scripts/build-frontend.mjs)
#  3. the backend, logging to data/logs/backend.log
#  4. on the first start of a data folder: the demo data, recorded by really running
#     traffic through the gateway (scripts/seed.mjs), then its summary; afterwards a
#     trickle of sample traffic keeps the charts moving while the portal runs
#     (MARKETPLACE_DEMO_TRAFFIC=off turns it off)
#
# Data (better-sqlite3 files, generated local secrets, logs) is kept in data/ between runs,
# or in MARKETPLACE_DATA_DIR. Extra arguments go to the backend (e.g. --config FILE).
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
# shellcheck source=scripts/env.sh
source scripts/env.sh

say() { printf '[start] %s\n' "$*"; }
elapsed() { printf '%d s' "$((SECONDS - ${1:-0}))"; }

yarn install --immutable
say "install done after $(elapsed)"

node scripts/build-frontend.mjs
say "frontend ready after $(elapsed)"

DATA_DIR="${MARKETPLACE_DATA_DIR:-$ROOT/data}"
mkdir -p "$DATA_DIR/logs"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"

# shellcheck source=scripts/local-secrets.sh
source scripts/local-secrets.sh

# The demo signs in with the sample users (app-config.development.yaml).
CONFIG_ARGS=(--config ../../app-config.yaml --config ../../app-config.development.yaml)
if [ "$DATA_DIR" != "$ROOT/data" ]; then
  # app-config.yaml keeps its databases in data/sqlite; point them at the chosen folder.
  printf 'backend:\n  database:\n    connection:\n      directory: %s\n' \
    "$(node -p 'JSON.stringify(process.argv[1])' "$DATA_DIR/sqlite")" >"$DATA_DIR/app-config.data.yaml"
  CONFIG_ARGS+=(--config "$DATA_DIR/app-config.data.yaml")
fi

if node -e "require('net').connect(7007,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"; then
  say "port 7007 is in use: is the portal already running? Stop it first." >&2
  exit 1
fi

BACKEND_LOG="$DATA_DIR/logs/backend.log"
say "starting the backend (log: ${BACKEND_LOG#"$ROOT"/})"
set -m
(cd packages/backend && exec yarn start "${CONFIG_ARGS[@]}" "$@") >>"$BACKEND_LOG" 2>&1 &
BACKEND_PID=$!
TRAFFIC_PID=""
set +m
stop_all() {
  trap - EXIT INT TERM
  [ -n "$TRAFFIC_PID" ] && kill "$TRAFFIC_PID" 2>/dev/null
  kill -TERM -- "-$BACKEND_PID" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$BACKEND_PID" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$BACKEND_PID" 2>/dev/null
  return 0
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SEED_ARGS=(--data-dir "$DATA_DIR" --backend-pid "$BACKEND_PID" --backend-log "$BACKEND_LOG")
if node scripts/seed.mjs "${SEED_ARGS[@]}"; then
  SEEDED=1
else
  SEEDED=0
  if ! kill -0 "$BACKEND_PID" 2>/dev/null; then
    say "the backend stopped; the end of its log:" >&2
    tail -40 "$BACKEND_LOG" >&2
    exit 1
  fi
  say "The portal is up, but the demo data could not be recorded (see above)." >&2
  if [ "$DATA_DIR" = "$ROOT/data" ]; then
    say "Once the cause is fixed, record it with:  node scripts/seed.mjs" >&2
  else
    say "Once the cause is fixed, record it with:  node scripts/seed.mjs --data-dir $DATA_DIR" >&2
  fi
fi

say "the portal is ready at http://localhost:7007 after $(elapsed) (Ctrl-C stops it)"
if [ "$SEEDED" = 1 ] && [ "${MARKETPLACE_DEMO_TRAFFIC:-on}" != "off" ]; then
  node scripts/seed.mjs --trickle --data-dir "$DATA_DIR" >>"$DATA_DIR/logs/demo-traffic.log" 2>&1 &
  TRAFFIC_PID=$!
  say "sample users keep calling a few services now and then (log: ${DATA_DIR#"$ROOT"/}/logs/demo-traffic.log; MARKETPLACE_DEMO_TRAFFIC=off turns it off)"
fi
wait "$BACKEND_PID" || true
say "the backend stopped; the end of its log:"
tail -20 "$BACKEND_LOG"
exit 1
