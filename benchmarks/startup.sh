#!/usr/bin/env bash
# Startup time of the proxy: from `java -jar` to the first 200 of /readyz (polled every 10 ms), the
# median of N starts, with and without a class-data sharing archive made as the image makes it
# (docker/cds-train.sh), alternating so that both see the same load. Also each start's peak RSS.
# Uses the built jar (./mvnw -B -q -DskipTests -pl proxy-server -am package); 127.0.0.1 only.
#
#   benchmarks/startup.sh [N] [JVM options...]      # N defaults to 5
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-5}"
shift || true
jar=proxy-server/target/traccia-proxy.jar
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
archive="${work}/traccia-proxy.jsa"

TRACCIA_BIND_ADDRESS=127.0.0.1 docker/cds-train.sh "${jar}" "${archive}" >/dev/null 2>&1

now_ms() { date +%s%3N; }

# One start: prints "milliseconds peak-RSS-KiB".
start_once() {
  local t0 pid hwm
  t0=$(now_ms)
  TRACCIA_LOG_LEVEL=warn java "$@" -jar "${jar}" serve \
    --grpc-port 34317 --http-port 34318 --admin-port 34133 >"${work}/proxy.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null http://127.0.0.1:34133/readyz; do
    if ! kill -0 "${pid}" 2>/dev/null; then
      cat "${work}/proxy.log" >&2
      exit 1
    fi
    sleep 0.01
  done
  echo "$(($(now_ms) - t0)) $(awk '/VmHWM/ {print $2}' "/proc/${pid}/status")"
  kill "${pid}"
  wait "${pid}" || true
}

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

: >"${work}/with"
: >"${work}/without"
for _ in $(seq 1 "${runs}"); do
  start_once "$@" >>"${work}/without"
  start_once -XX:SharedArchiveFile="${archive}" "$@" >>"${work}/with"
done
for kind in without with; do
  printf '%-8s archive: median %s ms (runs: %s), median peak RSS %s MiB\n' "${kind}" \
    "$(cut -d' ' -f1 "${work}/${kind}" | median)" \
    "$(cut -d' ' -f1 "${work}/${kind}" | tr '\n' ' ' | sed 's/ $//')" \
    "$(($(cut -d' ' -f2 "${work}/${kind}" | median) / 1024))"
done
