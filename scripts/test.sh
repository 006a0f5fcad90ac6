#!/usr/bin/env bash
# The project's own tests: set everything up, then lint, check the catalogue and run tests/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src suites tests conftest.py scripts
.venv/bin/mypy src tests scripts
.venv/bin/mypy --explicit-package-bases suites
.venv/bin/cicclo catalogue --check
.venv/bin/python -m pytest tests -p no:randomly -q "$@"
