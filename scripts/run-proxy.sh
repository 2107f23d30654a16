#!/usr/bin/env bash
# Builds traccia-proxy.jar when it is missing or older than the sources, then runs it.
# Every argument is passed to the proxy: ./scripts/run-proxy.sh --help
#
# The proxy runs in the directory the script was started from, so ./traccia.toml, ./traces.jsonl
# and relative paths in flags mean what they mean in the user's shell; only the build and the jar
# are looked up in the repository.
set -euo pipefail
repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

jar="${repo_dir}/proxy-server/target/traccia-proxy.jar"
if [[ ! -f "$jar" ]] || [[ -n "$(cd "$repo_dir" && find config pricing-data proxy-config otlp-codec processors proxy-server pom.xml \
    -newer "$jar" \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -print -quit)" ]]; then
  echo "Building $jar ..." >&2
  (cd "$repo_dir" && ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -pl proxy-server -am package >&2)
fi
exec java ${TRACCIA_JAVA_OPTS:-} -jar "$jar" "$@"
