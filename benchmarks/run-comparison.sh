#!/usr/bin/env bash
# Runs the end-to-end comparison: the same OTLP/gRPC load against Traccia Proxy (pass-through, and
# with enrichment on an all-LLM load and on the mixed load) and the OpenTelemetry Collector, side by
# side, at 1,000 and 10,000 spans/s and at the maximum, plus protobuf-java's bare decode and encode
# as the limit. Builds what it needs, stops by itself (1 to 3 hours: each JVM target is warmed up
# until its JIT compiler settles, up to 10 minutes), and writes
# benchmarks/results/results.md. Not part of the default test run.
#
#   run-comparison.sh [SECONDS] [extra Comparison options, e.g. --cases 10000 --only collector]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
shift || true
cache="${TRACCIA_CACHE_DIR:-$HOME/.cache/traccia-proxy}"
telemetrygen_version=0.161.0

# The proxy runs as the chart runs its sidecar: the chart's JAVA_OPTS (sidecar.javaOpts) and the
# image's MALLOC_ARENA_MAX, in a container of the sidecar example's limit, 384 MiB (-XX:MaxRAM
# stands in for the container's memory limit, which the JVM would read from its cgroup). The "@before" targets run with the
# image's previous JAVA_OPTS on this host's memory.
sidecar_opts="$(sed -nE 's/^  javaOpts: "(.*)"$/\1/p' helm/traccia-proxy/values.yaml)"
container_limit="${TRACCIA_BENCH_CONTAINER_LIMIT:-384m}"
before_opts="-XX:InitialRAMPercentage=25 -XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError"

./mvnw -B -q -DskipTests -Dspotless.check.skip=true -pl proxy-server,benchmarks -am package >&2
otelcol=$(integration-tests/scripts/build-otelcol.sh | tail -n 1)
telemetrygen="$cache/telemetrygen-$telemetrygen_version/telemetrygen"
if [[ ! -x "$telemetrygen" ]]; then
  echo "Building telemetrygen $telemetrygen_version ..." >&2
  GOBIN="$(dirname "$telemetrygen")" go install \
    "github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v$telemetrygen_version" >&2
fi

echo "proxy JVM options: ${sidecar_opts} -XX:MaxRAM=${container_limit}; MALLOC_ARENA_MAX=2" >&2
exec java -cp benchmarks/target/benchmarks.jar ai.traccia.proxy.bench.Comparison \
  --proxy-jar proxy-server/target/traccia-proxy.jar \
  --otelcol "$otelcol" \
  --telemetrygen "$telemetrygen" \
  --seconds "$seconds" \
  --proxy-java-opts "${sidecar_opts} -XX:MaxRAM=${container_limit}" \
  --proxy-env MALLOC_ARENA_MAX=2 \
  --before-java-opts "${before_opts}" \
  --out benchmarks/results \
  "$@"
