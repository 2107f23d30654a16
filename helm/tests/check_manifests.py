#!/usr/bin/env python3
"""Checks the traccia-proxy Helm chart by rendering it and reading the manifests.

Runs `helm lint --strict` and `helm template` for the default values, ci/gateway-values.yaml,
ci/gateway-tier-values.yaml, ci/sidecar-values.yaml, ci/kafka-gateway-values.yaml and the sidecar
example chart (alone and with ci/kafka-sidecar-values.yaml), then checks ports, probes, the config and
Secret wiring, the security context and that invalid values fail with helm's schema messages.
When --jar is given, the rendered traccia.toml is read by the proxy itself (`config show`) with
the environment the Deployment sets, so the TOML rendering is checked by the real loader.

Prints one PASS/FAIL line per check and, last, "N passed, N failed" alone on a line. Exits 1 when
a check failed, 2 when it could not run (no helm, no PyYAML). Needs Python 3.8+ and PyYAML.
"""

import argparse
import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    print("check_manifests: PyYAML is not importable (python3 -c 'import yaml' fails); "
          "install it, or run scripts/check-deploy.sh, which does", file=sys.stderr)
    sys.exit(2)


class Checks:
    """Counts results; a failing check prints what was expected and what was found."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("PASS " + name)
        else:
            self.failed += 1
            print("FAIL " + name + (": " + detail if detail else ""))
        return ok

    def equal(self, name, actual, expected):
        return self.check(name, actual == expected,
                          "expected %r, found %r" % (expected, actual))

    def contains(self, name, text, fragment):
        return self.check(name, fragment in text,
                          "expected to find %r in:\n%s" % (fragment, text))


def run(command, cwd=None, env=None):
    """Runs a command, returning (exit code, stdout, stderr)."""
    done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


class Rendered:
    """The objects of one `helm template` output, by kind and name."""

    def __init__(self, text):
        self.objects = [doc for doc in yaml.safe_load_all(text) if doc]

    def kinds(self):
        return sorted(o["kind"] for o in self.objects)

    def one(self, kind):
        found = [o for o in self.objects if o["kind"] == kind]
        if len(found) != 1:
            raise AssertionError("expected one %s, found %d" % (kind, len(found)))
        return found[0]

    def first(self, kind):
        found = [o for o in self.objects if o["kind"] == kind]
        return found[0] if found else None


def by_name(items):
    return {item["name"]: item for item in items or []}


def env_map(container):
    """Plain env values by name; valueFrom entries as their dicts."""
    out = {}
    for e in container.get("env") or []:
        out[e["name"]] = e.get("value", e.get("valueFrom"))
    return out


def mounts_by_path(container, pod_spec):
    """mountPath -> the volume it mounts."""
    volumes = by_name(pod_spec.get("volumes"))
    return {m["mountPath"]: volumes.get(m["name"]) for m in container.get("volumeMounts") or []}


class Suite:
    def __init__(self, args, checks):
        self.helm = args.helm
        self.chart = os.path.join(args.helm_dir, "traccia-proxy")
        self.bad_values = os.path.join(args.helm_dir, "tests", "bad-values.yaml")
        self.dockerfile = args.dockerfile
        self.jar = os.path.abspath(args.jar) if args.jar else None
        self.java = args.java
        self.c = checks
        self.work = tempfile.mkdtemp(prefix="check-manifests.")

    def close(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def template(self, chart, release, *values_args):
        code, out, err = run([self.helm, "template", release, chart] + list(values_args))
        if code != 0:
            raise AssertionError("helm template %s %s failed:\n%s" % (chart, " ".join(values_args), err))
        return Rendered(out)

    def lint(self, name, chart, *values_args):
        code, out, err = run([self.helm, "lint", "--strict", chart] + list(values_args))
        self.c.check("lint --strict " + name, code == 0, out + err)

    # --- the proxy's own reading of the rendered traccia.toml --------------------------------

    def config_show(self, toml_text, env):
        """`traccia-proxy config show` on the rendered file with the container's plain env."""
        path = os.path.join(self.work, "traccia.toml")
        with open(path, "w") as f:
            f.write(toml_text)
        clean = {k: v for k, v in os.environ.items()
                 if not k.startswith("TRACCIA_") and not k.startswith("AGENT_DASHBOARD_")}
        clean.update({k: v for k, v in env.items() if isinstance(v, str)})
        code, out, err = run([self.java, "-jar", self.jar, "config", "show", "--config", path],
                             cwd=self.work, env=clean)
        if code != 0:
            raise AssertionError("config show failed (exit %d):\n%s%s" % (code, out, err))
        return out.replace(path, "traccia.toml")

    # --- suites ------------------------------------------------------------------------------

    def defaults(self):
        r = self.template(self.chart, "demo")
        c = self.c
        c.equal("default: objects", r.kinds(),
                ["ConfigMap", "Deployment", "PodDisruptionBudget", "Service", "ServiceAccount"])
        dep = r.one("Deployment")
        pod = dep["spec"]["template"]["spec"]
        con = pod["containers"][0]
        c.equal("default: replicas", dep["spec"].get("replicas"), 2)
        c.equal("default: container ports",
                {p["name"]: p["containerPort"] for p in con["ports"]},
                {"otlp-grpc": 4317, "otlp-http": 4318, "admin": 13133})
        svc = r.one("Service")
        c.equal("default: service ports",
                [(p["name"], p["port"], p["targetPort"]) for p in svc["spec"]["ports"]],
                [("otlp-grpc", 4317, "otlp-grpc"), ("otlp-http", 4318, "otlp-http"),
                 ("admin", 13133, "admin")])
        c.equal("default: service selects the pods",
                {k: v for k, v in dep["spec"]["template"]["metadata"]["labels"].items()
                 if k in svc["spec"]["selector"]}, svc["spec"]["selector"])
        c.equal("default: liveness probe", con["livenessProbe"].get("httpGet"),
                {"path": "/healthz", "port": "admin"})
        c.equal("default: readiness probe", con["readinessProbe"].get("httpGet"),
                {"path": "/readyz", "port": "admin"})
        c.equal("default: args", con["args"], ["serve", "--config", "/etc/traccia/traccia.toml"])
        env = env_map(con)
        c.equal("default: listen env",
                {k: env.get(k) for k in ("TRACCIA_BIND_ADDRESS", "TRACCIA_GRPC_PORT",
                                         "TRACCIA_HTTP_PORT", "TRACCIA_ADMIN_PORT")},
                {"TRACCIA_BIND_ADDRESS": "0.0.0.0", "TRACCIA_GRPC_PORT": "4317",
                 "TRACCIA_HTTP_PORT": "4318", "TRACCIA_ADMIN_PORT": "13133"})
        c.check("default: no API key without apiKey", "TRACCIA_API_KEY" not in env, str(env))
        c.equal("default: role all in env", env.get("TRACCIA_SERVER_ROLE"), "all")
        c.check("default: Service has a cluster IP", "clusterIP" not in svc["spec"], str(svc["spec"]))
        mounts = mounts_by_path(con, pod)
        cm = r.one("ConfigMap")
        c.equal("default: ConfigMap mounted at /etc/traccia",
                (mounts.get("/etc/traccia") or {}).get("configMap"),
                {"name": cm["metadata"]["name"],
                 "items": [{"key": "traccia.toml", "path": "traccia.toml"}]})
        c.check("default: emptyDir at /var/lib/traccia and /tmp",
                all("emptyDir" in (mounts.get(p) or {}) for p in ("/var/lib/traccia", "/tmp")),
                str(mounts))
        sc = con["securityContext"]
        c.equal("default: container securityContext",
                (sc.get("runAsNonRoot"), sc.get("readOnlyRootFilesystem"),
                 sc.get("allowPrivilegeEscalation"), sc.get("capabilities")),
                (True, True, False, {"drop": ["ALL"]}))
        user = self.dockerfile_user()
        c.equal("default: pod runs as the image's USER",
                "%s:%s" % (pod["securityContext"].get("runAsUser"),
                           pod["securityContext"].get("runAsGroup")), user)
        toml = cm["data"]["traccia.toml"]
        c.equal("default: checksum/config is the sha256 of traccia.toml",
                dep["spec"]["template"]["metadata"]["annotations"].get("checksum/config"),
                hashlib.sha256(toml.encode()).hexdigest())
        c.equal("default: PodDisruptionBudget", r.one("PodDisruptionBudget")["spec"].get("maxUnavailable"), 1)
        c.equal("default: terminationGracePeriodSeconds", pod.get("terminationGracePeriodSeconds"), 30)
        chart = yaml.safe_load(open(os.path.join(self.chart, "Chart.yaml")))
        values = yaml.safe_load(open(os.path.join(self.chart, "values.yaml")))
        c.equal("default: image tag is the chart's appVersion", con["image"],
                "traccia-proxy:" + str(chart["appVersion"]))
        self.c.equal("values.yaml image.tag equals appVersion", values["image"]["tag"], chart["appVersion"])
        if self.jar:
            shown = self.config_show(toml, env)
            for line in ("server.bind_address: 0.0.0.0 (env TRACCIA_BIND_ADDRESS)",
                         "server.admin_port: 13133 (env TRACCIA_ADMIN_PORT)",
                         "exporters.file_exporter_path: /var/lib/traccia/traces.jsonl (traccia.toml:",
                         "pricing.cache_path: /var/lib/traccia/pricing.json (traccia.toml:",
                         "effective.file_exporter: on (derived)"):
                c.contains("default: proxy reads " + line.split(" (")[0], shown, line)

    def gateway(self):
        values = os.path.join(self.chart, "ci", "gateway-values.yaml")
        r = self.template(self.chart, "gw", "-f", values)
        c = self.c
        c.equal("gateway: objects", r.kinds(),
                ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget",
                 "Secret", "Service", "ServiceAccount", "ServiceMonitor"])
        dep = r.one("Deployment")
        pod = dep["spec"]["template"]["spec"]
        con = pod["containers"][0]
        c.check("gateway: no replicas under autoscaling", "replicas" not in dep["spec"], str(dep["spec"]))
        hpa = r.one("HorizontalPodAutoscaler")
        c.equal("gateway: HPA", (hpa["apiVersion"], hpa["spec"]["scaleTargetRef"],
                                 hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"],
                                 [(m["resource"]["name"], m["resource"]["target"]["averageUtilization"])
                                  for m in hpa["spec"]["metrics"]]),
                ("autoscaling/v2",
                 {"apiVersion": "apps/v1", "kind": "Deployment", "name": dep["metadata"]["name"]},
                 3, 12, [("cpu", 60), ("memory", 80)]))
        c.equal("gateway: container ports follow values.ports",
                {p["name"]: p["containerPort"] for p in con["ports"]},
                {"otlp-grpc": 14317, "otlp-http": 14318, "admin": 13133})
        c.equal("gateway: service ports follow values.ports",
                [p["port"] for p in r.one("Service")["spec"]["ports"]], [14317, 14318, 13133])
        secret = r.one("Secret")
        c.equal("gateway: Secret holds the key",
                base64.b64decode(secret["data"]["api-key"]).decode(), "test-api-key")
        env = env_map(con)
        c.equal("gateway: TRACCIA_API_KEY from the Secret", env.get("TRACCIA_API_KEY"),
                {"secretKeyRef": {"name": secret["metadata"]["name"], "key": "api-key"}})
        c.check("gateway: the image's JAVA_OPTS", "JAVA_OPTS" not in env, str(env))
        c.equal("gateway: ports in env", (env.get("TRACCIA_GRPC_PORT"), env.get("TRACCIA_HTTP_PORT")),
                ("14317", "14318"))
        c.check("gateway: checksum/secret",
                "checksum/secret" in dep["spec"]["template"]["metadata"]["annotations"], "missing")
        c.equal("gateway: extraArgs appended", con["args"],
                ["serve", "--config", "/etc/traccia/traccia.toml", "--set",
                 "instrumentation.guardrail_heuristics=false"])
        c.equal("gateway: terminationGracePeriodSeconds", pod.get("terminationGracePeriodSeconds"), 45)
        sm = r.one("ServiceMonitor")
        svc = r.one("Service")
        c.equal("gateway: ServiceMonitor", (sm["apiVersion"], sm["spec"]["endpoints"],
                                           sm["metadata"]["labels"].get("release")),
                ("monitoring.coreos.com/v1",
                 [{"port": "admin", "path": "/metrics", "interval": "15s", "scrapeTimeout": "10s"}],
                 "prometheus"))
        c.check("gateway: ServiceMonitor selects the Service",
                all(svc["metadata"]["labels"].get(k) == v
                    for k, v in sm["spec"]["selector"]["matchLabels"].items()), str(sm["spec"]["selector"]))
        c.equal("gateway: PodDisruptionBudget minAvailable",
                r.one("PodDisruptionBudget")["spec"], {
                    "minAvailable": 2,
                    "selector": {"matchLabels": dep["spec"]["selector"]["matchLabels"]}})
        toml = r.one("ConfigMap")["data"]["traccia.toml"]
        for fragment in ('max_request_bytes = 67108864\n', 'sample_rate = 0.5\n',
                         'headers = { x-scope-orgid = "tenant-a" }\n',
                         'override = { "gpt-4.1-mini" = { completion = 0.0016, prompt = 0.0004 } }\n'):
            c.contains("gateway: traccia.toml has " + fragment.split(" =")[0], toml, fragment)
        if self.jar:
            shown = self.config_show(toml, env)
            for line in ("server.max_request_bytes: 67108864 (traccia.toml:",
                         "server.grpc_port: 14317 (env TRACCIA_GRPC_PORT)",
                         "tracing.endpoint: http://tempo.observability.svc:4317 (traccia.toml:",
                         "tracing.sample_rate: 0.5 (traccia.toml:",
                         "exporters.protocol: grpc (traccia.toml:",
                         "exporters.headers: {x-scope-orgid=****} (traccia.toml:",
                         "rate_limiting.max_spans_per_second: 2500.5 (traccia.toml:",
                         "logging.level: debug (traccia.toml:",
                         "pricing.override: 1 model {gpt-4.1-mini="):
                c.contains("gateway: proxy reads " + line.split(":")[0], shown, line)

        r = self.template(self.chart, "gw", "-f", values, "--set", "apiKey.value=",
                          "--set", "apiKey.existingSecret=team-secret", "--set", "apiKey.secretKey=token")
        c.check("existingSecret: no Secret rendered", r.first("Secret") is None, str(r.kinds()))
        c.equal("existingSecret: TRACCIA_API_KEY from it",
                env_map(r.one("Deployment")["spec"]["template"]["spec"]["containers"][0]).get("TRACCIA_API_KEY"),
                {"secretKeyRef": {"name": "team-secret", "key": "token"}})

    def gateway_tier(self):
        values = os.path.join(self.chart, "ci", "gateway-tier-values.yaml")
        r = self.template(self.chart, "gw", "-f", values)
        c = self.c
        dep = r.one("Deployment")
        con = dep["spec"]["template"]["spec"]["containers"][0]
        env = env_map(con)
        c.equal("gateway tier: role gateway in env", env.get("TRACCIA_SERVER_ROLE"), "gateway")
        c.equal("gateway tier: fixed replicas", dep["spec"].get("replicas"), 3)
        svc = r.one("Service")["spec"]
        c.equal("gateway tier: headless Service", (svc.get("type"), svc.get("clusterIP")),
                ("ClusterIP", "None"))
        c.equal("gateway tier: ready pods only in DNS", svc.get("publishNotReadyAddresses"), False)
        c.equal("gateway tier: headless Service keeps the OTLP port names",
                [(p["name"], p["port"]) for p in svc["ports"]],
                [("otlp-grpc", 4317), ("otlp-http", 4318), ("admin", 13133)])
        if self.jar:
            shown = self.config_show(r.one("ConfigMap")["data"]["traccia.toml"], env)
            c.contains("gateway tier: proxy reads server.role", shown,
                       "server.role: gateway (env TRACCIA_SERVER_ROLE)")
        code, out, err = run([self.helm, "template", "bad", self.chart, "--set", "service.headless=true",
                              "--set", "service.type=LoadBalancer"])
        c.check("headless: with a LoadBalancer refused", code != 0, out[:400])
        c.contains("headless: says why", err,
                   "service.headless: true needs service.type ClusterIP, not LoadBalancer")

    def receiver_security(self):
        c = self.c
        r = self.template(self.chart, "tls", "--set", "receiverTls.existingSecret=proxy-tls",
                          "--set", "receiverTls.clientAuth=true",
                          "--set", "receiverAuth.existingSecret=proxy-tokens")
        spec = r.one("Deployment")["spec"]["template"]["spec"]
        container = spec["containers"][0]
        env = env_map(container)
        c.equal("tls: certificate from the mounted Secret", env.get("TRACCIA_TLS_CERT_FILE"),
                "/etc/traccia/tls/tls.crt")
        c.equal("tls: key from the mounted Secret", env.get("TRACCIA_TLS_KEY_FILE"),
                "/etc/traccia/tls/tls.key")
        c.equal("tls: client CA with clientAuth", env.get("TRACCIA_TLS_CLIENT_CA_FILE"),
                "/etc/traccia/tls/ca.crt")
        c.equal("tls: the Secret is mounted read-only at /etc/traccia/tls",
                mounts_by_path(container, spec).get("/etc/traccia/tls"),
                {"name": "tls", "secret": {"secretName": "proxy-tls"}})
        c.equal("auth: TRACCIA_AUTH_TOKENS from the Secret", env.get("TRACCIA_AUTH_TOKENS"),
                {"secretKeyRef": {"name": "proxy-tokens", "key": "tokens"}})
        self.lint("receiverTls and receiverAuth", self.chart, "--set",
                  "receiverTls.existingSecret=proxy-tls", "--set", "receiverAuth.existingSecret=t")
        plain = self.template(self.chart, "plain")
        env = env_map(plain.one("Deployment")["spec"]["template"]["spec"]["containers"][0])
        c.check("default: no receiver TLS or tokens",
                not any(k.startswith("TRACCIA_TLS_") or k == "TRACCIA_AUTH_TOKENS" for k in env),
                str(env))

    def sidecar_values(self):
        values = os.path.join(self.chart, "ci", "sidecar-values.yaml")
        r = self.template(self.chart, "sc", "-f", values)
        self.c.equal("sidecar values: only the ConfigMap", r.kinds(), ["ConfigMap"])
        raw = yaml.safe_load(open(values))["configToml"]
        self.c.equal("sidecar values: configToml verbatim",
                     r.one("ConfigMap")["data"]["traccia.toml"], raw.rstrip("\n"))

    def example(self):
        copy = os.path.join(self.work, "helm")
        shutil.copytree(os.path.dirname(self.chart), copy,
                        ignore=shutil.ignore_patterns("charts", "Chart.lock"))
        example = os.path.join(copy, "examples", "sidecar")
        code, out, err = run([self.helm, "dependency", "build", example])
        if not self.c.check("example: helm dependency build", code == 0, out + err):
            return
        self.lint("sidecar example", example)
        r = self.template(example, "demo")
        c = self.c
        c.equal("example: objects", r.kinds(), ["ConfigMap", "Deployment"])
        pod = r.one("Deployment")["spec"]["template"]["spec"]
        proxy = by_name(pod.get("initContainers")).get("traccia-proxy")
        if not c.check("example: proxy is a native sidecar", proxy is not None
                       and proxy.get("restartPolicy") == "Always", str(pod.get("initContainers"))):
            return
        env = env_map(proxy)
        c.equal("example: sidecar listens on loopback", env.get("TRACCIA_BIND_ADDRESS"), "127.0.0.1")
        c.check("example: sidecar has the sidecar JVM profile",
                "-XX:+UseSerialGC" in (env.get("JAVA_OPTS") or ""), str(env.get("JAVA_OPTS")))
        c.equal("example: API key from the existing Secret", env.get("TRACCIA_API_KEY"),
                {"secretKeyRef": {"name": "traccia-api-key", "key": "api-key"}})
        c.equal("example: sidecar runs every stage by default", env.get("TRACCIA_SERVER_ROLE"), "all")
        tiered = self.template(example, "demo", "--set", "traccia-proxy.role=sidecar")
        tiered_proxy = by_name(tiered.one("Deployment")["spec"]["template"]["spec"]["initContainers"])
        c.equal("example: role sidecar reaches the sidecar container",
                env_map(tiered_proxy["traccia-proxy"]).get("TRACCIA_SERVER_ROLE"), "sidecar")
        probe = ["/opt/traccia-proxy/healthcheck.sh"]
        c.equal("example: exec probes run the image's healthcheck.sh",
                [proxy[p]["exec"]["command"] for p in ("startupProbe", "livenessProbe", "readinessProbe")],
                [probe + ["/readyz"], probe + ["/healthz"], probe + ["/readyz"]])
        c.contains("example: healthcheck.sh is where the image puts it", self.dockerfile_text(),
                   "docker/healthcheck.sh /opt/traccia-proxy/")
        app = by_name(pod["containers"])["app"]
        c.equal("example: app exports to the sidecar",
                env_map(app).get("OTEL_EXPORTER_OTLP_ENDPOINT"), "http://localhost:4318")
        mounts = mounts_by_path(proxy, pod)
        c.check("example: every sidecar mount has a volume", all(mounts.values()), str(mounts))
        c.equal("example: config volume is the subchart's ConfigMap",
                (mounts.get("/etc/traccia") or {}).get("configMap", {}).get("name"),
                r.one("ConfigMap")["metadata"]["name"])
        c.equal("example: sidecar securityContext",
                (proxy["securityContext"].get("runAsNonRoot"),
                 proxy["securityContext"].get("readOnlyRootFilesystem")), (True, True))

    def kafka(self):
        """ci/kafka-gateway-values.yaml and ci/kafka-sidecar-values.yaml: the kafka block as env."""
        c = self.c
        gateway_values = os.path.join(self.chart, "ci", "kafka-gateway-values.yaml")
        r = self.template(self.chart, "gw", "-f", gateway_values)
        dep = r.one("Deployment")
        env = env_map(dep["spec"]["template"]["spec"]["containers"][0])
        c.equal("kafka gateway: role gateway", env.get("TRACCIA_SERVER_ROLE"), "gateway")
        c.equal("kafka gateway: consumes", env.get("TRACCIA_KAFKA_RECEIVE"), "true")
        c.check("kafka gateway: does not produce", "TRACCIA_KAFKA_EXPORT" not in env, str(env))
        c.equal("kafka gateway: brokers, topic and group",
                (env.get("TRACCIA_KAFKA_BROKERS", "").split(",")[0], env.get("TRACCIA_KAFKA_TRACES_TOPIC"),
                 env.get("TRACCIA_KAFKA_GROUP_ID")),
                ("kafka-0.kafka-headless.kafka.svc:9092", "otlp_spans", "traccia-gateways"))
        c.equal("kafka gateway: SASL password from the Secret", env.get("TRACCIA_KAFKA_SASL_PASSWORD"),
                {"secretKeyRef": {"name": "traccia-kafka", "key": "password"}})
        c.equal("kafka gateway: fixed replicas", dep["spec"].get("replicas"), 3)
        toml = r.one("ConfigMap")["data"]["traccia.toml"]
        c.contains("kafka gateway: durable queue on the data volume", toml,
                   'durable_queue_dir = "/var/lib/traccia/queue"')
        if self.jar:
            shown = self.config_show(toml, dict(env, TRACCIA_KAFKA_SASL_PASSWORD="from-the-secret"))
            for line in ("server.role: gateway (env TRACCIA_SERVER_ROLE)",
                         "kafka.receive: true (env TRACCIA_KAFKA_RECEIVE)",
                         "kafka.group_id: traccia-gateways (env TRACCIA_KAFKA_GROUP_ID)",
                         "kafka.tls_enabled: true (traccia.toml:",
                         "exporters.durable_queue: true (traccia.toml:"):
                c.contains("kafka gateway: proxy reads " + line.split(":")[0], shown, line)

        # The sidecars' values as an application chart passes them to its traccia-proxy dependency.
        copy = os.path.join(self.work, "kafka-helm")
        shutil.copytree(os.path.dirname(self.chart), copy,
                        ignore=shutil.ignore_patterns("charts", "Chart.lock"))
        example = os.path.join(copy, "examples", "sidecar")
        code, out, err = run([self.helm, "dependency", "build", example])
        if not c.check("kafka sidecar: helm dependency build", code == 0, out + err):
            return
        nested = os.path.join(self.work, "kafka-sidecar-values.yaml")
        with open(os.path.join(self.chart, "ci", "kafka-sidecar-values.yaml")) as f:
            sidecar_values = yaml.safe_load(f)
        with open(nested, "w") as f:
            yaml.safe_dump({"traccia-proxy": sidecar_values}, f)
        self.lint("ci/kafka-sidecar-values.yaml in the sidecar example", example, "-f", nested)
        r = self.template(example, "app", "-f", nested)
        proxy = by_name(r.one("Deployment")["spec"]["template"]["spec"]["initContainers"])["traccia-proxy"]
        env = env_map(proxy)
        c.equal("kafka sidecar: role sidecar", env.get("TRACCIA_SERVER_ROLE"), "sidecar")
        c.equal("kafka sidecar: produces", env.get("TRACCIA_KAFKA_EXPORT"), "true")
        c.check("kafka sidecar: no receiver, no group",
                "TRACCIA_KAFKA_RECEIVE" not in env and "TRACCIA_KAFKA_GROUP_ID" not in env, str(env))
        c.equal("kafka sidecar: SASL password from the Secret", env.get("TRACCIA_KAFKA_SASL_PASSWORD"),
                {"secretKeyRef": {"name": "traccia-kafka", "key": "password"}})
        if self.jar:
            shown = self.config_show(r.one("ConfigMap")["data"]["traccia.toml"],
                                     dict(env, TRACCIA_KAFKA_SASL_PASSWORD="from-the-secret"))
            for line in ("kafka.export: true (env TRACCIA_KAFKA_EXPORT)",
                         "kafka.compression: lz4 (traccia.toml:"):
                c.contains("kafka sidecar: proxy reads " + line.split(":")[0], shown, line)

        default = env_map(self.template(self.chart, "plain").one("Deployment")["spec"]["template"]["spec"]
                          ["containers"][0])
        c.check("default: no Kafka", not any(k.startswith("TRACCIA_KAFKA_") for k in default), str(default))
        for name, sets, message in (
                ("export and receive together", ["kafka.export=true", "kafka.receive=true", "kafka.brokers=k:9092"],
                 "kafka: export and receive are both true"),
                ("receive without brokers", ["kafka.receive=true"], "kafka: brokers is empty"),
                ("SASL without a Secret", ["kafka.export=true", "kafka.brokers=k:9092",
                                           "kafka.sasl.mechanism=PLAIN", "kafka.sasl.username=u"],
                 "kafka.sasl.existingSecret (the Secret holding the password) is required")):
            args = [self.helm, "template", "bad", self.chart]
            for s in sets:
                args += ["--set", s]
            code, out, err = run(args)
            c.check("kafka: %s refused" % name, code != 0, out[:400])
            c.contains("kafka: %s says why" % name, err, message)

    def notes(self):
        """NOTES.txt renders only on install; render it as a template of a copy of the chart."""
        copy = os.path.join(self.work, "notes", "traccia-proxy")
        shutil.copytree(self.chart, copy)
        notes = os.path.join(copy, "templates", "NOTES.txt")
        with open(notes) as f:
            body = f.read()
        os.remove(notes)
        with open(os.path.join(copy, "templates", "_notes.tpl"), "w") as f:
            f.write('{{- define "notes-under-check" -}}\n' + body + "\n{{- end -}}\n")
        with open(os.path.join(copy, "templates", "notes.yaml"), "w") as f:
            f.write('kind: RenderedNotes\ntext: {{ include "notes-under-check" . | toJson }}\n')
        c = self.c
        text = self.template(copy, "demo", "--namespace", "obs").one("RenderedNotes")["text"]
        c.contains("NOTES: gateway endpoint", text,
                   "OTEL_EXPORTER_OTLP_ENDPOINT=http://demo-traccia-proxy.obs.svc:4318")
        c.contains("NOTES: no backend configured", text,
                   "no backend is configured, so the proxy writes them to /var/lib/traccia/traces.jsonl")
        text = self.template(copy, "gw", "-f", os.path.join(copy, "ci", "gateway-values.yaml")
                             ).one("RenderedNotes")["text"]
        c.contains("NOTES: gateway backend", text, "Where traces go: http://tempo.observability.svc:4317.")
        text = self.template(copy, "sc", "-f", os.path.join(copy, "ci", "sidecar-values.yaml")
                             ).one("RenderedNotes")["text"]
        c.contains("NOTES: sidecar", text, "is set up as a sidecar: ConfigMap sc-traccia-proxy and the API key"
                   " Secret traccia-api-key.")

    def schema(self):
        code, out, err = run([self.helm, "template", "bad", self.chart, "-f", self.bad_values])
        c = self.c
        c.check("schema: bad values refused", code != 0, "helm template succeeded:\n" + out[:400])
        for message in ("values don't meet the specifications of the schema(s)",
                        "- at '': additional properties 'replicas' not allowed",
                        "- at '/mode': value must be one of 'gateway', 'sidecar'",
                        "- at '/role': value must be one of 'all', 'sidecar', 'gateway'",
                        "- at '/ports/grpc': got string, want integer",
                        "- at '/config/server': additional properties 'grpc_port' not allowed"):
            c.contains("schema: says " + message.split(": ", 1)[-1], err, message)
        code, out, err = run([self.helm, "template", "bad", self.chart, "--set", "apiKey.value=k",
                              "--set", "apiKey.existingSecret=s"])
        c.check("apiKey: value and existingSecret together refused", code != 0, out[:400])
        c.contains("apiKey: says why", err,
                   'apiKey: both value and existingSecret ("s") are set; set only one: existingSecret'
                   " names a Secret that already holds the key, value creates one")

    def dashboards(self):
        c = self.c
        name = "demo-traccia-proxy-dashboards"
        default = self.template(self.chart, "demo")
        c.check("dashboards: off by default",
                all(o["metadata"]["name"] != name for o in default.objects), str(default.kinds()))
        r = self.template(self.chart, "demo", "--set", "grafanaDashboards.enabled=true",
                          "--set", "grafanaDashboards.namespace=monitoring")
        found = [o for o in r.objects if o["metadata"]["name"] == name]
        c.equal("dashboards: one ConfigMap", [o["kind"] for o in found], ["ConfigMap"])
        if not found:
            return
        cm = found[0]
        c.equal("dashboards: the sidecar's label", cm["metadata"]["labels"].get("grafana_dashboard"), "1")
        c.equal("dashboards: in the namespace asked for", cm["metadata"].get("namespace"), "monitoring")
        shipped = sorted(f for f in os.listdir(os.path.join(self.chart, "dashboards")) if f.endswith(".json"))
        c.equal("dashboards: every dashboard file", sorted(cm["data"]), shipped)
        for f in shipped:
            with open(os.path.join(self.chart, "dashboards", f)) as source:
                c.equal("dashboards: %s verbatim" % f, cm["data"].get(f), source.read())

    # --- Dockerfile facts the chart depends on -----------------------------------------------

    def dockerfile_text(self):
        with open(self.dockerfile) as f:
            return f.read()

    def dockerfile_user(self):
        users = re.findall(r"^USER\s+(\S+)\s*$", self.dockerfile_text(), re.M)
        return users[-1] if users else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--helm", required=True, help="the helm binary")
    parser.add_argument("--helm-dir", required=True, help="the repository's helm/ directory")
    parser.add_argument("--dockerfile", required=True, help="docker/Dockerfile")
    parser.add_argument("--jar", help="traccia-proxy.jar, to read the rendered traccia.toml")
    parser.add_argument("--java", default="java")
    args = parser.parse_args()

    checks = Checks()
    suite = Suite(args, checks)
    try:
        suite.lint("default values", suite.chart)
        suite.lint("ci/gateway-values.yaml", suite.chart, "-f",
                   os.path.join(suite.chart, "ci", "gateway-values.yaml"))
        suite.lint("ci/sidecar-values.yaml", suite.chart, "-f",
                   os.path.join(suite.chart, "ci", "sidecar-values.yaml"))
        suite.lint("ci/gateway-tier-values.yaml", suite.chart, "-f",
                   os.path.join(suite.chart, "ci", "gateway-tier-values.yaml"))
        suite.lint("ci/kafka-gateway-values.yaml", suite.chart, "-f",
                   os.path.join(suite.chart, "ci", "kafka-gateway-values.yaml"))
        for part in (suite.defaults, suite.gateway, suite.gateway_tier, suite.receiver_security, suite.sidecar_values,
                     suite.example, suite.kafka, suite.notes, suite.schema, suite.dashboards):
            try:
                part()
            except (AssertionError, KeyError, TypeError, IndexError, subprocess.TimeoutExpired) as e:
                checks.check(part.__name__ + " ran to the end", False, "%s: %s" % (type(e).__name__, e))
    finally:
        suite.close()
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
