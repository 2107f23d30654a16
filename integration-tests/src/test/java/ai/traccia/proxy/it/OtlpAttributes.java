/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads OTLP attributes and ids as plain Java values for assertions; stateless. */
final class OtlpAttributes {

  private OtlpAttributes() {}

  /**
   * The attributes as a map: strings, {@code Long}, {@code Double}, {@code Boolean}, lists of
   * those; anything else as its protobuf text.
   */
  static Map<String, Object> toMap(List<KeyValue> attributes) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (KeyValue kv : attributes) {
      map.put(kv.getKey(), value(kv.getValue()));
    }
    return map;
  }

  /** The span's attributes, see {@link #toMap}. */
  static Map<String, Object> attributes(Span span) {
    return toMap(span.getAttributesList());
  }

  /** Lower-case hex of an id, "" for an empty one. */
  static String hex(ByteString bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes.toByteArray()) {
      sb.append(String.format("%02x", b));
    }
    return sb.toString();
  }

  /** The received span named {@code name} in trace {@code traceIdHex}, if one arrived. */
  static Optional<Span> find(List<Span> spans, String traceIdHex, String name) {
    return spans.stream()
        .filter(s -> hex(s.getTraceId()).equals(traceIdHex) && s.getName().equals(name))
        .findFirst();
  }

  /** The resource attributes of the resource that carried the span with id {@code spanIdHex}. */
  static Optional<Map<String, Object>> resourceOf(
      List<ExportTraceServiceRequest> requests, String spanIdHex) {
    for (ExportTraceServiceRequest request : requests) {
      for (ResourceSpans rs : request.getResourceSpansList()) {
        boolean carries =
            rs.getScopeSpansList().stream()
                .flatMap(scope -> scope.getSpansList().stream())
                .anyMatch(s -> hex(s.getSpanId()).equals(spanIdHex));
        if (carries) {
          return Optional.of(toMap(rs.getResource().getAttributesList()));
        }
      }
    }
    return Optional.empty();
  }

  /** A numeric attribute as an exact decimal, from its double or integer value. */
  static BigDecimal decimal(Object value) {
    if (value instanceof Double) {
      return BigDecimal.valueOf((Double) value);
    }
    if (value instanceof Long) {
      return BigDecimal.valueOf((Long) value);
    }
    throw new AssertionError("expected a number but was " + value);
  }

  private static Object value(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case INT_VALUE:
        return v.getIntValue();
      case DOUBLE_VALUE:
        return v.getDoubleValue();
      case BOOL_VALUE:
        return v.getBoolValue();
      case ARRAY_VALUE:
        List<Object> list = new ArrayList<>();
        for (AnyValue element : v.getArrayValue().getValuesList()) {
          list.add(value(element));
        }
        return list;
      default:
        return v.toString();
    }
  }
}
