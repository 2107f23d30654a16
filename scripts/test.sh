#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: builds the OpenTelemetry Collector that the
# integration tests use as their backend (cached between runs), then the full Maven build with
# unit tests, integration tests and the formatting check, then the deployment checks.
set -euo pipefail
cd "$(dirname "$0")/.."

otelcol=$(integration-tests/scripts/build-otelcol.sh | tail -n 1)
export TRACCIA_OTELCOL="$otelcol"
echo "Using the OpenTelemetry Collector at $TRACCIA_OTELCOL"

./mvnw -B -ntp verify "$@"

# The container image and Helm chart, checked without Docker or a cluster.
./scripts/check-deploy.sh
