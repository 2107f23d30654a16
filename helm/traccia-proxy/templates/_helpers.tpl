{{/*
Named templates of the traccia-proxy chart.

Every template here needs only .Values (this chart's values) and .Release, never .Chart, so that
an application chart can call the sidecar templates with
  (dict "Values" (index .Values "traccia-proxy") "Release" .Release)
and get the same names that this chart gives its ConfigMap and Secret.
*/}}

{{/* The chart's name, overridable. */}}
{{- define "traccia-proxy.name" -}}
{{- default "traccia-proxy" .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name, the base of every object name. */}}
{{- define "traccia-proxy.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "traccia-proxy.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels that select this release's proxy pods. */}}
{{- define "traccia-proxy.selectorLabels" -}}
app.kubernetes.io/name: {{ include "traccia-proxy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "traccia-proxy.labels" -}}
{{ include "traccia-proxy.selectorLabels" . }}
app.kubernetes.io/component: {{ .Values.mode }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "traccia-proxy.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "traccia-proxy.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The image reference: repository@digest, or repository:tag. */}}
{{- define "traccia-proxy.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository .Values.image.tag -}}
{{- end -}}
{{- end -}}

{{/* The name of the Secret holding the API key, or nothing when there is none. */}}
{{- define "traccia-proxy.apiKeySecretName" -}}
{{- if and .Values.apiKey.value .Values.apiKey.existingSecret -}}
{{- fail (printf "apiKey: both value and existingSecret (%q) are set; set only one: existingSecret names a Secret that already holds the key, value creates one" .Values.apiKey.existingSecret) -}}
{{- end -}}
{{- if .Values.apiKey.existingSecret -}}
{{- .Values.apiKey.existingSecret -}}
{{- else if .Values.apiKey.value -}}
{{- include "traccia-proxy.fullname" . -}}
{{- end -}}
{{- end -}}

{{/* Where the ConfigMap is mounted, and the file the proxy is started with. */}}
{{- define "traccia-proxy.configDir" -}}/etc/traccia{{- end -}}
{{- define "traccia-proxy.configFile" -}}/etc/traccia/traccia.toml{{- end -}}

{{/*
traccia.toml: .Values.configToml verbatim when set, else .Values.config rendered section by
section, keys sorted so that the output (and the checksum annotation) is stable.
*/}}
{{- define "traccia-proxy.toml" -}}
{{- if .Values.configToml -}}
{{- .Values.configToml -}}
{{- else -}}
# Rendered by the traccia-proxy chart from .Values.config.
{{- range $section := keys .Values.config | sortAlpha }}
{{- $table := get $.Values.config $section }}
{{- if not (kindIs "map" $table) }}
{{- fail (printf "config.%s: %v is not a table; config holds one map per traccia.toml section, such as config.tracing.endpoint" $section $table) }}
{{- end }}

[{{ include "traccia-proxy.tomlKey" $section }}]
{{- range $key := keys $table | sortAlpha }}
{{ include "traccia-proxy.tomlKey" $key }} = {{ include "traccia-proxy.tomlValue" (dict "value" (get $table $key) "path" (printf "config.%s.%s" $section $key)) }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* A TOML key: bare when it can be, else a quoted string ("gpt-4.1"). */}}
{{- define "traccia-proxy.tomlKey" -}}
{{- if regexMatch "^[A-Za-z0-9_-]+$" . -}}
{{- . -}}
{{- else -}}
{{- toJson . -}}
{{- end -}}
{{- end -}}

{{/*
A TOML value from a YAML value: strings as basic strings (JSON escapes are valid TOML escapes),
maps as inline tables, lists as arrays. YAML numbers arrive as float64, so a whole number is
written as an integer: integer settings (ports, sizes, timeouts) refuse 67108864.0, and Go would
print a large float as 6.7108864e+07.
*/}}
{{- define "traccia-proxy.tomlValue" -}}
{{- $v := .value -}}
{{- $path := .path -}}
{{- if kindIs "map" $v -}}
{{- $parts := list -}}
{{- range $k := keys $v | sortAlpha -}}
{{- $parts = append $parts (printf "%s = %s" (include "traccia-proxy.tomlKey" $k) (include "traccia-proxy.tomlValue" (dict "value" (get $v $k) "path" (printf "%s.%s" $path $k)))) -}}
{{- end -}}
{ {{ join ", " $parts }} }
{{- else if kindIs "slice" $v -}}
{{- $parts := list -}}
{{- range $i, $item := $v -}}
{{- $parts = append $parts (include "traccia-proxy.tomlValue" (dict "value" $item "path" (printf "%s[%d]" $path $i))) -}}
{{- end -}}
[{{ join ", " $parts }}]
{{- else if kindIs "string" $v -}}
{{- toJson $v -}}
{{- else if kindIs "bool" $v -}}
{{- ternary "true" "false" $v -}}
{{- else if or (kindIs "float64" $v) (kindIs "float32" $v) -}}
{{- if eq (float64 $v) (float64 (int64 $v)) -}}
{{- int64 $v -}}
{{- else -}}
{{- $v -}}
{{- end -}}
{{- else if or (kindIs "int" $v) (kindIs "int64" $v) -}}
{{- $v -}}
{{- else -}}
{{- fail (printf "%s: %v (a %s) cannot be written to traccia.toml; expected a string, number, boolean, list or map" $path $v (kindOf $v)) -}}
{{- end -}}
{{- end -}}

{{/*
Environment of the proxy container. Ports and the bind address are variables rather than flags so
that the image's healthcheck.sh, which the sidecar's probes run, finds the same values; variables
take precedence over traccia.toml.
*/}}
{{- define "traccia-proxy.env" -}}
- name: TRACCIA_BIND_ADDRESS
  value: {{ ternary .Values.sidecar.bindAddress "0.0.0.0" (eq .Values.mode "sidecar") | quote }}
- name: TRACCIA_GRPC_PORT
  value: {{ .Values.ports.grpc | int | quote }}
- name: TRACCIA_HTTP_PORT
  value: {{ .Values.ports.http | int | quote }}
- name: TRACCIA_ADMIN_PORT
  value: {{ .Values.ports.admin | int | quote }}
- name: TRACCIA_SERVER_ROLE
  value: {{ .Values.role | quote }}
{{- if and (eq .Values.mode "sidecar") .Values.sidecar.javaOpts }}
- name: JAVA_OPTS
  value: {{ .Values.sidecar.javaOpts | quote }}
{{- end }}
{{- $secret := include "traccia-proxy.apiKeySecretName" . }}
{{- if $secret }}
- name: TRACCIA_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ .Values.apiKey.secretKey }}
{{- end }}
{{- with .Values.receiverTls.existingSecret }}
- name: TRACCIA_TLS_CERT_FILE
  value: /etc/traccia/tls/tls.crt
- name: TRACCIA_TLS_KEY_FILE
  value: /etc/traccia/tls/tls.key
{{- if $.Values.receiverTls.clientAuth }}
- name: TRACCIA_TLS_CLIENT_CA_FILE
  value: /etc/traccia/tls/ca.crt
{{- end }}
{{- end }}
{{- with .Values.receiverAuth.existingSecret }}
- name: TRACCIA_AUTH_TOKENS
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.receiverAuth.secretKey }}
{{- end }}
{{- include "traccia-proxy.kafkaEnv" . }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
The kafka block as TRACCIA_KAFKA_* variables: sidecars that produce (export) or gateways that
consume (receive), the brokers, and the SASL password from a Secret. The other [kafka] keys go
through config.kafka.
*/}}
{{- define "traccia-proxy.kafkaEnv" -}}
{{- with .Values.kafka }}
{{- if and .export .receive }}
{{- fail "kafka: export and receive are both true; a sidecar exports (produces to the topic), a gateway receives (consumes it), one proxy does not do both" }}
{{- end }}
{{- if or .export .receive }}
{{- if not .brokers }}
{{- fail "kafka: brokers is empty; set kafka.brokers to the bootstrap servers (host:port, comma separated) when export or receive is true" }}
{{- end }}
- name: {{ ternary "TRACCIA_KAFKA_EXPORT" "TRACCIA_KAFKA_RECEIVE" (eq .export true) }}
  value: "true"
- name: TRACCIA_KAFKA_BROKERS
  value: {{ .brokers | quote }}
{{- with .tracesTopic }}
- name: TRACCIA_KAFKA_TRACES_TOPIC
  value: {{ . | quote }}
{{- end }}
{{- if and .receive .groupId }}
- name: TRACCIA_KAFKA_GROUP_ID
  value: {{ .groupId | quote }}
{{- end }}
{{- with .sasl }}
{{- if .mechanism }}
- name: TRACCIA_KAFKA_SASL_MECHANISM
  value: {{ .mechanism | quote }}
- name: TRACCIA_KAFKA_SASL_USERNAME
  value: {{ required "kafka.sasl.username is required with kafka.sasl.mechanism" .username | quote }}
- name: TRACCIA_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required "kafka.sasl.existingSecret (the Secret holding the password) is required with kafka.sasl.mechanism" .existingSecret }}
      key: {{ .secretKey }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Arguments of the proxy container: serve with the mounted configuration. */}}
{{- define "traccia-proxy.args" -}}
- serve
- --config
- {{ include "traccia-proxy.configFile" . }}
{{- range .Values.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end -}}

{{/* Volume mounts of the proxy container; volume names carry the prefix `prefix`. */}}
{{- define "traccia-proxy.volumeMounts" -}}
- name: {{ .prefix }}config
  mountPath: {{ include "traccia-proxy.configDir" .ctx }}
  readOnly: true
- name: {{ .prefix }}data
  mountPath: /var/lib/traccia
- name: {{ .prefix }}tmp
  mountPath: /tmp
{{- if .ctx.Values.receiverTls.existingSecret }}
- name: {{ .prefix }}tls
  mountPath: /etc/traccia/tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* The volumes those mounts use. */}}
{{- define "traccia-proxy.volumes" -}}
- name: {{ .prefix }}config
  configMap:
    name: {{ include "traccia-proxy.fullname" .ctx }}
    items:
      - key: traccia.toml
        path: traccia.toml
- name: {{ .prefix }}data
  emptyDir:
    sizeLimit: {{ .ctx.Values.dataVolume.sizeLimit }}
- name: {{ .prefix }}tmp
  emptyDir:
    sizeLimit: {{ .ctx.Values.tmpVolume.sizeLimit }}
{{- with .ctx.Values.receiverTls.existingSecret }}
- name: {{ $.prefix }}tls
  secret:
    secretName: {{ . }}
{{- end }}
{{- end -}}

{{/*
The proxy as a container of an application's pod, listening on the pod's loopback. Call it from an
application chart that depends on this one (see README.md):

  initContainers:   # or containers: when sidecar.native is false
    {{- include "traccia-proxy.sidecar" (dict "Values" (index .Values "traccia-proxy") "Release" .Release) | nindent 4 }}
  volumes:
    {{- include "traccia-proxy.sidecar.volumes" (dict "Values" (index .Values "traccia-proxy") "Release" .Release) | nindent 4 }}

The probes run the image's healthcheck.sh inside the container, because the kubelet's HTTP probes
connect to the pod's IP address, where a loopback listener cannot be reached.
*/}}
{{- define "traccia-proxy.sidecar" -}}
- name: traccia-proxy
  image: {{ include "traccia-proxy.image" . }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  {{- if .Values.sidecar.native }}
  # A native sidecar: started before the application's containers, stopped after them.
  restartPolicy: Always
  {{- end }}
  args:
    {{- include "traccia-proxy.args" . | nindent 4 }}
  env:
    {{- include "traccia-proxy.env" (dict "Values" (merge (dict "mode" "sidecar") .Values) "Release" .Release) | nindent 4 }}
  startupProbe:
    exec:
      command: ["/opt/traccia-proxy/healthcheck.sh", "/readyz"]
    periodSeconds: 2
    timeoutSeconds: {{ .Values.readinessProbe.timeoutSeconds }}
    failureThreshold: 30
  livenessProbe:
    exec:
      command: ["/opt/traccia-proxy/healthcheck.sh", "/healthz"]
    periodSeconds: {{ .Values.livenessProbe.periodSeconds }}
    timeoutSeconds: {{ .Values.livenessProbe.timeoutSeconds }}
    failureThreshold: {{ .Values.livenessProbe.failureThreshold }}
  readinessProbe:
    exec:
      command: ["/opt/traccia-proxy/healthcheck.sh", "/readyz"]
    periodSeconds: {{ .Values.readinessProbe.periodSeconds }}
    timeoutSeconds: {{ .Values.readinessProbe.timeoutSeconds }}
    failureThreshold: {{ .Values.readinessProbe.failureThreshold }}
  {{- with .Values.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.securityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  volumeMounts:
    {{- include "traccia-proxy.volumeMounts" (dict "prefix" "traccia-proxy-" "ctx" .) | nindent 4 }}
{{- end -}}

{{/* The volumes of the sidecar, for the application pod's volumes list. */}}
{{- define "traccia-proxy.sidecar.volumes" -}}
{{- include "traccia-proxy.volumes" (dict "prefix" "traccia-proxy-" "ctx" .) -}}
{{- end -}}

{{/* Environment for the application's container: OpenTelemetry SDKs export to the sidecar. */}}
{{- define "traccia-proxy.sidecar.appEnv" -}}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ printf "http://localhost:%d" (.Values.ports.http | int) | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: http/protobuf
{{- end -}}

{{/* A checksum of traccia.toml, as a pod annotation, so that pods restart when it changes. */}}
{{- define "traccia-proxy.configChecksum" -}}
{{- include "traccia-proxy.toml" . | sha256sum -}}
{{- end -}}
