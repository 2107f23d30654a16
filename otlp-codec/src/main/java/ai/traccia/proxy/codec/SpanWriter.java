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
 * to a span, spans wrapped in an export request with their resources and scopes. For spans kept
 * back from their requests and forwarded later by themselves (traces' roots waiting for their
 * children).
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
   * An encoded span with the resource and scope it arrived with, as {@link #request} writes it.
   *
   * @param resourceSchemaUrl {@code ResourceSpans.schema_url}, or ""
   * @param scopeSchemaUrl {@code ScopeSpans.schema_url}, or ""
   */
  public record ScopedSpan(
      Resource resource,
      String resourceSchemaUrl,
      InstrumentationScope scope,
      String scopeSchemaUrl,
      byte[] span) {

    /** Whether {@code other} goes in the same {@code ResourceSpans}. */
    boolean sameResource(ScopedSpan other) {
      return resource.equals(other.resource) && resourceSchemaUrl.equals(other.resourceSchemaUrl);
    }

    /** Whether {@code other}, of the same resource, goes in the same {@code ScopeSpans}. */
    boolean sameScope(ScopedSpan other) {
      return scope.equals(other.scope) && scopeSchemaUrl.equals(other.scopeSchemaUrl);
    }
  }

  /**
   * An export request of {@code spans}, in their order, written in one array. Neighbours with an
   * equal resource share one {@code ResourceSpans}, and within it neighbours with an equal scope
   * one {@code ScopeSpans}: the resource and scope are written once per run, and read once per run
   * by whoever decodes the request. A schema URL of "" is left out, as protobuf-java leaves out an
   * empty string.
   *
   * @throws IllegalArgumentException when {@code spans} is empty
   */
  public static byte[] request(List<ScopedSpan> spans) {
    if (spans.isEmpty()) {
      throw new IllegalArgumentException("no spans");
    }
    // The first pass finds the runs and sizes each run's ScopeSpans and ResourceSpans, kept at the
    // run's first span; the second writes them.
    int n = spans.size();
    int[] scopeEnds = new int[n];
    int[] scopeSizes = new int[n];
    int[] resourceEnds = new int[n];
    int[] resourceSizes = new int[n];
    int total = 0;
    for (int r = 0; r < n; ) {
      int resourceEnd = resourceRunEnd(spans, r);
      ScopedSpan head = spans.get(r);
      int resourceSpans =
          CodedOutputStream.computeMessageSize(ResourceSpans.RESOURCE_FIELD_NUMBER, head.resource)
              + stringSize(ResourceSpans.SCHEMA_URL_FIELD_NUMBER, head.resourceSchemaUrl);
      for (int s = r; s < resourceEnd; ) {
        int scopeEnd = scopeRunEnd(spans, s, resourceEnd);
        ScopedSpan first = spans.get(s);
        int scopeSpans =
            CodedOutputStream.computeMessageSize(ScopeSpans.SCOPE_FIELD_NUMBER, first.scope)
                + stringSize(ScopeSpans.SCHEMA_URL_FIELD_NUMBER, first.scopeSchemaUrl);
        for (int k = s; k < scopeEnd; k++) {
          scopeSpans +=
              CodedOutputStream.computeByteArraySize(
                  ScopeSpans.SPANS_FIELD_NUMBER, spans.get(k).span);
        }
        scopeEnds[s] = scopeEnd;
        scopeSizes[s] = scopeSpans;
        resourceSpans += delimitedSize(ResourceSpans.SCOPE_SPANS_FIELD_NUMBER, scopeSpans);
        s = scopeEnd;
      }
      resourceEnds[r] = resourceEnd;
      resourceSizes[r] = resourceSpans;
      total += delimitedSize(ExportTraceServiceRequest.RESOURCE_SPANS_FIELD_NUMBER, resourceSpans);
      r = resourceEnd;
    }
    byte[] out = new byte[total];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      for (int r = 0; r < n; r = resourceEnds[r]) {
        ScopedSpan head = spans.get(r);
        writeDelimitedTag(
            cos, ExportTraceServiceRequest.RESOURCE_SPANS_FIELD_NUMBER, resourceSizes[r]);
        cos.writeMessage(ResourceSpans.RESOURCE_FIELD_NUMBER, head.resource);
        for (int s = r; s < resourceEnds[r]; s = scopeEnds[s]) {
          ScopedSpan first = spans.get(s);
          writeDelimitedTag(cos, ResourceSpans.SCOPE_SPANS_FIELD_NUMBER, scopeSizes[s]);
          cos.writeMessage(ScopeSpans.SCOPE_FIELD_NUMBER, first.scope);
          for (int k = s; k < scopeEnds[s]; k++) {
            cos.writeByteArray(ScopeSpans.SPANS_FIELD_NUMBER, spans.get(k).span);
          }
          if (!first.scopeSchemaUrl.isEmpty()) {
            cos.writeString(ScopeSpans.SCHEMA_URL_FIELD_NUMBER, first.scopeSchemaUrl);
          }
        }
        if (!head.resourceSchemaUrl.isEmpty()) {
          cos.writeString(ResourceSpans.SCHEMA_URL_FIELD_NUMBER, head.resourceSchemaUrl);
        }
      }
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing into an array of the computed size
    }
    return out;
  }

  /** The end of the run of spans from {@code from} that share its resource. */
  private static int resourceRunEnd(List<ScopedSpan> spans, int from) {
    int end = from + 1;
    while (end < spans.size() && spans.get(from).sameResource(spans.get(end))) {
      end++;
    }
    return end;
  }

  /** The end of the run of spans from {@code from}, before {@code limit}, that share its scope. */
  private static int scopeRunEnd(List<ScopedSpan> spans, int from, int limit) {
    int end = from + 1;
    while (end < limit && spans.get(from).sameScope(spans.get(end))) {
      end++;
    }
    return end;
  }

  private static int delimitedSize(int field, int length) {
    return CodedOutputStream.computeTagSize(field)
        + CodedOutputStream.computeUInt32SizeNoTag(length)
        + length;
  }

  private static void writeDelimitedTag(CodedOutputStream cos, int field, int length)
      throws IOException {
    cos.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    cos.writeUInt32NoTag(length);
  }

  private static int stringSize(int field, String value) {
    return value.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, value);
  }
}
