/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import ai.traccia.proxy.pricing.PricingOverride;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The catalog of every key the proxy reads, in the order they are documented.
 *
 * <p>One place for names, types, defaults, rules and layers, so the loader, {@link ProxyConfig},
 * {@link ConfigTemplate} and the README cannot disagree. The keys the Java client reads too are
 * defined in {@link SharedKeys} (in the config module, which the client ships) and listed here, as
 * the same objects, at their documented place. The client knows the other keys by name only, from
 * the list {@link Catalog#PROXY_KEYS_RESOURCE}, which {@code ProxyKeysTest} checks against this
 * class. Immutable after class initialisation.
 */
final class ProxyKeys {

  private ProxyKeys() {}

  private static final List<Setting<?>> REGISTRY = new ArrayList<>();

  static final long MIB = 1024L * 1024L;

  // --- [server] -------------------------------------------------------------------------------

  static final Setting<String> BIND_ADDRESS =
      add(
          Setting.builder("server", "bind_address", ValueType.STRING)
              .defaultValue("127.0.0.1")
              .alias("bind_address")
              .check(ProxyKeys::hostOrIp)
              .description(
                  "Address the OTLP receivers and the admin endpoint listen on. Use 0.0.0.0 to"
                      + " accept connections from other machines or containers."));

  static final Setting<Integer> GRPC_PORT =
      add(
          Setting.builder("server", "grpc_port", ValueType.INT)
              .defaultValue(4317)
              .alias("grpc_port")
              .check(ProxyKeys::port)
              .description("OTLP/gRPC receiver port; 0 picks a free port."));

  static final Setting<Integer> HTTP_PORT =
      add(
          Setting.builder("server", "http_port", ValueType.INT)
              .defaultValue(4318)
              .alias("http_port")
              .check(ProxyKeys::port)
              .description("OTLP/HTTP receiver port; 0 picks a free port."));

  static final Setting<Integer> ADMIN_PORT =
      add(
          Setting.builder("server", "admin_port", ValueType.INT)
              .defaultValue(13133)
              .alias("admin_port")
              .check(ProxyKeys::port)
              .description("Health and admin endpoint port; 0 picks a free port."));

  static final Setting<String> ADMIN_BIND_ADDRESS =
      add(
          Setting.builder("server", "admin_bind_address", ValueType.STRING)
              .alias("admin_bind_address")
              .check(ProxyKeys::hostOrIp)
              .optional("\"127.0.0.1\"")
              .description(
                  "Address the admin endpoint listens on. Default: server.bind_address. Set it to"
                      + " keep /metrics private while the receivers listen on 0.0.0.0."));

  static final Setting<Long> ADMIN_HEADER_TIMEOUT_MS =
      add(
          Setting.builder("server", "admin_header_timeout_ms", ValueType.LONG)
              .defaultValue(10_000L)
              .alias("admin_header_timeout_ms")
              .check(Checks::positive)
              .description(
                  "How long an admin connection may take to send a request's head, from its first"
                      + " byte, in ms; slower connections are closed."));

  static final Setting<Long> ADMIN_IDLE_TIMEOUT_MS =
      add(
          Setting.builder("server", "admin_idle_timeout_ms", ValueType.LONG)
              .defaultValue(120_000L)
              .alias("admin_idle_timeout_ms")
              .check(Checks::positive)
              .description("How long an admin connection may stay open between requests, in ms."));

  static final Setting<Integer> ADMIN_MAX_CONNECTIONS =
      add(
          Setting.builder("server", "admin_max_connections", ValueType.INT)
              .defaultValue(256)
              .alias("admin_max_connections")
              .check(Checks::positive)
              .description(
                  "Most admin connections open at once; past it a new connection closes the oldest"
                      + " one that is not being answered."));

  static final Setting<Long> MAX_REQUEST_BYTES =
      add(
          Setting.builder("server", "max_request_bytes", ValueType.LONG)
              .defaultValue(64 * MIB)
              .alias("max_request_bytes")
              .check(Checks::positive)
              .description("Largest OTLP request body accepted, in bytes (default 64 MiB)."));

  static final Setting<Integer> MAX_CONNECTIONS =
      add(
          Setting.builder("server", "max_connections", ValueType.INT)
              .defaultValue(4096)
              .alias("max_connections")
              .check(Checks::positive)
              .description(
                  "Open connections each receiver (gRPC, HTTP) accepts at most; more are closed"
                      + " as they arrive."));

  static final Setting<Long> HEADER_TIMEOUT_MS =
      add(
          Setting.builder("server", "header_timeout_ms", ValueType.LONG)
              .defaultValue(10_000L)
              .alias("header_timeout_ms")
              .check(Checks::positive)
              .description(
                  "How long a client has to send a request's headers (HTTP) or finish the"
                      + " connection handshake (gRPC), in ms."));

  static final Setting<Long> BODY_TIMEOUT_MS =
      add(
          Setting.builder("server", "body_timeout_ms", ValueType.LONG)
              .defaultValue(30_000L)
              .alias("body_timeout_ms")
              .check(Checks::positive)
              .description(
                  "How long a client has to send a request's body (HTTP) or message (gRPC) once"
                      + " its headers arrived, in ms."));

  static final Setting<Long> IDLE_TIMEOUT_MS =
      add(
          Setting.builder("server", "idle_timeout_ms", ValueType.LONG)
              .defaultValue(120_000L)
              .alias("idle_timeout_ms")
              .check(Checks::positive)
              .description("How long a connection with no request in progress stays open, in ms."));

  static final Setting<Integer> MAX_HEADER_BYTES =
      add(
          Setting.builder("server", "max_header_bytes", ValueType.INT)
              .defaultValue(16_384)
              .alias("max_header_bytes")
              .check(Checks::positive)
              .description(
                  "Largest request line and largest header block (HTTP) or metadata (gRPC)"
                      + " accepted, in bytes."));

  static final Setting<Integer> MAX_CONCURRENT_STREAMS =
      add(
          Setting.builder("server", "max_concurrent_streams", ValueType.INT)
              .defaultValue(100)
              .alias("max_concurrent_streams")
              .check(Checks::positive)
              .description("Concurrent gRPC calls one connection may have open."));

  static final Setting<Long> SHUTDOWN_TIMEOUT_MS =
      add(
          Setting.builder("server", "shutdown_timeout_ms", ValueType.LONG)
              .defaultValue(10_000L)
              .alias("shutdown_timeout_ms")
              .check(Checks::nonNegative)
              .description("How long shutdown waits for queued spans to be exported, in ms."));

  static final Setting<String> ROLE =
      add(
          Setting.builder("server", "role", ValueType.choice(roles()))
              .defaultValue("all")
              .alias("server_role")
              .description(
                  "Which processors this proxy runs: \"all\" every one; \"sidecar\" the per-span"
                      + " work (token counting, cost, guardrail findings), marking each span it"
                      + " enriched with traccia.proxy.enriched, and forwards; \"gateway\" the"
                      + " trace-level work (guardrail summaries and roll-ups on roots, derived"
                      + " metrics, redaction, sampling) and the per-span work of unmarked spans."));

  // --- receiver TLS and authentication (still [server]) --------------------------------------

  static final Setting<Path> TLS_CERT_FILE =
      add(
          Setting.builder("server", "tls_cert_file", ValueType.PATH)
              .alias("tls_cert_file")
              .check(Checks::readableFile)
              .optional("\"/etc/traccia/tls/tls.crt\"")
              .description(
                  "PEM certificate chain the OTLP receivers present: both ports then speak TLS"
                      + " only. Needs tls_key_file. Reloaded when the file changes."));

  static final Setting<Path> TLS_KEY_FILE =
      add(
          Setting.builder("server", "tls_key_file", ValueType.PATH)
              .alias("tls_key_file")
              .check(Checks::readableFile)
              .optional("\"/etc/traccia/tls/tls.key\"")
              .description(
                  "PEM private key of tls_cert_file (PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted)."));

  static final Setting<Path> TLS_CLIENT_CA_FILE =
      add(
          Setting.builder("server", "tls_client_ca_file", ValueType.PATH)
              .alias("tls_client_ca_file")
              .check(Checks::readableFile)
              .optional("\"/etc/traccia/tls/client-ca.crt\"")
              .description(
                  "PEM CA certificates for mutual TLS: when set, clients must present a"
                      + " certificate signed by one of them. Needs tls_cert_file."));

  static final Setting<String> TLS_MIN_VERSION =
      add(
          Setting.builder("server", "tls_min_version", ValueType.choice(tlsVersions()))
              .defaultValue("1.2")
              .alias("tls_min_version")
              .description("Lowest TLS version the receivers accept: \"1.2\" or \"1.3\"."));

  static final Setting<Long> TLS_RELOAD_INTERVAL_MS =
      add(
          Setting.builder("server", "tls_reload_interval_ms", ValueType.LONG)
              .defaultValue(60_000L)
              .alias("tls_reload_interval_ms")
              .check(Checks::nonNegative)
              .description(
                  "How often the TLS files are checked for changes, in ms; new connections use"
                      + " new files, a broken file is logged and the old one kept. 0: never."));

  static final Setting<List<String>> AUTH_TOKENS =
      add(
          Setting.builder("server", "auth_tokens", ValueType.SECRET_LIST)
              .defaultValue(Collections.<String>emptyList())
              .alias("auth_tokens")
              .check(ProxyKeys::bearerTokens)
              .example("[\"a-long-random-token\"]")
              .description(
                  "Bearer tokens the receivers accept ('Authorization: Bearer <token>'); secrets,"
                      + " never shown. With tokens or auth_tenants set, every request needs one."
                      + " As an environment variable: comma-separated. Default: none (no"
                      + " authentication)."));

  static final Setting<Map<String, String>> AUTH_TENANTS =
      add(
          Setting.builder("server", "auth_tenants", ValueType.HEADERS)
              .defaultValue(Collections.<String, String>emptyMap())
              .alias("auth_tenants")
              .check(ProxyKeys::tenantTokens)
              .example("{ \"team-a\" = \"token-of-team-a\" }")
              .description(
                  "Tenants and their bearer tokens (several separated by spaces); data sent with"
                      + " a tenant's token gets tenant_attribute on its resources. Tokens are"
                      + " secrets. As an environment variable: tenant=token,tenant2=token2."
                      + " Default: none."));

  static final Setting<String> TENANT_ATTRIBUTE =
      add(
          Setting.builder("server", "tenant_attribute", ValueType.STRING)
              .defaultValue("tenant.id")
              .alias("tenant_attribute")
              .check(Checks::nonBlank)
              .description(
                  "Resource attribute that carries the tenant of auth_tenants; a value the client"
                      + " sent under this name is replaced."));

  private static Map<String, String> tlsVersions() {
    Map<String, String> words = new LinkedHashMap<>();
    words.put("1.2", "1.2");
    words.put("1.3", "1.3");
    return words;
  }

  // RFC 6750's b64token: what a client can send after "Bearer " without quoting.
  private static final Pattern BEARER_TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");

  static String bearerTokens(List<String> tokens) {
    Set<String> seen = new HashSet<>();
    for (String token : tokens) {
      if (!BEARER_TOKEN.matcher(token).matches()) {
        return "non-empty tokens of letters, digits and -._~+/, optionally ending in ="
            + " (RFC 6750)";
      }
      if (!seen.add(token)) {
        return "each token once";
      }
    }
    return null;
  }

  static String tenantTokens(Map<String, String> tenants) {
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, String> e : tenants.entrySet()) {
      if (e.getKey().trim().isEmpty()) {
        return "non-empty tenant names";
      }
      List<String> tokens = splitTokens(e.getValue());
      if (tokens.isEmpty() || bearerTokens(tokens) != null) {
        return "for each tenant, one or more tokens separated by spaces, each of letters, digits"
            + " and -._~+/, optionally ending in = (RFC 6750)";
      }
      for (String token : tokens) {
        if (!seen.add(token)) {
          return "each token given to one tenant only";
        }
      }
    }
    return null;
  }

  /** The tokens of one tenant in {@code server.auth_tenants}, separated by white space. */
  static List<String> splitTokens(String tokens) {
    List<String> out = new ArrayList<>();
    for (String token : tokens.trim().split("\\s+")) {
      if (!token.isEmpty()) {
        out.add(token);
      }
    }
    return out;
  }

  // --- [tracing] ------------------------------------------------------------------------------

  static final Setting<String> API_KEY = add(SharedKeys.API_KEY);

  static final Setting<URI> ENDPOINT = add(SharedKeys.ENDPOINT);

  static final Setting<Double> SAMPLE_RATE = add(SharedKeys.SAMPLE_RATE);

  static final Setting<Boolean> KEEP_ERROR_TRACES =
      add(
          Setting.builder("tracing", "keep_error_traces", ValueType.BOOLEAN)
              .defaultValue(true)
              .alias("keep_error_traces")
              .description(
                  "Below a sample_rate of 1, keep a trace's spans that arrive in the same request"
                      + " as a span with status ERROR, whatever the rate."));

  static final Setting<Boolean> USE_OTLP = add(SharedKeys.USE_OTLP);

  static final Setting<String> SERVICE_NAME = add(SharedKeys.SERVICE_NAME);

  // --- [exporters] ----------------------------------------------------------------------------

  static final Setting<Boolean> ENABLE_CONSOLE =
      add(
          Setting.builder("exporters", "enable_console", ValueType.BOOLEAN)
              .defaultValue(false)
              .alias("enable_console")
              .env("AGENT_DASHBOARD_ENABLE_CONSOLE_EXPORTER")
              .description("Also print every span to standard output."));

  static final Setting<Boolean> ENABLE_FILE =
      add(
          Setting.builder("exporters", "enable_file", ValueType.BOOLEAN)
              .defaultValue(false)
              .alias("enable_file")
              .env("AGENT_DASHBOARD_ENABLE_FILE_EXPORTER")
              .description(
                  "Also append every span to file_exporter_path as JSON lines. On by itself when"
                      + " there is no OTLP endpoint and the console exporter and kafka.export are"
                      + " off."));

  static final Setting<Path> FILE_EXPORTER_PATH =
      add(
          Setting.builder("exporters", "file_exporter_path", ValueType.PATH)
              .defaultValue(Path.of("traces.jsonl"))
              .alias("file_path")
              .description("File of the file exporter, relative to the working directory."));

  static final Setting<Boolean> RESET_TRACE_FILE =
      add(
          Setting.builder("exporters", "reset_trace_file", ValueType.BOOLEAN)
              .defaultValue(false)
              .alias("reset_trace_file")
              .description("Empty the file exporter's file at startup instead of appending."));

  static final Setting<ExporterProtocol> PROTOCOL = add(SharedKeys.PROTOCOL);

  static final Setting<Map<String, String>> HEADERS = add(SharedKeys.HEADERS);

  static final Setting<Compression> COMPRESSION = add(SharedKeys.COMPRESSION);

  static final Setting<Long> TIMEOUT_MS = add(SharedKeys.TIMEOUT_MS);

  static final Setting<Path> CA_FILE = add(SharedKeys.CA_FILE);

  static final Setting<Path> CLIENT_CERT_FILE = add(SharedKeys.CLIENT_CERT_FILE);

  static final Setting<Path> CLIENT_KEY_FILE = add(SharedKeys.CLIENT_KEY_FILE);

  static final Setting<Long> RETRY_INITIAL_BACKOFF_MS =
      add(
          Setting.builder("exporters", "retry_initial_backoff_ms", ValueType.LONG)
              .defaultValue(1_000L)
              .alias("retry_initial_backoff_ms")
              .check(Checks::positive)
              .description("First wait before retrying a failed export, in ms."));

  static final Setting<Long> RETRY_MAX_BACKOFF_MS =
      add(
          Setting.builder("exporters", "retry_max_backoff_ms", ValueType.LONG)
              .defaultValue(30_000L)
              .alias("retry_max_backoff_ms")
              .check(Checks::positive)
              .description(
                  "Longest wait between retries, in ms; at least retry_initial_backoff_ms."));

  static final Setting<Long> RETRY_MAX_ELAPSED_MS =
      add(
          Setting.builder("exporters", "retry_max_elapsed_ms", ValueType.LONG)
              .defaultValue(300_000L)
              .alias("retry_max_elapsed_ms")
              .check(Checks::nonNegative)
              .description("Give up retrying a batch after this long, in ms; 0 disables retries."));

  static final Setting<URI> LOGS_ENDPOINT =
      add(
          Setting.builder("exporters", "logs_endpoint", ValueType.URL)
              .alias("logs_endpoint")
              .check(Checks::httpUrl)
              .optional("\"http://localhost:4318/v1/logs\"")
              .description(
                  "Where received OTLP logs are passed on. Default: derived from the traces"
                      + " endpoint."));

  static final Setting<Boolean> DURABLE_QUEUE =
      add(
          Setting.builder("exporters", "durable_queue", ValueType.BOOLEAN)
              .defaultValue(false)
              .alias("durable_queue")
              .description(
                  "Keep each exporter's queue on disk: a request is written and fsynced before"
                      + " the client is answered, and what was not exported is sent after a"
                      + " restart or crash."));

  static final Setting<Path> DURABLE_QUEUE_DIR =
      add(
          Setting.builder("exporters", "durable_queue_dir", ValueType.PATH)
              .defaultValue(Path.of("traccia-queue"))
              .alias("durable_queue_dir")
              .description(
                  "Directory of the durable queue, one subdirectory per exporter, relative to the"
                      + " working directory."));

  static final Setting<Long> DURABLE_QUEUE_MAX_BYTES =
      add(
          Setting.builder("exporters", "durable_queue_max_bytes", ValueType.LONG)
              .defaultValue(1024 * MIB)
              .alias("durable_queue_max_bytes")
              .check(Checks::positive)
              .description(
                  "Bytes each exporter's durable queue holds on disk at most (default 1 GiB);"
                      + " when full, clients are asked to retry."));

  // --- [rate_limiting] ------------------------------------------------------------------------

  static final Setting<Double> MAX_SPANS_PER_SECOND =
      add(
          Setting.builder("rate_limiting", "max_spans_per_second", ValueType.DOUBLE)
              .alias("max_spans_per_second")
              .check(Checks::positive)
              .optional("100.0")
              .emptyEnvMeansNone()
              .live()
              .description(
                  "Spans accepted per second, after the processors; see policy for the rest. Default:"
                      + " unlimited."));

  static final Setting<Integer> MAX_QUEUE_SIZE = add(SharedKeys.MAX_QUEUE_SIZE);

  static final Setting<Long> MAX_BLOCK_MS =
      add(
          Setting.builder("rate_limiting", "max_block_ms", ValueType.LONG)
              .defaultValue(100L)
              .alias("max_block_ms")
              .check(Checks::nonNegative)
              .live()
              .description(
                  "How long a request waits for rate-limit tokens before policy applies, in ms."));

  static final Setting<String> RATE_LIMIT_POLICY =
      add(
          Setting.builder("rate_limiting", "policy", ValueType.choice(policies()))
              .defaultValue("refuse")
              .alias("rate_limit_policy")
              .live()
              .description(
                  "What happens to spans over max_spans_per_second once max_block_ms has passed:"
                      + " \"refuse\" asks the client to retry the whole request (HTTP 429, gRPC"
                      + " UNAVAILABLE, both with a retry delay); \"drop\" drops the spans over the"
                      + " limit and reports them as partial_success."));

  static final Setting<Long> MAX_BUFFER_BYTES =
      add(
          Setting.builder("rate_limiting", "max_buffer_bytes", ValueType.LONG)
              .alias("max_buffer_bytes")
              .check(Checks::positive)
              .optional("268435456")
              .description(
                  "Bytes of requests being received, processed and queued in memory, at most;"
                      + " past it, requests are refused with a retry delay before they are"
                      + " decoded. Default: 40% of the JVM's maximum heap."));

  static final Setting<Integer> MAX_EXPORT_BATCH_SIZE = add(SharedKeys.MAX_EXPORT_BATCH_SIZE);

  static final Setting<Long> SCHEDULE_DELAY_MILLIS = add(SharedKeys.SCHEDULE_DELAY_MILLIS);

  // --- [metrics] ------------------------------------------------------------------------------

  static final Setting<Boolean> ENABLE_METRICS = add(SharedKeys.ENABLE_METRICS);

  static final Setting<URI> METRICS_ENDPOINT = add(SharedKeys.METRICS_ENDPOINT);

  static final Setting<Double> METRICS_SAMPLE_RATE =
      add(
          Setting.builder("metrics", "metrics_sample_rate", ValueType.DOUBLE)
              .defaultValue(1.0)
              .alias("metrics_sample_rate")
              .check(Checks::fraction)
              .description("Fraction of spans that feed the metrics, from 0 to 1."));

  static final Setting<Long> METRICS_EXPORT_INTERVAL_MS =
      add(
          Setting.builder("metrics", "export_interval_ms", ValueType.LONG)
              .defaultValue(60_000L)
              .alias("metrics_export_interval_ms")
              .check(Checks::positive)
              .description("How often derived metrics are sent to the metrics endpoint, in ms."));

  static final Setting<String> METRICS_TEMPORALITY =
      add(
          Setting.builder("metrics", "temporality", ValueType.choice(temporalities()))
              .defaultValue("delta")
              .alias("metrics_temporality")
              .description(
                  "Temporality of exported counters and histograms: \"delta\" (each export holds"
                      + " what happened since the last) or \"cumulative\" (totals since start)."));

  static final Setting<Integer> METRICS_CARDINALITY_LIMIT =
      add(
          Setting.builder("metrics", "cardinality_limit", ValueType.INT)
              .defaultValue(2000)
              .alias("metrics_cardinality_limit")
              .check(Checks::positive)
              .description(
                  "Most series (attribute sets) per derived metric, the overflow series"
                      + " otel.metric.overflow=true included."));

  static final Setting<Integer> METRICS_MAX_LABEL_LENGTH =
      add(
          Setting.builder("metrics", "max_label_length", ValueType.INT)
              .defaultValue(128)
              .alias("metrics_max_label_length")
              .check(Checks::positive)
              .description(
                  "Longest value, in characters, of a metric attribute or label taken from spans"
                      + " (model, service, agent...); longer values are cut to this length."));

  // --- [instrumentation] ----------------------------------------------------------------------

  static final Setting<Boolean> ENABLE_TOKEN_COUNTING =
      add(
          Setting.builder("instrumentation", "enable_token_counting", ValueType.BOOLEAN)
              .defaultValue(true)
              .alias("enable_token_counting")
              .env("AGENT_DASHBOARD_ENABLE_TOKEN_COUNTING")
              .description("Estimate token counts for LLM spans that carry none."));

  static final Setting<Boolean> ENABLE_COSTS =
      add(
          Setting.builder("instrumentation", "enable_costs", ValueType.BOOLEAN)
              .defaultValue(true)
              .alias("enable_costs")
              .env("AGENT_DASHBOARD_ENABLE_COSTS")
              .description("Add llm.cost.usd to LLM spans from the pricing table."));

  static final Setting<Boolean> GUARDRAIL_HEURISTICS =
      add(
          Setting.builder("instrumentation", "guardrail_heuristics", ValueType.BOOLEAN)
              .defaultValue(true)
              .alias("guardrail_heuristics")
              .live()
              .description("Detect guardrails from span names and attributes (heuristic tier)."));

  static final Setting<Boolean> GEN_AI_COST_ATTRIBUTES =
      add(
          Setting.builder("instrumentation", "gen_ai_cost_attributes", ValueType.BOOLEAN)
              .defaultValue(false)
              .alias("gen_ai_cost_attributes")
              .description(
                  "Also write the cost as the proposed gen_ai.usage.cost.amount, .currency and"
                      + " .source, beside llm.cost.usd, until that convention is released."));

  // --- [guardrails] ---------------------------------------------------------------------------

  /**
   * The guardrail categories, as the detector names them; the one list, which the detector reads
   * through {@link ProxyConfig#GUARDRAIL_CATEGORIES}.
   */
  static final List<String> GUARDRAIL_CATEGORIES =
      List.of(
          "input_validation",
          "prompt_injection",
          "pii",
          "moderation",
          "tool_permission",
          "output_validation",
          "rate_limit",
          "unknown");

  static final Setting<Boolean> ENABLE_GUARDRAILS =
      add(
          Setting.builder("guardrails", "enable_guardrails", ValueType.BOOLEAN)
              .defaultValue(true)
              .alias("enable_guardrails")
              .description(
                  "Detect guardrails on every span and write each trace's summary on its root"
                      + " span; false forwards root spans without holding them."));

  /**
   * How long the guardrail stage keeps a trace's state after its last span, in ms (its {@code
   * DEFAULT_TRACE_TTL}); a root may wait only for less, or the stage cannot be built.
   */
  static final long GUARDRAIL_TRACE_TTL_MS = 60_000;

  static final Setting<Long> GUARDRAIL_ROOT_SPAN_WAIT_MS =
      add(
          Setting.builder("guardrails", "root_span_wait_ms", ValueType.LONG)
              .defaultValue(10_000L)
              .alias("guardrail_root_span_wait_ms")
              .check(
                  ms ->
                      ms >= 0 && ms < GUARDRAIL_TRACE_TTL_MS
                          ? null
                          : "from 0 to "
                              + (GUARDRAIL_TRACE_TTL_MS - 1)
                              + ", under the "
                              + GUARDRAIL_TRACE_TTL_MS / 1000
                              + " s a trace's state is kept")
              .description(
                  "How long a trace's root span is held for children that arrive after it, in ms,"
                      + " before its guardrail summary is written and it is forwarded. The default"
                      + " covers a service whose SDK exports on the usual 5 s batch delay; 0"
                      + " writes the summary at once from what has arrived."));

  static final Setting<Long> GUARDRAIL_MAX_HELD_ROOT_BYTES =
      add(
          Setting.builder("guardrails", "max_held_root_bytes", ValueType.LONG)
              .defaultValue(16L * 1024 * 1024)
              .alias("guardrail_max_held_root_bytes")
              .check(Checks::positive)
              .description(
                  "Most bytes of root spans held at once; past it the oldest are forwarded early"
                      + " with the summary known so far."));

  static final Setting<String> GUARDRAIL_SUPPRESS_CATEGORIES =
      add(
          Setting.builder("guardrails", "suppress_categories", ValueType.STRING)
              .defaultValue("")
              .alias("guardrail_suppress_categories")
              .check(
                  list -> {
                    for (String c : list.split(",", -1)) {
                      if (!c.trim().isEmpty() && !GUARDRAIL_CATEGORIES.contains(c.trim())) {
                        return "comma-separated guardrail categories: "
                            + String.join(", ", GUARDRAIL_CATEGORIES);
                      }
                    }
                    return null;
                  })
              .description(
                  "Comma-separated guardrail categories never reported missing, for every trace."));

  // --- [redaction] ----------------------------------------------------------------------------

  /** The redaction modes; {@code off} only per service or attribute. */
  static final List<String> REDACTION_MODES = List.of("mask", "hash", "truncate", "drop");

  /** The built-in masking patterns. */
  static final List<String> REDACTION_PATTERNS = List.of("email", "phone", "card", "ip", "api_key");

  /** The longest user pattern accepted, in characters. */
  static final int MAX_REDACTION_PATTERN_LENGTH = 512;

  static final Setting<Boolean> REDACTION_ENABLED =
      add(
          Setting.builder("redaction", "enabled", ValueType.BOOLEAN)
              .defaultValue(false)
              .alias("redaction_enabled")
              .live()
              .description(
                  "Redact prompts and completions after token counting, cost and guardrail"
                      + " detection have read them."));

  static final Setting<String> REDACTION_MODE =
      add(
          Setting.builder("redaction", "mode", ValueType.STRING)
              .defaultValue("mask")
              .alias("redaction_mode")
              .live()
              .check(m -> REDACTION_MODES.contains(m) ? null : "one of mask, hash, truncate, drop")
              .description("What happens to content: mask, hash, truncate or drop."));

  static final Setting<String> REDACTION_PATTERNS_KEY =
      add(
          Setting.builder("redaction", "patterns", ValueType.STRING)
              .defaultValue(String.join(",", REDACTION_PATTERNS))
              .alias("redaction_patterns")
              .live()
              .check(
                  list -> {
                    for (String p : list.split(",", -1)) {
                      if (!p.trim().isEmpty() && !REDACTION_PATTERNS.contains(p.trim())) {
                        return "comma-separated built-in patterns: "
                            + String.join(", ", REDACTION_PATTERNS);
                      }
                    }
                    return null;
                  })
              .description("Comma-separated built-in patterns the mask mode looks for."));

  static final Setting<String> REDACTION_CUSTOM_PATTERNS =
      add(
          Setting.builder("redaction", "custom_patterns", ValueType.STRING)
              .defaultValue("")
              .alias("redaction_custom_patterns")
              .live()
              .check(ProxyKeys::redactionPatterns)
              .description(
                  "More patterns to mask, a JSON object of rule names to Java regular"
                      + " expressions."));

  static final Setting<String> REDACTION_ATTRIBUTE_MODES =
      add(
          Setting.builder("redaction", "attribute_modes", ValueType.STRING)
              .defaultValue("")
              .alias("redaction_attribute_modes")
              .live()
              .check(ProxyKeys::redactionModeMap)
              .description(
                  "A mode per attribute key, a JSON object; any key named is treated as"
                      + " content."));

  static final Setting<String> REDACTION_SERVICE_MODES =
      add(
          Setting.builder("redaction", "service_modes", ValueType.STRING)
              .defaultValue("")
              .alias("redaction_service_modes")
              .live()
              .check(ProxyKeys::redactionModeMap)
              .description("A mode per service.name, a JSON object; off leaves a service alone."));

  static final Setting<String> REDACTION_HASH_KEY =
      add(
          Setting.builder("redaction", "hash_key", ValueType.STRING)
              .alias("redaction_hash_key")
              .optional("\"\"")
              .secret()
              .live()
              .check(k -> k.length() >= 16 ? null : "at least 16 characters")
              .description(
                  "The HMAC-SHA256 key of the hash mode; required when any mode is hash."));

  static final Setting<Integer> REDACTION_TRUNCATE_LENGTH =
      add(
          Setting.builder("redaction", "truncate_length", ValueType.INT)
              .defaultValue(64)
              .alias("redaction_truncate_length")
              .live()
              .check(Checks::nonNegative)
              .description("Characters the truncate mode keeps of each content value."));

  static final Setting<Integer> REDACTION_MAX_SCAN_CHARS =
      add(
          Setting.builder("redaction", "max_scan_chars", ValueType.INT)
              .defaultValue(65_536)
              .alias("redaction_max_scan_chars")
              .live()
              .check(Checks::positive)
              .description(
                  "Characters of each value the mask mode scans; the rest is cut, never passed"
                      + " on unscanned."));

  /** Checks a JSON object of rule names to regular expressions; null when it is fine. */
  static String redactionPatterns(String json) {
    Map<String, String> patterns = redactionJsonObject(json);
    if (patterns == null) {
      return "a JSON object of rule names to regular expressions, e.g. {\"ticket\": \"T-[0-9]{6}\"}";
    }
    for (Map.Entry<String, String> e : patterns.entrySet()) {
      if (!e.getKey().matches("[a-z][a-z0-9_]{0,31}") || REDACTION_PATTERNS.contains(e.getKey())) {
        return "rule names of lower-case letters, digits and _ (at most 32), other than the"
            + " built-in ones; \""
            + e.getKey()
            + "\" is not";
      }
      String problem = redactionRegexProblem(e.getValue());
      if (problem != null) {
        return "a valid, linear regular expression for \"" + e.getKey() + "\": " + problem;
      }
    }
    return null;
  }

  /**
   * Why {@code regex} is refused, or null. Beyond a syntax check, a simple guard against
   * catastrophic backtracking: a quantified group whose body ends with a quantifier, as in {@code
   * (a+)+} or {@code (\\w*)*}, and back-references are refused, and so is a pattern longer than
   * {@link #MAX_REDACTION_PATTERN_LENGTH}.
   */
  static String redactionRegexProblem(String regex) {
    if (regex.isEmpty() || regex.length() > MAX_REDACTION_PATTERN_LENGTH) {
      return "1 to " + MAX_REDACTION_PATTERN_LENGTH + " characters";
    }
    try {
      java.util.regex.Pattern compiled = java.util.regex.Pattern.compile(regex);
      if (compiled.matcher("").matches()) {
        return "it matches the empty string";
      }
    } catch (java.util.regex.PatternSyntaxException e) {
      return e.getDescription() + " at index " + e.getIndex();
    }
    if (NESTED_QUANTIFIER.matcher(regex).find()) {
      return "a quantified group that itself ends with a quantifier, such as (a+)+, may take"
          + " exponential time";
    }
    if (BACK_REFERENCE.matcher(regex).find()) {
      return "back-references are not allowed";
    }
    return null;
  }

  private static final java.util.regex.Pattern NESTED_QUANTIFIER =
      java.util.regex.Pattern.compile("[+*}][?+]?\\)[+*{]");
  private static final java.util.regex.Pattern BACK_REFERENCE =
      java.util.regex.Pattern.compile("(?<!\\\\)\\\\(?:[1-9]|k<)");

  /** Checks a JSON object of names to modes (mask, hash, truncate, drop or off). */
  static String redactionModeMap(String json) {
    Map<String, String> modes = redactionJsonObject(json);
    if (modes == null) {
      return "a JSON object of names to modes, e.g. {\"gen_ai.input.messages\": \"hash\"}";
    }
    for (Map.Entry<String, String> e : modes.entrySet()) {
      if (!REDACTION_MODES.contains(e.getValue()) && !"off".equals(e.getValue())) {
        return "modes mask, hash, truncate, drop or off; \"" + e.getValue() + "\" is not";
      }
    }
    return null;
  }

  /**
   * A JSON object of strings to strings; empty for "", null when it is not one (or not JSON, or has
   * a key twice).
   */
  static Map<String, String> redactionJsonObject(String json) {
    if (json.trim().isEmpty()) {
      return Map.of();
    }
    JsonNode parsed;
    try {
      parsed = StrictJson.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return null;
    }
    if (!parsed.isObject()) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = parsed.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        return null;
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return Collections.unmodifiableMap(out);
  }

  // A holder, so that the mapper exists before the first check runs whatever the order of this
  // class's initialisation. Strict, as a hand-written value deserves: duplicate keys, comments and
  // trailing content are errors.
  private static final class StrictJson {
    static final ObjectMapper MAPPER =
        JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
  }

  // --- [kafka] --------------------------------------------------------------------------------

  static final Setting<String> KAFKA_BROKERS =
      add(
          Setting.builder("kafka", "brokers", ValueType.STRING)
              .alias("kafka_brokers")
              .check(ProxyKeys::kafkaBrokers)
              .optional("\"kafka-1:9092,kafka-2:9092\"")
              .description(
                  "Bootstrap brokers, host:port separated by commas; required when export or"
                      + " receive is on."));

  static final Setting<Boolean> KAFKA_EXPORT =
      add(
          Setting.builder("kafka", "export", ValueType.BOOLEAN)
              .defaultValue(false)
              .alias("kafka_export")
              .description(
                  "Also produce every export to Kafka: traces one message per trace, keyed by"
                      + " trace id, in the Collector's otlp_proto encoding."));

  static final Setting<Boolean> KAFKA_RECEIVE =
      add(
          Setting.builder("kafka", "receive", ValueType.BOOLEAN)
              .defaultValue(false)
              .alias("kafka_receive")
              .description(
                  "Consume traces_topic in the consumer group group_id and run what it reads"
                      + " through the pipeline, as an OTLP/HTTP request."));

  static final Setting<String> KAFKA_TRACES_TOPIC =
      add(
          Setting.builder("kafka", "traces_topic", ValueType.STRING)
              .defaultValue("otlp_spans")
              .alias("kafka_traces_topic")
              .check(ProxyKeys::kafkaTopic)
              .description("Topic of traces, produced to and consumed from."));

  static final Setting<String> KAFKA_METRICS_TOPIC =
      add(
          Setting.builder("kafka", "metrics_topic", ValueType.STRING)
              .defaultValue("otlp_metrics")
              .alias("kafka_metrics_topic")
              .check(ProxyKeys::kafkaTopic)
              .description("Topic the metrics requests are produced to, unkeyed."));

  static final Setting<String> KAFKA_LOGS_TOPIC =
      add(
          Setting.builder("kafka", "logs_topic", ValueType.STRING)
              .defaultValue("otlp_logs")
              .alias("kafka_logs_topic")
              .check(ProxyKeys::kafkaTopic)
              .description("Topic the logs requests are produced to, unkeyed."));

  static final Setting<String> KAFKA_GROUP_ID =
      add(
          Setting.builder("kafka", "group_id", ValueType.STRING)
              .defaultValue("traccia-proxy")
              .alias("kafka_group_id")
              .check(s -> s.isEmpty() ? "a non-empty consumer group id" : null)
              .description(
                  "Consumer group of the receiver; gateways of one group share the work."));

  static final Setting<String> KAFKA_CLIENT_ID =
      add(
          Setting.builder("kafka", "client_id", ValueType.STRING)
              .defaultValue("traccia-proxy")
              .alias("kafka_client_id")
              .check(s -> s.isEmpty() ? "a non-empty client id" : null)
              .description("Client id the producer and consumer send to the brokers."));

  static final Setting<String> KAFKA_COMPRESSION =
      add(
          Setting.builder("kafka", "compression", ValueType.choice(kafkaCompressions()))
              .defaultValue("none")
              .alias("kafka_compression")
              .description(
                  "Compression of produced batches: \"none\", \"gzip\", \"snappy\", \"lz4\" or"
                      + " \"zstd\"."));

  static final Setting<Integer> KAFKA_PRODUCE_TIMEOUT_MS =
      add(
          Setting.builder("kafka", "produce_timeout_ms", ValueType.INT)
              .defaultValue(30_000)
              .alias("kafka_produce_timeout_ms")
              .check(n -> n >= 1000 && n <= 600_000 ? null : "an integer from 1000 to 600000")
              .description(
                  "How long one export waits for the brokers to acknowledge every message before"
                      + " it is retried."));

  static final Setting<Integer> KAFKA_MAX_POLL_RECORDS =
      add(
          Setting.builder("kafka", "max_poll_records", ValueType.INT)
              .defaultValue(500)
              .alias("kafka_max_poll_records")
              .check(n -> n >= 1 && n <= 10_000 ? null : "an integer from 1 to 10000")
              .description("Records the receiver reads in one poll, and commits after."));

  static final Setting<Integer> KAFKA_SESSION_TIMEOUT_MS =
      add(
          Setting.builder("kafka", "session_timeout_ms", ValueType.INT)
              .defaultValue(45_000)
              .alias("kafka_session_timeout_ms")
              .check(
                  n ->
                      n >= 6_000 && n <= 300_000
                          ? null
                          : "an integer from 6000 to 300000 (the brokers' own bounds apply too)")
              .description(
                  "How long the group waits for a receiver that stopped answering before its"
                      + " partitions go to the others; heartbeats are sent every third of it."));

  static final Setting<Boolean> KAFKA_TLS_ENABLED =
      add(
          Setting.builder("kafka", "tls_enabled", ValueType.BOOLEAN)
              .defaultValue(false)
              .alias("kafka_tls_enabled")
              .description("Connect to the brokers over TLS."));

  static final Setting<Path> KAFKA_TLS_CA_FILE =
      add(
          Setting.builder("kafka", "tls_ca_file", ValueType.PATH)
              .alias("kafka_tls_ca_file")
              .check(Checks::readableFile)
              .optional("\"/etc/traccia/kafka-ca.pem\"")
              .description(
                  "PEM CA certificates to trust for the brokers instead of the system's."));

  static final Setting<Path> KAFKA_TLS_CERT_FILE =
      add(
          Setting.builder("kafka", "tls_cert_file", ValueType.PATH)
              .alias("kafka_tls_cert_file")
              .check(Checks::readableFile)
              .optional("\"/etc/traccia/kafka-client.pem\"")
              .description("PEM client certificate chain for mutual TLS; needs tls_key_file."));

  static final Setting<Path> KAFKA_TLS_KEY_FILE =
      add(
          Setting.builder("kafka", "tls_key_file", ValueType.PATH)
              .alias("kafka_tls_key_file")
              .check(Checks::readableFile)
              .optional("\"/etc/traccia/kafka-client-key.pem\"")
              .description("PEM (PKCS#8, unencrypted) private key of tls_cert_file."));

  static final Setting<String> KAFKA_SASL_MECHANISM =
      add(
          Setting.builder("kafka", "sasl_mechanism", ValueType.choice(saslMechanisms()))
              .defaultValue("none")
              .alias("kafka_sasl_mechanism")
              .description(
                  "SASL authentication: \"none\", \"PLAIN\", \"SCRAM-SHA-256\" or"
                      + " \"SCRAM-SHA-512\" (any case); the others need sasl_username and"
                      + " sasl_password."));

  static final Setting<String> KAFKA_SASL_USERNAME =
      add(
          Setting.builder("kafka", "sasl_username", ValueType.STRING)
              .alias("kafka_sasl_username")
              .optional("\"traccia\"")
              .description("SASL user name."));

  static final Setting<String> KAFKA_SASL_PASSWORD =
      add(
          Setting.builder("kafka", "sasl_password", ValueType.STRING)
              .alias("kafka_sasl_password")
              .secret()
              .optional("\"\"")
              .description(
                  "SASL password; a secret, never shown. Prefer the environment variable."));

  // --- [ui] -----------------------------------------------------------------------------------

  static final Setting<Boolean> ENABLE_LIVE_PAGE =
      add(
          Setting.builder("ui", "enable_live_page", ValueType.BOOLEAN)
              .defaultValue(true)
              .alias("enable_live_page")
              .description(
                  "Serve the live page (the last traces, their costs and the proxy's health) and"
                      + " its JSON API on the admin port."));

  static final Setting<Integer> LIVE_PAGE_MAX_TRACES =
      add(
          Setting.builder("ui", "live_page_max_traces", ValueType.INT)
              .defaultValue(200)
              .alias("live_page_max_traces")
              .check(n -> n >= 1 && n <= 10_000 ? null : "an integer from 1 to 10000")
              .description("Trace summaries the live page keeps; past it the oldest is dropped."));

  static final Setting<Integer> LIVE_PAGE_MAX_SPANS =
      add(
          Setting.builder("ui", "live_page_max_spans", ValueType.INT)
              .defaultValue(2000)
              .alias("live_page_max_spans")
              .check(n -> n >= 0 && n <= 100_000 ? null : "an integer from 0 to 100000")
              .description(
                  "Spans, over all kept traces, the live page keeps for its trace trees, with"
                      + " attributes shortened; past it the oldest traces lose their spans."));

  // --- [logging] ------------------------------------------------------------------------------

  static final Setting<Boolean> DEBUG = add(SharedKeys.DEBUG);

  static final Setting<Boolean> ENABLE_SPAN_LOGGING =
      add(
          Setting.builder("logging", "enable_span_logging", ValueType.BOOLEAN)
              .defaultValue(false)
              .alias("enable_span_logging")
              .description("Log every span received (verbose)."));

  static final Setting<String> LEVEL =
      add(
          Setting.builder("logging", "level", ValueType.choice(levels()))
              .alias("log_level")
              .check(ProxyKeys::logLevel)
              .optional("\"info\"")
              .live()
              .description(
                  "Log level: \"error\", \"warn\", \"info\", \"debug\" or \"trace\". Default:"
                      + " \"info\", or \"debug\" when debug = true."));

  // --- [advanced] -----------------------------------------------------------------------------

  static final Setting<Integer> ATTR_TRUNCATION_LIMIT = add(SharedKeys.ATTR_TRUNCATION_LIMIT);

  static final Setting<Integer> MAX_ATTRIBUTES =
      add(
          Setting.builder("advanced", "max_attributes", ValueType.INT)
              .defaultValue(1024)
              .alias("max_attributes")
              .check(Checks::positive)
              .description(
                  "Most attributes of one span, span event, span link, resource or scope, and most"
                      + " entries of one key-value list value, in a trace request; a request over"
                      + " it is refused (400, INVALID_ARGUMENT)."));

  static final Setting<Integer> MAX_ATTRIBUTE_VALUE_BYTES =
      add(
          Setting.builder("advanced", "max_attribute_value_bytes", ValueType.INT)
              .defaultValue(1024 * 1024)
              .alias("max_attribute_value_bytes")
              .check(Checks::positive)
              .description(
                  "Most bytes of one string or bytes attribute value, at any depth of arrays and"
                      + " key-value lists, in a trace request; a request over it is refused (400,"
                      + " INVALID_ARGUMENT)."));

  // --- [pricing] ------------------------------------------------------------------------------

  static final Setting<Path> PRICING_CACHE_PATH =
      add(
          Setting.builder("pricing", "cache_path", ValueType.PATH)
              .defaultValue(
                  Path.of(
                      System.getProperty("user.home", "."), ".cache", "traccia", "pricing.json"))
              .alias("pricing_cache_path")
              .description(
                  "Local pricing table written by 'pricing refresh'; it need not exist."
                      + " Default: ~/.cache/traccia/pricing.json."));

  static final Setting<PricingOverride> PRICING_OVERRIDE =
      add(
          Setting.builder("pricing", "override", ProxyValueTypes.PRICING)
              .defaultValue(PricingOverride.empty())
              .live()
              .description(
                  "Prices that replace the table's, in USD per 1,000 tokens: a table of model"
                      + " names to { prompt, completion, cache_write, cached_prompt }; prompt and"
                      + " completion are required."));

  static final Setting<PricingOverride> PRICING_OVERRIDE_JSON =
      add(
          Setting.builder("pricing", "override_json", ProxyValueTypes.PRICING)
              .flagOnly("pricing_override_json")
              .writes(PRICING_OVERRIDE)
              .example("'{\"gpt-4o\": {\"prompt\": 0.0025, \"completion\": 0.01}}'")
              .live()
              .description(
                  "The same override as a JSON string; use either this or [pricing.override]."));

  static final Setting<PricingOverride> PRICING_OVERRIDE_FROM_ENV =
      add(
          Setting.builder("pricing", "override_from_env", ProxyValueTypes.PRICING)
              .defaultValue(PricingOverride.empty())
              .env("TRACCIA_PRICING_OVERRIDE_JSON")
              .deprecatedEnv("AGENT_DASHBOARD_PRICING_JSON")
              .notInFile()
              .live()
              .description(
                  "Override from TRACCIA_PRICING_OVERRIDE_JSON (JSON); the file's override wins"
                      + " over it for the same model."));

  // --- Catalog ------------------------------------------------------------------------------

  /** Every setting the proxy reads, in documentation order. */
  static final List<Setting<?>> ALL = Collections.unmodifiableList(new ArrayList<>(REGISTRY));

  /** The proxy's catalog: {@link #ALL}; the application-only keys are rejected. */
  static final Catalog CATALOG = new Catalog(ALL, ClientKeys.ONLY, ClientKeys.ALL, true);

  // --- Helpers --------------------------------------------------------------------------------

  private static <T> Setting<T> add(Setting.Builder<T> builder) {
    return add(builder.build());
  }

  private static <T> Setting<T> add(Setting<T> setting) {
    REGISTRY.add(setting);
    return setting;
  }

  private static Map<String, String> kafkaCompressions() {
    Map<String, String> words = new LinkedHashMap<>();
    for (String c : new String[] {"none", "gzip", "snappy", "lz4", "zstd"}) {
      words.put(c, c);
    }
    return words;
  }

  private static Map<String, String> saslMechanisms() {
    Map<String, String> words = new LinkedHashMap<>();
    // Matched without regard to case, as every choice; Kafka's own spelling is the value.
    for (String m : new String[] {"none", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}) {
      words.put(m.toLowerCase(Locale.ROOT), m);
    }
    return words;
  }

  // Kafka's own rule for topic names (Topic.validate): what a broker would refuse at runtime. Not
  // a static Pattern: the settings above run their checks while this class initializes.
  static String kafkaTopic(String topic) {
    return topic.matches("[a-zA-Z0-9._-]{1,249}") && !topic.equals(".") && !topic.equals("..")
        ? null
        : "a topic name of 1 to 249 letters, digits, '.', '_' or '-'";
  }

  static String kafkaBrokers(String brokers) {
    String expected = "host:port pairs separated by commas, such as \"kafka-1:9092,kafka-2:9092\"";
    String[] parts = brokers.split(",", -1);
    for (String part : parts) {
      String p = part.trim();
      int colon = p.lastIndexOf(':');
      if (colon <= 0 || colon == p.length() - 1) {
        return expected;
      }
      try {
        int port = Integer.parseInt(p.substring(colon + 1));
        if (port < 1 || port > 65535) {
          return expected;
        }
      } catch (NumberFormatException e) {
        return expected;
      }
    }
    return null;
  }

  private static Map<String, String> roles() {
    Map<String, String> words = new LinkedHashMap<>();
    words.put("all", "all");
    words.put("sidecar", "sidecar");
    words.put("gateway", "gateway");
    return words;
  }

  private static Map<String, String> policies() {
    Map<String, String> words = new LinkedHashMap<>();
    words.put("refuse", "refuse");
    words.put("drop", "drop");
    return words;
  }

  private static Map<String, String> temporalities() {
    Map<String, String> words = new LinkedHashMap<>();
    words.put("delta", "delta");
    words.put("cumulative", "cumulative");
    return words;
  }

  private static Map<String, String> levels() {
    Map<String, String> words = new LinkedHashMap<>();
    for (String level : new String[] {"error", "warn", "info", "debug", "trace"}) {
      words.put(level, level);
    }
    return words;
  }

  // --- Checks: each returns what would be accepted, or null when the value is fine ------------

  static String port(Integer port) {
    return port >= 0 && port <= 65535 ? null : "an integer from 0 to 65535; 0 picks a free port";
  }

  static String logLevel(String level) {
    return levels().containsKey(level) ? null : "one of error, warn, info, debug, trace";
  }

  static String hostOrIp(String address) {
    return isIpLiteral(address) || isHostName(address) ? null : "an IP address or host name";
  }

  private static boolean isIpLiteral(String s) {
    if (s.indexOf(':') >= 0) {
      String v6 = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
      for (int i = 0; i < v6.length(); i++) {
        char c = v6.charAt(i);
        if (Character.digit(c, 16) < 0 && c != ':' && c != '.' && c != '%') {
          return false;
        }
      }
      try {
        // A string with ':' is parsed as an IPv6 literal; no name lookup happens.
        return InetAddress.getByName(v6) != null;
      } catch (UnknownHostException e) {
        return false;
      }
    }
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
        return false;
      }
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean isHostName(String s) {
    if (s.isEmpty() || s.length() > 253) {
      return false;
    }
    String[] labels = s.split("\\.", -1);
    for (String label : labels) {
      if (label.isEmpty() || label.length() > 63) {
        return false;
      }
      if (label.startsWith("-") || label.endsWith("-")) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        boolean ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok) {
          return false;
        }
      }
    }
    // All-numeric names such as 300.1.1.1 are malformed addresses, not host names.
    return !labels[labels.length - 1].chars().allMatch(Character::isDigit);
  }
}
