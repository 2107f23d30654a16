#!/bin/bash
# Training run for the image's class-data sharing archive: starts the proxy once, waits until it is
# ready, stops it, and lets the JVM write the classes it loaded to ARCHIVE
# (-XX:ArchiveClassesAtExit). entrypoint.sh passes the archive to every later start
# (-XX:SharedArchiveFile), so the JVM maps those classes, already parsed and verified, instead of
# loading about 5,000 of them from the jar: java -jar to ready in about 0.7 s instead of 1.8 s on two
# CPUs. The archive is only valid for the same JVM and the same jar at the same path; with any
# other, the JVM ignores it and starts as it would without.
#
#   cds-train.sh JAR ARCHIVE
#
# Run at image build time, as root, with no network but the loopback.
set -euo pipefail

jar="$(realpath "$1")"
archive="$(realpath "$2")"
here="$(cd "$(dirname "$0")" && pwd)"
# A scratch working directory: whatever the run writes (the file exporter's traces.jsonl) goes
# with it.
scratch="$(mktemp -d)"
trap 'rm -rf "${scratch}"' EXIT
cd "${scratch}"
# Ports of the training run only; the build's network namespace is its own.
export TRACCIA_ADMIN_PORT=23133 TRACCIA_LOG_LEVEL=warn
# -Xlog:cds=off: picocli's classes (Java 5 class files) cannot be archived, and the JVM says so for
# each of them.
java -XX:ArchiveClassesAtExit="${archive}" -Xlog:cds=off -jar "${jar}" serve \
  --grpc-port 24317 --http-port 24318 --admin-port "${TRACCIA_ADMIN_PORT}" &
pid=$!
for _ in $(seq 1 600); do
  if "${here}/healthcheck.sh" /readyz 2>/dev/null; then
    break
  fi
  sleep 0.1
done
# SIGTERM: the proxy drains and exits 0, and the JVM writes the archive on its way out.
kill -TERM "${pid}"
wait "${pid}"
test -s "${archive}"
