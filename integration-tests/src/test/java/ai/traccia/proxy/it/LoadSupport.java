/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import com.google.protobuf.ByteString;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Spans with unique ids and readers of the proxy's /metrics, for the overload tests. */
final class LoadSupport {

  private LoadSupport() {}

  /** The span id of span number {@code n}: unique per test run, readable back as {@code n}. */
  static byte[] spanId(long n) {
    return ByteBuffer.allocate(8).putLong(n + 1).array();
  }

  /** The number a span id of {@link #spanId} was made from. */
  static long spanNumber(ByteString spanId) {
    return ByteBuffer.wrap(spanId.toByteArray()).getLong() - 1;
  }

  /** {@code count} SDK spans numbered from {@code first}. */
  static List<SpanData> sdkSpans(long first, int count) {
    List<SpanData> spans = new ArrayList<>(count);
    HexFormat hex = HexFormat.of();
    for (int i = 0; i < count; i++) {
      long n = first + i;
      String traceId = hex.formatHex(ByteBuffer.allocate(16).putLong(7).putLong(n + 1).array());
      String spanId = hex.formatHex(spanId(n));
      spans.add(
          TestSpanData.builder()
              .setSpanContext(
                  SpanContext.create(
                      traceId, spanId, TraceFlags.getSampled(), TraceState.getDefault()))
              .setName("load " + n)
              .setKind(SpanKind.INTERNAL)
              .setStartEpochNanos(1_700_000_000_000_000_000L)
              .setEndEpochNanos(1_700_000_000_001_000_000L)
              .setAttributes(Attributes.empty())
              .setStatus(StatusData.create(StatusCode.UNSET, ""))
              .setHasEnded(true)
              .setTotalRecordedEvents(0)
              .setTotalRecordedLinks(0)
              .setTotalAttributeCount(0)
              .build());
    }
    return spans;
  }

  /** An OTLP request of {@code count} spans numbered from {@code first}, as protobuf bytes. */
  static byte[] request(long first, int count) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < count; i++) {
      long n = first + i;
      scope.addSpans(
          Span.newBuilder()
              .setTraceId(
                  ByteString.copyFrom(ByteBuffer.allocate(16).putLong(7).putLong(n + 1).array()))
              .setSpanId(ByteString.copyFrom(spanId(n)))
              .setName("load " + n)
              .setStartTimeUnixNano(1_700_000_000_000_000_000L)
              .setEndTimeUnixNano(1_700_000_000_001_000_000L)
              .addAttributes(
                  KeyValue.newBuilder()
                      .setKey("payload")
                      .setValue(AnyValue.newBuilder().setStringValue("x".repeat(64)))));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(
                            KeyValue.newBuilder()
                                .setKey("service.name")
                                .setValue(AnyValue.newBuilder().setStringValue("load"))))
                .addScopeSpans(scope))
        .build()
        .toByteArray();
  }

  /**
   * The sum of every series of counter {@code name} (with or without {@code _total}) whose labels
   * contain {@code labelFragment}, in Prometheus text {@code metrics}.
   */
  static double counter(String metrics, String name, String labelFragment) {
    Pattern line =
        Pattern.compile(
            "^" + Pattern.quote(name) + "(?:_total)?\\{([^}]*)\\} ([0-9.eE+-]+)$",
            Pattern.MULTILINE);
    Matcher m = line.matcher(metrics);
    double sum = 0;
    while (m.find()) {
      if (m.group(1).contains(labelFragment)) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return sum;
  }
}
