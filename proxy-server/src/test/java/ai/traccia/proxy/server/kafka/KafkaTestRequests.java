/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.kafka;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;

/** Small trace requests for the Kafka tests. */
final class KafkaTestRequests {

  static final String TRACE_A = "0af7651916cd43dd8448eb211c80319c";
  static final String TRACE_B = "4bf92f3577b34da6a3ce929d0e0e4736";

  private KafkaTestRequests() {}

  static ByteString id(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  static Span span(String traceId, int spanSeed, String name) {
    return Span.newBuilder()
        .setTraceId(id(traceId))
        .setSpanId(id(String.format("%016x", spanSeed)))
        .setName(name)
        .setStartTimeUnixNano(1_000)
        .setEndTimeUnixNano(2_000)
        .build();
  }

  static Resource resource(String service) {
    return Resource.newBuilder()
        .addAttributes(
            KeyValue.newBuilder()
                .setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue(service)))
        .build();
  }

  static ScopeSpans.Builder scope(String name, Span... spans) {
    ScopeSpans.Builder scope =
        ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName(name))
            .setSchemaUrl("https://opentelemetry.io/schemas/1.26.0");
    for (Span s : spans) {
      scope.addSpans(s);
    }
    return scope;
  }

  static ResourceSpans.Builder resourceSpans(String service, ScopeSpans.Builder... scopes) {
    ResourceSpans.Builder rs = ResourceSpans.newBuilder().setResource(resource(service));
    for (ScopeSpans.Builder s : scopes) {
      rs.addScopeSpans(s);
    }
    return rs;
  }

  /** Two services, two scopes, spans of traces A and B interleaved. */
  static ExportTraceServiceRequest twoTraces() {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            resourceSpans(
                "agent",
                scope("openai", span(TRACE_A, 1, "a1"), span(TRACE_B, 2, "b1")),
                scope("langchain", span(TRACE_A, 3, "a2"))))
        .addResourceSpans(
            resourceSpans("tool", scope("http", span(TRACE_B, 4, "b2"), span(TRACE_A, 5, "a3"))))
        .build();
  }

  /** One trace of {@code spans} spans. */
  static ExportTraceServiceRequest oneTrace(String traceId, int spans) {
    ScopeSpans.Builder scope = scope("openai");
    for (int i = 0; i < spans; i++) {
      scope.addSpans(span(traceId, i + 1, "s" + i));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(resourceSpans("agent", scope))
        .build();
  }
}
