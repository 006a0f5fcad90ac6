#!/usr/bin/env bash
# Builds the Spring Security relying party (servers/spring-rp, Spring Boot 3.5 + spring-boot-starter-oauth2-client,
# as geOrchestra's gateway) with Maven, idempotently; dependencies are cached in ~/.m2 (root on Debian 12).
set -euo pipefail
cd "$(dirname "$0")/../servers/spring-rp"
jar=target/cicclo-spring-rp.jar
if [ -f "$jar" ] && [ "$jar" -nt pom.xml ] && [ -z "$(find src -newer "$jar" -type f)" ]; then
  exit 0
fi
if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends maven openjdk-17-jdk-headless
fi
mvn -q -B -DskipTests package
