/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longArrayKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.DoubleGauge;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The OpenTelemetry Java SDK exports straight to the collector, and {@link CollectorBackend} reads
 * back exactly what was sent: this proves the harness before the proxy goes in between.
 */
@ExtendWith(CollectorBackend.IfAvailable.class)
class CollectorBackendIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(10);
  private static final HexFormat HEX = HexFormat.of();
  private static final String LINKED_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String LINKED_SPAN_ID = "b7ad6b7169203331";
  private static final String LOG_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String LOG_SPAN_ID = "00f067aa0ba902b7";

  /** Shared by the signal tests, which each find their own data by a unique id or name. */
  private static CollectorBackend backend;

  enum Transport {
    GRPC,
    HTTP
  }

  @BeforeAll
  static void startCollector() {
    backend = CollectorBackend.start();
  }

  @AfterAll
  static void stopCollector() {
    if (backend != null) {
      backend.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void spans_arriveIntact(Transport transport) {
    Resource resource = resource(transport);
    InMemorySpanExporter memory = InMemorySpanExporter.create();
    List<SpanData> sent;
    try (SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(resource)
            .addSpanProcessor(SimpleSpanProcessor.create(memory))
            .build()) {
      Tracer tracer =
          provider
              .tracerBuilder("ai.traccia.proxy.it")
              .setInstrumentationVersion("1.2.3")
              .setSchemaUrl("https://opentelemetry.io/schemas/1.30.0")
              .build();
      io.opentelemetry.api.trace.Span parent =
          tracer.spanBuilder("invoke_agent support").setSpanKind(SpanKind.SERVER).startSpan();
      SpanContext linked =
          SpanContext.create(
              LINKED_TRACE_ID,
              LINKED_SPAN_ID,
              TraceFlags.getSampled(),
              TraceState.builder().put("vendor", "opaque").build());
      io.opentelemetry.api.trace.Span child =
          tracer
              .spanBuilder("chat gpt-4o")
              .setParent(Context.root().with(parent))
              .setSpanKind(SpanKind.CLIENT)
              .setAttribute("gen_ai.request.model", "gpt-4o")
              .setAttribute("gen_ai.usage.input_tokens", 42L)
              .setAttribute("gen_ai.request.temperature", 0.25)
              .setAttribute("gen_ai.request.stream", true)
              .setAttribute(
                  stringArrayKey("gen_ai.response.finish_reasons"), List.of("stop", "length"))
              .setAttribute(longArrayKey("it.longs"), List.of(1L, -2L))
              .addLink(linked, Attributes.of(stringKey("link.kind"), "follows"))
              .startSpan();
      child.addEvent(
          "gen_ai.content.prompt",
          Attributes.of(stringKey("gen_ai.prompt"), "hello \"world\" ü", longKey("n"), 7L),
          Instant.ofEpochSecond(1_700_000_000L, 123_456_789L));
      child.setStatus(StatusCode.ERROR, "rate limited");
      child.end();
      parent.end();
      // Before the provider closes: shutting the in-memory exporter down clears it.
      sent = memory.getFinishedSpanItems();
    }
    assertThat(sent).hasSize(2);

    assertThat(export(spanExporter(transport), sent).isSuccess()).isTrue();

    Map<String, Span> received =
        await()
            .atMost(TIMEOUT)
            .until(
                () -> spansById(backend.receivedSpans()),
                byId -> sent.stream().allMatch(span -> byId.containsKey(span.getSpanId())));
    for (SpanData expected : sent) {
      assertSpan(received.get(expected.getSpanId()), expected);
    }
    SpanData child = sent.get(0);
    ResourceSpans resourceSpans = resourceSpansOf(child.getSpanId());
    assertThat(attributes(resourceSpans.getResource().getAttributesList()))
        .isEqualTo(attributes(resource.getAttributes()));
    ScopeSpans scopeSpans = resourceSpans.getScopeSpans(0);
    assertThat(scopeSpans.getScope().getName()).isEqualTo("ai.traccia.proxy.it");
    assertThat(scopeSpans.getScope().getVersion()).isEqualTo("1.2.3");
    assertThat(scopeSpans.getSchemaUrl()).isEqualTo("https://opentelemetry.io/schemas/1.30.0");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void metrics_arriveIntact(Transport transport) {
    Resource resource = resource(transport);
    String prefix = "it." + transport.name().toLowerCase(Locale.ROOT) + ".";
    Attributes input = Attributes.of(stringKey("gen_ai.token.type"), "input");
    Attributes output = Attributes.of(stringKey("gen_ai.token.type"), "output");
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    Collection<MetricData> sent;
    try (SdkMeterProvider provider =
        SdkMeterProvider.builder().setResource(resource).registerMetricReader(reader).build()) {
      Meter meter =
          provider.meterBuilder("ai.traccia.proxy.it").setInstrumentationVersion("1.2.3").build();
      LongCounter tokens =
          meter
              .counterBuilder(prefix + "tokens")
              .setUnit("{token}")
              .setDescription("Tokens used")
              .build();
      tokens.add(5, input);
      tokens.add(7, input);
      tokens.add(3, output);
      DoubleHistogram latency =
          meter
              .histogramBuilder(prefix + "latency")
              .setUnit("s")
              .setExplicitBucketBoundariesAdvice(List.of(1.0, 10.0, 100.0))
              .build();
      for (double value : new double[] {0.5, 5, 50, 500}) {
        latency.record(value, input);
      }
      DoubleGauge temperature = meter.gaugeBuilder(prefix + "temperature").build();
      temperature.set(0.25, output);
      sent = reader.collectAllMetrics();
    }
    assertThat(sent).hasSize(3);

    assertThat(export(metricExporter(transport), sent).isSuccess()).isTrue();

    Map<String, Metric> received =
        await()
            .atMost(TIMEOUT)
            .until(
                () -> metricsByName(backend.receivedMetricList()),
                byName -> sent.stream().allMatch(metric -> byName.containsKey(metric.getName())));
    Metric counter = received.get(prefix + "tokens");
    assertThat(counter.getUnit()).isEqualTo("{token}");
    assertThat(counter.getDescription()).isEqualTo("Tokens used");
    assertThat(counter.getSum().getIsMonotonic()).isTrue();
    assertThat(counter.getSum().getAggregationTemporality())
        .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    MetricData sentCounter = sentMetric(sent, prefix + "tokens");
    for (LongPointData point : sentCounter.getLongSumData().getPoints()) {
      NumberDataPoint match = numberPoint(counter.getSum().getDataPointsList(), point);
      assertThat(match.getAsInt()).isEqualTo(point.getValue());
      assertThat(match.getStartTimeUnixNano()).isEqualTo(point.getStartEpochNanos());
      assertThat(match.getTimeUnixNano()).isEqualTo(point.getEpochNanos());
    }
    assertThat(counter.getSum().getDataPointsList())
        .extracting(NumberDataPoint::getAsInt)
        .containsExactlyInAnyOrder(12L, 3L);

    Metric histogram = received.get(prefix + "latency");
    HistogramPointData sentHistogram =
        sentMetric(sent, prefix + "latency").getHistogramData().getPoints().iterator().next();
    HistogramDataPoint point = histogram.getHistogram().getDataPoints(0);
    assertThat(histogram.getUnit()).isEqualTo("s");
    assertThat(point.getCount()).isEqualTo(4);
    assertThat(point.getSum()).isCloseTo(555.5, within(1e-9));
    assertThat(point.getMin()).isEqualTo(0.5);
    assertThat(point.getMax()).isEqualTo(500.0);
    assertThat(point.getExplicitBoundsList()).containsExactly(1.0, 10.0, 100.0);
    assertThat(point.getBucketCountsList()).containsExactly(1L, 1L, 1L, 1L);
    assertThat(point.getTimeUnixNano()).isEqualTo(sentHistogram.getEpochNanos());
    assertThat(attributes(point.getAttributesList())).isEqualTo(attributes(input));

    Metric gauge = received.get(prefix + "temperature");
    assertThat(gauge.getGauge().getDataPoints(0).getAsDouble()).isEqualTo(0.25);
    assertThat(attributes(gauge.getGauge().getDataPoints(0).getAttributesList()))
        .isEqualTo(attributes(output));

    ResourceMetrics resourceMetrics = resourceMetricsOf(prefix + "tokens");
    assertThat(attributes(resourceMetrics.getResource().getAttributesList()))
        .isEqualTo(attributes(resource.getAttributes()));
    ScopeMetrics scope = resourceMetrics.getScopeMetrics(0);
    assertThat(scope.getScope().getName()).isEqualTo("ai.traccia.proxy.it");
    assertThat(scope.getScope().getVersion()).isEqualTo("1.2.3");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void logs_arriveIntact(Transport transport) {
    Resource resource = resource(transport);
    String body = "guardrail blocked a prompt " + UUID.randomUUID();
    InMemoryLogRecordExporter memory = InMemoryLogRecordExporter.create();
    List<LogRecordData> sent;
    try (SdkLoggerProvider provider =
        SdkLoggerProvider.builder()
            .setResource(resource)
            .addLogRecordProcessor(SimpleLogRecordProcessor.create(memory))
            .build()) {
      SpanContext spanContext =
          SpanContext.create(
              LOG_TRACE_ID, LOG_SPAN_ID, TraceFlags.getSampled(), TraceState.getDefault());
      provider
          .loggerBuilder("ai.traccia.proxy.it")
          .setInstrumentationVersion("1.2.3")
          .build()
          .logRecordBuilder()
          .setTimestamp(Instant.ofEpochSecond(1_700_000_000L, 1L))
          .setObservedTimestamp(Instant.ofEpochSecond(1_700_000_001L, 2L))
          .setSeverity(Severity.WARN)
          .setSeverityText("WARN")
          .setBody(body)
          .setAttribute(stringKey("gen_ai.request.model"), "gpt-4o")
          .setAttribute(longKey("it.count"), 3L)
          .setAttribute(doubleKey("it.ratio"), 0.5)
          .setAttribute(booleanKey("it.blocked"), true)
          .setContext(Context.root().with(io.opentelemetry.api.trace.Span.wrap(spanContext)))
          .emit();
      sent = memory.getFinishedLogRecordItems();
    }
    assertThat(sent).hasSize(1);

    assertThat(export(logExporter(transport), sent).isSuccess()).isTrue();

    LogRecord record =
        await()
            .atMost(TIMEOUT)
            .until(() -> logRecordWithBody(body), Optional::isPresent)
            .orElseThrow();
    assertThat(record.getTimeUnixNano()).isEqualTo(1_700_000_000_000_000_001L);
    assertThat(record.getObservedTimeUnixNano()).isEqualTo(1_700_000_001_000_000_002L);
    assertThat(record.getSeverityNumberValue()).isEqualTo(Severity.WARN.getSeverityNumber());
    assertThat(record.getSeverityText()).isEqualTo("WARN");
    assertThat(hex(record.getTraceId())).isEqualTo(LOG_TRACE_ID);
    assertThat(hex(record.getSpanId())).isEqualTo(LOG_SPAN_ID);
    assertThat(record.getFlags() & 0xff).isEqualTo(TraceFlags.getSampled().asByte());
    assertThat(attributes(record.getAttributesList()))
        .isEqualTo(attributes(sent.get(0).getAttributes()));

    ResourceLogs resourceLogs = resourceLogsOf(body);
    assertThat(attributes(resourceLogs.getResource().getAttributesList()))
        .isEqualTo(attributes(resource.getAttributes()));
    ScopeLogs scope = resourceLogs.getScopeLogs(0);
    assertThat(scope.getScope().getName()).isEqualTo("ai.traccia.proxy.it");
    assertThat(scope.getScope().getVersion()).isEqualTo("1.2.3");
  }

  @Test
  void restart_keepsPortsAndReceivedData() {
    try (CollectorBackend own = CollectorBackend.start()) {
      String grpcEndpoint = own.grpcEndpoint();
      String httpEndpoint = own.httpEndpoint();

      assertThat(export(grpcSpanExporter(own), List.of(span("before"))).isSuccess()).isTrue();
      own.awaitSpans(1, TIMEOUT);

      own.stop();

      assertThat(own.isRunning()).isFalse();
      assertThat(export(httpSpanExporter(own), List.of(span("while down"))).isSuccess()).isFalse();

      own.restart();

      assertThat(own.isRunning()).isTrue();
      assertThat(own.grpcEndpoint()).isEqualTo(grpcEndpoint);
      assertThat(own.httpEndpoint()).isEqualTo(httpEndpoint);
      assertThat(export(grpcSpanExporter(own), List.of(span("after, grpc"))).isSuccess()).isTrue();
      assertThat(export(httpSpanExporter(own), List.of(span("after, http"))).isSuccess()).isTrue();
      assertThat(own.awaitSpans(3, TIMEOUT))
          .extracting(Span::getName)
          .containsExactly("before", "after, grpc", "after, http");
      assertThat(own.log()).contains("=== stopped at ");
    }
  }

  @Test
  void restart_failsWhenAPortWasTakenMeanwhile() throws IOException {
    try (CollectorBackend own = CollectorBackend.start()) {
      own.stop();
      IllegalStateException error = null;
      try (ServerSocket squatter =
          new ServerSocket(own.grpcPort(), 1, InetAddress.getByName("127.0.0.1"))) {
        own.restart();
      } catch (IllegalStateException e) {
        error = e;
      }

      assertThat(error).isNotNull();
      assertThat(error.getMessage())
          .startsWith("OpenTelemetry Collector could not restart on its ports: ")
          .contains("address already in use")
          .endsWith(" Another process took one of them while the collector was stopped.");
      assertThat(own.isRunning()).isFalse();
    }
  }

  @Test
  void awaitSpans_failsWithCountAndLog() {
    try (CollectorBackend own = CollectorBackend.start()) {
      AssertionError error = null;
      try {
        own.awaitSpans(1, Duration.ofMillis(300));
      } catch (AssertionError e) {
        error = e;
      }

      assertThat(error).isNotNull();
      assertThat(error.getMessage())
          .startsWith(
              "expected at least 1 spans at the collector within PT0.3S, got 0; data in "
                  + own.directory()
                  + ", collector log "
                  + own.directory().resolve("collector.log")
                  + ":\n=== starting ");
    }
  }

  @Test
  void close_isIdempotentAndRestartAfterCloseFails() {
    CollectorBackend own = CollectorBackend.start();
    own.close();
    own.close();

    assertThat(own.isRunning()).isFalse();
    IllegalStateException error = null;
    try {
      own.restart();
    } catch (IllegalStateException e) {
      error = e;
    }
    assertThat(error).hasMessage("collector backend in " + own.directory() + " is closed");
  }

  private static void assertSpan(Span actual, SpanData expected) {
    assertThat(actual.getName()).isEqualTo(expected.getName());
    assertThat(hex(actual.getTraceId())).isEqualTo(expected.getTraceId());
    assertThat(hex(actual.getSpanId())).isEqualTo(expected.getSpanId());
    assertThat(hex(actual.getParentSpanId()))
        .isEqualTo(expected.getParentSpanContext().isValid() ? expected.getParentSpanId() : "");
    assertThat(actual.getKind().name()).isEqualTo("SPAN_KIND_" + expected.getKind().name());
    assertThat(actual.getStartTimeUnixNano()).isEqualTo(expected.getStartEpochNanos());
    assertThat(actual.getEndTimeUnixNano()).isEqualTo(expected.getEndEpochNanos());
    assertThat(actual.getFlags() & 0xff)
        .isEqualTo(expected.getSpanContext().getTraceFlags().asByte() & 0xff);
    assertThat(attributes(actual.getAttributesList()))
        .isEqualTo(attributes(expected.getAttributes()));
    assertThat(actual.getEventsCount()).isEqualTo(expected.getEvents().size());
    for (int i = 0; i < expected.getEvents().size(); i++) {
      EventData event = expected.getEvents().get(i);
      assertThat(actual.getEvents(i).getName()).isEqualTo(event.getName());
      assertThat(actual.getEvents(i).getTimeUnixNano()).isEqualTo(event.getEpochNanos());
      assertThat(attributes(actual.getEvents(i).getAttributesList()))
          .isEqualTo(attributes(event.getAttributes()));
    }
    assertThat(actual.getLinksCount()).isEqualTo(expected.getLinks().size());
    for (int i = 0; i < expected.getLinks().size(); i++) {
      LinkData link = expected.getLinks().get(i);
      Span.Link received = actual.getLinks(i);
      assertThat(hex(received.getTraceId())).isEqualTo(link.getSpanContext().getTraceId());
      assertThat(hex(received.getSpanId())).isEqualTo(link.getSpanContext().getSpanId());
      assertThat(received.getTraceState()).isEqualTo("vendor=opaque");
      assertThat(attributes(received.getAttributesList()))
          .isEqualTo(attributes(link.getAttributes()));
    }
    Status.StatusCode code =
        expected.getStatus().getStatusCode() == StatusCode.ERROR
            ? Status.StatusCode.STATUS_CODE_ERROR
            : Status.StatusCode.STATUS_CODE_UNSET;
    assertThat(actual.getStatus().getCode()).isEqualTo(code);
    assertThat(actual.getStatus().getMessage()).isEqualTo(expected.getStatus().getDescription());
  }

  private static Resource resource(Transport transport) {
    return Resource.getDefault()
        .merge(
            Resource.create(
                Attributes.of(
                    stringKey("service.name"),
                    "collector-backend-it",
                    stringKey("it.transport"),
                    transport.name(),
                    stringKey("it.run"),
                    UUID.randomUUID().toString())));
  }

  private static SpanData span(String name) {
    InMemorySpanExporter memory = InMemorySpanExporter.create();
    try (SdkTracerProvider provider =
        SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(memory)).build()) {
      provider.get("ai.traccia.proxy.it").spanBuilder(name).startSpan().end();
      return memory.getFinishedSpanItems().get(0);
    }
  }

  private static SpanExporter spanExporter(Transport transport) {
    return transport == Transport.GRPC ? grpcSpanExporter(backend) : httpSpanExporter(backend);
  }

  private static SpanExporter grpcSpanExporter(CollectorBackend target) {
    return OtlpGrpcSpanExporter.builder()
        .setEndpoint(target.grpcEndpoint())
        .setTimeout(EXPORT_TIMEOUT)
        .setRetryPolicy(null)
        .build();
  }

  private static SpanExporter httpSpanExporter(CollectorBackend target) {
    return OtlpHttpSpanExporter.builder()
        .setEndpoint(target.httpEndpoint() + "/v1/traces")
        .setTimeout(EXPORT_TIMEOUT)
        .setRetryPolicy(null)
        .build();
  }

  private static MetricExporter metricExporter(Transport transport) {
    return transport == Transport.GRPC
        ? OtlpGrpcMetricExporter.builder()
            .setEndpoint(backend.grpcEndpoint())
            .setTimeout(EXPORT_TIMEOUT)
            .build()
        : OtlpHttpMetricExporter.builder()
            .setEndpoint(backend.httpEndpoint() + "/v1/metrics")
            .setTimeout(EXPORT_TIMEOUT)
            .build();
  }

  private static LogRecordExporter logExporter(Transport transport) {
    return transport == Transport.GRPC
        ? OtlpGrpcLogRecordExporter.builder()
            .setEndpoint(backend.grpcEndpoint())
            .setTimeout(EXPORT_TIMEOUT)
            .build()
        : OtlpHttpLogRecordExporter.builder()
            .setEndpoint(backend.httpEndpoint() + "/v1/logs")
            .setTimeout(EXPORT_TIMEOUT)
            .build();
  }

  private static CompletableResultCode export(SpanExporter exporter, Collection<SpanData> spans) {
    try {
      return exporter.export(spans).join(EXPORT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
    } finally {
      exporter.shutdown().join(EXPORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static CompletableResultCode export(
      MetricExporter exporter, Collection<MetricData> metrics) {
    try {
      return exporter.export(metrics).join(EXPORT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
    } finally {
      exporter.shutdown().join(EXPORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static CompletableResultCode export(
      LogRecordExporter exporter, Collection<LogRecordData> logs) {
    try {
      return exporter.export(logs).join(EXPORT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
    } finally {
      exporter.shutdown().join(EXPORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static Map<String, Span> spansById(List<Span> spans) {
    return spans.stream()
        .collect(
            Collectors.toMap(
                span -> hex(span.getSpanId()),
                Function.identity(),
                (a, b) -> a,
                LinkedHashMap::new));
  }

  private static Map<String, Metric> metricsByName(List<Metric> metrics) {
    return metrics.stream()
        .collect(
            Collectors.toMap(
                Metric::getName, Function.identity(), (a, b) -> a, LinkedHashMap::new));
  }

  private static MetricData sentMetric(Collection<MetricData> sent, String name) {
    return sent.stream().filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
  }

  private static NumberDataPoint numberPoint(List<NumberDataPoint> points, LongPointData sent) {
    Map<String, Object> wanted = attributes(sent.getAttributes());
    return points.stream()
        .filter(p -> attributes(p.getAttributesList()).equals(wanted))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no point with attributes " + wanted + " in " + points));
  }

  private static Optional<LogRecord> logRecordWithBody(String body) {
    return backend.receivedLogRecords().stream()
        .filter(r -> r.getBody().getStringValue().equals(body))
        .findFirst();
  }

  private static ResourceSpans resourceSpansOf(String spanId) {
    return backend.receivedTraces().stream()
        .map(ExportTraceServiceRequest::getResourceSpansList)
        .flatMap(List::stream)
        .filter(
            r ->
                r.getScopeSpansList().stream()
                    .flatMap(s -> s.getSpansList().stream())
                    .anyMatch(s -> hex(s.getSpanId()).equals(spanId)))
        .findFirst()
        .orElseThrow();
  }

  private static ResourceMetrics resourceMetricsOf(String metricName) {
    return backend.receivedMetrics().stream()
        .flatMap(request -> request.getResourceMetricsList().stream())
        .filter(
            r ->
                r.getScopeMetricsList().stream()
                    .flatMap(s -> s.getMetricsList().stream())
                    .anyMatch(m -> m.getName().equals(metricName)))
        .findFirst()
        .orElseThrow();
  }

  private static ResourceLogs resourceLogsOf(String body) {
    return backend.receivedLogs().stream()
        .flatMap(request -> request.getResourceLogsList().stream())
        .filter(
            r ->
                r.getScopeLogsList().stream()
                    .flatMap(s -> s.getLogRecordsList().stream())
                    .anyMatch(l -> l.getBody().getStringValue().equals(body)))
        .findFirst()
        .orElseThrow();
  }

  private static String hex(ByteString bytes) {
    return HEX.formatHex(bytes.toByteArray());
  }

  /** OTLP attributes as plain values: strings, longs, doubles, booleans and lists of them. */
  private static Map<String, Object> attributes(List<KeyValue> keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (KeyValue keyValue : keyValues) {
      map.put(keyValue.getKey(), value(keyValue.getValue()));
    }
    return map;
  }

  /** SDK attributes as the same plain values, for comparison. */
  private static Map<String, Object> attributes(Attributes attributes) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (Map.Entry<AttributeKey<?>, Object> entry : attributes.asMap().entrySet()) {
      map.put(entry.getKey().getKey(), entry.getValue());
    }
    return map;
  }

  private static Object value(AnyValue value) {
    switch (value.getValueCase()) {
      case STRING_VALUE:
        return value.getStringValue();
      case BOOL_VALUE:
        return value.getBoolValue();
      case INT_VALUE:
        return value.getIntValue();
      case DOUBLE_VALUE:
        return value.getDoubleValue();
      case ARRAY_VALUE:
        return value.getArrayValue().getValuesList().stream()
            .map(CollectorBackendIT::value)
            .collect(Collectors.toList());
      default:
        throw new AssertionError("unexpected attribute value " + value);
    }
  }
}
