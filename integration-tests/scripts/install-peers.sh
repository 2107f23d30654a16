#!/usr/bin/env bash
# Installs the real client libraries that the cross-language integration tests run: a Python virtual environment
# with the Traccia Python SDK, the OpenTelemetry SDK with its OTLP exporters and the OpenAI client, and a Node.js
# project with the OpenTelemetry Node SDK and its OTLP exporters, all at the versions pinned under
# integration-tests/peers/.
#
# Everything lands in ${TRACCIA_CACHE_DIR:-$HOME/.cache/traccia-proxy}/peers-<hash>/, where <hash> is the first 12
# hex digits of the SHA-256 of peers/python/requirements.txt, peers/node/package.json and
# peers/node/package-lock.json, read in that order (PeerRuntime in the tests computes the same name). Changing a pin
# therefore installs into a fresh directory; an existing complete install is reused at once. The last line on stdout
# is always that directory; everything else goes to stderr.
#
# Needs: bash, python3 (3.9 or newer, with the venv module), node and npm (Node.js 18 or newer), and access to PyPI
# and the npm registry.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
peers_src="$(cd "${script_dir}/../peers" && pwd)"
requirements="${peers_src}/python/requirements.txt"
package_json="${peers_src}/node/package.json"
package_lock="${peers_src}/node/package-lock.json"

log() { printf '%s\n' "install-peers: $*" >&2; }
fail() {
  log "error: $*"
  exit 1
}

for f in "${requirements}" "${package_json}" "${package_lock}"; do
  [[ -f "${f}" ]] || fail "pinned requirement file ${f} not found"
done
command -v python3 >/dev/null 2>&1 || fail "python3 is not on PATH (install Python 3.9 or newer with the venv module)"
command -v node >/dev/null 2>&1 || fail "node is not on PATH (install Node.js 18 or newer)"
command -v npm >/dev/null 2>&1 || fail "npm is not on PATH (it comes with Node.js)"

if command -v sha256sum >/dev/null 2>&1; then
  sha256=(sha256sum)
else
  # macOS has shasum instead.
  sha256=(shasum -a 256)
fi
hash="$(cat "${requirements}" "${package_json}" "${package_lock}" | "${sha256[@]}" | cut -c1-12)"
cache_dir="${TRACCIA_CACHE_DIR:-${HOME}/.cache/traccia-proxy}"
out_dir="${cache_dir}/peers-${hash}"
marker="${out_dir}/.complete"

if [[ -f "${marker}" ]]; then
  log "peers already installed"
  printf '%s\n' "${out_dir}"
  exit 0
fi

mkdir -p "${cache_dir}"
# Two runs at once would install into the same directory; take a lock and look again, since the other run may have
# finished while this one waited.
exec 9>"${out_dir}.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if [[ -f "${marker}" ]]; then
  printf '%s\n' "${out_dir}"
  exit 0
fi

start_seconds="${SECONDS}"
# An earlier run may have stopped half way; start from nothing.
rm -rf "${out_dir}"
mkdir -p "${out_dir}/node"

log "creating the Python virtual environment with $(python3 --version 2>&1)"
python3 -m venv "${out_dir}/python"
"${out_dir}/python/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --requirement "${requirements}" >&2 ||
  fail "pip could not install ${requirements}; check access to PyPI and the output above"

log "installing the Node.js packages with node $(node --version), npm $(npm --version)"
cp "${package_json}" "${package_lock}" "${out_dir}/node/"
(cd "${out_dir}/node" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2) ||
  fail "npm ci failed in ${out_dir}/node; check access to the npm registry and the output above"

touch "${marker}"
log "installed in $((SECONDS - start_seconds)) s"
log "python: ${out_dir}/python/bin/python"
log "node modules: ${out_dir}/node/node_modules"
printf '%s\n' "${out_dir}"
