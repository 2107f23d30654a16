/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static ai.traccia.proxy.config.ProxyKeys.*;

import ai.traccia.proxy.pricing.PricingOverride;
import ai.traccia.proxy.pricing.PricingSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The complete, validated configuration of Traccia Proxy, with the origin of every value: the keys
 * of {@link ProxyKeys}. The application-only keys are in {@link ClientConfig}.
 *
 * <p>Immutable and thread-safe. Build it with {@link ConfigLoader} (file, environment, flags) or
 * with {@link #builder()} in code. Setters check single values and throw {@link
 * IllegalArgumentException} with a message such as {@code rate_limiting.max_queue_size: 0
 * (expected: > 0)}; {@link Builder#build()} checks the rules between keys and throws {@link
 * ConfigException} listing every broken one.
 *
 * <p>Unlike the Python SDK, which allows only one of the console and file exporters, the console,
 * file and OTLP exporters may all be enabled together.
 *
 * <p>{@link #toString()} and {@link #describe()} never show the API key or header values.
 */
public final class ProxyConfig extends SharedConfig {

  /** The traces endpoint used when an API key is set but no endpoint. */
  public static final URI TRACCIA_PLATFORM_ENDPOINT =
      URI.create("https://api.traccia.ai/v2/traces");

  // The [exporters.otlp.<name>] sections, in file order; resolved by otlpExporters().
  private final List<ExporterSections.Section> otlpSections;

  private ProxyConfig(
      Map<Setting<?>, Object> values,
      Map<Setting<?>, String> origins,
      List<ExporterSections.Section> otlpSections) {
    super(values, origins);
    this.otlpSections = Collections.unmodifiableList(new ArrayList<>(otlpSections));
  }

  /** A builder holding the built-in defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The built-in defaults: no config file, no environment, no flags. */
  public static ProxyConfig defaults() {
    return builder().build();
  }

  /** A builder holding this configuration's values and origins. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  // --- [server] -------------------------------------------------------------------------------

  /** Address the receivers and the admin endpoint bind to ({@code server.bind_address}). */
  public String bindAddress() {
    return get(BIND_ADDRESS);
  }

  /** OTLP/gRPC port; 0 means a free port is picked ({@code server.grpc_port}). */
  public int grpcPort() {
    return get(GRPC_PORT);
  }

  /** OTLP/HTTP port; 0 means a free port is picked ({@code server.http_port}). */
  public int httpPort() {
    return get(HTTP_PORT);
  }

  /** Admin and health port; 0 means a free port is picked ({@code server.admin_port}). */
  public int adminPort() {
    return get(ADMIN_PORT);
  }

  // --- admin and metric label bounds

  /**
   * Address the admin endpoint binds to: {@code server.admin_bind_address}, else {@link
   * #bindAddress()}.
   */
  public String adminBindAddress() {
    String address = get(ADMIN_BIND_ADDRESS);
    return address != null ? address : bindAddress();
  }

  /**
   * Time an admin connection has to send a request head ({@code server.admin_header_timeout_ms}).
   */
  public Duration adminHeaderTimeout() {
    return Duration.ofMillis(get(ADMIN_HEADER_TIMEOUT_MS));
  }

  /** Time an admin connection may stay idle ({@code server.admin_idle_timeout_ms}). */
  public Duration adminIdleTimeout() {
    return Duration.ofMillis(get(ADMIN_IDLE_TIMEOUT_MS));
  }

  /** Most admin connections open at once ({@code server.admin_max_connections}). */
  public int adminMaxConnections() {
    return get(ADMIN_MAX_CONNECTIONS);
  }

  /**
   * Longest metric label value taken from a span, in characters ({@code metrics.max_label_length}).
   */
  public int metricsMaxLabelLength() {
    return get(METRICS_MAX_LABEL_LENGTH);
  }

  /** Largest accepted request body in bytes ({@code server.max_request_bytes}). */
  public long maxRequestBytes() {
    return get(MAX_REQUEST_BYTES);
  }

  // --- receiver bounds

  /** Open connections per receiver at most ({@code server.max_connections}). */
  public int maxConnections() {
    return get(MAX_CONNECTIONS);
  }

  /**
   * Time allowed for a request's headers or the gRPC handshake ({@code server.header_timeout_ms}).
   */
  public Duration headerTimeout() {
    return Duration.ofMillis(get(HEADER_TIMEOUT_MS));
  }

  /** Time allowed for a request's body or gRPC message ({@code server.body_timeout_ms}). */
  public Duration bodyTimeout() {
    return Duration.ofMillis(get(BODY_TIMEOUT_MS));
  }

  /** How long an idle connection stays open ({@code server.idle_timeout_ms}). */
  public Duration idleTimeout() {
    return Duration.ofMillis(get(IDLE_TIMEOUT_MS));
  }

  /** Largest request line, header block or gRPC metadata ({@code server.max_header_bytes}). */
  public int maxHeaderBytes() {
    return get(MAX_HEADER_BYTES);
  }

  /** Concurrent gRPC calls per connection at most ({@code server.max_concurrent_streams}). */
  public int maxConcurrentStreams() {
    return get(MAX_CONCURRENT_STREAMS);
  }

  /** How long shutdown waits for queued spans ({@code server.shutdown_timeout_ms}). */
  public Duration shutdownTimeout() {
    return Duration.ofMillis(get(SHUTDOWN_TIMEOUT_MS));
  }

  /**
   * Which processors this proxy runs ({@code server.role}): {@code all}, {@code sidecar} or {@code
   * gateway}.
   */
  public String role() {
    return get(ROLE);
  }

  // --- receiver TLS and authentication

  /** Whether the OTLP receivers speak TLS ({@code server.tls_cert_file} is set). */
  public boolean receiverTlsEnabled() {
    return get(TLS_CERT_FILE) != null;
  }

  /** Certificate chain the receivers present ({@code server.tls_cert_file}). */
  public Optional<Path> receiverTlsCertFile() {
    return Optional.ofNullable(get(TLS_CERT_FILE));
  }

  /** Private key of the receivers' certificate ({@code server.tls_key_file}). */
  public Optional<Path> receiverTlsKeyFile() {
    return Optional.ofNullable(get(TLS_KEY_FILE));
  }

  /** CA certificates clients must be signed by, for mutual TLS ({@code tls_client_ca_file}). */
  public Optional<Path> receiverTlsClientCaFile() {
    return Optional.ofNullable(get(TLS_CLIENT_CA_FILE));
  }

  /** Lowest TLS version accepted, {@code "1.2"} or {@code "1.3"} ({@code tls_min_version}). */
  public String receiverTlsMinVersion() {
    return get(TLS_MIN_VERSION);
  }

  /** How often TLS files are checked for changes; zero means never. */
  public Duration receiverTlsReloadInterval() {
    return Duration.ofMillis(get(TLS_RELOAD_INTERVAL_MS));
  }

  /** Bearer tokens without a tenant ({@code server.auth_tokens}); secrets, never log them. */
  public List<String> receiverAuthTokens() {
    return get(AUTH_TOKENS);
  }

  /**
   * Tenants and their bearer tokens ({@code server.auth_tenants}), in file order; the tokens are
   * secrets, never log them.
   */
  public Map<String, List<String>> receiverAuthTenants() {
    Map<String, List<String>> tenants = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : get(AUTH_TENANTS).entrySet()) {
      tenants.put(e.getKey(), List.copyOf(ProxyKeys.splitTokens(e.getValue())));
    }
    return Collections.unmodifiableMap(tenants);
  }

  /** Whether the receivers require a bearer token. */
  public boolean receiverAuthEnabled() {
    return !get(AUTH_TOKENS).isEmpty() || !get(AUTH_TENANTS).isEmpty();
  }

  /** The resource attribute that carries a token's tenant ({@code server.tenant_attribute}). */
  public String tenantAttribute() {
    return get(TENANT_ATTRIBUTE);
  }

  // --- [tracing] ------------------------------------------------------------------------------

  /**
   * Where spans are exported over OTLP, or empty when OTLP export is off.
   *
   * <p>Empty when {@code use_otlp} is false. Otherwise {@code tracing.endpoint} if set (for
   * http/protobuf, an endpoint with an empty path or {@code /} gets {@code /v1/traces}); else the
   * Traccia platform ({@link #TRACCIA_PLATFORM_ENDPOINT}) if an API key is set; else empty.
   */
  public Optional<URI> tracesEndpoint() {
    if (!useOtlp()) {
      return Optional.empty();
    }
    URI endpoint = get(ENDPOINT);
    if (endpoint == null) {
      return apiKey().isPresent() ? Optional.of(TRACCIA_PLATFORM_ENDPOINT) : Optional.empty();
    }
    if (exporterProtocol() == ExporterProtocol.HTTP_PROTOBUF && isRootPath(endpoint)) {
      return Optional.of(withPath(endpoint, "/v1/traces"));
    }
    return Optional.of(endpoint);
  }

  /** Whether spans are exported over OTLP: {@link #tracesEndpoint()} is present. */
  public boolean otlpEnabled() {
    return tracesEndpoint().isPresent();
  }

  /**
   * Where metrics go: {@code metrics.metrics_endpoint} if set, else derived from {@link
   * #tracesEndpoint()}.
   *
   * <p>For http/protobuf the last path segment {@code traces} becomes {@code metrics} ({@code
   * /v1/traces} gives {@code /v1/metrics}, the platform's {@code /v2/traces} gives {@code
   * /v2/metrics}); a path that does not end in {@code /traces} gives no derived endpoint. For grpc
   * it is the same scheme, host and port. Independent of {@link #metricsEnabled()}.
   */
  public Optional<URI> metricsEndpoint() {
    URI explicit = get(METRICS_ENDPOINT);
    return explicit != null ? Optional.of(explicit) : derived("metrics");
  }

  /**
   * Where received logs are passed on: {@code exporters.logs_endpoint} if set, else derived from
   * {@link #tracesEndpoint()} as for {@link #metricsEndpoint()}, with {@code logs}.
   */
  public Optional<URI> logsEndpoint() {
    URI explicit = get(LOGS_ENDPOINT);
    return explicit != null ? Optional.of(explicit) : derived("logs");
  }

  private Optional<URI> derived(String signal) {
    Optional<URI> traces = tracesEndpoint();
    if (!traces.isPresent()) {
      return Optional.empty();
    }
    URI t = traces.get();
    if (exporterProtocol() == ExporterProtocol.GRPC) {
      return Optional.of(URI.create(t.getScheme() + "://" + t.getRawAuthority()));
    }
    String path = t.getRawPath();
    if (isRootPath(t)) {
      return Optional.of(withPath(t, "/v1/" + signal));
    }
    if (path.endsWith("/traces")) {
      return Optional.of(
          withPath(t, path.substring(0, path.length() - "traces".length()) + signal));
    }
    return Optional.empty();
  }

  private static boolean isRootPath(URI uri) {
    String path = uri.getRawPath();
    return path == null || path.isEmpty() || path.equals("/");
  }

  private static URI withPath(URI uri, String rawPath) {
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + rawPath + query);
  }

  /**
   * Whether spans of a trace with an ERROR span in the same request are kept below a sample rate of
   * 1 ({@code tracing.keep_error_traces}).
   */
  public boolean keepErrorTraces() {
    return get(KEEP_ERROR_TRACES);
  }

  // --- [exporters] ----------------------------------------------------------------------------

  /** Whether spans are also printed to standard output ({@code exporters.enable_console}). */
  public boolean consoleEnabled() {
    return get(ENABLE_CONSOLE);
  }

  /**
   * Whether the file exporter runs: {@code exporters.enable_file}, or the zero-configuration
   * default, when there is no endpoint, no API key and no console exporter, so spans are not lost.
   */
  public boolean fileEnabled() {
    return get(ENABLE_FILE)
        || (useOtlp()
            && get(ENDPOINT) == null
            && get(API_KEY) == null
            && otlpSections.isEmpty()
            && !consoleEnabled()
            && !get(KAFKA_EXPORT));
  }

  /** The file exporter's file, absolute when loaded ({@code exporters.file_exporter_path}). */
  public Path filePath() {
    return get(FILE_EXPORTER_PATH);
  }

  /** Whether the file is emptied at startup ({@code exporters.reset_trace_file}). */
  public boolean resetTraceFile() {
    return get(RESET_TRACE_FILE);
  }

  /** First retry wait ({@code exporters.retry_initial_backoff_ms}). */
  public Duration retryInitialBackoff() {
    return Duration.ofMillis(get(RETRY_INITIAL_BACKOFF_MS));
  }

  /** Longest retry wait ({@code exporters.retry_max_backoff_ms}). */
  public Duration retryMaxBackoff() {
    return Duration.ofMillis(get(RETRY_MAX_BACKOFF_MS));
  }

  /** Retry budget per batch; zero means no retries ({@code exporters.retry_max_elapsed_ms}). */
  public Duration retryMaxElapsed() {
    return Duration.ofMillis(get(RETRY_MAX_ELAPSED_MS));
  }

  /** Whether exporter queues are kept on disk ({@code exporters.durable_queue}). */
  public boolean durableQueue() {
    return get(DURABLE_QUEUE);
  }

  /** Directory of the durable queues ({@code exporters.durable_queue_dir}). */
  public Path durableQueueDir() {
    return get(DURABLE_QUEUE_DIR);
  }

  /** Bytes on disk per durable queue at most ({@code exporters.durable_queue_max_bytes}). */
  public long durableQueueMaxBytes() {
    return get(DURABLE_QUEUE_MAX_BYTES);
  }

  /**
   * Every OTLP backend, resolved once: the one of the flat {@code [exporters]} keys (named {@code
   * otlp}) when {@link #tracesEndpoint()} is present, then each {@code [exporters.otlp.<name>]}
   * section (named {@code otlp/<name>}) in file order. Empty when {@code tracing.use_otlp} is
   * false. A section's unset keys take the flat keys' values; see the README's "Named exporters".
   */
  public List<ExporterSpec> otlpExporters() {
    if (!useOtlp()) {
      return Collections.emptyList();
    }
    List<ExporterSpec> specs = new ArrayList<>();
    Optional<URI> traces = tracesEndpoint();
    if (traces.isPresent()) {
      specs.add(
          ExporterSpec.builder(ExporterSpec.DEFAULT_NAME, "exporters")
              .protocol(exporterProtocol())
              .endpoint(ExporterSignal.TRACES, traces.get())
              .endpoint(ExporterSignal.METRICS, metricsEndpoint().orElse(null))
              .endpoint(ExporterSignal.LOGS, logsEndpoint().orElse(null))
              .headers(exporterHeaders())
              .apiKey(get(API_KEY))
              .compression(compression())
              .timeout(exporterTimeout())
              .tls(get(CA_FILE), get(CLIENT_CERT_FILE), get(CLIENT_KEY_FILE))
              .retry(retryInitialBackoff(), retryMaxBackoff(), retryMaxElapsed())
              .queue(maxQueueSize(), durableQueue())
              .build());
    }
    for (ExporterSections.Section section : otlpSections) {
      specs.add(ExporterSections.resolve(section, this));
    }
    return Collections.unmodifiableList(specs);
  }

  /**
   * Whether any exporter keeps its queue on disk: {@code exporters.durable_queue}, or {@code
   * durable_queue} in a named exporter's section.
   */
  public boolean durableQueueInUse() {
    return durableQueue() || otlpExporters().stream().anyMatch(ExporterSpec::durableQueue);
  }

  // --- [rate_limiting] ------------------------------------------------------------------------

  /** Spans per second; empty means unlimited ({@code rate_limiting.max_spans_per_second}). */
  public OptionalDouble maxSpansPerSecond() {
    Double limit = get(MAX_SPANS_PER_SECOND);
    return limit == null ? OptionalDouble.empty() : OptionalDouble.of(limit);
  }

  /** How long a receiver waits for queue space ({@code rate_limiting.max_block_ms}). */
  public Duration maxBlock() {
    return Duration.ofMillis(get(MAX_BLOCK_MS));
  }

  /**
   * What happens to spans over the rate limit: {@code "refuse"} or {@code "drop"} ({@code
   * rate_limiting.policy}).
   */
  public String rateLimitPolicy() {
    return get(RATE_LIMIT_POLICY);
  }

  /**
   * Bytes of requests in memory at most; empty means derived from the heap ({@code
   * rate_limiting.max_buffer_bytes}).
   */
  public OptionalLong maxBufferBytes() {
    Long limit = get(MAX_BUFFER_BYTES);
    return limit == null ? OptionalLong.empty() : OptionalLong.of(limit);
  }

  // --- [metrics] ------------------------------------------------------------------------------

  /** Fraction of spans that feed the metrics ({@code metrics.metrics_sample_rate}). */
  public double metricsSampleRate() {
    return get(METRICS_SAMPLE_RATE);
  }

  /** How often derived metrics are exported ({@code metrics.export_interval_ms}). */
  public Duration metricsExportInterval() {
    return Duration.ofMillis(get(METRICS_EXPORT_INTERVAL_MS));
  }

  /**
   * Temporality of exported counters and histograms, {@code "delta"} or {@code "cumulative"}
   * ({@code metrics.temporality}).
   */
  public String metricsTemporality() {
    return get(METRICS_TEMPORALITY);
  }

  /** Most series per derived metric, overflow included ({@code metrics.cardinality_limit}). */
  public int metricsCardinalityLimit() {
    return get(METRICS_CARDINALITY_LIMIT);
  }

  // --- [instrumentation] ----------------------------------------------------------------------

  /** Whether missing token counts are estimated ({@code instrumentation.enable_token_counting}). */
  public boolean tokenCountingEnabled() {
    return get(ENABLE_TOKEN_COUNTING);
  }

  /** Whether costs are added ({@code instrumentation.enable_costs}). */
  public boolean costsEnabled() {
    return get(ENABLE_COSTS);
  }

  /** Whether heuristic guardrail detection runs ({@code instrumentation.guardrail_heuristics}). */
  public boolean guardrailHeuristics() {
    return get(GUARDRAIL_HEURISTICS);
  }

  // --- [guardrails] ---------------------------------------------------------------------------

  /** Whether guardrails are detected and summarised ({@code guardrails.enable_guardrails}). */
  public boolean guardrailsEnabled() {
    return get(ENABLE_GUARDRAILS);
  }

  /**
   * How long a root span waits for its trace's children, in ms ({@code
   * guardrails.root_span_wait_ms}).
   */
  public long guardrailRootSpanWaitMs() {
    return get(GUARDRAIL_ROOT_SPAN_WAIT_MS);
  }

  /** The most bytes of held root spans ({@code guardrails.max_held_root_bytes}). */
  public long guardrailMaxHeldRootBytes() {
    return get(GUARDRAIL_MAX_HELD_ROOT_BYTES);
  }

  /**
   * The guardrail categories, as the guardrail stage names them: the values {@code
   * guardrails.suppress_categories} accepts. The one list; the guardrail detector takes its own
   * from here.
   */
  public static final List<String> GUARDRAIL_CATEGORIES = ProxyKeys.GUARDRAIL_CATEGORIES;

  /**
   * Categories never reported missing ({@code guardrails.suppress_categories}), trimmed, without
   * empty entries; an empty list when none.
   */
  public List<String> guardrailSuppressCategories() {
    List<String> categories = new ArrayList<>();
    for (String c : get(GUARDRAIL_SUPPRESS_CATEGORIES).split(",", -1)) {
      if (!c.trim().isEmpty()) {
        categories.add(c.trim());
      }
    }
    return Collections.unmodifiableList(categories);
  }

  // --- redaction -----------------------------------------------------------------------------

  /** Whether content attributes are redacted ({@code redaction.enabled}). */
  public boolean redactionEnabled() {
    return get(REDACTION_ENABLED);
  }

  /** The default redaction mode: mask, hash, truncate or drop ({@code redaction.mode}). */
  public String redactionMode() {
    return get(REDACTION_MODE);
  }

  /** The built-in patterns the mask mode looks for ({@code redaction.patterns}), trimmed. */
  public List<String> redactionPatterns() {
    List<String> patterns = new ArrayList<>();
    for (String p : get(REDACTION_PATTERNS_KEY).split(",", -1)) {
      if (!p.trim().isEmpty()) {
        patterns.add(p.trim());
      }
    }
    return Collections.unmodifiableList(patterns);
  }

  /** User patterns, rule name to regular expression ({@code redaction.custom_patterns}). */
  public Map<String, String> redactionCustomPatterns() {
    return redactionJsonObject(get(REDACTION_CUSTOM_PATTERNS));
  }

  /** Modes per attribute key ({@code redaction.attribute_modes}). */
  public Map<String, String> redactionAttributeModes() {
    return redactionJsonObject(get(REDACTION_ATTRIBUTE_MODES));
  }

  /** Modes per {@code service.name}, {@code off} included ({@code redaction.service_modes}). */
  public Map<String, String> redactionServiceModes() {
    return redactionJsonObject(get(REDACTION_SERVICE_MODES));
  }

  /** The key of the hash mode ({@code redaction.hash_key}); a secret, never log it. */
  public Optional<String> redactionHashKey() {
    return Optional.ofNullable(get(REDACTION_HASH_KEY));
  }

  /** Characters the truncate mode keeps ({@code redaction.truncate_length}). */
  public int redactionTruncateLength() {
    return get(REDACTION_TRUNCATE_LENGTH);
  }

  /** Characters of each value the mask mode scans ({@code redaction.max_scan_chars}). */
  public int redactionMaxScanChars() {
    return get(REDACTION_MAX_SCAN_CHARS);
  }

  /**
   * Whether the cost is also written as {@code gen_ai.usage.cost.*} ({@code
   * instrumentation.gen_ai_cost_attributes}).
   */
  public boolean genAiCostAttributes() {
    return get(GEN_AI_COST_ATTRIBUTES);
  }

  // --- live page

  /** Whether the admin port serves the live page and its JSON API ({@code ui.enable_live_page}). */
  public boolean livePageEnabled() {
    return get(ENABLE_LIVE_PAGE);
  }

  /** Trace summaries the live page keeps ({@code ui.live_page_max_traces}). */
  public int livePageMaxTraces() {
    return get(LIVE_PAGE_MAX_TRACES);
  }

  /**
   * Spans the live page keeps for its trace trees, over all traces ({@code
   * ui.live_page_max_spans}).
   */
  public int livePageMaxSpans() {
    return get(LIVE_PAGE_MAX_SPANS);
  }

  // --- [logging] ------------------------------------------------------------------------------

  /**
   * The effective log level: {@code logging.level} if set, else {@code "debug"} when {@code
   * logging.debug} is true, else {@code "info"}. One of error, warn, info, debug, trace.
   */
  public String logLevel() {
    String level = get(LEVEL);
    if (level != null) {
      return level;
    }
    return debug() ? "debug" : "info";
  }

  /** Whether every span is logged ({@code logging.enable_span_logging}). */
  public boolean spanLoggingEnabled() {
    return get(ENABLE_SPAN_LOGGING);
  }

  // --- [advanced] -----------------------------------------------------------------------------

  // --- span content bounds

  /**
   * Most attributes of one span, span event, span link, resource or scope, and most entries of one
   * key-value list, in a trace request ({@code advanced.max_attributes}).
   */
  public int maxAttributes() {
    return get(MAX_ATTRIBUTES);
  }

  /**
   * Most bytes of one string or bytes attribute value in a trace request ({@code
   * advanced.max_attribute_value_bytes}).
   */
  public int maxAttributeValueBytes() {
    return get(MAX_ATTRIBUTE_VALUE_BYTES);
  }

  // --- [pricing] ------------------------------------------------------------------------------

  /** Local pricing table file; it need not exist ({@code pricing.cache_path}). */
  public Path pricingCachePath() {
    return get(PRICING_CACHE_PATH);
  }

  /**
   * The override from traccia.toml ({@code [pricing.override]} or {@code pricing.override_json}) or
   * the {@code --pricing-override-json} flag; it wins over {@link #pricingOverrideFromEnv()}.
   */
  public PricingOverride pricingOverride() {
    return get(PRICING_OVERRIDE);
  }

  /**
   * The override from {@code TRACCIA_PRICING_OVERRIDE_JSON} (or the deprecated {@code
   * AGENT_DASHBOARD_PRICING_JSON}); it wins over the local cache and the bundled table.
   */
  public PricingOverride pricingOverrideFromEnv() {
    return get(PRICING_OVERRIDE_FROM_ENV);
  }

  /** What the price book is built from: the cache path and both overrides. */
  public PricingSettings pricingSettings() {
    return new PricingSettings(pricingCachePath(), pricingOverrideFromEnv(), pricingOverride());
  }

  // --- [kafka] ------------------------------------------------------------------------------

  /** Bootstrap brokers as host:port strings ({@code kafka.brokers}); empty when not set. */
  public List<String> kafkaBrokers() {
    String brokers = get(KAFKA_BROKERS);
    List<String> list = new ArrayList<>();
    if (brokers != null) {
      for (String b : brokers.split(",")) {
        if (!b.trim().isEmpty()) {
          list.add(b.trim());
        }
      }
    }
    return list;
  }

  /** Whether exports are also produced to Kafka ({@code kafka.export}). */
  public boolean kafkaExport() {
    return get(KAFKA_EXPORT);
  }

  /** Whether traces are consumed from Kafka ({@code kafka.receive}). */
  public boolean kafkaReceive() {
    return get(KAFKA_RECEIVE);
  }

  /** Topic of traces ({@code kafka.traces_topic}). */
  public String kafkaTracesTopic() {
    return get(KAFKA_TRACES_TOPIC);
  }

  /** Topic of metrics ({@code kafka.metrics_topic}). */
  public String kafkaMetricsTopic() {
    return get(KAFKA_METRICS_TOPIC);
  }

  /** Topic of logs ({@code kafka.logs_topic}). */
  public String kafkaLogsTopic() {
    return get(KAFKA_LOGS_TOPIC);
  }

  /** Consumer group of the Kafka receiver ({@code kafka.group_id}). */
  public String kafkaGroupId() {
    return get(KAFKA_GROUP_ID);
  }

  /** Client id sent to the brokers ({@code kafka.client_id}). */
  public String kafkaClientId() {
    return get(KAFKA_CLIENT_ID);
  }

  /** Compression of produced batches, Kafka's own name ({@code kafka.compression}). */
  public String kafkaCompression() {
    return get(KAFKA_COMPRESSION);
  }

  /**
   * How long one export waits for the brokers' acknowledgement ({@code kafka.produce_timeout_ms}).
   */
  public Duration kafkaProduceTimeout() {
    return Duration.ofMillis(get(KAFKA_PRODUCE_TIMEOUT_MS));
  }

  /** Records one poll of the Kafka receiver returns at most ({@code kafka.max_poll_records}). */
  public int kafkaMaxPollRecords() {
    return get(KAFKA_MAX_POLL_RECORDS);
  }

  /**
   * How long a silent receiver keeps its partitions ({@code kafka.session_timeout_ms}): the time a
   * gateway that died takes to be replaced by the others.
   */
  public int kafkaSessionTimeoutMs() {
    return get(KAFKA_SESSION_TIMEOUT_MS);
  }

  /** Whether the brokers are reached over TLS ({@code kafka.tls_enabled}). */
  public boolean kafkaTlsEnabled() {
    return get(KAFKA_TLS_ENABLED);
  }

  /** PEM CA certificates for the brokers ({@code kafka.tls_ca_file}). */
  public Optional<Path> kafkaTlsCaFile() {
    return Optional.ofNullable(get(KAFKA_TLS_CA_FILE));
  }

  /** PEM client certificate chain for the brokers ({@code kafka.tls_cert_file}). */
  public Optional<Path> kafkaTlsCertFile() {
    return Optional.ofNullable(get(KAFKA_TLS_CERT_FILE));
  }

  /** PEM private key of the client certificate ({@code kafka.tls_key_file}). */
  public Optional<Path> kafkaTlsKeyFile() {
    return Optional.ofNullable(get(KAFKA_TLS_KEY_FILE));
  }

  /** SASL mechanism, or {@code "none"} ({@code kafka.sasl_mechanism}). */
  public String kafkaSaslMechanism() {
    return get(KAFKA_SASL_MECHANISM);
  }

  /** SASL user name ({@code kafka.sasl_username}). */
  public Optional<String> kafkaSaslUsername() {
    return Optional.ofNullable(get(KAFKA_SASL_USERNAME));
  }

  /** SASL password, a secret ({@code kafka.sasl_password}). */
  public Optional<String> kafkaSaslPassword() {
    return Optional.ofNullable(get(KAFKA_SASL_PASSWORD));
  }

  // --- Origins and description ----------------------------------------------------------------

  /**
   * Where the value of {@code key} came from: {@code traccia.toml:14:3}, {@code env
   * TRACCIA_MAX_QUEUE_SIZE}, {@code --max-queue-size}, {@code default} or {@code builder}.
   *
   * @param key a key in any spelling, such as {@code rate_limiting.max_queue_size}
   * @throws IllegalArgumentException if there is no such key
   */
  public String origin(String key) {
    Setting<?> setting = ProxyKeys.CATALOG.byKey(key);
    if (setting == null || !ProxyKeys.CATALOG.reads(setting)) {
      throw new IllegalArgumentException("unknown configuration key: " + key);
    }
    return origins.get(setting.target());
  }

  /**
   * One line per key, {@code server.grpc_port: 4317 (default)}, in documentation order, followed by
   * the derived values ({@code effective.traces_endpoint: ... (derived)}). Secrets are shown as
   * {@code ****}. Meant for the startup log.
   */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    for (Setting<?> s : ProxyKeys.ALL) {
      if (!isListed(s)) {
        continue;
      }
      Object value = values.get(s);
      String shown = s == LEVEL && value == null ? logLevel() : s.showUnchecked(value);
      lines.add(s.key + ": " + shown + " (" + origins.get(s) + ")");
    }
    lines.add("effective.traces_endpoint: " + showUri(tracesEndpoint()) + " (derived)");
    lines.add("effective.metrics_endpoint: " + showUri(metricsEndpoint()) + " (derived)");
    lines.add("effective.logs_endpoint: " + showUri(logsEndpoint()) + " (derived)");
    for (ExporterSections.Section section : otlpSections) {
      lines.addAll(section.describe());
    }
    List<String> exporters = new ArrayList<>();
    for (ExporterSpec spec : otlpExporters()) {
      exporters.add(spec.describe());
    }
    lines.add(
        "effective.otlp_exporters: "
            + (exporters.isEmpty() ? "(none)" : String.join("; ", exporters))
            + " (derived)");
    lines.add("effective.file_exporter: " + (fileEnabled() ? "on" : "off") + " (derived)");
    lines.add("effective.log_level: " + logLevel() + " (derived)");
    return lines;
  }

  private boolean isListed(Setting<?> s) {
    return s.target() == s;
  }

  private static String showUri(Optional<URI> uri) {
    return uri.isPresent() ? ValueType.showUri(uri.get().toString()) : "(none)";
  }

  /** Values shown for diffs and messages, secrets redacted; package-private for the reloader. */
  String shown(Setting<?> setting) {
    return setting.showUnchecked(values.get(setting.target()));
  }

  Object rawValue(Setting<?> setting) {
    return values.get(setting.target());
  }

  /** The named exporters' sections as read; package-private for the reloader. */
  List<ExporterSections.Section> otlpSections() {
    return otlpSections;
  }

  /** Compares values, not origins. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ProxyConfig
        && ((ProxyConfig) o).values.equals(values)
        && ((ProxyConfig) o).otlpSections.equals(otlpSections);
  }

  @Override
  public int hashCode() {
    return values.hashCode() * 31 + otlpSections.hashCode();
  }

  /** Every listed key and its value, with secrets shown as {@code ****}. */
  @Override
  public String toString() {
    StringJoiner joiner = new StringJoiner(", ", "ProxyConfig{", "}");
    for (Setting<?> s : ProxyKeys.ALL) {
      if (isListed(s)) {
        joiner.add(s.key + "=" + s.showUnchecked(values.get(s)));
      }
    }
    return joiner.toString();
  }

  /**
   * Builds a {@link ProxyConfig}. Not thread-safe. Each setter checks its value and throws {@link
   * IllegalArgumentException} with the pinned message form; {@link #build()} checks the rules
   * between keys. Values set here have the origin {@code builder}.
   */
  public static final class Builder {

    private final Map<Setting<?>, Object> values = new HashMap<>();
    private final Map<Setting<?>, String> origins = new HashMap<>();
    private final Map<String, ExporterSections.Section> otlpSections = new LinkedHashMap<>();

    private Builder() {
      for (Setting<?> s : ProxyKeys.ALL) {
        if (s.target() == s) {
          values.put(s, s.defaultValue);
          origins.put(s, DEFAULT_ORIGIN);
        }
      }
    }

    private Builder(ProxyConfig config) {
      values.putAll(config.values);
      origins.putAll(config.origins);
      for (ExporterSections.Section section : config.otlpSections) {
        otlpSections.put(section.name, section);
      }
    }

    private <T> Builder set(Setting<T> setting, T value) {
      values.put(setting.target(), setting.require(value));
      origins.put(setting.target(), BUILDER_ORIGIN);
      return this;
    }

    private static long millis(Setting<Long> setting, Duration duration) {
      Objects.requireNonNull(duration, setting.key);
      try {
        return duration.toMillis();
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            setting.key + ": " + duration + " (expected: a duration that fits in a long of ms)", e);
      }
    }

    /** Sets a value read by the loader, already checked, with its origin. */
    <T> void setFrom(Setting<T> setting, T value, String origin) {
      values.put(setting.target(), value);
      origins.put(setting.target(), origin);
    }

    /** Sets the values a loader read, already checked, keyed by their target setting. */
    void setAllFrom(Map<Setting<?>, Object> loaded, Map<Setting<?>, String> loadedOrigins) {
      values.putAll(loaded);
      origins.putAll(loadedOrigins);
    }

    String origin(Setting<?> setting) {
      return origins.get(setting.target());
    }

    @SuppressWarnings("unchecked")
    private <T> T value(Setting<T> setting) {
      return (T) values.get(setting.target());
    }

    /** Sets {@code server.bind_address}: an IP address or host name. */
    public Builder setBindAddress(String bindAddress) {
      return set(BIND_ADDRESS, Objects.requireNonNull(bindAddress, "bindAddress"));
    }

    /** Sets {@code server.grpc_port}: 0 to 65535, 0 picks a free port. */
    public Builder setGrpcPort(int port) {
      return set(GRPC_PORT, port);
    }

    /** Sets {@code server.http_port}: 0 to 65535, 0 picks a free port. */
    public Builder setHttpPort(int port) {
      return set(HTTP_PORT, port);
    }

    /** Sets {@code server.admin_port}: 0 to 65535, 0 picks a free port. */
    public Builder setAdminPort(int port) {
      return set(ADMIN_PORT, port);
    }

    /** Sets {@code server.max_request_bytes}: &gt; 0. */
    public Builder setMaxRequestBytes(long maxRequestBytes) {
      return set(MAX_REQUEST_BYTES, maxRequestBytes);
    }

    /** Sets {@code server.role}: {@code all}, {@code sidecar} or {@code gateway}. */
    public Builder setRole(String role) {
      Objects.requireNonNull(role, "role");
      String word = role.trim().toLowerCase(Locale.ROOT);
      if (!word.equals("all") && !word.equals("sidecar") && !word.equals("gateway")) {
        throw new IllegalArgumentException(
            ROLE.key + ": \"" + role + "\" (expected: \"all\", \"sidecar\" or \"gateway\")");
      }
      return set(ROLE, word);
    }

    /** Sets {@code server.shutdown_timeout_ms}: &gt;= 0, in whole milliseconds. */
    public Builder setShutdownTimeout(Duration timeout) {
      return set(SHUTDOWN_TIMEOUT_MS, millis(SHUTDOWN_TIMEOUT_MS, timeout));
    }

    /**
     * Sets {@code server.tls_cert_file} and {@code server.tls_key_file}: existing, readable files;
     * both null turns receiver TLS off.
     */
    public Builder setReceiverTls(Path certFile, Path keyFile) {
      set(TLS_CERT_FILE, certFile);
      return set(TLS_KEY_FILE, keyFile);
    }

    /** Sets {@code server.tls_client_ca_file}: a readable file; null turns mutual TLS off. */
    public Builder setReceiverTlsClientCaFile(Path caFile) {
      return set(TLS_CLIENT_CA_FILE, caFile);
    }

    /** Sets {@code server.tls_min_version}: {@code "1.2"} or {@code "1.3"}. */
    public Builder setReceiverTlsMinVersion(String version) {
      Objects.requireNonNull(version, "version");
      if (!version.equals("1.2") && !version.equals("1.3")) {
        throw new IllegalArgumentException(
            TLS_MIN_VERSION.key + ": " + version + " (expected: one of 1.2, 1.3)");
      }
      return set(TLS_MIN_VERSION, version);
    }

    /** Sets {@code server.tls_reload_interval_ms}: &gt;= 0, 0 never reloads. */
    public Builder setReceiverTlsReloadInterval(Duration interval) {
      return set(TLS_RELOAD_INTERVAL_MS, millis(TLS_RELOAD_INTERVAL_MS, interval));
    }

    /** Sets {@code server.auth_tokens}, copied; RFC 6750 tokens, each once. */
    public Builder setReceiverAuthTokens(List<String> tokens) {
      return set(AUTH_TOKENS, List.copyOf(tokens));
    }

    /** Sets {@code server.auth_tenants}, copied: tenant to tokens separated by spaces. */
    public Builder setReceiverAuthTenants(Map<String, String> tenants) {
      return set(AUTH_TENANTS, Collections.unmodifiableMap(new LinkedHashMap<>(tenants)));
    }

    /** Sets {@code server.tenant_attribute}: a non-blank attribute name. */
    public Builder setTenantAttribute(String attribute) {
      return set(TENANT_ATTRIBUTE, Objects.requireNonNull(attribute, "attribute"));
    }

    /** Sets {@code tracing.api_key}; null or empty clears it. */
    public Builder setApiKey(String apiKey) {
      return set(API_KEY, emptyToNull(apiKey));
    }

    /** Sets {@code tracing.endpoint}: an http or https URL with a host; null clears it. */
    public Builder setEndpoint(URI endpoint) {
      return set(ENDPOINT, endpoint);
    }

    /** Sets {@code tracing.sample_rate}: 0 to 1. */
    public Builder setSampleRate(double sampleRate) {
      return set(SAMPLE_RATE, sampleRate);
    }

    /** Sets {@code tracing.keep_error_traces}. */
    public Builder setKeepErrorTraces(boolean keep) {
      return set(KEEP_ERROR_TRACES, keep);
    }

    /** Sets {@code tracing.use_otlp}. */
    public Builder setUseOtlp(boolean useOtlp) {
      return set(USE_OTLP, useOtlp);
    }

    /** Sets {@code tracing.service_name}; null or empty clears it. */
    public Builder setServiceName(String serviceName) {
      return set(SERVICE_NAME, emptyToNull(serviceName));
    }

    /** Sets {@code exporters.enable_console}. */
    public Builder setConsoleEnabled(boolean enabled) {
      return set(ENABLE_CONSOLE, enabled);
    }

    /** Sets {@code exporters.enable_file}. */
    public Builder setFileEnabled(boolean enabled) {
      return set(ENABLE_FILE, enabled);
    }

    /** Sets {@code exporters.file_exporter_path}. */
    public Builder setFilePath(Path path) {
      return set(FILE_EXPORTER_PATH, Objects.requireNonNull(path, "path"));
    }

    /** Sets {@code exporters.reset_trace_file}. */
    public Builder setResetTraceFile(boolean reset) {
      return set(RESET_TRACE_FILE, reset);
    }

    /** Sets {@code exporters.protocol}. */
    public Builder setExporterProtocol(ExporterProtocol protocol) {
      return set(PROTOCOL, Objects.requireNonNull(protocol, "protocol"));
    }

    /** Sets {@code exporters.headers}, copied; names must be HTTP tokens, values one line. */
    public Builder setExporterHeaders(Map<String, String> headers) {
      return set(HEADERS, Collections.unmodifiableMap(new LinkedHashMap<>(headers)));
    }

    /** Sets {@code exporters.compression}. */
    public Builder setCompression(Compression compression) {
      return set(COMPRESSION, Objects.requireNonNull(compression, "compression"));
    }

    /** Sets {@code exporters.timeout_ms}: &gt; 0. */
    public Builder setExporterTimeout(Duration timeout) {
      return set(TIMEOUT_MS, millis(TIMEOUT_MS, timeout));
    }

    /** Sets {@code exporters.ca_file}: an existing, readable file; null clears it. */
    public Builder setCaFile(Path caFile) {
      return set(CA_FILE, caFile);
    }

    /** Sets {@code exporters.client_cert_file}: an existing, readable file; null clears it. */
    public Builder setClientCertFile(Path certFile) {
      return set(CLIENT_CERT_FILE, certFile);
    }

    /** Sets {@code exporters.client_key_file}: an existing, readable file; null clears it. */
    public Builder setClientKeyFile(Path keyFile) {
      return set(CLIENT_KEY_FILE, keyFile);
    }

    /** Sets {@code exporters.retry_initial_backoff_ms}: &gt; 0. */
    public Builder setRetryInitialBackoff(Duration backoff) {
      return set(RETRY_INITIAL_BACKOFF_MS, millis(RETRY_INITIAL_BACKOFF_MS, backoff));
    }

    /**
     * Sets {@code exporters.retry_max_backoff_ms}: &gt; 0 and, checked in build(), &gt;= initial.
     */
    public Builder setRetryMaxBackoff(Duration backoff) {
      return set(RETRY_MAX_BACKOFF_MS, millis(RETRY_MAX_BACKOFF_MS, backoff));
    }

    /** Sets {@code exporters.retry_max_elapsed_ms}: &gt;= 0, 0 disables retries. */
    public Builder setRetryMaxElapsed(Duration elapsed) {
      return set(RETRY_MAX_ELAPSED_MS, millis(RETRY_MAX_ELAPSED_MS, elapsed));
    }

    /** Sets {@code exporters.logs_endpoint}: an http or https URL; null derives it. */
    public Builder setLogsEndpoint(URI logsEndpoint) {
      return set(LOGS_ENDPOINT, logsEndpoint);
    }

    /** Sets {@code exporters.durable_queue}. */
    public Builder setDurableQueue(boolean durable) {
      return set(DURABLE_QUEUE, durable);
    }

    /** Sets {@code exporters.durable_queue_dir}; created when the proxy starts. */
    public Builder setDurableQueueDir(Path dir) {
      return set(DURABLE_QUEUE_DIR, Objects.requireNonNull(dir, "dir"));
    }

    /** Sets {@code exporters.durable_queue_max_bytes}: &gt; 0. */
    public Builder setDurableQueueMaxBytes(long maxBytes) {
      return set(DURABLE_QUEUE_MAX_BYTES, maxBytes);
    }

    /**
     * Adds (or replaces) the named exporter {@code [exporters.otlp.<name>]}, its keys given as text
     * the way an environment variable holds them: {@code "endpoint" -> "http://tempo:4318"}, {@code
     * "signals" -> "traces,metrics"}, {@code "headers" -> "k1=v1,k2=v2"}. Keys left out take the
     * flat {@code [exporters]} values; {@link #build()} checks the rules between keys.
     *
     * @throws IllegalArgumentException naming the section and key, such as {@code
     *     exporters.otlp.tempo.timeout_ms: 0 (expected: > 0)}
     */
    public Builder addOtlpExporter(String name, Map<String, String> settings) {
      Objects.requireNonNull(name, "name");
      ValueType.Context context =
          new ValueType.Context(
              Path.of(System.getProperty("user.home", ".")).toAbsolutePath(),
              Path.of(System.getProperty("user.dir")).toAbsolutePath());
      otlpSections.put(name, ExporterSections.fromText(name, settings, context));
      return this;
    }

    /** Replaces the named exporters with those the loader read. */
    void setOtlpSections(List<ExporterSections.Section> sections) {
      otlpSections.clear();
      for (ExporterSections.Section section : sections) {
        otlpSections.put(section.name, section);
      }
    }

    /** Sets {@code rate_limiting.max_spans_per_second}: &gt; 0; null means unlimited. */
    public Builder setMaxSpansPerSecond(Double maxSpansPerSecond) {
      return set(MAX_SPANS_PER_SECOND, maxSpansPerSecond);
    }

    /** Sets {@code rate_limiting.max_queue_size}: &gt; 0. */
    public Builder setMaxQueueSize(int maxQueueSize) {
      return set(MAX_QUEUE_SIZE, maxQueueSize);
    }

    /** Sets {@code rate_limiting.max_block_ms}: &gt;= 0. */
    public Builder setMaxBlock(Duration maxBlock) {
      return set(MAX_BLOCK_MS, millis(MAX_BLOCK_MS, maxBlock));
    }

    /** Sets {@code rate_limiting.policy}: {@code "refuse"} or {@code "drop"}. */
    public Builder setRateLimitPolicy(String policy) {
      Objects.requireNonNull(policy, "policy");
      String word = policy.trim().toLowerCase(Locale.ROOT);
      if (!word.equals("refuse") && !word.equals("drop")) {
        throw new IllegalArgumentException(
            RATE_LIMIT_POLICY.key + ": \"" + policy + "\" (expected: \"refuse\" or \"drop\")");
      }
      return set(RATE_LIMIT_POLICY, word);
    }

    /** Sets {@code rate_limiting.max_buffer_bytes}: &gt; 0; null derives it from the heap. */
    public Builder setMaxBufferBytes(Long maxBufferBytes) {
      return set(MAX_BUFFER_BYTES, maxBufferBytes);
    }

    /** Sets {@code rate_limiting.max_export_batch_size}: &gt; 0 and, in build(), &lt;= queue. */
    public Builder setMaxExportBatchSize(int maxExportBatchSize) {
      return set(MAX_EXPORT_BATCH_SIZE, maxExportBatchSize);
    }

    /** Sets {@code rate_limiting.schedule_delay_millis}: &gt; 0. */
    public Builder setScheduleDelay(Duration delay) {
      return set(SCHEDULE_DELAY_MILLIS, millis(SCHEDULE_DELAY_MILLIS, delay));
    }

    /** Sets {@code metrics.enable_metrics}. */
    public Builder setMetricsEnabled(boolean enabled) {
      return set(ENABLE_METRICS, enabled);
    }

    /** Sets {@code metrics.metrics_endpoint}: an http or https URL; null derives it. */
    public Builder setMetricsEndpoint(URI metricsEndpoint) {
      return set(METRICS_ENDPOINT, metricsEndpoint);
    }

    /** Sets {@code metrics.metrics_sample_rate}: 0 to 1. */
    public Builder setMetricsSampleRate(double sampleRate) {
      return set(METRICS_SAMPLE_RATE, sampleRate);
    }

    /** Sets {@code metrics.export_interval_ms}: &gt; 0. */
    public Builder setMetricsExportInterval(Duration interval) {
      return set(METRICS_EXPORT_INTERVAL_MS, millis(METRICS_EXPORT_INTERVAL_MS, interval));
    }

    /** Sets {@code metrics.temporality}: {@code "delta"} or {@code "cumulative"}. */
    public Builder setMetricsTemporality(String temporality) {
      Objects.requireNonNull(temporality, "temporality");
      String word = temporality.trim().toLowerCase(Locale.ROOT);
      if (!word.equals("delta") && !word.equals("cumulative")) {
        throw new IllegalArgumentException(
            METRICS_TEMPORALITY.key
                + ": \""
                + temporality
                + "\" (expected: \"delta\" or \"cumulative\")");
      }
      return set(METRICS_TEMPORALITY, word);
    }

    /** Sets {@code metrics.cardinality_limit}: &gt; 0. */
    public Builder setMetricsCardinalityLimit(int limit) {
      return set(METRICS_CARDINALITY_LIMIT, limit);
    }

    /** Sets {@code instrumentation.enable_token_counting}. */
    public Builder setTokenCountingEnabled(boolean enabled) {
      return set(ENABLE_TOKEN_COUNTING, enabled);
    }

    /** Sets {@code instrumentation.enable_costs}. */
    public Builder setCostsEnabled(boolean enabled) {
      return set(ENABLE_COSTS, enabled);
    }

    /** Sets {@code instrumentation.guardrail_heuristics}. */
    public Builder setGuardrailHeuristics(boolean enabled) {
      return set(GUARDRAIL_HEURISTICS, enabled);
    }

    /** Sets {@code guardrails.enable_guardrails}. */
    public Builder setGuardrailsEnabled(boolean enabled) {
      return set(ENABLE_GUARDRAILS, enabled);
    }

    /** Sets {@code guardrails.root_span_wait_ms}. */
    public Builder setGuardrailRootSpanWaitMs(long waitMs) {
      return set(GUARDRAIL_ROOT_SPAN_WAIT_MS, waitMs);
    }

    /** Sets {@code guardrails.max_held_root_bytes}. */
    public Builder setGuardrailMaxHeldRootBytes(long maxBytes) {
      return set(GUARDRAIL_MAX_HELD_ROOT_BYTES, maxBytes);
    }

    /** Sets {@code guardrails.suppress_categories}, comma-separated. */
    public Builder setGuardrailSuppressCategories(String categories) {
      return set(GUARDRAIL_SUPPRESS_CATEGORIES, categories);
    }

    // --- live page

    /** Sets {@code ui.enable_live_page}. */
    public Builder setLivePageEnabled(boolean enabled) {
      return set(ENABLE_LIVE_PAGE, enabled);
    }

    /** Sets {@code ui.live_page_max_traces}. */
    public Builder setLivePageMaxTraces(int maxTraces) {
      return set(LIVE_PAGE_MAX_TRACES, maxTraces);
    }

    /** Sets {@code ui.live_page_max_spans}. */
    public Builder setLivePageMaxSpans(int maxSpans) {
      return set(LIVE_PAGE_MAX_SPANS, maxSpans);
    }

    /** Sets {@code logging.debug}. */
    public Builder setDebug(boolean debug) {
      return set(DEBUG, debug);
    }

    /** Sets {@code logging.enable_span_logging}. */
    public Builder setSpanLoggingEnabled(boolean enabled) {
      return set(ENABLE_SPAN_LOGGING, enabled);
    }

    /**
     * Sets {@code logging.level}: error, warn, info, debug or trace; null derives it from debug.
     */
    public Builder setLogLevel(String level) {
      return set(LEVEL, level == null ? null : level.trim().toLowerCase(Locale.ROOT));
    }

    /** Sets {@code advanced.attr_truncation_limit}: &gt; 0; null means no limit. */
    public Builder setAttrTruncationLimit(Integer limit) {
      return set(ATTR_TRUNCATION_LIMIT, limit);
    }

    // --- span content bounds

    /** Sets {@code advanced.max_attributes}: &gt; 0. */
    public Builder setMaxAttributes(int maxAttributes) {
      return set(MAX_ATTRIBUTES, maxAttributes);
    }

    /** Sets {@code advanced.max_attribute_value_bytes}: &gt; 0. */
    public Builder setMaxAttributeValueBytes(int maxAttributeValueBytes) {
      return set(MAX_ATTRIBUTE_VALUE_BYTES, maxAttributeValueBytes);
    }

    /** Sets {@code pricing.cache_path}; the file need not exist. */
    public Builder setPricingCachePath(Path path) {
      return set(PRICING_CACHE_PATH, Objects.requireNonNull(path, "path"));
    }

    /** Sets the override of traccia.toml or flags ({@code [pricing.override]}). */
    public Builder setPricingOverride(PricingOverride override) {
      return set(PRICING_OVERRIDE, Objects.requireNonNull(override, "override"));
    }

    /** Sets the override of {@code TRACCIA_PRICING_OVERRIDE_JSON}. */
    public Builder setPricingOverrideFromEnv(PricingOverride override) {
      return set(PRICING_OVERRIDE_FROM_ENV, Objects.requireNonNull(override, "override"));
    }

    private static String emptyToNull(String s) {
      return s == null || s.isEmpty() ? null : s;
    }

    /**
     * Returns the configuration.
     *
     * @throws ConfigException listing every broken rule between keys: two listeners on one port, a
     *     batch larger than the queue, a maximum backoff below the initial one, a client
     *     certificate without its key (or the reverse), or no exporter at all
     */
    public ProxyConfig build() {
      List<ConfigProblem> problems = crossFieldProblems(Collections.<Setting<?>>emptySet());
      if (!problems.isEmpty()) {
        throw new ConfigException(problems);
      }
      return new ProxyConfig(values, origins, new ArrayList<>(otlpSections.values()));
    }

    /** Builds without the cross-field checks; the loader has run them already. */
    ProxyConfig buildChecked() {
      return new ProxyConfig(values, origins, new ArrayList<>(otlpSections.values()));
    }

    /**
     * The rules between keys; a rule is skipped if one of its keys is in {@code skip}.
     *
     * <p>First, a batch size left at its default is capped to the queue size, as OTel's batch
     * processor does, so that lowering only {@code max_queue_size} is not an error. A batch size
     * that was set explicitly and exceeds the queue is reported.
     */
    List<ConfigProblem> crossFieldProblems(Set<Setting<?>> skip) {
      if (DEFAULT_ORIGIN.equals(origin(MAX_EXPORT_BATCH_SIZE))
          && !skip.contains(MAX_QUEUE_SIZE)
          && value(MAX_EXPORT_BATCH_SIZE) > value(MAX_QUEUE_SIZE)) {
        setFrom(
            MAX_EXPORT_BATCH_SIZE,
            value(MAX_QUEUE_SIZE),
            DEFAULT_ORIGIN + ", capped to " + MAX_QUEUE_SIZE.key);
      }
      List<ConfigProblem> problems = new ArrayList<>();
      List<Setting<Integer>> ports = Arrays.asList(GRPC_PORT, HTTP_PORT, ADMIN_PORT);
      for (int j = 1; j < ports.size(); j++) {
        for (int i = 0; i < j; i++) {
          Setting<Integer> a = ports.get(i);
          Setting<Integer> b = ports.get(j);
          if (skip.contains(a) || skip.contains(b)) {
            continue;
          }
          int pa = value(a);
          int pb = value(b);
          if (pa != 0 && pa == pb) {
            problems.add(problem(b, "a port not used by " + a.key + " [" + origin(a) + "]"));
          }
        }
      }
      if (!skip.contains(MAX_EXPORT_BATCH_SIZE)
          && !skip.contains(MAX_QUEUE_SIZE)
          && value(MAX_EXPORT_BATCH_SIZE) > value(MAX_QUEUE_SIZE)) {
        problems.add(problem(MAX_EXPORT_BATCH_SIZE, "<= " + which(MAX_QUEUE_SIZE)));
      }
      if (!skip.contains(RETRY_MAX_BACKOFF_MS)
          && !skip.contains(RETRY_INITIAL_BACKOFF_MS)
          && value(RETRY_MAX_BACKOFF_MS) < value(RETRY_INITIAL_BACKOFF_MS)) {
        problems.add(problem(RETRY_MAX_BACKOFF_MS, ">= " + which(RETRY_INITIAL_BACKOFF_MS)));
      }
      if (!skip.contains(CLIENT_CERT_FILE) && !skip.contains(CLIENT_KEY_FILE)) {
        boolean cert = value(CLIENT_CERT_FILE) != null;
        boolean key = value(CLIENT_KEY_FILE) != null;
        if (cert && !key) {
          problems.add(
              problem(
                  CLIENT_CERT_FILE,
                  "set together with " + CLIENT_KEY_FILE.key + ", which is not set"));
        } else if (key && !cert) {
          problems.add(
              problem(
                  CLIENT_KEY_FILE,
                  "set together with " + CLIENT_CERT_FILE.key + ", which is not set"));
        }
      }
      problems.addAll(kafkaProblems(skip));
      problems.addAll(receiverSecurityProblems(skip));
      problems.addAll(exporterProblems(skip));
      if (!skip.contains(USE_OTLP)
          && !skip.contains(ENABLE_CONSOLE)
          && !skip.contains(ENABLE_FILE)
          && !skip.contains(KAFKA_EXPORT)
          && !value(USE_OTLP)
          && !value(KAFKA_EXPORT)
          && !value(ENABLE_CONSOLE)
          && !value(ENABLE_FILE)) {
        problems.add(
            problem(
                USE_OTLP,
                "true, or "
                    + ENABLE_CONSOLE.key
                    + " or "
                    + ENABLE_FILE.key
                    + " set to true; otherwise spans have nowhere to go"));
      }
      if (!skip.contains(REDACTION_HASH_KEY) && value(REDACTION_HASH_KEY) == null) {
        // The hash mode keys its HMAC with a secret of the user's: without one it cannot run.
        for (Setting<String> modes :
            Arrays.asList(REDACTION_MODE, REDACTION_ATTRIBUTE_MODES, REDACTION_SERVICE_MODES)) {
          if (skip.contains(modes)) {
            continue;
          }
          String value = value(modes);
          boolean hash =
              modes == REDACTION_MODE
                  ? "hash".equals(value)
                  : redactionJsonObject(value) != null
                      && redactionJsonObject(value).containsValue("hash");
          if (hash) {
            problems.add(
                problem(
                    modes,
                    "no hash mode unless "
                        + REDACTION_HASH_KEY.key
                        + " is set (the HMAC-SHA256 key of hashed values)"));
            break;
          }
        }
      }
      return problems;
    }

    /** The rules between the {@code [kafka]} keys. */
    private List<ConfigProblem> kafkaProblems(Set<Setting<?>> skip) {
      List<ConfigProblem> problems = new ArrayList<>();
      if (skip.contains(KAFKA_BROKERS)
          || skip.contains(KAFKA_EXPORT)
          || skip.contains(KAFKA_RECEIVE)) {
        return problems;
      }
      boolean export = value(KAFKA_EXPORT);
      boolean receive = value(KAFKA_RECEIVE);
      if (!export && !receive) {
        return problems;
      }
      Setting<Boolean> on = export ? KAFKA_EXPORT : KAFKA_RECEIVE;
      if (value(KAFKA_BROKERS) == null) {
        problems.add(problem(KAFKA_BROKERS, "set when " + which(on)));
      }
      if (export && receive && !skip.contains(KAFKA_TRACES_TOPIC)) {
        // One process producing to the topic it consumes would read back its own output forever.
        problems.add(
            problem(
                KAFKA_RECEIVE,
                "not true together with "
                    + which(KAFKA_EXPORT)
                    + ": a proxy would consume the traces it produces to "
                    + value(KAFKA_TRACES_TOPIC)
                    + "; run the producing and the consuming tiers as separate proxies"));
      }
      if (!skip.contains(KAFKA_SASL_MECHANISM) && !"none".equals(value(KAFKA_SASL_MECHANISM))) {
        for (Setting<String> s : Arrays.asList(KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)) {
          if (!skip.contains(s) && value(s) == null) {
            problems.add(problem(s, "set when " + which(KAFKA_SASL_MECHANISM)));
          }
        }
      }
      if (!skip.contains(KAFKA_TLS_CERT_FILE) && !skip.contains(KAFKA_TLS_KEY_FILE)) {
        boolean cert = value(KAFKA_TLS_CERT_FILE) != null;
        boolean key = value(KAFKA_TLS_KEY_FILE) != null;
        if (cert != key) {
          Setting<Path> set = cert ? KAFKA_TLS_CERT_FILE : KAFKA_TLS_KEY_FILE;
          Setting<Path> missing = cert ? KAFKA_TLS_KEY_FILE : KAFKA_TLS_CERT_FILE;
          problems.add(problem(set, "set together with " + missing.key + ", which is not set"));
        }
      }
      return problems;
    }

    /** The rules between the receiver TLS and authentication keys. */
    private List<ConfigProblem> receiverSecurityProblems(Set<Setting<?>> skip) {
      List<ConfigProblem> problems = new ArrayList<>();
      boolean cert = value(TLS_CERT_FILE) != null;
      if (!skip.contains(TLS_CERT_FILE) && !skip.contains(TLS_KEY_FILE)) {
        boolean key = value(TLS_KEY_FILE) != null;
        if (cert && !key) {
          problems.add(
              problem(
                  TLS_CERT_FILE, "set together with " + TLS_KEY_FILE.key + ", which is not set"));
        } else if (key && !cert) {
          problems.add(
              problem(
                  TLS_KEY_FILE, "set together with " + TLS_CERT_FILE.key + ", which is not set"));
        }
      }
      if (!skip.contains(TLS_CLIENT_CA_FILE)
          && !skip.contains(TLS_CERT_FILE)
          && value(TLS_CLIENT_CA_FILE) != null
          && !cert) {
        problems.add(
            problem(
                TLS_CLIENT_CA_FILE,
                "set only with "
                    + TLS_CERT_FILE.key
                    + ", which is not set (mutual TLS needs TLS)"));
      }
      if (!skip.contains(AUTH_TOKENS) && !skip.contains(AUTH_TENANTS)) {
        Set<String> plain = new java.util.HashSet<>(value(AUTH_TOKENS));
        for (String tokens : value(AUTH_TENANTS).values()) {
          for (String token : ProxyKeys.splitTokens(tokens)) {
            if (plain.contains(token)) {
              problems.add(problem(AUTH_TENANTS, "tokens not also listed in " + AUTH_TOKENS.key));
              return problems;
            }
          }
        }
      }
      return problems;
    }

    /**
     * The rules the OTLP exporters apply when they are built, checked here so that {@code doctor}
     * and {@code serve} refuse the same configurations with the same messages. Only when spans are
     * exported over OTLP, as the exporters exist only then.
     */
    private List<ConfigProblem> exporterProblems(Set<Setting<?>> skip) {
      List<ConfigProblem> problems = new ArrayList<>();
      if (skip.contains(USE_OTLP)
          || skip.contains(ENDPOINT)
          || skip.contains(API_KEY)
          || skip.contains(PROTOCOL)) {
        return problems;
      }
      ProxyConfig view = new ProxyConfig(values, origins, Collections.emptyList());
      for (ExporterSections.Section section : otlpSections.values()) {
        problems.addAll(ExporterSections.problems(section, view));
      }
      Optional<URI> traces = view.tracesEndpoint();
      if (!traces.isPresent()) {
        return problems;
      }
      ExporterProtocol protocol = value(PROTOCOL);
      Map<String, String> headers = value(HEADERS);
      if (!skip.contains(HEADERS)) {
        for (String name : headers.keySet()) {
          if (protocol.reservesHeader(name)) {
            problems.add(
                problem(
                    HEADERS,
                    "no header "
                        + name.toLowerCase(Locale.ROOT)
                        + ", which the "
                        + protocol
                        + " exporter sets itself or its transport forbids ("
                        + which(PROTOCOL)
                        + ")"));
          }
        }
        if (value(API_KEY) != null
            && headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("authorization"))) {
          problems.add(
              problem(
                  API_KEY,
                  "not set together with an authorization header in "
                      + HEADERS.key
                      + " ["
                      + origin(HEADERS)
                      + "]; the key is sent as authorization: Bearer <key>, so set only one of"
                      + " them"));
        }
      }
      if (protocol == ExporterProtocol.GRPC) {
        URI uri = traces.get();
        String path = uri.getRawPath();
        boolean hasPath = path != null && !path.isEmpty() && !path.equals("/");
        if (value(ENDPOINT) == null && (hasPath || uri.getRawQuery() != null)) {
          problems.add(
              problem(
                  PROTOCOL,
                  "\"http/protobuf\" when spans go to the Traccia platform ("
                      + API_KEY.key
                      + " without "
                      + ENDPOINT.key
                      + "), which takes OTLP/HTTP; or set "
                      + ENDPOINT.key
                      + " to an OTLP/gRPC backend"));
        } else if (hasPath || uri.getRawQuery() != null) {
          problems.add(
              problem(
                  ENDPOINT,
                  "scheme://host:port without a path or query, such as http://localhost:4317,"
                      + " with "
                      + which(PROTOCOL)
                      + "; OTLP/gRPC has no URL path or query"));
        }
      }
      if (!skip.contains(CA_FILE) && !skip.contains(CLIENT_CERT_FILE)) {
        boolean tls =
            protocol == ExporterProtocol.GRPC
                ? isHttps(traces)
                : isHttps(traces)
                    || isHttps(view.metricsEndpoint())
                    || isHttps(view.logsEndpoint());
        Setting<Path> tlsFile =
            value(CA_FILE) != null
                ? CA_FILE
                : value(CLIENT_CERT_FILE) != null ? CLIENT_CERT_FILE : null;
        if (!tls && tlsFile != null) {
          problems.add(
              problem(
                  tlsFile,
                  "unset, or an https:// endpoint to use TLS with; the endpoint is "
                      + Redaction.url(traces.get())
                      + " ["
                      + origin(value(ENDPOINT) != null ? ENDPOINT : API_KEY)
                      + "]"));
        }
      }
      return problems;
    }

    private static boolean isHttps(Optional<URI> uri) {
      return uri.isPresent() && "https".equalsIgnoreCase(uri.get().getScheme());
    }

    private <T> ConfigProblem problem(Setting<T> setting, String expected) {
      return ConfigProblem.of(setting.key, setting.show(value(setting)), expected, origin(setting));
    }

    private String which(Setting<?> setting) {
      return setting.key
          + ", which is "
          + setting.showUnchecked(values.get(setting))
          + " ["
          + origin(setting)
          + "]";
    }
  }
}
