#!/usr/bin/env bash
# Builds traccia-proxy.jar when it is missing or older than the sources, then runs it.
# Every argument is passed to the proxy: ./scripts/run-proxy.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."

jar=proxy-server/target/traccia-proxy.jar
if [[ ! -f "$jar" ]] || [[ -n "$(find config processors proxy-server pom.xml -newer "$jar" \
    \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -print -quit)" ]]; then
  echo "Building $jar ..." >&2
  ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -pl proxy-server -am package >&2
fi
exec java ${TRACCIA_JAVA_OPTS:-} -jar "$jar" "$@"
