#!/usr/bin/env bash
# The README's start command, checked the way a newcomer runs it: scripts/start.sh on an
# empty data folder must end with the portal up and the seed's summary printed, and the
# portal must then show demo data that came from real traffic (scripts/check-demo-data.mjs:
# requests, tokens and ratings in browse, spend, provider revenue, the production build
# cached and compressed). Then a second start on the same folder must reuse the build and
# the data. Run by scripts/test.sh; needs port 7007 free.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh

DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/marketplace-first-start.XXXXXX")"
START_PID=""
stop_start() {
  [ -n "$START_PID" ] || return 0
  kill -TERM "$START_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$START_PID" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$START_PID" 2>/dev/null || true
  START_PID=""
}
trap 'stop_start; rm -rf "$DATA_DIR"' EXIT

# Starts scripts/start.sh in the background and waits for its "ready" line.
start_portal() {
  local log="$1" deadline=$((SECONDS + ${2:-1200}))
  set -m
  MARKETPLACE_DATA_DIR="$DATA_DIR" MARKETPLACE_DEMO_TRAFFIC=off bash scripts/start.sh >"$log" 2>&1 &
  START_PID=$!
  set +m
  until grep -q 'the portal is ready' "$log"; do
    if ! kill -0 "$START_PID" 2>/dev/null; then
      echo "[first-start] scripts/start.sh exited:"; grep -v '^➤' "$log" | tail -40; exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "[first-start] timed out:"; grep -v '^➤' "$log" | tail -40; exit 1
    fi
    sleep 2
  done
}

echo "[first-start] scripts/start.sh on an empty data folder ($DATA_DIR)"
FIRST_STARTED=$SECONDS
start_portal "$DATA_DIR/first-start.log"
grep -E '^\[(start|seed|frontend)\]' "$DATA_DIR/first-start.log" | grep -v 'waiting for'
if ! grep -q '^\[seed\] done:' "$DATA_DIR/first-start.log" || [ ! -f "$DATA_DIR/.seeded" ]; then
  echo "[first-start] FAILED: the seed did not finish on the first start" >&2
  exit 1
fi
node scripts/check-demo-data.mjs
echo "[first-start] first start to a populated portal: $((SECONDS - FIRST_STARTED)) s"
stop_start

echo "[first-start] second start on the same data folder"
SECOND_STARTED=$SECONDS
start_portal "$DATA_DIR/second-start.log" 600
for expected in 'reusing the production build' 'demo data already recorded'; do
  if ! grep -q "$expected" "$DATA_DIR/second-start.log"; then
    echo "[first-start] FAILED: the second start did not say '$expected':" >&2
    grep -v '^➤' "$DATA_DIR/second-start.log" | tail -20 >&2
    exit 1
  fi
done
node scripts/check-demo-data.mjs
echo "[first-start] second start: $((SECONDS - SECOND_STARTED)) s"
