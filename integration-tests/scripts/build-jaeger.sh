#!/usr/bin/env bash
# Builds Jaeger v2 (the all-in-one program, cmd/jaeger) that JaegerBackendIT exports to, from its Go module.
#
# The binary lands in ${TRACCIA_CACHE_DIR:-$HOME/.cache/traccia-proxy}/jaeger-<version>/jaeger, the version being
# the Go module version of github.com/jaegertracing/jaeger from jaeger.version beside this script. When that binary
# already exists the script prints its path and exits at once; otherwise it fetches the module and compiles (Go
# modules and build cache are reused between runs). The last line on stdout is always the binary's path; everything
# else goes to stderr.
#
# Needs: bash, Go (on PATH or in /usr/local/go/bin) and access to the Go module proxy.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version_file="${script_dir}/jaeger.version"
module="github.com/jaegertracing/jaeger"

log() { printf '%s\n' "build-jaeger: $*" >&2; }
fail() {
  log "error: $*"
  exit 1
}

[[ -f "${version_file}" ]] || fail "version file ${version_file} not found (expected next to this script)"
version="$(grep -v '^[[:space:]]*#' "${version_file}" | tr -d '[:space:]')"
[[ "${version}" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  fail "version in ${version_file} is '${version}' (expected one line like 1.76.0, without a leading v)"

cache_dir="${TRACCIA_CACHE_DIR:-${HOME}/.cache/traccia-proxy}"
out_dir="${cache_dir}/jaeger-${version}"
binary="${out_dir}/jaeger"

if [[ -x "${binary}" ]]; then
  printf '%s\n' "${binary}"
  exit 0
fi

go_cmd="$(command -v go || true)"
if [[ -z "${go_cmd}" && -x /usr/local/go/bin/go ]]; then
  go_cmd=/usr/local/go/bin/go
fi
[[ -n "${go_cmd}" ]] || fail "no Go toolchain: 'go' is not on PATH and /usr/local/go/bin/go does not exist (install Go 1.26 or newer)"

mkdir -p "${cache_dir}"

# Two builds at once (two test runs, or a run while a developer builds) would race on the output; take a lock and
# look again, since the other build may have finished while this one waited.
lock_file="${cache_dir}/jaeger-${version}.lock"
exec 9>"${lock_file}"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if [[ -x "${binary}" ]]; then
  printf '%s\n' "${binary}"
  exit 0
fi

start_seconds="${SECONDS}"
log "building Jaeger (${module} v${version}, cmd/jaeger) with $("${go_cmd}" version)"

work_dir="$(mktemp -d "${cache_dir}/jaeger-${version}.build.XXXXXX")"
# Kept when the build fails, so its sources can be inspected; removed after a successful build.

# 'go install module/cmd/jaeger@version' refuses this module: its go.mod has a replace directive, which only
# applies when the module is the main module. So fetch the module's source from the module proxy and build it as
# the main module, in a writable copy (the module cache is read-only).
download_json="$(cd "${work_dir}" && GOFLAGS=-mod=mod "${go_cmd}" mod download -json "${module}@v${version}")" ||
  fail "could not download ${module}@v${version} from the Go module proxy: ${download_json}"
source_dir="$(printf '%s\n' "${download_json}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
[[ -n "${source_dir}" && -f "${source_dir}/go.mod" ]] ||
  fail "'go mod download' named no source directory for ${module}@v${version}: ${download_json}"
cp -R "${source_dir}" "${work_dir}/src"
chmod -R u+w "${work_dir}/src"

# The release is tagged twice, v1.x and v2.x; the changelog's heading "v1.76.0 / v2.13.0" names the v2 release,
# which is what 'jaeger version' reports in Jaeger's own builds.
release="$(sed -n "s|^v${version//./\\.} / \(v2\.[0-9][0-9]*\.[0-9][0-9]*\).*|\1|p" "${work_dir}/src/CHANGELOG.md" | head -n 1)"
release="${release:-v${version}}"
ldflags="-X ${module}/internal/version.latestVersion=${release}"

(cd "${work_dir}/src" && GOFLAGS=-mod=mod CGO_ENABLED=0 "${go_cmd}" build -trimpath -ldflags "${ldflags}" \
  -o "${work_dir}/jaeger" ./cmd/jaeger) >&2 ||
  fail "could not compile ${module}/cmd/jaeger v${version} (output above); sources: ${work_dir}/src"

built="${work_dir}/jaeger"
[[ -x "${built}" ]] || fail "the build finished but ${built} does not exist"
"${built}" version >"${work_dir}/version.txt" 2>&1 ||
  fail "the built Jaeger does not run: $(cat "${work_dir}/version.txt")"

# Publish atomically: a half-written binary must never pass the existence check above.
mkdir -p "${out_dir}"
cp "${work_dir}/version.txt" "${out_dir}/"
cp "${built}" "${binary}.tmp"
mv -f "${binary}.tmp" "${binary}"

rm -rf "${work_dir}"
log "built Jaeger ${release} ($(du -h "${binary}" | cut -f1)) in $((SECONDS - start_seconds)) s"
printf '%s\n' "${binary}"
