#!/usr/bin/env bash
# Runs the end-to-end comparison: the same OTLP/gRPC load against Traccia Proxy (pass-through and
# with enrichment) and the OpenTelemetry Collector, side by side, plus protobuf-java's bare decode
# and encode as the limit. Builds what it needs, stops by itself (15 to 25 minutes), and writes
# benchmarks/results/results.md. Not part of the default test run.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
cache="${TRACCIA_CACHE_DIR:-$HOME/.cache/traccia-proxy}"
telemetrygen_version=0.161.0

./mvnw -B -q -DskipTests -Dspotless.check.skip=true -pl proxy-server,benchmarks -am package >&2
otelcol=$(integration-tests/scripts/build-otelcol.sh | tail -n 1)
telemetrygen="$cache/telemetrygen-$telemetrygen_version/telemetrygen"
if [[ ! -x "$telemetrygen" ]]; then
  echo "Building telemetrygen $telemetrygen_version ..." >&2
  GOBIN="$(dirname "$telemetrygen")" go install \
    "github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v$telemetrygen_version" >&2
fi

exec java -cp benchmarks/target/benchmarks.jar ai.traccia.proxy.bench.Comparison \
  --proxy-jar proxy-server/target/traccia-proxy.jar \
  --otelcol "$otelcol" \
  --telemetrygen "$telemetrygen" \
  --seconds "$seconds" \
  --out benchmarks/results
