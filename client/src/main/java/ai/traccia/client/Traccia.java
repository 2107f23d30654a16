/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import ai.traccia.client.internal.ObserveRuntime;
import ai.traccia.client.internal.Values;
import ai.traccia.client.internal.Weaving;
import ai.traccia.proxy.config.ClientConfig;
import ai.traccia.proxy.config.Compression;
import ai.traccia.proxy.config.ConfigException;
import ai.traccia.proxy.config.ConfigReader;
import ai.traccia.proxy.config.ConfigWarning;
import ai.traccia.proxy.config.ExporterProtocol;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Traccia Java client: sends the application's spans over OTLP/HTTP to Traccia Proxy, which
 * adds token counts, cost, agent identity and guardrail findings.
 *
 * <pre>{@code
 * Traccia traccia = Traccia.builder().setServiceName("support-bot").setAgentId("support").init();
 * ...
 * traccia.shutdown(); // or let the shutdown hook flush at exit
 * }</pre>
 *
 * <p>{@link #init()} reads the configuration as the proxy does (explicit builder values, then
 * {@code TRACCIA_*} variables, then {@code ./traccia.toml} or {@code ~/.traccia/config.toml}, then
 * defaults), sets up the OpenTelemetry SDK, and makes {@link Observe} methods record spans. Without
 * a configured endpoint, spans go to a proxy on {@code http://localhost:4318}, never straight to
 * the Traccia platform.
 *
 * <p>There is one client per JVM. Its static helpers ({@link #span}, {@link #runIdentity}, {@link
 * #guardrailSpan}, {@link #meter()}) are thread-safe and may be called before {@code init()}, in
 * which case spans and metrics go to a no-op implementation.
 */
public final class Traccia {

  private static final Logger logger = Logger.getLogger(Traccia.class.getName());

  /** Where spans go when no endpoint is configured: a proxy on this machine. */
  public static final URI DEFAULT_ENDPOINT = URI.create("http://localhost:4318/v1/traces");

  static final String SCOPE = "ai.traccia.client";

  // The Python SDK's batching defaults, used when the key was not set: the proxy's own defaults
  // (much larger queues, 200 ms delay) suit a server that batches for many applications.
  static final int DEFAULT_MAX_QUEUE_SIZE = 5000;
  static final int DEFAULT_MAX_EXPORT_BATCH_SIZE = 512;
  static final Duration DEFAULT_SCHEDULE_DELAY = Duration.ofMillis(5000);

  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  private static final Object lock = new Object();
  private static volatile Traccia instance;

  private final OpenTelemetrySdk sdk;
  private final ClientConfig config;
  private final URI tracesEndpoint;
  private final Weaving.Mode weaving;
  private final Thread shutdownHook;
  private final AtomicBoolean shutdown = new AtomicBoolean();

  private Traccia(
      OpenTelemetrySdk sdk, ClientConfig config, URI tracesEndpoint, Weaving.Mode weaving) {
    this.sdk = sdk;
    this.config = config;
    this.tracesEndpoint = tracesEndpoint;
    this.weaving = weaving;
    this.shutdownHook = new Thread(this::shutdownFromHook, "traccia-shutdown");
  }

  /**
   * Starts the client with the configuration found in the environment, {@code traccia.toml} and
   * defaults; the same as {@code builder().init()}.
   *
   * @throws ConfigException listing every problem with the configuration
   */
  public static Traccia init() {
    return builder().init();
  }

  /** A builder for explicit settings, which take precedence over every other source. */
  public static Builder builder() {
    return new Builder();
  }

  /** The running client, or empty before {@link #init()} and after {@link #shutdown()}. */
  public static Optional<Traccia> current() {
    return Optional.ofNullable(instance);
  }

  /** The OpenTelemetry SDK spans and metrics go through, for instrumentation of your own. */
  public OpenTelemetry openTelemetry() {
    return sdk;
  }

  /** The effective configuration, with every value's origin ({@link ClientConfig#origin}). */
  public ClientConfig config() {
    return config;
  }

  /** Where spans are sent; empty when {@code tracing.use_otlp} is false. */
  public Optional<URI> tracesEndpoint() {
    return Optional.ofNullable(tracesEndpoint);
  }

  /**
   * Whether {@link Observe} takes effect: the weaver is in this JVM, by {@code -javaagent} or by
   * attaching from {@code init()}.
   */
  public boolean observeActive() {
    return weaving != Weaving.Mode.NONE;
  }

  /**
   * Sends every finished span and the current metrics now. Blocks up to {@code timeout}.
   *
   * @return whether everything was sent in time
   */
  public boolean forceFlush(Duration timeout) {
    CompletableResultCode traces = sdk.getSdkTracerProvider().forceFlush();
    CompletableResultCode metrics = sdk.getSdkMeterProvider().forceFlush();
    return CompletableResultCode.ofAll(Arrays.asList(traces, metrics))
        .join(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .isSuccess();
  }

  /**
   * Flushes and stops the client, waiting up to 10 seconds. Idempotent. Afterwards observed methods
   * record nothing, and {@link #init()} may start a new client.
   */
  public void shutdown() {
    if (!shutdown.compareAndSet(false, true)) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook is what called us.
    }
    synchronized (lock) {
      if (instance == this) {
        instance = null;
        ObserveRuntime.reset();
      }
    }
    CompletableResultCode result =
        sdk.shutdown().join(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (!result.isSuccess()) {
      logger.warning(
          "Traccia: not every span could be sent to "
              + tracesEndpoint
              + " before shutdown ("
              + SHUTDOWN_TIMEOUT.getSeconds()
              + " s). Check that Traccia Proxy is running and reachable.");
    }
  }

  private void shutdownFromHook() {
    shutdown();
  }

  // --- Helpers for application code --------------------------------------------------------------

  /**
   * Runs {@code body} inside a new span named {@code name}, child of the current span, with {@code
   * attributes} (converted as {@link Observe} converts arguments). An exception is recorded ({@code
   * error.*}, status ERROR) and rethrown; otherwise the status is OK. Returns what the body
   * returns.
   */
  public static <T, E extends Exception> T span(
      String name, Map<String, ?> attributes, SpanBody<T, E> body) throws E {
    Span span = ObserveRuntime.tracer(SCOPE).spanBuilder(name).startSpan();
    if (span.isRecording()) {
      ObserveRuntime.values().putAll(span, attributes);
    }
    try (Scope ignored = span.makeCurrent()) {
      T result = body.run(span);
      ObserveRuntime.markOk(span);
      return result;
    } catch (Throwable t) {
      Values.recordError(span, t);
      throw t;
    } finally {
      span.end();
    }
  }

  /**
   * Makes {@code agentId}, {@code agentName} and {@code env} the identity of every span started on
   * this thread until the returned scope is closed, for servers that run many agents: each span
   * gets {@code agent.id}, {@code agent.name}, {@code env} and {@code environment} (unless it sets
   * them itself). Null or blank values are left out. Other threads are unaffected, except those
   * that inherit this thread's OpenTelemetry context ({@link Context#taskWrapping}).
   *
   * <pre>{@code
   * try (IdentityScope run = Traccia.runIdentity("billing-agent", "Billing", "production")) {
   *   agent.handle(request);
   * }
   * }</pre>
   */
  public static IdentityScope runIdentity(String agentId, String agentName, String env) {
    RunIdentity identity = new RunIdentity(agentId, agentName, env);
    return new IdentityScope(Context.current().with(RunIdentity.KEY, identity).makeCurrent());
  }

  /**
   * Opens a guardrail span, {@code guardrail.<name>}, current until closed: {@code
   * span.type=guardrail}, {@code guardrail.name}, {@code guardrail.category}, {@code
   * guardrail.enforcement_mode}, {@code guardrail.source_sdk=manual_observe} and {@code
   * guardrail.evidence_type=span_attribute}. Null category or mode read as {@code "unknown"}.
   */
  public static GuardrailSpan guardrailSpan(String name, String category, String enforcementMode) {
    Span span =
        ObserveRuntime.tracer(SCOPE)
            .spanBuilder("guardrail." + name)
            .setAttribute("span.type", "guardrail")
            .setAttribute("guardrail.name", name)
            .setAttribute("guardrail.category", category == null ? "unknown" : category)
            .setAttribute(
                "guardrail.enforcement_mode", enforcementMode == null ? "unknown" : enforcementMode)
            .setAttribute("guardrail.source_sdk", "manual_observe")
            .setAttribute("guardrail.evidence_type", "span_attribute")
            .startSpan();
    return new GuardrailSpan(span, span.makeCurrent());
  }

  /** {@link #guardrailSpan(String, String, String)} with category and mode {@code "unknown"}. */
  public static GuardrailSpan guardrailSpan(String name) {
    return guardrailSpan(name, null, null);
  }

  /**
   * Adds {@code categories} to {@code traccia.guardrail.suppress_missing} on the current span, so
   * the proxy does not report them as missing guardrails for this trace (for checks done outside
   * what is traced).
   */
  public static void suppressMissingGuardrails(String... categories) {
    Span span = Span.current();
    Set<String> all = new LinkedHashSet<>();
    if (span instanceof ReadableSpan) {
      List<String> existing = ((ReadableSpan) span).getAttribute(GuardrailSpan.SUPPRESS_MISSING);
      if (existing != null) {
        all.addAll(existing);
      }
    }
    all.addAll(Arrays.asList(categories));
    span.setAttribute(GuardrailSpan.SUPPRESS_MISSING, new ArrayList<>(all));
  }

  /**
   * The meter for custom metrics, exported to the proxy with the spans. Instruments created before
   * {@link #init()} stay no-ops; create them after.
   */
  public static Meter meter() {
    return ObserveRuntime.openTelemetry().getMeter(SCOPE);
  }

  /** A counter on {@link #meter()}, for example {@code counter("orders.placed", "Orders")}. */
  public static LongCounter counter(String name, String description) {
    return meter().counterBuilder(name).setDescription(description).build();
  }

  /** A histogram on {@link #meter()}, for example {@code histogram("latency", "Latency", "ms")}. */
  public static DoubleHistogram histogram(String name, String description, String unit) {
    return meter().histogramBuilder(name).setDescription(description).setUnit(unit).build();
  }

  // --- Setup -------------------------------------------------------------------------------------

  private static Traccia start(Builder b, ClientConfig config) {
    for (ConfigWarning warning : config.warnings()) {
      logger.warning("Traccia: " + warning.message());
    }
    URI endpoint = null;
    if (config.useOtlp()) {
      endpoint = tracesEndpoint(config);
      if (config.exporterProtocol() == ExporterProtocol.GRPC) {
        logger.warning(
            "Traccia: exporters.protocol = grpc ("
                + config.origin("exporters.protocol")
                + ") is ignored by the Java client, which sends OTLP/HTTP protobuf to "
                + endpoint
                + ". Point tracing.endpoint at the proxy's HTTP port (4318).");
      }
    } else {
      logger.warning(
          "Traccia: tracing.use_otlp is false ("
              + config.origin("tracing.use_otlp")
              + "), so spans are not sent anywhere: the Java client only exports OTLP.");
    }

    Resource resource = Resource.getDefault().merge(Resource.create(resource(config, b)));
    SdkTracerProvider tracerProvider =
        SdkTracerProvider.builder()
            .setResource(resource)
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRate())))
            .addSpanProcessor(new IdentitySpanProcessor())
            .addSpanProcessor(exportProcessor(b, config, endpoint))
            .build();
    SdkMeterProviderBuilder meters = SdkMeterProvider.builder().setResource(resource);
    MetricReader reader = metricReader(b, config, endpoint);
    if (reader != null) {
      meters.registerMetricReader(reader);
    }
    OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(tracerProvider)
            .setMeterProvider(meters.build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    if (b.registerGlobal) {
      try {
        GlobalOpenTelemetry.set(sdk);
      } catch (IllegalStateException e) {
        logger.info(
            "Traccia: another OpenTelemetry is already registered globally; Traccia spans use"
                + " their own SDK, and instrumentation that uses GlobalOpenTelemetry keeps the"
                + " other one.");
      }
    }
    ObserveRuntime.configure(sdk, Values.of(config.attrTruncationLimit()));

    Weaving.Mode weaving = Weaving.mode();
    if (weaving == Weaving.Mode.NONE) {
      if (b.selfAttach) {
        weaving = Weaving.selfAttach();
      } else {
        logger.warning(
            "Traccia: @Observe is not active: self-attach is disabled"
                + " (Traccia.builder().setSelfAttach(false)) and the JVM was not started with"
                + " -javaagent:<path to traccia-client.jar>.");
      }
    }
    Traccia traccia = new Traccia(sdk, config, endpoint, weaving);
    Runtime.getRuntime().addShutdownHook(traccia.shutdownHook);
    logger.info(
        "Traccia client started: spans to "
            + (endpoint == null ? "nowhere (tracing.use_otlp = false)" : endpoint)
            + ", service.name="
            + resource.getAttribute(AttributeKey.stringKey("service.name"))
            + ", sample_rate="
            + config.sampleRate()
            + ", @Observe "
            + describe(weaving));
    if (logger.isLoggable(Level.FINE)) {
      logger.fine("Traccia configuration:\n  " + String.join("\n  ", config.describe()));
    }
    return traccia;
  }

  private static String describe(Weaving.Mode weaving) {
    switch (weaving) {
      case AGENT:
        return "woven by -javaagent";
      case SELF_ATTACHED:
        return "woven by self-attach";
      default:
        return "inactive";
    }
  }

  /** {@code tracing.endpoint} (with /v1/traces added to a bare host), else the local proxy. */
  static URI tracesEndpoint(ClientConfig config) {
    Optional<URI> configured = config.endpoint();
    if (!configured.isPresent()) {
      return DEFAULT_ENDPOINT;
    }
    URI uri = configured.get();
    String path = uri.getRawPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
      return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + "/v1/traces" + query);
    }
    return uri;
  }

  /**
   * {@code metrics.metrics_endpoint} if set, else the traces endpoint with its last segment {@code
   * traces} replaced by {@code metrics}; null if neither applies.
   */
  static URI metricsEndpoint(ClientConfig config, URI tracesEndpoint) {
    if (!"default".equals(config.origin("metrics.metrics_endpoint"))
        && config.metricsEndpoint().isPresent()) {
      return config.metricsEndpoint().get();
    }
    if (tracesEndpoint == null) {
      return null;
    }
    String path = tracesEndpoint.getRawPath();
    if (!path.endsWith("/traces")) {
      return null;
    }
    String query = tracesEndpoint.getRawQuery() == null ? "" : "?" + tracesEndpoint.getRawQuery();
    return URI.create(
        tracesEndpoint.getScheme()
            + "://"
            + tracesEndpoint.getRawAuthority()
            + path.substring(0, path.length() - "traces".length())
            + "metrics"
            + query);
  }

  private static SpanProcessor exportProcessor(Builder b, ClientConfig config, URI endpoint) {
    if (b.spanExporter != null) {
      return SimpleSpanProcessor.create(b.spanExporter);
    }
    if (endpoint == null) {
      return SpanProcessor.composite();
    }
    OtlpHttpSpanExporterBuilder exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(endpoint.toString())
            .setTimeout(config.exporterTimeout())
            .setCompression(config.compression() == Compression.GZIP ? "gzip" : "none");
    headers(config).forEach(exporter::addHeader);
    tls(config, exporter);
    int queue = sizeOr(config, "rate_limiting.max_queue_size", DEFAULT_MAX_QUEUE_SIZE);
    int batch =
        Math.min(
            queue,
            sizeOr(config, "rate_limiting.max_export_batch_size", DEFAULT_MAX_EXPORT_BATCH_SIZE));
    Duration delay =
        "default".equals(config.origin("rate_limiting.schedule_delay_millis"))
            ? DEFAULT_SCHEDULE_DELAY
            : config.scheduleDelay();
    return BatchSpanProcessor.builder(exporter.build())
        .setMaxQueueSize(queue)
        .setMaxExportBatchSize(batch)
        .setScheduleDelay(delay)
        .build();
  }

  private static MetricReader metricReader(Builder b, ClientConfig config, URI tracesEndpoint) {
    if (b.metricReader != null) {
      return b.metricReader;
    }
    if (!config.metricsEnabled() || !config.useOtlp()) {
      return null;
    }
    URI endpoint = metricsEndpoint(config, tracesEndpoint);
    if (endpoint == null) {
      logger.warning(
          "Traccia: custom metrics are not exported: no metrics endpoint can be derived from "
              + tracesEndpoint
              + " (its path does not end in /traces). Set metrics.metrics_endpoint"
              + " (TRACCIA_METRICS_ENDPOINT).");
      return null;
    }
    OtlpHttpMetricExporterBuilder exporter =
        OtlpHttpMetricExporter.builder()
            .setEndpoint(endpoint.toString())
            .setTimeout(config.exporterTimeout())
            .setCompression(config.compression() == Compression.GZIP ? "gzip" : "none");
    headers(config).forEach(exporter::addHeader);
    return PeriodicMetricReader.builder(exporter.build()).build();
  }

  private static Map<String, String> headers(ClientConfig config) {
    Map<String, String> headers = new LinkedHashMap<>(config.exporterHeaders());
    config.apiKey().ifPresent(key -> headers.put("Authorization", "Bearer " + key));
    return headers;
  }

  private static void tls(ClientConfig config, OtlpHttpSpanExporterBuilder exporter) {
    try {
      if (config.caFile().isPresent()) {
        exporter.setTrustedCertificates(Files.readAllBytes(config.caFile().get()));
      }
      if (config.clientKeyFile().isPresent() && config.clientCertFile().isPresent()) {
        exporter.setClientTls(
            Files.readAllBytes(config.clientKeyFile().get()),
            Files.readAllBytes(config.clientCertFile().get()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Traccia: could not read the TLS files named by exporters.ca_file,"
              + " exporters.client_cert_file or exporters.client_key_file",
          e);
    }
  }

  private static int sizeOr(ClientConfig config, String key, int fallback) {
    if ("default".equals(config.origin(key))) {
      return fallback;
    }
    return key.endsWith("max_queue_size") ? config.maxQueueSize() : config.maxExportBatchSize();
  }

  /**
   * The resource: {@code service.name}, {@code tenant.id} and {@code project.id} always; {@code
   * session.id}, {@code user.id}, {@code agent.id}, {@code agent.name}, {@code env} and {@code
   * environment} when set; {@code trace.debug} when debugging. As in the Python SDK, session, user,
   * tenant and project are resource attributes only.
   */
  static Attributes resource(ClientConfig config, Builder b) {
    AttributesBuilder attributes = Attributes.builder();
    attributes.put("service.name", serviceName(config, b));
    attributes.put("tenant.id", config.tenantId().orElse("default-tenant"));
    attributes.put("project.id", config.projectId().orElse("default-project"));
    config.sessionId().ifPresent(v -> attributes.put("session.id", v));
    config.userId().ifPresent(v -> attributes.put("user.id", v));
    config.agentId().ifPresent(v -> attributes.put("agent.id", v));
    config.agentName().ifPresent(v -> attributes.put("agent.name", v));
    config
        .environment()
        .ifPresent(
            v -> {
              attributes.put("env", v);
              attributes.put("environment", v);
            });
    if (config.debug()) {
      attributes.put("trace.debug", true);
    }
    return attributes.build();
  }

  // service_name, then OTEL_SERVICE_NAME, then SERVICE_NAME, then the working directory's name,
  // then "traccia_app", as in the Python SDK.
  private static String serviceName(ClientConfig config, Builder b) {
    if (config.serviceName().isPresent()) {
      return config.serviceName().get();
    }
    Map<String, String> env = b.environment != null ? b.environment : System.getenv();
    for (String name : Arrays.asList("OTEL_SERVICE_NAME", "SERVICE_NAME")) {
      String value = env.get(name);
      if (value != null && !value.trim().isEmpty()) {
        return value;
      }
    }
    Path wd =
        b.workingDirectory != null
            ? b.workingDirectory
            : Path.of(System.getProperty("user.dir", "")).toAbsolutePath();
    Path name = wd.getFileName();
    return name != null && !name.toString().isEmpty() ? name.toString() : "traccia_app";
  }

  /**
   * Explicit settings for {@link Traccia#init()}. They take precedence over environment variables
   * and the config file, as flags do for the proxy; in {@link ClientConfig#origin} they appear as
   * {@code --<key>}. Any configuration key can be set with {@link #set(String, String)}. Not
   * thread-safe.
   */
  public static final class Builder {
    private final Map<String, String> values = new LinkedHashMap<>();
    private Path configFile;
    private boolean selfAttach = true;
    private boolean registerGlobal = true;
    // Test hooks, package-private on purpose.
    Map<String, String> environment;
    Path workingDirectory;
    Path homeDirectory;
    SpanExporter spanExporter;
    MetricReader metricReader;

    private Builder() {}

    /**
     * Sets configuration key {@code key} (as in traccia.toml, {@code section.key}) to {@code value}
     * in its text form, for example {@code set("rate_limiting.max_queue_size", "1000")}. An empty
     * value clears an optional key. Checked by {@link #init()} with every other value.
     */
    public Builder set(String key, String value) {
      values.put(key, value == null ? "" : value);
      return this;
    }

    /** {@code tracing.service_name}, the resource's {@code service.name}. */
    public Builder setServiceName(String serviceName) {
      return set("tracing.service_name", serviceName);
    }

    /**
     * {@code tracing.endpoint}: where spans go, default {@code http://localhost:4318/v1/traces}. A
     * URL with no path gets {@code /v1/traces}.
     */
    public Builder setEndpoint(String endpoint) {
      return set("tracing.endpoint", endpoint);
    }

    /** {@code tracing.api_key}, sent as {@code Authorization: Bearer <key>}. */
    public Builder setApiKey(String apiKey) {
      return set("tracing.api_key", apiKey);
    }

    /** {@code tracing.sample_rate}: the fraction of new traces kept, 0 to 1. */
    public Builder setSampleRate(double sampleRate) {
      return set("tracing.sample_rate", Double.toString(sampleRate));
    }

    /** {@code runtime.agent_id}, on the resource as {@code agent.id}. */
    public Builder setAgentId(String agentId) {
      return set("runtime.agent_id", agentId);
    }

    /** {@code runtime.agent_name}, on the resource as {@code agent.name}. */
    public Builder setAgentName(String agentName) {
      return set("runtime.agent_name", agentName);
    }

    /** {@code runtime.env}, on the resource as {@code env} and {@code environment}. */
    public Builder setEnv(String env) {
      return set("runtime.env", env);
    }

    /** {@code runtime.session_id}, on the resource as {@code session.id}. */
    public Builder setSessionId(String sessionId) {
      return set("runtime.session_id", sessionId);
    }

    /** {@code runtime.user_id}, on the resource as {@code user.id}. */
    public Builder setUserId(String userId) {
      return set("runtime.user_id", userId);
    }

    /** {@code runtime.tenant_id}, on the resource as {@code tenant.id}. */
    public Builder setTenantId(String tenantId) {
      return set("runtime.tenant_id", tenantId);
    }

    /** {@code runtime.project_id}, on the resource as {@code project.id}. */
    public Builder setProjectId(String projectId) {
      return set("runtime.project_id", projectId);
    }

    /** {@code advanced.attr_truncation_limit}: the cut for recorded arguments and results. */
    public Builder setAttrTruncationLimit(int limit) {
      return set("advanced.attr_truncation_limit", Integer.toString(limit));
    }

    /** The config file to read (it must exist) instead of searching for traccia.toml. */
    public Builder setConfigFile(Path configFile) {
      this.configFile = configFile;
      return this;
    }

    /**
     * Whether {@code init()} attaches the {@code @Observe} weaver to this JVM when it was not
     * started with {@code -javaagent} (default true).
     */
    public Builder setSelfAttach(boolean selfAttach) {
      this.selfAttach = selfAttach;
      return this;
    }

    /**
     * Whether {@code init()} registers its SDK as {@link GlobalOpenTelemetry} (default true), so
     * other OpenTelemetry instrumentation in the application sends through it too.
     */
    public Builder setRegisterGlobal(boolean registerGlobal) {
      this.registerGlobal = registerGlobal;
      return this;
    }

    /**
     * Starts the client, or returns the running one (logging that it was already initialised and
     * that these settings are ignored). Blocks while it reads the config file and, without {@code
     * -javaagent}, while it attaches the weaver (about a second).
     *
     * @throws ConfigException listing every problem with the configuration
     */
    public Traccia init() {
      synchronized (lock) {
        Traccia running = instance;
        if (running != null) {
          logger.info(
              "Traccia is already initialised; init() returns the running client and ignores"
                  + " the new settings. Call shutdown() first to start over.");
          return running;
        }
        ConfigReader.Builder loader =
            ConfigReader.builder().setConfigFile(configFile).setFlags(values);
        if (environment != null) {
          loader.setEnvironment(environment);
        }
        if (workingDirectory != null) {
          loader.setWorkingDirectory(workingDirectory);
        }
        if (homeDirectory != null) {
          loader.setHomeDirectory(homeDirectory);
        }
        Traccia started = start(this, loader.loadClient());
        instance = started;
        return started;
      }
    }
  }
}
