#!/usr/bin/env bash
# Prints where build-otelcol.sh puts (or has put) the integration tests' collector binary, without building it.
# Exits 1 when the binary is not there yet. Test runs can pass the path on with -Dtraccia.otelcol=... or
# TRACCIA_OTELCOL; by default the Java harness computes the same path itself.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(grep -v '^[[:space:]]*#' "${script_dir}/otelcol.version" | tr -d '[:space:]')"
binary="${TRACCIA_CACHE_DIR:-${HOME}/.cache/traccia-proxy}/otelcol-${version}/otelcol-traccia"
printf '%s\n' "${binary}"
[[ -x "${binary}" ]]
