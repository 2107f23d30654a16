#!/usr/bin/env bash
# Checks the deployment files without a container engine or a cluster:
#
#  1. docker/Dockerfile: runs its build command (the RUN ./mvnw line, read from the Dockerfile) when
#     proxy-server/target/traccia-proxy.jar is missing or older than the sources, then runs its
#     ENTRYPOINT and CMD with its ENV outside a container (TRACCIA_BIND_ADDRESS=0.0.0.0 replaced by
#     127.0.0.1, free ports), with a mounted-style traccia.toml: waits for /readyz through the
#     image's healthcheck.sh, checks /healthz, sends an empty OTLP/HTTP export, sends SIGTERM and
#     expects exit code 0.
#  2. docker/compose: the files the compose files mount exist, the OpenTelemetry Collector
#     configuration is valid for the collector version the integration tests build, and the proxy
#     accepts the environment of each proxy of compose-kafka.yaml (`config show`).
#  3. helm/: `helm lint --strict` and `helm template` for the default, gateway and sidecar values
#     and the sidecar example, checked by helm/tests/check_manifests.py.
#  4. scripts/run-proxy.sh, started from another directory, runs the proxy there: `config init`
#     writes ./traccia.toml in that directory and not in the repository.
#
# Helm is built from the Go module proxy at a pinned version and cached in
# ${TRACCIA_CACHE_DIR:-$HOME/.cache/traccia-proxy}/helm-<version>/; PyYAML is installed there too
# when python3 cannot import it. Everything listens on 127.0.0.1 only and stops by itself.
# The last line is "N passed, N failed"; the exit code is non-zero when a check failed.
#
# Needs: bash, Java 17, Go (for the first helm build), python3 (with pip or the venv module when
# PyYAML is not installed).
set -euo pipefail
cd "$(dirname "$0")/.."
repo_dir="$(pwd)"

# The newest helm v3 that `go list -m -versions helm.sh/helm/v3` offered and that builds with Go 1.26.
helm_version=v3.22.0
pyyaml_version=6.0.3

cache_dir="${TRACCIA_CACHE_DIR:-${HOME}/.cache/traccia-proxy}"
dockerfile=docker/Dockerfile
jar=proxy-server/target/traccia-proxy.jar

log() { printf '%s\n' "check-deploy: $*" >&2; }
die() {
  log "error: $*"
  exit 2
}

passed=0
failed=0
pass() {
  passed=$((passed + 1))
  printf 'PASS %s\n' "$1"
}
fail() {
  failed=$((failed + 1))
  printf 'FAIL %s\n' "$1"
}
check() { # check NAME COMMAND...: passes when the command succeeds
  local name="$1"
  shift
  if "$@"; then pass "${name}"; else fail "${name}"; fi
}

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/check-deploy.XXXXXX")"
proxy_pid=""
cleanup() {
  if [[ -n "${proxy_pid}" ]]; then
    # The whole session the proxy was started in (see below), then the process itself.
    kill -KILL -- "-${proxy_pid}" 2>/dev/null || kill -KILL "${proxy_pid}" 2>/dev/null || true
  fi
  rm -rf "${work_dir}"
}
trap cleanup EXIT

# ---- tools --------------------------------------------------------------------------------------

install_helm() {
  local dir="${cache_dir}/helm-${helm_version}"
  local binary="${dir}/helm"
  if [[ -x "${binary}" ]]; then
    printf '%s\n' "${binary}"
    return
  fi
  local go_cmd
  go_cmd="$(command -v go || true)"
  if [[ -z "${go_cmd}" && -x /usr/local/go/bin/go ]]; then
    go_cmd=/usr/local/go/bin/go
  fi
  [[ -n "${go_cmd}" ]] || die "no Go toolchain to build helm ${helm_version}: 'go' is not on PATH (install Go 1.26 or newer)"
  mkdir -p "${cache_dir}"
  # Two runs at once would race on the output; the second waits, then finds the binary.
  exec 8>"${dir}.lock"
  if command -v flock >/dev/null 2>&1; then
    flock 8
  fi
  if [[ ! -x "${binary}" ]]; then
    local start="${SECONDS}"
    log "building helm ${helm_version} with $("${go_cmd}" version) (once; cached in ${dir})"
    local tmp_bin
    tmp_bin="$(mktemp -d "${cache_dir}/helm-build.XXXXXX")"
    GOBIN="${tmp_bin}" GOFLAGS=-buildvcs=false "${go_cmd}" install "helm.sh/helm/v3/cmd/helm@${helm_version}" >&2 ||
      die "'go install helm.sh/helm/v3/cmd/helm@${helm_version}' failed (output above)"
    mkdir -p "${dir}"
    mv -f "${tmp_bin}/helm" "${binary}"
    rm -rf "${tmp_bin}"
    log "built helm ${helm_version} in $((SECONDS - start)) s"
  fi
  exec 8>&-
  printf '%s\n' "${binary}"
}

ensure_pyyaml() {
  if python3 -c 'import yaml' 2>/dev/null; then
    return
  fi
  local target="${cache_dir}/pyyaml-${pyyaml_version}"
  if ! PYTHONPATH="${target}" python3 -c 'import yaml' 2>/dev/null; then
    # A distribution's python3 often has no pip (python3-pip is a package of its own); a virtual
    # environment always brings one. Either only writes into the target directory.
    local pip=(python3 -m pip)
    if ! python3 -m pip --version >/dev/null 2>&1; then
      local venv="${cache_dir}/pip-venv"
      [[ -x "${venv}/bin/python" ]] || python3 -m venv "${venv}" >&2 ||
        die "python3 cannot import yaml and has neither pip nor the venv module: install PyYAML (python3-yaml) or python3-venv and run again"
      pip=("${venv}/bin/python" -m pip)
    fi
    log "installing PyYAML ${pyyaml_version} into ${target}"
    "${pip[@]}" install --quiet --disable-pip-version-check --target "${target}" "PyYAML==${pyyaml_version}" >&2 ||
      die "could not install PyYAML ${pyyaml_version} with pip (output above)"
  fi
  export PYTHONPATH="${target}${PYTHONPATH:+:${PYTHONPATH}}"
}

command -v java >/dev/null || die "java is not on PATH (Java 17 is needed)"
command -v python3 >/dev/null || die "python3 is not on PATH"
helm="$(install_helm)"
ensure_pyyaml
# `go install` leaves helm's own version string unset (it reports only v3.22), so the module
# version recorded in the binary is what identifies it.
if command -v go >/dev/null 2>&1; then
  built_version="$(go version -m "${helm}" | awk '$1 == "mod" && $2 == "helm.sh/helm/v3" { print $3 }')"
  [[ "${built_version}" == "${helm_version}" ]] ||
    die "${helm} was built from helm.sh/helm/v3 '${built_version}' (expected ${helm_version}); remove $(dirname "${helm}") and run again"
fi
log "using helm ${helm_version} (${helm})"

# ---- 1. the Dockerfile's commands, outside a container -----------------------------------------

# The build command: the one RUN line that calls the Maven wrapper, without its --mount option.
mapfile -t build_lines < <(grep -E '^RUN .*\./mvnw ' "${dockerfile}")
if [[ "${#build_lines[@]}" -eq 1 ]]; then
  pass "Dockerfile has one ./mvnw build line"
else
  fail "Dockerfile has one ./mvnw build line (found ${#build_lines[@]})"
fi
build_command="./mvnw ${build_lines[0]#*./mvnw }"
# The jar the runtime stage copies, relative to the build stage's WORKDIR (/src).
copied_jar="$(sed -nE 's|^COPY --from=build /src/([^ ]+) .*|\1|p' "${dockerfile}")"
check "Dockerfile copies ${jar}" test "${copied_jar}" = "${jar}"

if [[ ! -f "${jar}" ]] || [[ -n "$(find config pricing-data proxy-config otlp-codec processors proxy-server pom.xml -newer "${jar}" \
  \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -print -quit)" ]]; then
  log "running the Dockerfile's build command: ${build_command}"
  # Word splitting is what the Dockerfile's shell form does with this line too.
  # shellcheck disable=SC2086
  if ${build_command} >"${work_dir}/build.log" 2>&1; then
    pass "Dockerfile build command succeeds"
  else
    tail -n 40 "${work_dir}/build.log"
    fail "Dockerfile build command succeeds"
  fi
else
  log "${jar} is newer than the sources; not rebuilding it (the build command is: ${build_command})"
fi
check "the build produced ${jar}" test -f "${jar}"

# The image's ENV, ENTRYPOINT, CMD and the directory its scripts are copied to, as the image has them.
python3 - "${dockerfile}" >"${work_dir}/image.env" <<'PY'
import json, re, shlex, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
env = {}
for line in text.splitlines():
    line = line.strip()
    if line.startswith("ENV "):
        for word in shlex.split(line[4:]):
            key, _, value = word.partition("=")
            env[key] = value
    elif line.startswith("ENTRYPOINT "):
        print("ENTRYPOINT=" + json.dumps(json.loads(line[11:])))
    elif line.startswith("CMD "):
        print("CMD=" + json.dumps(json.loads(line[4:])))
    elif line.startswith("WORKDIR "):
        print("WORKDIR=" + line[8:].strip())
for key, value in env.items():
    print("ENV " + key + "=" + value)
m = re.search(r"^COPY --chmod=\S+ (.+) (\S+/)$", text, re.M)
if m:
    print("SCRIPTS_DIR=" + m.group(2))
PY
image_entrypoint="$(sed -n 's/^ENTRYPOINT=//p' "${work_dir}/image.env")"
image_cmd="$(sed -n 's/^CMD=//p' "${work_dir}/image.env")"
scripts_dir="$(sed -n 's/^SCRIPTS_DIR=//p' "${work_dir}/image.env")"
check "ENTRYPOINT is exec form and runs the copied entrypoint.sh" \
  test "${image_entrypoint}" = "[\"${scripts_dir}entrypoint.sh\"]"
check "CMD is [\"serve\"]" test "${image_cmd}" = '["serve"]'

image_env=()
while IFS= read -r line; do
  image_env+=("${line#ENV }")
done < <(grep '^ENV ' "${work_dir}/image.env")
check "ENV binds 0.0.0.0 in the image" grep -qx 'ENV TRACCIA_BIND_ADDRESS=0.0.0.0' "${work_dir}/image.env"
check "ENV sizes the heap from the container limit" grep -q '^ENV JAVA_OPTS=.*-XX:MaxRAMPercentage=' "${work_dir}/image.env"

# Here the proxy must never listen beyond this machine.
run_env=()
for assignment in "${image_env[@]}"; do
  if [[ "${assignment}" == TRACCIA_BIND_ADDRESS=* ]]; then
    assignment=TRACCIA_BIND_ADDRESS=127.0.0.1
  fi
  run_env+=("${assignment}")
done

# The container's directories, under the work directory: the mounted config file and WORKDIR.
mkdir -p "${work_dir}/etc/traccia" "${work_dir}/var/lib/traccia"
printf '[tracing]\nservice_name = "check-deploy"\n' >"${work_dir}/etc/traccia/traccia.toml"
proxy_log="${work_dir}/proxy.log"
entrypoint="${repo_dir}/docker/entrypoint.sh"
healthcheck="${repo_dir}/docker/healthcheck.sh"
mapfile -t cmd_args < <(python3 -c 'import json,sys; print("\n".join(json.loads(sys.argv[1])))' "${image_cmd}")

# In a session of its own (setsid), so that cleanup can stop every process it started even if the
# entrypoint failed to exec Java; $! is still the process that becomes Java.
session=()
if command -v setsid >/dev/null 2>&1; then
  session=(setsid)
fi
(
  cd "${work_dir}/var/lib/traccia"
  exec "${session[@]}" env -i PATH="${PATH}" HOME="${work_dir}/var/lib/traccia" "${run_env[@]}" \
    PROXY_JAR="${repo_dir}/${jar}" PROXY_CONFIG_FILE="${work_dir}/etc/traccia/traccia.toml" \
    "${entrypoint}" "${cmd_args[@]}" --grpc-port 0 --http-port 0 --admin-port 0
) >"${proxy_log}" 2>&1 &
proxy_pid=$!

admin_port=""
http_port=""
for _ in $(seq 1 120); do
  if line="$(grep -m1 ' ready: ' "${proxy_log}" 2>/dev/null)"; then
    admin_port="$(sed -nE 's|.*admin on http://127\.0\.0\.1:([0-9]+).*|\1|p' <<<"${line}")"
    http_port="$(sed -nE 's|.*OTLP/HTTP on 127\.0\.0\.1:([0-9]+).*|\1|p' <<<"${line}")"
    break
  fi
  kill -0 "${proxy_pid}" 2>/dev/null || break
  sleep 0.5
done

if [[ -n "${admin_port}" && -n "${http_port}" ]]; then
  pass "entrypoint starts the proxy on 127.0.0.1"
  health() { env TRACCIA_ADMIN_PORT="${admin_port}" TRACCIA_BIND_ADDRESS=127.0.0.1 "${healthcheck}" "$1" 2>/dev/null; }
  ready=false
  for _ in $(seq 1 40); do
    if health /readyz; then ready=true && break; fi
    sleep 0.25
  done
  check "healthcheck.sh: /readyz answers 200" "${ready}"
  check "healthcheck.sh: /healthz answers 200" health /healthz
  check "healthcheck.sh fails on a path that is not 200" eval '! health /no-such-path'
  check "entrypoint passed --config with the mounted file" \
    grep -q "tracing.service_name: check-deploy (${work_dir}/etc/traccia/traccia.toml:" "${proxy_log}"
  check "JAVA_OPTS from ENV reached the JVM" python3 - "${proxy_pid}" <<'PY'
import sys
args = open("/proc/%s/cmdline" % sys.argv[1], "rb").read().split(b"\0")
sys.exit(0 if any(a.startswith(b"-XX:MaxRAMPercentage=") for a in args) else 1)
PY
  check "an empty OTLP/HTTP export is accepted" python3 - "${http_port}" <<'PY'
import sys, urllib.request
request = urllib.request.Request("http://127.0.0.1:%s/v1/traces" % sys.argv[1], data=b"",
                                 headers={"Content-Type": "application/x-protobuf"}, method="POST")
with urllib.request.urlopen(request, timeout=10) as response:
    sys.exit(0 if response.status == 200 else 1)
PY
else
  fail "entrypoint starts the proxy on 127.0.0.1"
  tail -n 40 "${proxy_log}"
fi

# SIGTERM, as `docker stop` and the kubelet send it, straight to Java (the entrypoint exec'd it).
exit_code=""
if kill -0 "${proxy_pid}" 2>/dev/null; then
  kill -TERM "${proxy_pid}"
  for _ in $(seq 1 60); do
    kill -0 "${proxy_pid}" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "${proxy_pid}" 2>/dev/null; then
    kill -KILL "${proxy_pid}" 2>/dev/null || true
  fi
  set +e
  wait "${proxy_pid}"
  exit_code=$?
  set -e
fi
check "SIGTERM: the proxy drains and exits 0 (exit code: ${exit_code:-none})" test "${exit_code}" = 0
check "SIGTERM: the proxy logged that it stopped" grep -q 'Traccia Proxy stopped' "${proxy_log}"

# ---- 2. the compose example --------------------------------------------------------------------

for compose_file in docker/compose/compose.yaml docker/compose/compose-kafka.yaml; do
  check "compose: every mounted file of ${compose_file} exists" python3 - "${compose_file}" <<'PY'
import os, sys, yaml
path = sys.argv[1]
base = os.path.dirname(path)
compose = yaml.safe_load(open(path))
missing = []
for name, service in compose["services"].items():
    for volume in service.get("volumes", []):
        source = volume.split(":")[0]
        if source.startswith(".") and not os.path.exists(os.path.join(base, source)):
            missing.append("%s: %s" % (name, source))
    build = service.get("build")
    if build and not os.path.exists(os.path.join(base, build["context"], build["dockerfile"])):
        missing.append("%s: build %s" % (name, build["dockerfile"]))
for item in missing:
    print("missing: " + item)
sys.exit(1 if missing else 0)
PY
done
# The Kafka example configures its proxies through variables alone: the proxy must accept each
# service's environment (the names and the values), as `config show` reads it.
check "compose-kafka: every proxy's environment is a valid configuration" python3 - \
  docker/compose/compose-kafka.yaml "${jar}" "${work_dir}" <<'PY'
import os, subprocess, sys, yaml
path, jar, work = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
compose = yaml.safe_load(open(path))
bad = 0
for name, service in compose["services"].items():
    if service.get("image") != "traccia-proxy:local":
        continue
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TRACCIA_") and not k.startswith("AGENT_DASHBOARD_")}
    env.update({k: str(v) for k, v in service.get("environment", {}).items()})
    done = subprocess.run(["java", "-jar", jar, "config", "show"], cwd=work, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=60)
    # The first line lists the variables the proxy read: "... environment variables used: A, B".
    read = set()
    for line in done.stdout.splitlines():
        if "environment variables used:" in line:
            read = {v.strip() for v in line.split("environment variables used:", 1)[1].split(",")}
            break
    unread = [k for k in service.get("environment", {}) if k.startswith("TRACCIA_") and k not in read]
    if done.returncode != 0 or unread:
        bad += 1
        print("%s: exit %d, variables not read: %s\n%s" % (name, done.returncode, unread, done.stdout[-2000:]))
sys.exit(1 if bad else 0)
PY
otelcol="${TRACCIA_OTELCOL:-}"
if [[ -z "${otelcol}" ]]; then
  otelcol="$(integration-tests/scripts/build-otelcol.sh | tail -n 1)"
fi
check "compose: the collector configuration is valid" \
  "${otelcol}" validate --config=docker/compose/otel-collector.yaml

# ---- 4. run-proxy.sh keeps the caller's working directory -------------------------------------

# The jar is up to date by now (section 1), so the script runs it without building.
elsewhere="${work_dir}/elsewhere"
mkdir -p "${elsewhere}"
repo_had_toml=false
[[ -e "${repo_dir}/traccia.toml" ]] && repo_had_toml=true
if (cd "${elsewhere}" && "${repo_dir}/scripts/run-proxy.sh" config init >"${work_dir}/run-proxy.log" 2>&1); then
  pass "run-proxy.sh runs from another directory"
else
  tail -n 20 "${work_dir}/run-proxy.log"
  fail "run-proxy.sh runs from another directory"
fi
check "run-proxy.sh: ./traccia.toml is the caller's, not the repository's" test -f "${elsewhere}/traccia.toml"
if [[ "${repo_had_toml}" == false && -e "${repo_dir}/traccia.toml" ]]; then
  rm -f "${repo_dir}/traccia.toml"
  fail "run-proxy.sh wrote nothing into the repository"
else
  pass "run-proxy.sh wrote nothing into the repository"
fi

# ---- 3. the Helm chart ------------------------------------------------------------------------

set +e
python3 helm/tests/check_manifests.py --helm "${helm}" --helm-dir helm --dockerfile "${dockerfile}" \
  --jar "${jar}" | tee "${work_dir}/manifests.log"
manifest_status=${PIPESTATUS[0]}
set -e
counts="$(tail -n 1 "${work_dir}/manifests.log")"
if [[ "${counts}" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  passed=$((passed + BASH_REMATCH[1]))
  failed=$((failed + BASH_REMATCH[2]))
  if [[ "${manifest_status}" -ne 0 && "${BASH_REMATCH[2]}" -eq 0 ]]; then
    fail "check_manifests.py exited ${manifest_status}"
  fi
else
  fail "check_manifests.py ran to the end (exit ${manifest_status})"
fi

printf '%d passed, %d failed\n' "${passed}" "${failed}"
[[ "${failed}" -eq 0 ]]
