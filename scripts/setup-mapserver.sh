#!/usr/bin/env bash
# Installs the second built-in OGC API Features implementation, idempotently (root on Debian 12):
# MapServer 8 from Debian (mapserver-bin, cgi-mapserver, which ships the OGC API HTML templates) run as a
# FastCGI application by Apache mod_fcgid. The suite starts its own standalone Apache with its own
# configuration (src/cicclo/reference/mapserver.py); the packages' maintainer scripts may be denied
# starting apache2 (policy-rc.d): that is fine.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pkg in apache2 libapache2-mod-fcgid mapserver-bin cgi-mapserver; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
