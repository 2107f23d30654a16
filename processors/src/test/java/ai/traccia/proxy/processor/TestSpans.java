/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor;

import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.processor.genai.LlmSpan;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Spans for processor tests, written as attribute maps as instrumentation exports them. */
public final class TestSpans {

  private TestSpans() {}

  /** Attributes from alternating keys and values (String, Long, Integer, Double, Boolean). */
  public static List<KeyValue> attributes(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("odd number of keys and values");
    }
    List<KeyValue> out = new ArrayList<>();
    for (int k = 0; k < keysAndValues.length; k += 2) {
      out.add(
          KeyValue.newBuilder()
              .setKey((String) keysAndValues[k])
              .setValue(value(keysAndValues[k + 1]))
              .build());
    }
    return out;
  }

  /** The OTLP value of a Java value. */
  public static AnyValue value(Object v) {
    AnyValue.Builder b = AnyValue.newBuilder();
    if (v instanceof String) {
      b.setStringValue((String) v);
    } else if (v instanceof Long || v instanceof Integer) {
      b.setIntValue(((Number) v).longValue());
    } else if (v instanceof Double) {
      b.setDoubleValue((Double) v);
    } else if (v instanceof Boolean) {
      b.setBoolValue((Boolean) v);
    } else {
      throw new IllegalArgumentException("unsupported value: " + v);
    }
    return b.build();
  }

  /** A batch of one span per attribute list, all in one resource and scope. */
  @SafeVarargs
  public static SpanBatch batch(List<KeyValue>... spans) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (List<KeyValue> attributes : spans) {
      scope.addSpans(Span.newBuilder().setName("span").addAllAttributes(attributes));
    }
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
            .build();
    return SpanBatch.of(request, request.toByteArray());
  }

  /**
   * A batch of one span per attribute list, all in one resource and in the instrumentation scope
   * {@code scopeName} / {@code scopeVersion}, as a library's tracer names it.
   */
  @SafeVarargs
  public static SpanBatch batchInScope(
      String scopeName, String scopeVersion, List<KeyValue>... spans) {
    ScopeSpans.Builder scope =
        ScopeSpans.newBuilder()
            .setScope(
                InstrumentationScope.newBuilder().setName(scopeName).setVersion(scopeVersion));
    for (List<KeyValue> attributes : spans) {
      scope.addSpans(Span.newBuilder().setName("span").addAllAttributes(attributes));
    }
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
            .build();
    return SpanBatch.of(request, request.toByteArray());
  }

  /** What {@link LlmSpan} reads of a span with these attributes, in a request of its own. */
  public static LlmSpan llmSpan(List<KeyValue> attributes) {
    return LlmSpan.read(batch(attributes), 0);
  }

  /** The attributes of span {@code i} as they will be forwarded, as Java values. */
  public static Map<String, Object> forwarded(SpanBatch batch, int i) {
    Span span = batch.toRequest().getResourceSpans(0).getScopeSpans(0).getSpans(i);
    Map<String, Object> out = new LinkedHashMap<>();
    for (KeyValue kv : span.getAttributesList()) {
      out.put(kv.getKey(), javaValue(kv.getValue()));
    }
    return out;
  }

  private static Object javaValue(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case INT_VALUE:
        return v.getIntValue();
      case DOUBLE_VALUE:
        return v.getDoubleValue();
      case BOOL_VALUE:
        return v.getBoolValue();
      default:
        return v;
    }
  }
}
