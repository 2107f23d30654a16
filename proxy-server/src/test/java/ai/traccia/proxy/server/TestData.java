/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;

/** Realistic OTLP requests for tests. */
public final class TestData {
  private TestData() {}

  public static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  public static Resource resource(String serviceName) {
    return Resource.newBuilder().addAttributes(attr("service.name", serviceName)).build();
  }

  public static ByteString id(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (seed * 31 + i + 1);
    }
    return ByteString.copyFrom(bytes);
  }

  public static Span span(int seed, String name) {
    return Span.newBuilder()
        .setTraceId(id(16, seed / 10))
        .setSpanId(id(8, seed))
        .setName(name)
        .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(1_700_000_000_000_000_000L + seed)
        .setEndTimeUnixNano(1_700_000_000_500_000_000L + seed)
        .addAttributes(attr("gen_ai.request.model", "gpt-4o"))
        .addAttributes(attr("gen_ai.provider.name", "openai"))
        .addEvents(
            Span.Event.newBuilder()
                .setName("gen_ai.choice")
                .setTimeUnixNano(1_700_000_000_400_000_000L)
                .addAttributes(attr("finish_reason", "stop")))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK))
        .build();
  }

  /** A request of {@code count} spans of one service and scope. */
  public static ExportTraceServiceRequest traces(int count) {
    ScopeSpans.Builder scope =
        ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("test").setVersion("1.0"));
    for (int i = 0; i < count; i++) {
      scope.addSpans(span(i, "chat gpt-4o " + i));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder().setResource(resource("checkout")).addScopeSpans(scope))
        .build();
  }

  public static ExportMetricsServiceRequest metrics(int points) {
    Gauge.Builder gauge = Gauge.newBuilder();
    for (int i = 0; i < points; i++) {
      gauge.addDataPoints(
          NumberDataPoint.newBuilder().setAsInt(i).setTimeUnixNano(1_700_000_000_000_000_000L + i));
    }
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .setResource(resource("checkout"))
                .addScopeMetrics(
                    ScopeMetrics.newBuilder()
                        .addMetrics(Metric.newBuilder().setName("queue.depth").setGauge(gauge))))
        .build();
  }

  public static ExportLogsServiceRequest logs(int records) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int i = 0; i < records; i++) {
      scope.addLogRecords(
          LogRecord.newBuilder()
              .setTimeUnixNano(1_700_000_000_000_000_000L + i)
              .setBody(AnyValue.newBuilder().setStringValue("log " + i))
              .setTraceId(id(16, i))
              .setSpanId(id(8, i)));
    }
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder().setResource(resource("checkout")).addScopeLogs(scope))
        .build();
  }
}
