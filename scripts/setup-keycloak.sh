#!/usr/bin/env bash
# Installs Keycloak (the Géoplateforme's ProConnect broker), idempotently (root on Debian 12):
# org.keycloak:keycloak-quarkus-dist from Maven Central (through Maven, cached in ~/.m2), unpacked into
# servers/keycloak/dist/. Keycloak 26 needs Java 21 or later: the suite runs it with the newest JDK found
# under /usr/lib/jvm (CICCLO_KEYCLOAK_JAVA_HOME to choose one).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${CICCLO_KEYCLOAK_VERSION:-26.5.6}
DIST=servers/keycloak/dist
stamp="$DIST/.cicclo-keycloak-$VERSION"
[ -f "$stamp" ] && exit 0

if ! command -v mvn >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends maven
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mvn -q -B dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$VERSION:tar.gz" -DoutputDirectory="$work"
rm -rf "$DIST"
mkdir -p "$DIST"
tar -xzf "$work/keycloak-quarkus-dist-$VERSION.tar.gz" -C "$DIST" --strip-components=1
touch "$stamp"
