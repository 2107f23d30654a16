/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import ai.traccia.proxy.config.Compression;
import ai.traccia.proxy.config.ExporterProtocol;
import ai.traccia.proxy.config.ProxyConfig;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The metrics the proxy derives from spans: an OpenTelemetry {@link SdkMeterProvider} with the
 * GenAI instruments, their bucket and cardinality views, an OTLP exporter and a Prometheus view.
 *
 * <p>{@link #processor()} is the pipeline stage that records into it. {@link #create} sends the
 * metrics every {@code metrics.export_interval_ms} to {@link ProxyConfig#metricsEndpoint()} with
 * the exporter's protocol, headers, API key (as {@code Authorization: Bearer}), compression,
 * timeout and TLS files, in {@code metrics.temporality} (delta: counters and histograms report the
 * change since the last export; cumulative: totals since start). {@link #registerWith} adds the
 * same metrics, always cumulative, to a Prometheus registry for the admin {@code /metrics}.
 *
 * <p>Histograms use explicit buckets: the GenAI semantic conventions' advice for token usage and
 * operation duration, a longer doubling series for agent execution time, and 1-2.5-5 steps from
 * 0.00001 to 10 USD for cost. Every derived metric has at most {@code metrics.cardinality_limit}
 * series, the overflow series {@code otel.metric.overflow=true} included; recordings sent to it are
 * counted by {@code traccia.metrics.cardinality_overflows} (attribute {@code metric}). Every
 * attribute value taken from a span is at most {@code metrics.max_label_length} characters long, so
 * a client cannot make a series, or a scrape, large.
 *
 * <p>Thread-safe. The owner calls {@link #shutdown()} once the pipeline has stopped; it exports
 * what is pending and is idempotent.
 */
public final class DerivedMetrics {

  private static final String PROXY_SERVICE_NAME = "traccia-proxy";

  private final SdkMeterProvider provider;
  private final SpanMetricsProcessor processor;
  private final PrometheusBridge prometheus;
  private final URI otlpEndpoint;
  private final Object lock = new Object();
  private CompletableFuture<Void> shutdown; // guarded by lock

  private DerivedMetrics(Builder builder) {
    prometheus = new PrometheusBridge();
    SdkMeterProviderBuilder sdk =
        SdkMeterProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(GenAiMetrics.SERVICE_NAME, PROXY_SERVICE_NAME))));
    // The guard of the processor applies the limit before recording (see CardinalityGuard). The
    // SDK counts the overflow set it is handed as one more set, so its own limit, a backstop, is
    // one higher.
    registerViews(
        sdk,
        builder.cardinalityLimit == Integer.MAX_VALUE
            ? Integer.MAX_VALUE
            : builder.cardinalityLimit + 1);
    sdk.registerMetricReader(prometheus);
    if (builder.exporter != null) {
      sdk.registerMetricReader(
          PeriodicMetricReader.builder(builder.exporter)
              .setInterval(builder.exportInterval)
              .build());
    }
    for (MetricReader reader : builder.readers) {
      sdk.registerMetricReader(reader);
    }
    provider = sdk.build();
    processor =
        new SpanMetricsProcessor(
            provider
                .meterBuilder(GenAiMetrics.METER_NAME)
                .setInstrumentationVersion(GenAiMetrics.METER_VERSION)
                .build(),
            builder.cardinalityLimit,
            builder.maxLabelLength,
            builder.sampleRate,
            builder.random);
    otlpEndpoint = builder.otlpEndpoint;
  }

  /**
   * The derived metrics {@code config} asks for: an OTLP exporter when {@link
   * ProxyConfig#metricsEndpoint()} is present, and always the Prometheus view. Call it only when
   * {@link ProxyConfig#metricsEnabled()}.
   *
   * @throws UncheckedIOException when a TLS file of the exporter settings cannot be read
   */
  public static DerivedMetrics create(ProxyConfig config) {
    Objects.requireNonNull(config, "config");
    Builder builder =
        builder()
            .setExportInterval(config.metricsExportInterval())
            .setCardinalityLimit(config.metricsCardinalityLimit())
            .setMaxLabelLength(config.metricsMaxLabelLength())
            .setMetricsSampleRate(config.metricsSampleRate());
    Optional<URI> endpoint = config.metricsEndpoint();
    if (endpoint.isPresent()) {
      builder.setExporter(otlpExporter(config, endpoint.get()));
      builder.otlpEndpoint = endpoint.get();
    }
    return builder.build();
  }

  /**
   * A builder with no exporter, a 60 s interval, a limit of 2000 series, label values of at most
   * 128 characters and every span sampled.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The pipeline stage that records the metrics. Put it after the token counter and the cost
   * processor, and before trace sampling and rate limiting. Its own {@code shutdown()} does
   * nothing: shut this object down instead.
   */
  public SpanMetricsProcessor processor() {
    return processor;
  }

  /** Where the metrics are exported over OTLP, when they are. */
  public Optional<URI> otlpEndpoint() {
    return Optional.ofNullable(otlpEndpoint);
  }

  /**
   * The metrics as a Prometheus collector, cumulative, read from the SDK on each scrape. The same
   * object on every call.
   */
  public MultiCollector prometheusCollector() {
    return prometheus;
  }

  /** Registers {@link #prometheusCollector()} with {@code registry}; call it once per registry. */
  public void registerWith(PrometheusRegistry registry) {
    registry.register(prometheus);
  }

  /** Exports what has been recorded now; the future completes when the export has finished. */
  public CompletableFuture<Void> forceFlush() {
    return toFuture(provider.forceFlush());
  }

  /**
   * Exports what is pending and stops the exporter. Idempotent: later calls return the first call's
   * future. Recording after shutdown is ignored.
   */
  public CompletableFuture<Void> shutdown() {
    synchronized (lock) {
      if (shutdown == null) {
        shutdown = toFuture(provider.shutdown());
      }
      return shutdown;
    }
  }

  private static CompletableFuture<Void> toFuture(CompletableResultCode code) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    code.whenComplete(
        () -> {
          if (code.isSuccess()) {
            future.complete(null);
          } else {
            Throwable failure = code.getFailureThrowable();
            future.completeExceptionally(
                failure != null ? failure : new IllegalStateException("metrics export failed"));
          }
        });
    return future;
  }

  private static void registerViews(SdkMeterProviderBuilder sdk, int limit) {
    histogramView(sdk, GenAiMetrics.TOKEN_USAGE, GenAiMetrics.TOKEN_BUCKETS, limit);
    histogramView(sdk, GenAiMetrics.OPERATION_DURATION, GenAiMetrics.DURATION_BUCKETS, limit);
    histogramView(sdk, GenAiMetrics.OPERATION_COST, GenAiMetrics.COST_BUCKETS, limit);
    histogramView(
        sdk, GenAiMetrics.AGENT_EXECUTION_TIME, GenAiMetrics.AGENT_DURATION_BUCKETS, limit);
    for (String counter :
        List.of(GenAiMetrics.EXCEPTIONS, GenAiMetrics.AGENT_RUNS, GenAiMetrics.AGENT_TURNS)) {
      sdk.registerView(selector(counter), View.builder().setCardinalityLimit(limit).build());
    }
  }

  private static void histogramView(
      SdkMeterProviderBuilder sdk, String name, List<Double> buckets, int limit) {
    sdk.registerView(
        selector(name),
        View.builder()
            .setAggregation(Aggregation.explicitBucketHistogram(buckets))
            .setCardinalityLimit(limit)
            .build());
  }

  private static InstrumentSelector selector(String name) {
    return InstrumentSelector.builder().setMeterName(GenAiMetrics.METER_NAME).setName(name).build();
  }

  // --- OTLP exporter from the exporter settings -----------------------------------------------

  static MetricExporter otlpExporter(ProxyConfig config, URI endpoint) {
    AggregationTemporalitySelector temporality =
        "cumulative".equals(config.metricsTemporality())
            ? AggregationTemporalitySelector.alwaysCumulative()
            : AggregationTemporalitySelector.deltaPreferred();
    String compression = config.compression() == Compression.GZIP ? "gzip" : "none";
    byte[] ca = config.caFile().map(DerivedMetrics::read).orElse(null);
    byte[] cert = config.clientCertFile().map(DerivedMetrics::read).orElse(null);
    byte[] key = config.clientKeyFile().map(DerivedMetrics::read).orElse(null);
    if (config.exporterProtocol() == ExporterProtocol.GRPC) {
      OtlpGrpcMetricExporterBuilder b =
          OtlpGrpcMetricExporter.builder()
              .setEndpoint(endpoint.toString())
              .setAggregationTemporalitySelector(temporality)
              .setCompression(compression)
              .setTimeout(config.exporterTimeout());
      headers(config).forEach(b::addHeader);
      if (ca != null) {
        b.setTrustedCertificates(ca);
      }
      if (cert != null && key != null) {
        b.setClientTls(key, cert);
      }
      return b.build();
    }
    OtlpHttpMetricExporterBuilder b =
        OtlpHttpMetricExporter.builder()
            .setEndpoint(endpoint.toString())
            .setAggregationTemporalitySelector(temporality)
            .setCompression(compression)
            .setTimeout(config.exporterTimeout());
    headers(config).forEach(b::addHeader);
    if (ca != null) {
      b.setTrustedCertificates(ca);
    }
    if (cert != null && key != null) {
      b.setClientTls(key, cert);
    }
    return b.build();
  }

  // The configured headers, plus the API key as a bearer token unless they set Authorization.
  static Map<String, String> headers(ProxyConfig config) {
    Map<String, String> headers = new java.util.LinkedHashMap<>(config.exporterHeaders());
    boolean hasAuthorization = false;
    for (String name : headers.keySet()) {
      hasAuthorization |= name.toLowerCase(Locale.ROOT).equals("authorization");
    }
    if (!hasAuthorization && config.apiKey().isPresent()) {
      headers.put("Authorization", "Bearer " + config.apiKey().get());
    }
    return headers;
  }

  private static byte[] read(Path path) {
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read "
              + path
              + " for the metrics exporter's TLS settings: "
              + e.getMessage()
              + ". Check that the file exists and is readable by the proxy.",
          e);
    }
  }

  /** Builds {@link DerivedMetrics}. Not thread-safe. */
  public static final class Builder {
    private MetricExporter exporter;
    private URI otlpEndpoint;
    private Duration exportInterval = Duration.ofSeconds(60);
    private int cardinalityLimit = 2000;
    private int maxLabelLength = MetricLabels.DEFAULT_MAX_LENGTH;
    private double sampleRate = 1.0;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private final List<MetricReader> readers = new ArrayList<>();

    private Builder() {}

    /** Sends the metrics to {@code exporter} every export interval; its temporality applies. */
    public Builder setExporter(MetricExporter exporter) {
      this.exporter = Objects.requireNonNull(exporter, "exporter");
      return this;
    }

    /** Sets how often the exporter is called: &gt; 0. */
    public Builder setExportInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException(
            "metrics.export_interval_ms: " + interval.toMillis() + " (expected: > 0)");
      }
      this.exportInterval = interval;
      return this;
    }

    /** Sets the most series per derived metric, the overflow series included: &gt; 0. */
    public Builder setCardinalityLimit(int limit) {
      if (limit <= 0) {
        throw new IllegalArgumentException(
            "metrics.cardinality_limit: " + limit + " (expected: > 0)");
      }
      this.cardinalityLimit = limit;
      return this;
    }

    /**
     * Sets the longest value, in characters, of an attribute taken from a span (model, service,
     * agent...): &gt; 0; longer values are cut. Default {@value MetricLabels#DEFAULT_MAX_LENGTH}.
     */
    public Builder setMaxLabelLength(int maxLength) {
      if (maxLength <= 0) {
        throw new IllegalArgumentException(
            "metrics.max_label_length: " + maxLength + " (expected: > 0)");
      }
      this.maxLabelLength = maxLength;
      return this;
    }

    /** Sets the probability with which each recording is kept: 0 to 1. */
    public Builder setMetricsSampleRate(double rate) {
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException(
            "metrics.metrics_sample_rate: " + rate + " (expected: a number from 0 to 1)");
      }
      this.sampleRate = rate;
      return this;
    }

    /** Adds another reader of the same metrics, for example an in-memory reader in tests. */
    public Builder registerMetricReader(MetricReader reader) {
      readers.add(Objects.requireNonNull(reader, "reader"));
      return this;
    }

    // For tests: the source of metrics_sample_rate and fractional-weight decisions, in [0, 1).
    Builder setRandom(DoubleSupplier random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** Returns the metrics; the exporter starts its schedule now. */
    public DerivedMetrics build() {
      return new DerivedMetrics(this);
    }
  }
}
