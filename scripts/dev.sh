#!/usr/bin/env bash
# For contributors: the frontend development server with hot reload on
# http://localhost:3000 and the backend on :7007 (restarts on backend changes), sharing
# data/ with scripts/start.sh. The first run of a data folder records the demo data in
# the background (scripts/seed.mjs). Extra arguments go to `backstage-cli repo start`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
DATA_DIR="$PWD/data"
# shellcheck source=scripts/local-secrets.sh
source scripts/local-secrets.sh
node scripts/seed.mjs --data-dir "$DATA_DIR" &
exec yarn backstage-cli repo start --config ../../app-config.yaml --config ../../app-config.development.yaml --config ../../app-config.dev-server.yaml "$@"
