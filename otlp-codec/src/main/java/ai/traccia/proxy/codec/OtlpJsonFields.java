/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * What the OTLP JSON mapping needs to know about each field, computed once from the protobuf
 * descriptors: the names a field may be given under, and which {@code bytes} fields are trace or
 * span ids (hex in JSON rather than base64).
 *
 * <p>Immutable after class initialisation, so safe to share between threads.
 */
final class OtlpJsonFields {

  /** One field of one message type. */
  static final class Field {
    final FieldDescriptor descriptor;

    /** 16 for a trace id, 8 for a span id, 0 for every other field. */
    final int idBytes;

    Field(FieldDescriptor descriptor, int idBytes) {
      this.descriptor = descriptor;
      this.idBytes = idBytes;
    }
  }

  private static final Map<FieldDescriptor, Integer> ID_BYTES = idFields();
  private static final Map<Descriptor, Map<String, Field>> BY_NAME = namesOf(roots());

  private OtlpJsonFields() {}

  /**
   * The fields of {@code type} by their JSON name and by their proto name. Types outside the OTLP
   * export requests and responses are computed on each call.
   */
  static Map<String, Field> byName(Descriptor type) {
    Map<String, Field> fields = BY_NAME.get(type);
    return fields != null ? fields : namesOf(type);
  }

  /** 16 if {@code field} holds a trace id, 8 if a span id, otherwise 0. */
  static int idBytes(FieldDescriptor field) {
    Integer bytes = ID_BYTES.get(field);
    return bytes == null ? 0 : bytes;
  }

  private static Descriptor[] roots() {
    return new Descriptor[] {
      ExportTraceServiceRequest.getDescriptor(),
      ExportMetricsServiceRequest.getDescriptor(),
      ExportLogsServiceRequest.getDescriptor(),
      ExportTraceServiceResponse.getDescriptor(),
      ExportMetricsServiceResponse.getDescriptor(),
      ExportLogsServiceResponse.getDescriptor()
    };
  }

  private static Map<FieldDescriptor, Integer> idFields() {
    Map<FieldDescriptor, Integer> ids = new IdentityHashMap<>();
    Descriptor span = Span.getDescriptor();
    ids.put(span.findFieldByName("trace_id"), 16);
    ids.put(span.findFieldByName("span_id"), 8);
    ids.put(span.findFieldByName("parent_span_id"), 8);
    Descriptor link = Span.Link.getDescriptor();
    ids.put(link.findFieldByName("trace_id"), 16);
    ids.put(link.findFieldByName("span_id"), 8);
    Descriptor logRecord = LogRecord.getDescriptor();
    ids.put(logRecord.findFieldByName("trace_id"), 16);
    ids.put(logRecord.findFieldByName("span_id"), 8);
    Descriptor exemplar = Exemplar.getDescriptor();
    ids.put(exemplar.findFieldByName("trace_id"), 16);
    ids.put(exemplar.findFieldByName("span_id"), 8);
    return ids;
  }

  /** Walks every message type reachable from {@code roots} and indexes its fields by name. */
  private static Map<Descriptor, Map<String, Field>> namesOf(Descriptor[] roots) {
    Map<Descriptor, Map<String, Field>> all = new IdentityHashMap<>();
    Deque<Descriptor> pending = new ArrayDeque<>();
    for (Descriptor root : roots) {
      pending.add(root);
    }
    while (!pending.isEmpty()) {
      Descriptor type = pending.poll();
      if (all.containsKey(type)) {
        continue;
      }
      all.put(type, namesOf(type));
      for (FieldDescriptor field : type.getFields()) {
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          pending.add(field.getMessageType());
        }
      }
    }
    return all;
  }

  private static Map<String, Field> namesOf(Descriptor type) {
    Map<String, Field> names = new HashMap<>();
    for (FieldDescriptor descriptor : type.getFields()) {
      Field field = new Field(descriptor, idBytes(descriptor));
      names.put(descriptor.getName(), field);
      names.put(descriptor.getJsonName(), field);
    }
    return names;
  }
}
