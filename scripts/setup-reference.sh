#!/usr/bin/env bash
# Installs the built-in reference platform (pygeoapi 0.21.0 under gunicorn) in .venv-ref, idempotently.
# Debian's python3.11 is used on purpose: pyenv builds cannot load SQLite extensions, which some
# pygeoapi providers need. pygeoapi 0.21.0 is the last release that supports Python 3.11.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${CICCLO_REF_VENV:-.venv-ref}
stamp="$VENV/.cicclo-reference-0.21.0"
[ -f "$stamp" ] && exit 0

if [ ! -x /usr/bin/python3.11 ] || ! /usr/bin/python3.11 -c 'import ensurepip' >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv
fi
[ -x "$VENV/bin/python" ] || /usr/bin/python3.11 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q "pygeoapi==0.21.0" "gunicorn==27.0.1" "tinydb>=4.8,<5"
touch "$stamp"
