#!/usr/bin/env bash
# The production-identity journey (e2e/identity): starts a local OpenID Connect
# provider (the oidc-provider package, e2e/identity/oidc-server.mjs) and the portal
# with the PRODUCTION configuration (app-config.yaml + app-config.production.yaml,
# NODE_ENV=production, PostgreSQL, no sample users) on free ports of their own, and
# signs in through the provider in Chromium: a catalog user gets in, an unknown one
# does not, and the development sign-in is refused.
# Needs a PostgreSQL server: BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING, or
# starts one with scripts/pg-test-server.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
# shellcheck source=scripts/env.sh
source scripts/env.sh
say() { printf '[e2e-identity] %s\n' "$*"; }

export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  say "FAILED: no Chromium at $CHROMIUM_PATH (scripts/e2e.sh installs it)" >&2
  exit 1
fi
if [ -z "${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-}" ]; then
  # shellcheck source=scripts/pg-test-server.sh
  source scripts/pg-test-server.sh start
  STOP_PG=1
fi
if [ -z "${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-}" ]; then
  say "SKIPPED: no PostgreSQL server for the production configuration"
  exit 0
fi

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
rand() { node -e "console.log(require('crypto').randomBytes($1).toString('${2:-hex}'))"; }
LOG_DIR="${E2E_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/marketplace-e2e-identity.XXXXXX")}"
OIDC_PORT="$(free_port)"
PORT="$(free_port)"
BASE="http://localhost:$PORT"

node scripts/build-frontend.mjs

# The production configuration's environment (app-config.production.yaml).
PG_URL="$BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING"
eval "$(node -e '
  const u = new URL(process.argv[1]);
  const q = s => `'"'"'${decodeURIComponent(s)}'"'"'`;
  console.log(`export POSTGRES_HOST=${q(u.hostname)} POSTGRES_PORT=${q(u.port)} POSTGRES_USER=${q(u.username)} POSTGRES_PASSWORD=${q(u.password)}`);
' "$PG_URL")"
export APP_BASE_URL="$BASE" BACKEND_BASE_URL="$BASE"
export BACKEND_SECRET="$(rand 24)" AUTH_SESSION_SECRET="$(rand 24)"
export OIDC_METADATA_URL="http://localhost:$OIDC_PORT/.well-known/openid-configuration"
export OIDC_CLIENT_ID="marketplace-portal" OIDC_CLIENT_SECRET="$(rand 24)"
export MARKETPLACE_CREDENTIALS_KEY="$(rand 32 base64)" DEMO_UPSTREAM_API_KEY="$(rand 16)"
PREFIX="identity$(rand 3)_"
# Only what differs from production: this run's port, its own databases, and the
# sample organisation as the catalog's users (no services).
cat >"$LOG_DIR/app-config.identity.yaml" <<YAML
backend:
  listen: ':$PORT'
  database: { prefix: $PREFIX }
catalog:
  locations:
    - type: file
      target: $ROOT/examples/org.yaml
      rules: [{ allow: [User, Group] }]
YAML

OIDC_TEST_SERVER="{\"port\":$OIDC_PORT,\"clientId\":\"$OIDC_CLIENT_ID\",\"clientSecret\":\"$OIDC_CLIENT_SECRET\",\"redirectUri\":\"$BASE/api/auth/oidc/handler/frame\"}" \
  node e2e/identity/oidc-server.mjs >"$LOG_DIR/oidc.log" 2>&1 &
OIDC_PID=$!
set -m
(cd packages/backend && NODE_ENV=production exec node --require @backstage/cli-node/config/nodeTransform.cjs src/index.ts \
  --config ../../app-config.yaml --config ../../app-config.production.yaml --config "$LOG_DIR/app-config.identity.yaml") \
  >"$LOG_DIR/portal.log" 2>&1 &
PORTAL_PID=$!
set +m
cleanup() {
  kill -TERM -- "-$PORTAL_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$PORTAL_PID" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$PORTAL_PID" 2>/dev/null || true
  kill "$OIDC_PID" 2>/dev/null || true
  node -e '
    const { Client } = require("pg");
    const c = new Client({ connectionString: process.argv[1] + "/postgres" });
    c.connect().then(async () => {
      const { rows } = await c.query("SELECT datname FROM pg_database WHERE datname LIKE $1", [process.argv[2] + "%"]);
      for (const r of rows) await c.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
      await c.end();
    }).catch(() => {});
  ' "$PG_URL" "$PREFIX" || true
  if [ -n "${STOP_PG:-}" ]; then bash scripts/pg-test-server.sh stop; fi
}
trap cleanup EXIT

deadline=$((SECONDS + 400))
until node -e "fetch('$BASE/.backstage/health/v1/readiness').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; do
  if ! kill -0 "$PORTAL_PID" 2>/dev/null; then say "the portal exited:"; tail -40 "$LOG_DIR/portal.log"; exit 1; fi
  if [ "$SECONDS" -ge "$deadline" ]; then say "timed out waiting for the portal:"; tail -40 "$LOG_DIR/portal.log"; exit 1; fi
  sleep 2
done
say "portal (production configuration) on $BASE, identity provider on :$OIDC_PORT (logs in $LOG_DIR)"

PLAYWRIGHT_URL="$BASE" E2E_SCREENSHOT_DIR="${E2E_SCREENSHOT_DIR:-$LOG_DIR/screenshots}" \
  yarn playwright test --config e2e/identity/playwright.config.ts "$@"
