#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: builds the OpenTelemetry Collector that the
# integration tests use as their backend and installs the Python and Node.js peer clients (both
# cached between runs), then the full Maven build with unit tests, integration tests and the
# formatting check, then the deployment checks.
set -euo pipefail
cd "$(dirname "$0")/.."

otelcol=$(integration-tests/scripts/build-otelcol.sh | tail -n 1)
export TRACCIA_OTELCOL="$otelcol"
echo "Using the OpenTelemetry Collector at $TRACCIA_OTELCOL"

# Real clients in other languages for the cross-language tests, cached like the Collector.
peers=$(integration-tests/scripts/install-peers.sh | tail -n 1)
echo "Using the Python and Node.js peer clients in $peers"

# The reference Prometheus text-format parser, which a metrics test checks our /metrics output with.
python3 -m pip install --quiet --disable-pip-version-check 'prometheus-client==0.26.0'

./mvnw -B -ntp verify "$@"

# The container image and Helm chart, checked without Docker or a cluster.
./scripts/check-deploy.sh
