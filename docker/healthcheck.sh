#!/bin/bash
# Health check of the Traccia Proxy image: exits 0 when GET PATH (default /readyz) on the admin port
# answers 200, non-zero otherwise.
#
# The JRE base image is not guaranteed to carry curl or wget, and starting a second JVM every few
# seconds would cost more memory and CPU than the proxy's own probe handling. bash is in the image,
# and its /dev/tcp redirection opens a TCP connection without any other program, so the request is
# written by hand: HTTP/1.0, one status line read back.
#
# The port is $TRACCIA_ADMIN_PORT (default 13133). The address is 127.0.0.1 when the proxy binds a
# wildcard address (TRACCIA_BIND_ADDRESS 0.0.0.0 or ::) or nothing, else the bound address.
set -euo pipefail

path="${1:-/readyz}"
port="${TRACCIA_ADMIN_PORT:-13133}"
case "${TRACCIA_BIND_ADDRESS:-}" in
  "" | 0.0.0.0 | :: | "[::]") host=127.0.0.1 ;;
  *) host="${TRACCIA_BIND_ADDRESS}" ;;
esac

# Fails, and so does the check, when nothing listens on the port.
exec 3<>"/dev/tcp/${host}/${port}"
printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "${path}" "${host}" "${port}" >&3
# The status line, for example "HTTP/1.1 200 OK"; read gives up after 2 s of silence.
IFS=$' \t\r' read -r -t 2 _ status _ <&3
exec 3<&-
[[ "${status}" == 200 ]]
