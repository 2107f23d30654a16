#!/bin/sh
# Entrypoint of the Traccia Proxy image: runs traccia-proxy.jar with $JAVA_OPTS.
#
#   (no arguments)            serve
#   --grpc-port 5317 ...      serve --grpc-port 5317 ...   (options alone mean serve)
#   doctor, check, config...  that command
#
# When the configuration file ${PROXY_CONFIG_FILE:-/etc/traccia/traccia.toml} exists and the
# arguments hold no --config, serve, doctor and check get --config <file>. Without the file the
# configuration comes from TRACCIA_* variables and flags alone. PROXY_JAR points at the jar
# (default: the one next to this script).
set -eu

jar="${PROXY_JAR:-$(dirname "$0")/traccia-proxy.jar}"
config_file="${PROXY_CONFIG_FILE:-/etc/traccia/traccia.toml}"

has_config_option() {
  for arg in "$@"; do
    case "${arg}" in
      --config | --config=*) return 0 ;;
    esac
  done
  return 1
}

if [ "$#" -eq 0 ]; then
  set -- serve
fi
case "$1" in
  -h | --help | -V | --version) ;;
  -*) set -- serve "$@" ;;
esac

case "$1" in
  serve | doctor | check)
    if [ -f "${config_file}" ] && ! has_config_option "$@"; then
      command="$1"
      shift
      set -- "${command}" --config "${config_file}" "$@"
    fi
    ;;
esac

# exec: Java replaces this shell and becomes PID 1, so SIGTERM from `docker stop` or the kubelet
# reaches the JVM, whose shutdown hook drains the queues. JAVA_OPTS is split on spaces on purpose
# (one JVM option per word).
# The class-data sharing archive made at image build time (cds-train.sh), when there is one; the JVM
# ignores one that does not match it or the jar. PROXY_CDS_ARCHIVE= (empty) starts without.
cds_archive="${PROXY_CDS_ARCHIVE-$(dirname "$0")/traccia-proxy.jsa}"
if [ -n "${cds_archive}" ] && [ -f "${cds_archive}" ]; then
  set -- -XX:SharedArchiveFile="${cds_archive}" -jar "${jar}" "$@"
else
  set -- -jar "${jar}" "$@"
fi
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} "$@"
