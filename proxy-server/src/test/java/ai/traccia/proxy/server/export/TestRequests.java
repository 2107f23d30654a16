/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;

/** Small, valid OTLP requests for exporter tests. */
final class TestRequests {

  static final String TRACE_ID = "5b8efff798038103d269b633813fc60c";
  static final String SPAN_ID = "eee19b7ec3c1b174";

  private TestRequests() {}

  static ByteString id(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  static Resource resource(String service) {
    return Resource.newBuilder().addAttributes(attribute("service.name", service)).build();
  }

  /** {@code spans} spans named {@code <prefix>-<i>} of service checkout. */
  static ExportTraceServiceRequest traces(String prefix, int spans) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < spans; i++) {
      scope.addSpans(
          Span.newBuilder()
              .setTraceId(id(TRACE_ID))
              .setSpanId(id(String.format("%016x", i + 1)))
              .setName(prefix + "-" + i)
              .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
              .setStartTimeUnixNano(1_700_000_000_000_000_000L + i)
              .setEndTimeUnixNano(1_700_000_000_250_000_000L + i)
              .addAttributes(attribute("gen_ai.request.model", "gpt-4o")));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder().setResource(resource("checkout")).addScopeSpans(scope))
        .build();
  }

  static ExportMetricsServiceRequest metrics() {
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .setResource(resource("checkout"))
                .addScopeMetrics(
                    ScopeMetrics.newBuilder()
                        .addMetrics(
                            Metric.newBuilder()
                                .setName("llm.tokens")
                                .setGauge(
                                    Gauge.newBuilder()
                                        .addDataPoints(
                                            NumberDataPoint.newBuilder()
                                                .setAsInt(18)
                                                .addExemplars(
                                                    Exemplar.newBuilder()
                                                        .setAsInt(18)
                                                        .setTraceId(id(TRACE_ID))
                                                        .setSpanId(id(SPAN_ID))))
                                        .addDataPoints(
                                            NumberDataPoint.newBuilder().setAsDouble(0.5))))))
        .build();
  }

  static ExportLogsServiceRequest logs() {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(resource("checkout"))
                .addScopeLogs(
                    ScopeLogs.newBuilder()
                        .addLogRecords(
                            LogRecord.newBuilder()
                                .setBody(AnyValue.newBuilder().setStringValue("hello\nworld"))
                                .setTraceId(id(TRACE_ID))
                                .setSpanId(id(SPAN_ID)))))
        .build();
  }

  static ExportRequest traceRequest(String prefix, int spans) {
    return ExportRequest.of(Signal.TRACES, traces(prefix, spans).toByteArray(), spans);
  }

  static ExportRequest metricsRequest() {
    return ExportRequest.of(Signal.METRICS, metrics().toByteArray(), 2);
  }

  static ExportRequest logsRequest() {
    return ExportRequest.of(Signal.LOGS, logs().toByteArray(), 1);
  }
}
