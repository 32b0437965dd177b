#!/usr/bin/env bash
# Installs everything and starts the portal with the sample catalog:
# frontend on http://localhost:3000, backend on http://localhost:7007.
# Data (better-sqlite3 files) is kept in data/ between runs; the first run records demo
# traffic through the gateway (scripts/seed.mjs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh

yarn install --immutable

# Local secrets, generated once: the demo upstream's API key (the gateway reads it
# through the services' `secretRef: DEMO_UPSTREAM_API_KEY`), and the key that encrypts
# the upstream credentials providers store in the portal.
mkdir -p data
if [ ! -f data/secrets.env ]; then
  node -e 'const c=require("crypto");console.log("DEMO_UPSTREAM_API_KEY=demo-"+c.randomBytes(24).toString("base64url"))' >data/secrets.env
  chmod 600 data/secrets.env
fi
if ! grep -q '^MARKETPLACE_CREDENTIALS_KEY=' data/secrets.env; then
  node -e 'console.log("MARKETPLACE_CREDENTIALS_KEY="+require("crypto").randomBytes(32).toString("base64"))' >>data/secrets.env
fi
set -a
# shellcheck disable=SC1091
. data/secrets.env
set +a

# Demo data comes from real traffic: once the backend is up, sample users subscribe and
# call the sample services through the gateway (once per data/ folder).
node scripts/seed.mjs &

exec yarn start "$@"
