#!/usr/bin/env bash
# Builds the backend bundle and starts it the way production runs it (docs/operations.md):
# NODE_ENV=production, from packages/backend/dist/{skeleton,bundle}.tar.gz unpacked into
# dist-production/ with only the runtime dependencies installed, with app-config.yaml and
# app-config.production.yaml (no sample users, no demo upstream, PostgreSQL). The
# environment variables app-config.production.yaml reads must be set. Extra arguments go
# to the backend (e.g. --config your-site.yaml).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
# shellcheck source=scripts/env.sh
source scripts/env.sh
say() { printf '[start-production] %s\n' "$*"; }

OUT="${MARKETPLACE_PRODUCTION_DIR:-$ROOT/dist-production}"
if [ "${MARKETPLACE_SKIP_BUILD:-}" != "1" ]; then
  yarn install --immutable
  say "building the backend bundle (and the frontend it serves)"
  yarn build:backend
fi
say "unpacking into ${OUT#"$ROOT"/} and installing the runtime dependencies"
rm -rf "$OUT"
mkdir -p "$OUT/.yarn"
cp package.json yarn.lock .yarnrc.yml "$OUT/"
cp -r .yarn/releases "$OUT/.yarn/"
[ -d .yarn/plugins ] && cp -r .yarn/plugins "$OUT/.yarn/"
tar xzf packages/backend/dist/skeleton.tar.gz -C "$OUT"
(cd "$OUT" && yarn workspaces focus --all --production)
tar xzf packages/backend/dist/bundle.tar.gz -C "$OUT"
cp app-config.yaml app-config.production.yaml "$OUT/"

say "starting the backend (NODE_ENV=production)"
cd "$OUT"
NODE_ENV=production exec node packages/backend \
  --config app-config.yaml --config app-config.production.yaml "$@"
