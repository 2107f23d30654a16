/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pipeline;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The spans of one OTLP export request, addressed by a flat index, with the edits processors make.
 *
 * <p>Processors read spans with {@link #span(int)} and {@link #attribute(int, String)}, and change
 * them only through {@link #putAttribute} and {@link #reject}. Edits are recorded beside the
 * decoded request and applied once, when {@link #toByteArray()} or {@link #toRequest()} seals the
 * batch, so a request that no processor touched is forwarded as the very bytes that arrived.
 *
 * <p>Not thread-safe: a batch is confined to the thread that runs the pipeline over it.
 */
public final class SpanBatch {

  // Spans with at most this many attributes are searched in order; more get a key mask first.
  private static final int SCAN_LIMIT = 8;

  private final byte[] encoded;
  private final int size;
  // Null until a processor reads a span, for a batch made from bytes: a request that nobody reads
  // is checked and counted (OtlpWire) and forwarded without ever being decoded.
  private ExportTraceServiceRequest request;
  // For span i: its ResourceSpans, ScopeSpans and Span positions in the request; built on decode.
  private int[] resourceIndex;
  private int[] scopeIndex;
  private int[] spanIndex;
  // Allocated on the first edit; most spans of most batches are never edited.
  private Map<String, AnyValue>[] edits;
  // For spans with many attributes, a 64-bit summary of their keys (keyBit), made on the first
  // lookup: every processor asks each span for a dozen keys or more, and most are not there.
  private long[] keyMasks;
  // A reader's view of each span (LlmSpan), shared by the processors, dropped when it is edited.
  private Object[] views;
  private RejectReason[] rejections;
  private int rejectedCount;
  private boolean sealed;

  private SpanBatch(ExportTraceServiceRequest request, byte[] encoded, int size) {
    this.request = request;
    this.encoded = encoded;
    this.size = size;
    if (request != null) {
      index(request);
    }
  }

  private void index(ExportTraceServiceRequest decoded) {
    resourceIndex = new int[size];
    scopeIndex = new int[size];
    spanIndex = new int[size];
    int i = 0;
    for (int r = 0; r < decoded.getResourceSpansCount(); r++) {
      ResourceSpans rs = decoded.getResourceSpans(r);
      for (int s = 0; s < rs.getScopeSpansCount(); s++) {
        int spans = rs.getScopeSpans(s).getSpansCount();
        for (int k = 0; k < spans; k++, i++) {
          resourceIndex[i] = r;
          scopeIndex[i] = s;
          spanIndex[i] = k;
        }
      }
    }
  }

  /**
   * Wraps a decoded request.
   *
   * @param encoded the bytes {@code request} was decoded from, or {@code null} when it came from
   *     another encoding (OTLP JSON). The batch does not copy them and assumes nobody changes them.
   */
  public static SpanBatch of(ExportTraceServiceRequest request, byte[] encoded) {
    Objects.requireNonNull(request, "request");
    int count = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        count += ss.getSpansCount();
      }
    }
    return new SpanBatch(request, encoded, count);
  }

  /**
   * Wraps an encoded request after checking it as a decode would ({@link OtlpWire}); it is decoded
   * only if a processor reads or edits a span. The batch does not copy {@code encoded}.
   *
   * @throws InvalidProtocolBufferException when {@code encoded} is not an {@code
   *     ExportTraceServiceRequest}
   */
  public static SpanBatch parse(byte[] encoded) throws InvalidProtocolBufferException {
    return new SpanBatch(null, encoded, OtlpWire.countSpans(encoded));
  }

  /** Whether the spans were decoded; for tests of the paths that should not need to. */
  boolean isDecoded() {
    return request != null;
  }

  private ExportTraceServiceRequest request() {
    if (request == null) {
      try {
        request = ExportTraceServiceRequest.parseFrom(encoded);
      } catch (InvalidProtocolBufferException e) {
        // OtlpWire accepted these bytes, and it accepts what parseFrom does.
        throw new IllegalStateException("a checked request failed to decode", e);
      }
      index(request);
    }
    return request;
  }

  /** The number of spans in the request, rejected ones included. */
  public int size() {
    return size;
  }

  /** Span {@code i} as it arrived, without the edits of this batch. */
  public Span span(int i) {
    return scopeSpans(i).getSpans(spanIndex[i]);
  }

  /** The resource of span {@code i}. */
  public Resource resource(int i) {
    return request().getResourceSpans(resourceIndex[i]).getResource();
  }

  /** The instrumentation scope of span {@code i}. */
  public InstrumentationScope scope(int i) {
    return scopeSpans(i).getScope();
  }

  /** The schema URL of span {@code i}'s resource ({@code ResourceSpans.schema_url}), or "". */
  public String resourceSchemaUrl(int i) {
    return request().getResourceSpans(resourceIndex[i]).getSchemaUrl();
  }

  /** The schema URL of span {@code i}'s scope ({@code ScopeSpans.schema_url}), or "". */
  public String scopeSchemaUrl(int i) {
    return scopeSpans(i).getSchemaUrl();
  }

  /**
   * Span {@code i} with the edits made so far applied, as it would be forwarded now. Does not seal
   * the batch; for a processor that keeps a copy of a span and forwards it later itself.
   */
  public Span editedSpan(int i) {
    return withAttributes(span(i), edits == null ? null : edits[i]);
  }

  /**
   * The value of attribute {@code key} on span {@code i}, taking earlier processors' edits into
   * account, or {@code null} when the span has no such attribute.
   */
  public AnyValue attribute(int i, String key) {
    if (edits != null && edits[i] != null) {
      AnyValue edited = edits[i].get(key);
      if (edited != null) {
        return edited;
      }
    }
    List<KeyValue> attributes = span(i).getAttributesList();
    if (attributes.size() > SCAN_LIMIT) {
      if (keyMasks == null) {
        keyMasks = new long[size];
      }
      long mask = keyMasks[i];
      if (mask == 0) { // not made yet: a span with keys has at least one bit
        for (int k = 0; k < attributes.size(); k++) {
          mask |= keyBit(attributes.get(k).getKey());
        }
        keyMasks[i] = mask;
      }
      if ((mask & keyBit(key)) == 0) {
        return null;
      }
    }
    return find(attributes, key);
  }

  /**
   * One of 64 bits for {@code key}, from its length and two of its characters: no hashing of the
   * whole key, which for a decoded key would be computed afresh on every span. Equal keys get the
   * same bit, so a span whose mask lacks a key's bit lacks the key.
   */
  private static long keyBit(String key) {
    int n = key.length();
    int h = n * 0x9E3779B1;
    if (n > 0) {
      h ^= key.charAt(n - 1) * 0x85EBCA6B ^ key.charAt(n >>> 1) * 0xC2B2AE35;
    }
    return 1L << (h >>> 26);
  }

  /**
   * The view of span {@code i} a reader stored with {@link #setView}, or null. Views are dropped
   * when the span is edited, so a view always describes the span as it is now.
   */
  public Object view(int i) {
    return views == null ? null : views[i];
  }

  /** Stores a read-only view of span {@code i} for later processors of this batch. */
  public void setView(int i, Object view) {
    if (views == null) {
      views = new Object[size];
    }
    views[i] = view;
  }

  /** The value of resource attribute {@code key} of span {@code i}, or {@code null}. */
  public AnyValue resourceAttribute(int i, String key) {
    return find(resource(i).getAttributesList(), key);
  }

  /** Sets attribute {@code key} on span {@code i}, replacing any value it had. */
  public void putAttribute(int i, String key, AnyValue value) {
    checkOpen();
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (edits == null) {
      @SuppressWarnings("unchecked")
      Map<String, AnyValue>[] created = new Map[size()];
      edits = created;
    }
    if (edits[i] == null) {
      edits[i] = new LinkedHashMap<>(4);
    }
    edits[i].put(key, value);
    if (views != null) {
      views[i] = null;
    }
  }

  /** Sets a string attribute on span {@code i}. */
  public void putAttribute(int i, String key, String value) {
    putAttribute(i, key, AnyValue.newBuilder().setStringValue(value).build());
  }

  /** Sets an integer attribute on span {@code i}. */
  public void putAttribute(int i, String key, long value) {
    putAttribute(i, key, AnyValue.newBuilder().setIntValue(value).build());
  }

  /** Sets a floating-point attribute on span {@code i}. */
  public void putAttribute(int i, String key, double value) {
    putAttribute(i, key, AnyValue.newBuilder().setDoubleValue(value).build());
  }

  /** Sets a boolean attribute on span {@code i}. */
  public void putAttribute(int i, String key, boolean value) {
    putAttribute(i, key, AnyValue.newBuilder().setBoolValue(value).build());
  }

  /** Marks span {@code i} as refused; the first reason given for a span is kept. */
  public void reject(int i, RejectReason reason) {
    checkOpen();
    Objects.requireNonNull(reason, "reason");
    if (rejections == null) {
      rejections = new RejectReason[size()];
    }
    if (rejections[i] == null) {
      rejections[i] = reason;
      rejectedCount++;
    }
  }

  /** Whether span {@code i} was refused by a processor. */
  public boolean isRejected(int i) {
    return rejections != null && rejections[i] != null;
  }

  /** The number of refused spans. */
  public int rejectedCount() {
    return rejectedCount;
  }

  /** The number of spans that will be forwarded. */
  public int acceptedCount() {
    return size() - rejectedCount;
  }

  /** Refused spans by reason, for self-metrics and the client's {@code partial_success}. */
  public Map<RejectReason, Integer> rejectionsByReason() {
    Map<RejectReason, Integer> counts = new EnumMap<>(RejectReason.class);
    if (rejections != null) {
      for (RejectReason reason : rejections) {
        if (reason != null) {
          counts.merge(reason, 1, Integer::sum);
        }
      }
    }
    return counts;
  }

  /** Whether any processor edited or refused a span. */
  public boolean isModified() {
    return edits != null || rejections != null;
  }

  /**
   * Seals the batch and returns the request to forward: the arrived request with every edit applied
   * and refused spans removed. Empty scopes and resources left by refusals are removed.
   */
  public ExportTraceServiceRequest toRequest() {
    sealed = true;
    if (!isModified()) {
      return request();
    }
    ExportTraceServiceRequest.Builder out = ExportTraceServiceRequest.newBuilder();
    int i = 0;
    for (ResourceSpans rs : request().getResourceSpansList()) {
      ResourceSpans.Builder rsOut = rs.toBuilder().clearScopeSpans();
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        ScopeSpans.Builder ssOut = ss.toBuilder().clearSpans();
        for (Span span : ss.getSpansList()) {
          if (!isRejected(i)) {
            ssOut.addSpans(withAttributes(span, edits == null ? null : edits[i]));
          }
          i++;
        }
        if (ssOut.getSpansCount() > 0) {
          rsOut.addScopeSpans(ssOut);
        }
      }
      if (rsOut.getScopeSpansCount() > 0) {
        out.addResourceSpans(rsOut);
      }
    }
    return out.build();
  }

  /**
   * Seals the batch and returns the protobuf encoding of {@link #toRequest()}. When the batch was
   * made from protobuf bytes, those bytes are returned without copying if nothing was edited, and
   * otherwise only the edited spans are encoded again (see {@link SpanSplicer}).
   */
  public byte[] toByteArray() {
    if (encoded == null) {
      return toRequest().toByteArray();
    }
    sealed = true;
    if (!isModified()) {
      return encoded;
    }
    // Copy what was not edited as it arrived; a batch with refusals only is never decoded.
    return SpanSplicer.splice(encoded, this);
  }

  /** Whether a processor set an attribute on span {@code i}. */
  boolean isEdited(int i) {
    return edits != null && edits[i] != null;
  }

  /**
   * {@code span} with {@code spanEdits} set: its attributes of those keys are replaced, the others
   * kept in order, and the new ones follow. {@code null} edits return {@code span} itself.
   */
  public static Span withAttributes(Span span, Map<String, AnyValue> spanEdits) {
    if (spanEdits == null) {
      return span;
    }
    List<KeyValue> attributes = new ArrayList<>(span.getAttributesCount() + spanEdits.size());
    for (KeyValue kv : span.getAttributesList()) {
      if (!spanEdits.containsKey(kv.getKey())) {
        attributes.add(kv);
      }
    }
    for (Map.Entry<String, AnyValue> e : spanEdits.entrySet()) {
      attributes.add(KeyValue.newBuilder().setKey(e.getKey()).setValue(e.getValue()).build());
    }
    return span.toBuilder().clearAttributes().addAllAttributes(attributes).build();
  }

  private ScopeSpans scopeSpans(int i) {
    return request().getResourceSpans(resourceIndex[i]).getScopeSpans(scopeIndex[i]);
  }

  private void checkOpen() {
    if (sealed) {
      throw new IllegalStateException("the batch was sealed; processors must not keep it");
    }
  }

  private static AnyValue find(List<KeyValue> attributes, String key) {
    for (int k = 0; k < attributes.size(); k++) {
      KeyValue kv = attributes.get(k);
      if (kv.getKey().equals(key)) {
        return kv.getValue();
      }
    }
    return null;
  }
}
