#!/usr/bin/env bash
# Installs the built-in ProConnect-like pieces, idempotently (root on Debian 12):
# Apache 2.4 + mod_auth_openidc (the reference relying party) from Debian, and oidc-provider 9.13.3
# (the reference OpenID provider) from npm into servers/oidc/node_modules via `npm ci`.
# The packages' maintainer scripts may be denied starting apache2 (policy-rc.d): that is fine, the suite
# starts its own standalone Apache with its own configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
OIDC_DIR=servers/oidc
stamp="$OIDC_DIR/node_modules/.cicclo-proconnect-9.13.3"

missing=()
for pkg in apache2 libapache2-mod-auth-openidc; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -f "$stamp" ] || [ "$OIDC_DIR/package-lock.json" -nt "$stamp" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  (cd "$OIDC_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$stamp"
fi
