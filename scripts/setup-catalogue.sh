#!/usr/bin/env bash
# Installs the built-in reference catalogue, idempotently:
# - pycsw 2.6.2 (CSW 2.0.2/3.0, ISO 19139) under gunicorn in .venv-csw. pycsw 2.6.2 does not declare it, but
#   it needs SQLAlchemy < 2 (it calls sqlalchemy.orm.create_session).
# - OWSLib in the pygeoapi venv (.venv-ref, made by setup-reference.sh), for pygeoapi's CSWFacade provider
#   that serves OGC API Records over pycsw.
# Debian's python3.11 is used, as for the reference platform.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${CICCLO_CSW_VENV:-.venv-csw}
REF_VENV=${CICCLO_REF_VENV:-.venv-ref}
stamp="$VENV/.cicclo-catalogue-2.6.2"
ref_stamp="$REF_VENV/.cicclo-owslib-0.35.0"
[ -f "$stamp" ] && [ -f "$ref_stamp" ] && exit 0

if [ ! -x /usr/bin/python3.11 ] || ! /usr/bin/python3.11 -c 'import ensurepip' >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv
fi
if [ ! -f "$stamp" ]; then
  [ -x "$VENV/bin/python" ] || /usr/bin/python3.11 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q "pycsw==2.6.2" "SQLAlchemy==1.4.54" "gunicorn==27.0.1"
  touch "$stamp"
fi
if [ ! -f "$ref_stamp" ]; then
  [ -x "$REF_VENV/bin/pygeoapi" ] || bash scripts/setup-reference.sh
  "$REF_VENV/bin/python" -m pip install -q "OWSLib==0.35.0"
  touch "$ref_stamp"
fi
