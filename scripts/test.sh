#!/usr/bin/env bash
# Installs everything and runs every test: type checking, lint, unit tests, the
# DB tests on SQLite and on a throwaway PostgreSQL 15 (and the gateway's shared
# limits on a throwaway Redis), the README's start command on an
# empty data folder (scripts/first-start-check.sh), the reliability and security suite
# (reliability/), and the browser journeys in
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
# The gateway's limits shared by several instances run on a real Redis.
# shellcheck source=scripts/redis-test-server.sh
source scripts/redis-test-server.sh start
trap 'bash scripts/pg-test-server.sh stop; bash scripts/redis-test-server.sh stop' EXIT
TEST_LOG="$(mktemp "${TMPDIR:-/tmp}/marketplace-tests.XXXXXX")"
CI=true yarn backstage-cli repo test --maxWorkers=2 --verbose 2>&1 | tee "$TEST_LOG"
# Passed test cases per database: those named after it or inside a describe block named after it.
count_cases() {
  awk -v db="$1" '
    /✓|✕|○/ {
      match($0, /^ */); ind = RLENGTH
      if (inblk && ind <= depth) inblk = 0
      if (index($0, "✓") && (inblk || index($0, db))) n++
      next
    }
    /[^ ]/ {
      match($0, /^ */); ind = RLENGTH
      if (inblk && ind <= depth) inblk = 0
      if (index($0, db)) { inblk = 1; depth = ind }
    }
    END { print n + 0 }' "$TEST_LOG"
}
pg_cases=$(count_cases POSTGRES_15)
sqlite_cases=$(count_cases SQLITE_3)
echo "[db] test cases passed on SQLite: $sqlite_cases, on PostgreSQL 15: $pg_cases"
if [ -n "${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-}" ] && [ "$pg_cases" -eq 0 ]; then
  echo "[db] FAILED: a PostgreSQL server was started but no test ran on it" >&2
  exit 1
fi

step "reliability and security suite (yarn test:reliability, SQLite + PostgreSQL 15)"
# reliability/README.md: the real backend on ports of its own, faults, crash, budgets, fuzz.
yarn test:reliability

step "first start: scripts/start.sh on an empty data folder, demo data checked"
bash scripts/first-start-check.sh

step "browser journeys (Playwright + Debian Chromium)"
bash scripts/e2e.sh

step "production identity: the production configuration signs in through a local OIDC provider"
bash scripts/e2e-identity.sh
