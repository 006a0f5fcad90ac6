#!/usr/bin/env bash
# Installs everything cicclo needs on a fresh Debian 12 machine (run as root), idempotently:
# the suite's own virtualenv (.venv) and the built-in reference platform (.venv-ref, via setup-reference.sh;
# MapServer for the target local-mapserver, via setup-mapserver.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

PYTHON=${CICCLO_PYTHON:-python3}
if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c 'import ensurepip' >/dev/null 2>&1; then
  apt_install python3 python3-venv
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.cicclo-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  touch "$stamp"
fi

# headless Chromium: the project's tests open the HTML report in it
if [ "${CICCLO_WITH_CHROMIUM:-1}" = 1 ]; then
  apt_install chromium
fi

bash scripts/setup-reference.sh
bash scripts/setup-mapserver.sh
bash scripts/setup-catalogue.sh
bash scripts/setup-proconnect.sh
bash scripts/setup-keycloak.sh
bash scripts/setup-spring-rp.sh
