/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import ai.traccia.proxy.config.ProxyConfig;
import io.opentelemetry.api.common.Attributes;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The metrics the proxy derives from spans: an OpenTelemetry {@link SdkMeterProvider} with the
 * GenAI instruments, their bucket and cardinality views, an OTLP encoder and a Prometheus view.
 *
 * <p>{@link #processor()} is the pipeline stage that records into it. {@link #fromConfig} collects
 * the metrics every {@code metrics.export_interval_ms}, in {@code metrics.temporality} (delta:
 * counters and histograms report the change since the last export; cumulative: totals since start),
 * encodes them as an OTLP {@code ExportMetricsServiceRequest} and hands the bytes to the {@link
 * MetricsSink} given to {@link #connect}: the proxy's export queues, so that they are batched,
 * retried, kept in the durable queue and counted like a metrics request a client sent. {@link
 * #registerWith} adds the same metrics, always cumulative, to a Prometheus registry for the admin
 * {@code /metrics}.
 *
 * <p>Histograms use explicit buckets: the GenAI semantic conventions' advice for token usage and
 * operation duration, a longer doubling series for agent execution time, and 1-2.5-5 steps from
 * 0.00001 to 10 USD for cost. Every derived metric has at most {@code metrics.cardinality_limit}
 * series, the overflow series {@code otel.metric.overflow=true} included; recordings sent to it are
 * counted by {@code traccia.metrics.cardinality_overflows} (attribute {@code metric}). Every
 * attribute value taken from a span is at most {@code metrics.max_label_length} characters long, so
 * a client cannot make a series, or a scrape, large.
 *
 * <p>Thread-safe. The owner calls {@link #shutdown()} once the pipeline has stopped and before the
 * sink's queues close: it hands what is pending to the sink and is idempotent.
 */
public final class DerivedMetrics {

  private static final String PROXY_SERVICE_NAME = "traccia-proxy";

  private final SdkMeterProvider provider;
  private final SpanMetricsProcessor processor;
  private final PrometheusBridge prometheus;
  private final SinkMetricExporter sinkExporter; // null when built with another exporter or none
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
    sinkExporter = builder.sinkExporter;
  }

  /**
   * The derived metrics {@code config} asks for, collected every export interval in its temporality
   * for the sink {@link #connect} will be given, and always the Prometheus view. Call it only when
   * {@link ProxyConfig#metricsEnabled()}.
   */
  public static DerivedMetrics fromConfig(ProxyConfig config) {
    Objects.requireNonNull(config, "config");
    AggregationTemporalitySelector temporality =
        "cumulative".equals(config.metricsTemporality())
            ? AggregationTemporalitySelector.alwaysCumulative()
            : AggregationTemporalitySelector.deltaPreferred();
    return builder()
        .setExportInterval(config.metricsExportInterval())
        .setCardinalityLimit(config.metricsCardinalityLimit())
        .setMaxLabelLength(config.metricsMaxLabelLength())
        .setMetricsSampleRate(config.metricsSampleRate())
        .setSinkTemporality(temporality)
        .build();
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

  /**
   * Hands every later export, encoded as an OTLP {@code ExportMetricsServiceRequest}, to {@code
   * sink}; until a sink is connected, exports go nowhere. Call it once, before the first export is
   * due.
   *
   * @throws IllegalStateException when these metrics were built with an exporter of their own, or
   *     with none ({@link Builder#setSinkTemporality} was not called)
   */
  public void connect(MetricsSink sink) {
    Objects.requireNonNull(sink, "sink");
    if (sinkExporter == null) {
      throw new IllegalStateException(
          "these derived metrics have no sink exporter (expected: built by create(config) or with"
              + " setSinkTemporality)");
    }
    sinkExporter.connect(sink);
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
   * Exports what is pending (to the sink: call it before the sink's queues close) and stops the
   * exporter. Idempotent: later calls return the first call's future. Recording after shutdown is
   * ignored.
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

  /** Builds {@link DerivedMetrics}. Not thread-safe. */
  public static final class Builder {
    private MetricExporter exporter;
    private SinkMetricExporter sinkExporter;
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
      this.sinkExporter = null;
      return this;
    }

    /**
     * Encodes the metrics as OTLP every export interval, in {@code temporality}, for the sink that
     * {@link DerivedMetrics#connect} will be given; replaces {@link #setExporter}.
     */
    public Builder setSinkTemporality(AggregationTemporalitySelector temporality) {
      this.sinkExporter = new SinkMetricExporter(temporality);
      this.exporter = sinkExporter;
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
