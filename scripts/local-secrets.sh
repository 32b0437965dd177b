# shellcheck shell=bash
# Sourced by scripts/start.sh and scripts/dev.sh with DATA_DIR set: generates the local
# secrets once into DATA_DIR/secrets.env (mode 600) and exports them: the demo upstream's
# API key (the gateway reads it through the sample services'
# `secretRef: DEMO_UPSTREAM_API_KEY`) and the key that encrypts the upstream credentials
# providers store in the portal (marketplace.credentials.encryptionKeys).
if [ ! -f "$DATA_DIR/secrets.env" ]; then
  mkdir -p "$DATA_DIR"
  node -e 'const c=require("crypto");console.log("DEMO_UPSTREAM_API_KEY=demo-"+c.randomBytes(24).toString("base64url"))' >"$DATA_DIR/secrets.env"
  chmod 600 "$DATA_DIR/secrets.env"
fi
if ! grep -q '^MARKETPLACE_CREDENTIALS_KEY=' "$DATA_DIR/secrets.env"; then
  node -e 'console.log("MARKETPLACE_CREDENTIALS_KEY="+require("crypto").randomBytes(32).toString("base64"))' >>"$DATA_DIR/secrets.env"
fi
set -a
# shellcheck disable=SC1091
. "$DATA_DIR/secrets.env"
set +a
