#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: builds the OpenTelemetry Collector and Jaeger
# that the integration tests use as their backends and installs the Python and Node.js peer
# clients (all cached between runs), then the full Maven build with unit tests, integration tests
# and the formatting check, then the deployment checks.
set -euo pipefail
cd "$(dirname "$0")/.."

otelcol=$(integration-tests/scripts/build-otelcol.sh | tail -n 1)
export TRACCIA_OTELCOL="$otelcol"
echo "Using the OpenTelemetry Collector at $TRACCIA_OTELCOL"

# Jaeger v2 with in-memory storage, the real backend JaegerBackendIT reads traces back from; built
# from its Go module and cached like the Collector.
jaeger=$(integration-tests/scripts/build-jaeger.sh | tail -n 1)
export TRACCIA_JAEGER="$jaeger"
echo "Using Jaeger at $TRACCIA_JAEGER"

# Real clients in other languages for the cross-language tests, cached like the Collector.
peers=$(integration-tests/scripts/install-peers.sh | tail -n 1)
echo "Using the Python and Node.js peer clients in $peers"

# The reference Prometheus text-format parser, which a metrics test checks our /metrics output with.
# It goes into a virtual environment of the project's own, cached like the peers: a distribution's
# Python refuses installs into itself (PEP 668, "externally-managed-environment").
prometheus_client_version=0.26.0
cache_dir="${TRACCIA_CACHE_DIR:-${HOME}/.cache/traccia-proxy}"
tools="${cache_dir}/python-tools-prometheus-client-${prometheus_client_version}"
mkdir -p "${cache_dir}"
# Two runs at once would install into the same directory; the second waits, then finds it done.
exec 7>"${tools}.lock"
if command -v flock >/dev/null 2>&1; then
  flock 7
fi
if [[ ! -f "${tools}/.complete" ]]; then
  rm -rf "${tools}"
  python3 -m venv "${tools}" || {
    echo "test.sh: 'python3 -m venv' failed: install Python's venv module (python3-venv on Debian and Ubuntu)" >&2
    exit 1
  }
  "${tools}/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    "prometheus-client==${prometheus_client_version}"
  touch "${tools}/.complete"
fi
exec 7>&-
# Read by the tests that run Python (DerivedMetricsTest); the forked test JVMs inherit it.
export TRACCIA_TEST_PYTHON="${tools}/bin/python"
echo "Using prometheus-client ${prometheus_client_version} from ${TRACCIA_TEST_PYTHON}"

# Debian's headless Chromium, for the browser test of the live page (which skips without it):
# installed only when missing, as root, with apt-get; a failed install only means that test skips.
if ! command -v chromium >/dev/null 2>&1 && [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium package for the live page's browser test"
  apt_log=$(mktemp)
  if { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >"$apt_log" 2>&1; then
    rm -f "$apt_log"
  else
    echo "Could not install chromium (log: $apt_log); the browser test will be skipped"
  fi
fi

./mvnw -B -ntp verify "$@"

# The container image and Helm chart, checked without Docker or a cluster.
./scripts/check-deploy.sh
