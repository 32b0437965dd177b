#!/usr/bin/env bash
# Installs everything and runs every test: type checking, lint, unit tests, the
# DB tests on SQLite and on a throwaway PostgreSQL 15, and the browser journeys in
# Debian's Chromium. .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh

step() { printf '\n==== %s ====\n' "$*"; }

step "install"
yarn install --immutable

step "type check"
yarn tsc

step "lint"
yarn lint:all
yarn prettier:check

step "unit and DB tests (SQLite + PostgreSQL 15)"
# TestDatabases would try Docker in CI: there is none, we bring our own server.
export BACKSTAGE_TEST_DISABLE_DOCKER=1
# shellcheck source=scripts/pg-test-server.sh
source scripts/pg-test-server.sh start
trap 'bash scripts/pg-test-server.sh stop' EXIT
CI=true yarn backstage-cli repo test --maxWorkers=2

step "browser journeys (Playwright + Debian Chromium)"
bash scripts/e2e.sh
