#!/usr/bin/env bash
# Runs the Playwright journeys (e2e/journeys) in Debian's Chromium against a freshly
# started portal as users run it: the backend on :7007 serving the production build of the
# frontend (scripts/build-frontend.mjs, reused while unchanged), with an in-memory
# database, so the journeys never touch data/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "[e2e] installing Debian's chromium"
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "[e2e] FAILED: no Chromium at $CHROMIUM and it could not be installed" >&2
  exit 1
fi
export CHROMIUM_PATH="$CHROMIUM"

for port in 7007; do
  if node -e "require('net').connect($port,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"; then
    echo "[e2e] port $port is in use: stop the running portal first" >&2
    exit 1
  fi
done

LOG_DIR="${E2E_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/marketplace-e2e.XXXXXX")}"
export DEMO_UPSTREAM_API_KEY="e2e-$(node -e 'console.log(require("crypto").randomBytes(16).toString("hex"))')"
export MARKETPLACE_CREDENTIALS_KEY="$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')"
node scripts/build-frontend.mjs
echo "[e2e] starting the portal (logs in $LOG_DIR)"
set -m
(cd packages/backend && exec yarn start --config ../../app-config.yaml --config ../../app-config.development.yaml --config ../../e2e/app-config.e2e.yaml) >"$LOG_DIR/portal.log" 2>&1 &
PORTAL_PID=$!
set +m
stop_portal() {
  kill -TERM -- "-$PORTAL_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$PORTAL_PID" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$PORTAL_PID" 2>/dev/null || true
}
trap stop_portal EXIT

wait_for() {
  local url="$1" deadline=$((SECONDS + ${2:-300}))
  until node -e "fetch('$url').then(r=>process.exit(r.status<500?0:1),()=>process.exit(1))"; do
    if ! kill -0 "$PORTAL_PID" 2>/dev/null; then
      echo "[e2e] the portal exited:"; tail -40 "$LOG_DIR/portal.log"; exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "[e2e] timed out waiting for $url:"; tail -40 "$LOG_DIR/portal.log"; exit 1
    fi
    sleep 2
  done
}
wait_for http://localhost:7007/.backstage/health/v1/readiness
wait_for http://localhost:7007/ 600
echo "[e2e] portal is up after ${SECONDS}s"

E2E_SCREENSHOT_DIR="${E2E_SCREENSHOT_DIR:-$LOG_DIR/screenshots}" \
  yarn playwright test --config e2e/playwright.config.ts "$@"
