#!/usr/bin/env bash
# Builds the OpenTelemetry Collector that the integration tests export to, with the collector builder (ocb).
#
# The binary holds the OTLP receiver, the file, debug, OTLP/gRPC and OTLP/HTTP exporters and the batch processor.
# It lands in ${TRACCIA_CACHE_DIR:-$HOME/.cache/traccia-proxy}/otelcol-<version>/otelcol-traccia, the version
# coming from otelcol.version beside this script. When that binary already exists the script prints its path and
# exits at once; otherwise it installs the builder and compiles (Go modules and build cache are reused between
# runs). The last line on stdout is always the binary's path; everything else goes to stderr.
#
# Needs: bash, Go (on PATH or in /usr/local/go/bin) and access to the Go module proxy.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version_file="${script_dir}/otelcol.version"

log() { printf '%s\n' "build-otelcol: $*" >&2; }
fail() {
  log "error: $*"
  exit 1
}

[[ -f "${version_file}" ]] || fail "version file ${version_file} not found (expected next to this script)"
version="$(grep -v '^[[:space:]]*#' "${version_file}" | tr -d '[:space:]')"
[[ "${version}" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  fail "version in ${version_file} is '${version}' (expected one line like 0.165.0, without a leading v)"

cache_dir="${TRACCIA_CACHE_DIR:-${HOME}/.cache/traccia-proxy}"
out_dir="${cache_dir}/otelcol-${version}"
binary="${out_dir}/otelcol-traccia"

# A binary built before the manifest had every component below (its components.txt beside it says
# what it has) is built again.
current() {
  [[ -x "${binary}" ]] && grep -q "kafka" "${out_dir}/components.txt" 2>/dev/null
}

if current; then
  printf '%s\n' "${binary}"
  exit 0
fi

go_cmd="$(command -v go || true)"
if [[ -z "${go_cmd}" && -x /usr/local/go/bin/go ]]; then
  go_cmd=/usr/local/go/bin/go
fi
[[ -n "${go_cmd}" ]] || fail "no Go toolchain: 'go' is not on PATH and /usr/local/go/bin/go does not exist (install Go 1.26 or newer)"
# The builder runs 'go' itself, so it must be on PATH too.
export PATH="$(dirname "${go_cmd}"):${PATH}"

mkdir -p "${cache_dir}"

# Two builds at once (two test runs, or a run while a developer builds) would race on the output; take a lock and
# look again, since the other build may have finished while this one waited.
lock_file="${cache_dir}/otelcol-${version}.lock"
exec 9>"${lock_file}"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if current; then
  printf '%s\n' "${binary}"
  exit 0
fi

start_seconds="${SECONDS}"
log "building OpenTelemetry Collector v${version} with $("${go_cmd}" version)"

bin_dir="${cache_dir}/bin"
log "installing go.opentelemetry.io/collector/cmd/builder@v${version} into ${bin_dir}"
GOBIN="${bin_dir}" "${go_cmd}" install "go.opentelemetry.io/collector/cmd/builder@v${version}" >&2
builder="${bin_dir}/builder"
installed="$("${builder}" version 2>&1 || true)"
[[ "${installed}" == *"v${version}"* ]] ||
  fail "${builder} reports '${installed}' (expected v${version}); remove ${bin_dir} and run again"

work_dir="$(mktemp -d "${cache_dir}/otelcol-${version}.build.XXXXXX")"
# Kept when the build fails, so its sources and go.mod can be inspected; removed after a successful build.

core="go.opentelemetry.io/collector"
contrib="github.com/open-telemetry/opentelemetry-collector-contrib"
cat >"${work_dir}/manifest.yaml" <<MANIFEST
dist:
  module: ai.traccia/otelcol-traccia
  name: otelcol-traccia
  description: OpenTelemetry Collector for the Traccia Proxy integration tests
  version: ${version}
  output_path: ${work_dir}/dist
receivers:
  - gomod: ${core}/receiver/otlpreceiver v${version}
  - gomod: ${contrib}/receiver/kafkareceiver v${version}
processors:
  - gomod: ${core}/processor/batchprocessor v${version}
exporters:
  - gomod: ${core}/exporter/debugexporter v${version}
  - gomod: ${core}/exporter/otlpexporter v${version}
  - gomod: ${core}/exporter/otlphttpexporter v${version}
  - gomod: ${contrib}/exporter/fileexporter v${version}
  - gomod: ${contrib}/exporter/kafkaexporter v${version}
MANIFEST

# The builder's module step runs 'go mod tidy', which also resolves the packages that only the components' own
# tests import, and the module proxy refuses some of those (the file exporter's tests import
# otlpencodingextension, whose zips answer 403 "not available"). When that step fails after the sources and go.mod
# were generated, tidy again with -e, which records everything the binary needs and skips what only those tests
# want; a package the binary really needs and cannot get still fails the compile step below.
if ! "${builder}" --config="${work_dir}/manifest.yaml" --skip-compilation >&2; then
  [[ -f "${work_dir}/dist/go.mod" ]] ||
    fail "the collector builder could not generate sources (output above); manifest: ${work_dir}/manifest.yaml"
  log "the builder's 'go mod tidy' failed (output above); running 'go mod tidy -e' instead"
fi
(cd "${work_dir}/dist" && "${go_cmd}" mod tidy -e -compat=1.25) >&2 ||
  fail "'go mod tidy -e' failed for the generated collector in ${work_dir}/dist (output above)"
"${builder}" --config="${work_dir}/manifest.yaml" --skip-generate --skip-get-modules >&2 ||
  fail "the collector builder could not compile (output above); sources: ${work_dir}/dist"

built="${work_dir}/dist/otelcol-traccia"
[[ -x "${built}" ]] || fail "the builder finished but ${built} does not exist"
"${built}" components >"${work_dir}/components.txt" 2>&1 ||
  fail "the built collector does not run: $(cat "${work_dir}/components.txt")"

# Publish atomically: a half-written binary must never pass the existence check above.
mkdir -p "${out_dir}"
cp "${work_dir}/manifest.yaml" "${work_dir}/components.txt" "${out_dir}/"
cp "${built}" "${binary}.tmp"
mv -f "${binary}.tmp" "${binary}"

rm -rf "${work_dir}"
log "built $(du -h "${binary}" | cut -f1) in $((SECONDS - start_seconds)) s"
printf '%s\n' "${binary}"
