/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Collection;
import java.util.Objects;

/**
 * A {@link MetricExporter} that encodes what the SDK collected as one OTLP {@code
 * ExportMetricsServiceRequest} and hands the bytes to a {@link MetricsSink}, instead of sending
 * them over a connection of its own.
 *
 * <p>The encoding is the SDK's own ({@link MetricsRequestMarshaler} of {@code
 * opentelemetry-exporter-otlp-common}), the one its OTLP exporters send: it follows every data type
 * and field the SDK produces, with no HTTP client attached. It is an internal API of the SDK, so
 * {@code SinkMetricExporterTest} parses its output with protobuf-java to catch a change on upgrade.
 *
 * <p>The sink is connected after construction ({@link #connect}), because the proxy builds the
 * metrics before the queues they feed; until then exports succeed and go nowhere, as they did when
 * no metrics destination was configured. Thread-safe.
 */
final class SinkMetricExporter implements MetricExporter {

  // System.Logger: this module has no logging library; the proxy routes it to its own logger.
  private static final System.Logger logger = System.getLogger(SinkMetricExporter.class.getName());

  private final AggregationTemporalitySelector temporality;
  private volatile MetricsSink sink; // null until connected
  private volatile boolean shutdown;

  SinkMetricExporter(AggregationTemporalitySelector temporality) {
    this.temporality = Objects.requireNonNull(temporality, "temporality");
  }

  /** Sends every later export to {@code sink}. */
  void connect(MetricsSink sink) {
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return temporality.getAggregationTemporality(instrumentType);
  }

  @Override
  public CompletableResultCode export(Collection<MetricData> metrics) {
    if (shutdown) {
      return CompletableResultCode.ofFailure();
    }
    MetricsSink target = sink;
    if (target == null || metrics.isEmpty()) {
      return CompletableResultCode.ofSuccess();
    }
    byte[] request;
    try {
      request = encode(metrics);
    } catch (IOException | RuntimeException e) {
      logger.log(
          System.Logger.Level.WARNING, "The derived metrics could not be encoded as OTLP", e);
      return CompletableResultCode.ofExceptionalFailure(e);
    }
    // The sink counts what it refuses; the reader only learns that this export failed.
    return target.offer(request)
        ? CompletableResultCode.ofSuccess()
        : CompletableResultCode.ofFailure();
  }

  /** {@code metrics} as the bytes of one {@code ExportMetricsServiceRequest}. */
  static byte[] encode(Collection<MetricData> metrics) throws IOException {
    MetricsRequestMarshaler marshaler = MetricsRequestMarshaler.create(metrics);
    ByteArrayOutputStream out = new ByteArrayOutputStream(marshaler.getBinarySerializedSize());
    marshaler.writeBinaryTo(out);
    return out.toByteArray();
  }

  /** Nothing is buffered here: each export is handed to the sink when it is made. */
  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    shutdown = true;
    return CompletableResultCode.ofSuccess();
  }
}
