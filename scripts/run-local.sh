#!/usr/bin/env bash
# Main job: set everything up, then run the full suite against the built-in reference platform.
# Ends by printing the paths of the reports.
set -euo pipefail
cd "$(dirname "$0")/.."
CICCLO_WITH_CHROMIUM=${CICCLO_WITH_CHROMIUM:-0} bash scripts/setup.sh
status=0
.venv/bin/cicclo run "$@" || status=$?
exit "$status"
