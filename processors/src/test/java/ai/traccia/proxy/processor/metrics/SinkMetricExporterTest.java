/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Pins the OTLP encoding borrowed from the SDK's internal marshaler: what it writes parses with
 * protobuf-java into the fields the SDK collected.
 */
class SinkMetricExporterTest {

  private final List<byte[]> offered = new CopyOnWriteArrayList<>();

  /** A provider whose only reader exports to {@code exporter}, on demand. */
  private static SdkMeterProvider provider(SinkMetricExporter exporter) {
    return SdkMeterProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "svc")))
        .registerView(
            InstrumentSelector.builder().setName("latency").build(),
            View.builder()
                .setAggregation(Aggregation.explicitBucketHistogram(List.of(1.0, 10.0)))
                .build())
        .registerMetricReader(
            PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
        .build();
  }

  private SinkMetricExporter connected(AggregationTemporalitySelector temporality) {
    SinkMetricExporter exporter = new SinkMetricExporter(temporality);
    exporter.connect(
        request -> {
          offered.add(request);
          return true;
        });
    return exporter;
  }

  @Test
  void export_bytesParseIntoTheCollectedMetrics() throws Exception {
    SdkMeterProvider provider =
        provider(connected(AggregationTemporalitySelector.deltaPreferred()));
    Meter meter = provider.meterBuilder("scope-a").setInstrumentationVersion("1.2.3").build();
    meter
        .counterBuilder("requests")
        .setUnit("{request}")
        .setDescription("Requests seen.")
        .build()
        .add(
            3,
            Attributes.builder()
                .put("model", "gpt-4o")
                .put("weighted", true)
                .put("tokens", 12L)
                .put("ratio", 0.5)
                .build());
    var latency = meter.histogramBuilder("latency").setUnit("s").build();
    latency.record(0.5);
    latency.record(5);
    latency.record(50);

    provider.forceFlush().join(10, TimeUnit.SECONDS);
    provider.shutdown().join(10, TimeUnit.SECONDS);

    // The first export holds what was recorded; the SDK may add its own telemetry to the next.
    assertThat(offered).isNotEmpty();
    ExportMetricsServiceRequest request = ExportMetricsServiceRequest.parseFrom(offered.get(0));
    ResourceMetrics resource = request.getResourceMetrics(0);
    assertThat(resource.getResource().getAttributesList())
        .containsExactly(kv("service.name", AnyValue.newBuilder().setStringValue("svc").build()));
    ScopeMetrics scope = resource.getScopeMetrics(0);
    assertThat(scope.getScope().getName()).isEqualTo("scope-a");
    assertThat(scope.getScope().getVersion()).isEqualTo("1.2.3");

    Metric requests = metric(scope, "requests");
    assertThat(requests.getUnit()).isEqualTo("{request}");
    assertThat(requests.getDescription()).isEqualTo("Requests seen.");
    assertThat(requests.getSum().getIsMonotonic()).isTrue();
    assertThat(requests.getSum().getAggregationTemporality())
        .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
    NumberDataPoint point = requests.getSum().getDataPoints(0);
    assertThat(point.getAsInt()).isEqualTo(3);
    assertThat(point.getStartTimeUnixNano()).isPositive();
    assertThat(point.getTimeUnixNano()).isGreaterThanOrEqualTo(point.getStartTimeUnixNano());
    assertThat(point.getAttributesList())
        .containsExactlyInAnyOrder(
            kv("model", AnyValue.newBuilder().setStringValue("gpt-4o").build()),
            kv("weighted", AnyValue.newBuilder().setBoolValue(true).build()),
            kv("tokens", AnyValue.newBuilder().setIntValue(12).build()),
            kv("ratio", AnyValue.newBuilder().setDoubleValue(0.5).build()));

    Metric histogram = metric(scope, "latency");
    assertThat(histogram.getUnit()).isEqualTo("s");
    HistogramDataPoint h = histogram.getHistogram().getDataPoints(0);
    assertThat(h.getCount()).isEqualTo(3);
    assertThat(h.getSum()).isEqualTo(55.5);
    assertThat(h.getMin()).isEqualTo(0.5);
    assertThat(h.getMax()).isEqualTo(50.0);
    assertThat(h.getExplicitBoundsList()).containsExactly(1.0, 10.0);
    assertThat(h.getBucketCountsList()).containsExactly(1L, 1L, 1L);
  }

  @Test
  void export_cumulative_isMarkedCumulative() throws Exception {
    SdkMeterProvider provider =
        provider(connected(AggregationTemporalitySelector.alwaysCumulative()));
    provider.get("s").counterBuilder("c").build().add(1);

    provider.shutdown().join(10, TimeUnit.SECONDS);

    Metric c =
        metric(
            ExportMetricsServiceRequest.parseFrom(offered.get(0))
                .getResourceMetrics(0)
                .getScopeMetrics(0),
            "c");
    assertThat(c.getSum().getAggregationTemporality())
        .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
  }

  @Test
  void export_sinkRefuses_fails() {
    SinkMetricExporter exporter =
        new SinkMetricExporter(AggregationTemporalitySelector.deltaPreferred());
    exporter.connect(request -> false);
    SdkMeterProvider provider = provider(exporter);
    provider.get("s").counterBuilder("c").build().add(1);

    CompletableResultCode flushed = provider.forceFlush().join(10, TimeUnit.SECONDS);

    assertThat(flushed.isSuccess()).isFalse();
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }

  @Test
  void export_notConnected_succeedsAndSendsNothing() {
    SinkMetricExporter exporter =
        new SinkMetricExporter(AggregationTemporalitySelector.deltaPreferred());

    assertThat(exporter.export(List.of()).isSuccess()).isTrue();
    SdkMeterProvider provider = provider(exporter);
    provider.get("s").counterBuilder("c").build().add(1);
    assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    provider.shutdown().join(10, TimeUnit.SECONDS);
    assertThat(offered).isEmpty();
  }

  @Test
  void export_afterShutdown_fails() {
    SinkMetricExporter exporter = connected(AggregationTemporalitySelector.deltaPreferred());

    exporter.shutdown();
    exporter.shutdown(); // idempotent

    assertThat(exporter.export(List.of()).isSuccess()).isFalse();
    assertThat(offered).isEmpty();
  }

  private static Metric metric(ScopeMetrics scope, String name) {
    return scope.getMetricsList().stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in " + scope));
  }

  private static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }
}
