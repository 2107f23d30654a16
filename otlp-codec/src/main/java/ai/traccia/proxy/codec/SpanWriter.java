/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes spans already encoded into new protobuf bytes without decoding them: attributes appended
 * to a span, a span wrapped in an export request of its own. For a span kept back from its request
 * and forwarded later by itself (a trace's root waiting for its children).
 */
public final class SpanWriter {

  private SpanWriter() {}

  /**
   * The encoded span {@code span} with {@code attributes} added after its own: protobuf appends the
   * repeated fields written after a message's bytes, so they decode as the span's last attributes.
   * A key the span already has is not replaced; both copies are kept.
   */
  public static byte[] appendAttributes(byte[] span, Map<String, AnyValue> attributes) {
    List<KeyValue> added = new ArrayList<>(attributes.size());
    int extra = 0;
    for (Map.Entry<String, AnyValue> e : attributes.entrySet()) {
      KeyValue kv = KeyValue.newBuilder().setKey(e.getKey()).setValue(e.getValue()).build();
      added.add(kv);
      extra += CodedOutputStream.computeMessageSize(Span.ATTRIBUTES_FIELD_NUMBER, kv);
    }
    byte[] out = Arrays.copyOf(span, span.length + extra);
    CodedOutputStream cos = CodedOutputStream.newInstance(out, span.length, extra);
    try {
      for (KeyValue kv : added) {
        cos.writeMessage(Span.ATTRIBUTES_FIELD_NUMBER, kv);
      }
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing into an array of the computed size
    }
    return out;
  }

  /**
   * An export request of the one encoded span {@code span}, with the resource and scope it arrived
   * with; a schema URL of "" is left out, as protobuf-java leaves out an empty string.
   */
  public static byte[] request(
      Resource resource,
      String resourceSchemaUrl,
      InstrumentationScope scope,
      String scopeSchemaUrl,
      byte[] span) {
    int scopeSpans =
        CodedOutputStream.computeMessageSize(ScopeSpans.SCOPE_FIELD_NUMBER, scope)
            + CodedOutputStream.computeByteArraySize(ScopeSpans.SPANS_FIELD_NUMBER, span)
            + stringSize(ScopeSpans.SCHEMA_URL_FIELD_NUMBER, scopeSchemaUrl);
    int resourceSpans =
        CodedOutputStream.computeMessageSize(ResourceSpans.RESOURCE_FIELD_NUMBER, resource)
            + CodedOutputStream.computeTagSize(ResourceSpans.SCOPE_SPANS_FIELD_NUMBER)
            + CodedOutputStream.computeUInt32SizeNoTag(scopeSpans)
            + scopeSpans
            + stringSize(ResourceSpans.SCHEMA_URL_FIELD_NUMBER, resourceSchemaUrl);
    int total =
        CodedOutputStream.computeTagSize(ExportTraceServiceRequest.RESOURCE_SPANS_FIELD_NUMBER)
            + CodedOutputStream.computeUInt32SizeNoTag(resourceSpans)
            + resourceSpans;
    byte[] out = new byte[total];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      cos.writeTag(
          ExportTraceServiceRequest.RESOURCE_SPANS_FIELD_NUMBER,
          WireFormat.WIRETYPE_LENGTH_DELIMITED);
      cos.writeUInt32NoTag(resourceSpans);
      cos.writeMessage(ResourceSpans.RESOURCE_FIELD_NUMBER, resource);
      cos.writeTag(ResourceSpans.SCOPE_SPANS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      cos.writeUInt32NoTag(scopeSpans);
      cos.writeMessage(ScopeSpans.SCOPE_FIELD_NUMBER, scope);
      cos.writeByteArray(ScopeSpans.SPANS_FIELD_NUMBER, span);
      if (!scopeSchemaUrl.isEmpty()) {
        cos.writeString(ScopeSpans.SCHEMA_URL_FIELD_NUMBER, scopeSchemaUrl);
      }
      if (!resourceSchemaUrl.isEmpty()) {
        cos.writeString(ResourceSpans.SCHEMA_URL_FIELD_NUMBER, resourceSchemaUrl);
      }
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing into an array of the computed size
    }
    return out;
  }

  private static int stringSize(int field, String value) {
    return value.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, value);
  }
}
