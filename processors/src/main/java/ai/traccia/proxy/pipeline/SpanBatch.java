/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pipeline;

import ai.traccia.proxy.codec.OtlpWire;
import ai.traccia.proxy.codec.SpanLimits;
import ai.traccia.proxy.codec.SpanSplicer;
import ai.traccia.proxy.codec.WireSpans;
import com.google.protobuf.ByteString;
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
 * <p>Processors read spans through the accessors here ({@link #traceId}, {@link #attribute(int,
 * String)} and the like), and change them only through {@link #putAttribute}, {@link
 * #removeAttribute}, {@link #setEvents} and {@link #reject}. Reads go straight to the request's
 * protobuf bytes ({@link WireSpans}): a span's fields are found when it is first read, and an
 * attribute value is decoded only when asked for, so a processor that looks for a few keys on every
 * span does not pay for decoding all of them. Edits are recorded beside the request and applied
 * once, when {@link #toByteArray()} or {@link #toRequest()} seals the batch, so a request that no
 * processor touched is forwarded as the very bytes that arrived.
 *
 * <p>Not thread-safe: a batch is confined to the thread that runs the pipeline over it.
 */
public final class SpanBatch {

  private final byte[] encoded;
  private final int size;
  // Null until someone asks for the whole request (toRequest), unless the batch was made from one.
  private ExportTraceServiceRequest request;
  // Null until a processor reads a span: a request that nobody reads is checked and counted
  // (OtlpWire) and forwarded without its spans ever being looked at.
  private WireSpans wire;
  // Allocated on the first edit; most spans of most batches are never edited.
  private Map<String, AnyValue>[] edits;
  // Allocated on the first event edit: spans whose events a processor replaced whole.
  private List<Span.Event>[] eventEdits;
  // A reader's view of each span (LlmSpan), shared by the processors, renewed by its edits.
  private View[] views;
  private RejectReason[] rejections;
  private int rejectedCount;
  private boolean sealed;
  // What the splicer sees of this batch; package-private accessors stay out of the public API.
  private final SpanSplicer.Edits spliceView = new SpliceView();

  private SpanBatch(ExportTraceServiceRequest request, byte[] encoded, int size) {
    this.request = request;
    this.encoded = encoded;
    this.size = size;
  }

  /**
   * Wraps a decoded request, for tests and tools; the receivers {@link #parse} bytes.
   *
   * @param encoded the bytes {@code request} was decoded from, or {@code null} to encode it here.
   *     The batch does not copy them and assumes nobody changes them.
   */
  public static SpanBatch of(ExportTraceServiceRequest request, byte[] encoded) {
    Objects.requireNonNull(request, "request");
    int count = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        count += ss.getSpansCount();
      }
    }
    return new SpanBatch(request, encoded != null ? encoded : request.toByteArray(), count);
  }

  /**
   * Wraps an encoded request after checking it as a decode would, with the default {@link
   * SpanLimits} ({@link OtlpWire}). It is never decoded whole unless {@link #toRequest()} asks for
   * it. The batch does not copy {@code encoded}.
   *
   * @throws InvalidProtocolBufferException when {@code encoded} is not an {@code
   *     ExportTraceServiceRequest}
   */
  public static SpanBatch parse(byte[] encoded) throws InvalidProtocolBufferException {
    return parse(encoded, SpanLimits.defaults());
  }

  /**
   * Wraps an encoded request after checking it as a decode would, and its ids and {@code limits}
   * ({@link OtlpWire#countSpans(byte[], SpanLimits)}). The batch does not copy {@code encoded}.
   *
   * @throws InvalidProtocolBufferException when {@code encoded} is not an {@code
   *     ExportTraceServiceRequest}, or breaks an id rule or a bound; the message names the field
   */
  public static SpanBatch parse(byte[] encoded, SpanLimits limits)
      throws InvalidProtocolBufferException {
    return new SpanBatch(null, encoded, OtlpWire.countSpans(encoded, limits));
  }

  /** Whether the whole request was decoded; for tests of the paths that should not need to. */
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
    }
    return request;
  }

  /**
   * The request's bytes as they arrived, before any edit; not a copy, and not to be modified. For a
   * hand-off that reserves room for a batch before the processors run on it.
   */
  public byte[] arrivedBytes() {
    return encoded;
  }

  /** The request's spans read from its bytes; made on the first read. */
  WireSpans wire() {
    if (wire == null) {
      wire = WireSpans.read(encoded, size);
    }
    return wire;
  }

  /** The number of spans in the request, rejected ones included. */
  public int size() {
    return size;
  }

  /**
   * Span {@code i} as it arrived, without the edits of this batch, decoded whole. For readers that
   * need more than the accessors give; the accessors are much cheaper.
   */
  public Span span(int i) {
    return wire().span(i);
  }

  /** The {@code trace_id} of span {@code i}, empty when it has none. */
  public ByteString traceId(int i) {
    return wire().traceId(i);
  }

  /** The {@code span_id} of span {@code i}, empty when it has none. */
  public ByteString spanId(int i) {
    return wire().spanId(i);
  }

  /** The {@code parent_span_id} of span {@code i}, empty when it has none. */
  public ByteString parentSpanId(int i) {
    return wire().parentSpanId(i);
  }

  /** The W3C {@code trace_state} of span {@code i}, or "". */
  public String traceState(int i) {
    return wire().traceState(i);
  }

  /** The {@code name} of span {@code i}, "" when it has none. */
  public String name(int i) {
    return wire().name(i);
  }

  /** The {@code start_time_unix_nano} of span {@code i}, 0 when unset. */
  public long startTimeUnixNano(int i) {
    return wire().startTimeUnixNano(i);
  }

  /** The {@code end_time_unix_nano} of span {@code i}, 0 when unset. */
  public long endTimeUnixNano(int i) {
    return wire().endTimeUnixNano(i);
  }

  /** The number of span {@code i}'s {@code status.code} (see {@code Status.StatusCode}). */
  public int statusCode(int i) {
    return wire().statusCode(i);
  }

  /** The number of attributes span {@code i} arrived with; edits are not counted. */
  public int attributeCount(int i) {
    return wire().attributeCount(i);
  }

  /** The number of events span {@code i} arrived with; edits are not counted. */
  public int eventCount(int i) {
    return wire().eventCount(i);
  }

  /**
   * The events of span {@code i}, with the edits of this batch: those of {@link #setEvents} if a
   * processor replaced them, else as they arrived (which decodes the span; check {@link
   * #eventCount} first).
   */
  public List<Span.Event> events(int i) {
    if (eventEdits != null && eventEdits[i] != null) {
      return eventEdits[i];
    }
    return wire().eventCount(i) == 0 ? List.of() : wire().span(i).getEventsList();
  }

  /**
   * The keys of the attributes processors set on span {@code i} so far (removed ones left out), in
   * the order first set; empty when none. With {@link #attributeKey}, every key the span will be
   * forwarded with.
   */
  public List<String> editedAttributeKeys(int i) {
    Map<String, AnyValue> spanEdits = edits(i);
    if (spanEdits == null) {
      return List.of();
    }
    List<String> keys = new ArrayList<>(spanEdits.size());
    spanEdits.forEach(
        (key, value) -> {
          if (!isRemoved(value)) {
            keys.add(key);
          }
        });
    return keys;
  }

  /** The key of span {@code i}'s attribute {@code k}, as it arrived. */
  public String attributeKey(int i, int k) {
    return wire().attributeKey(i, k);
  }

  /**
   * The length in UTF-8 bytes of the key of span {@code i}'s attribute {@code k}; with {@link
   * #attributeKeyByte}, lets a reader rule keys out without decoding them.
   */
  public int attributeKeyLength(int i, int k) {
    return wire().attributeKeyLength(i, k);
  }

  /**
   * Byte {@code j} (0 to 255) of the UTF-8 key of span {@code i}'s attribute {@code k}.
   *
   * @throws IndexOutOfBoundsException unless {@code 0 <= j < attributeKeyLength(i, k)}
   */
  public int attributeKeyByte(int i, int k, int j) {
    return wire().attributeKeyByte(i, k, j);
  }

  /** The value of span {@code i}'s attribute {@code k}, as it arrived. */
  public AnyValue attributeValue(int i, int k) {
    return wire().attributeValue(i, k);
  }

  /** The resource of span {@code i}. */
  public Resource resource(int i) {
    return wire().resource(i);
  }

  /** The instrumentation scope of span {@code i}. */
  public InstrumentationScope scope(int i) {
    return wire().scope(i);
  }

  /** The schema URL of span {@code i}'s resource ({@code ResourceSpans.schema_url}), or "". */
  public String resourceSchemaUrl(int i) {
    return wire().resourceSchemaUrl(i);
  }

  /** The schema URL of span {@code i}'s scope ({@code ScopeSpans.schema_url}), or "". */
  public String scopeSchemaUrl(int i) {
    return wire().scopeSchemaUrl(i);
  }

  /**
   * The protobuf encoding of span {@code i} with the edits made so far applied, as it would be
   * forwarded now, written without decoding the span ({@link SpanSplicer}). Does not seal the
   * batch; for a processor that keeps a copy of a span and forwards it later itself.
   */
  public byte[] editedSpanBytes(int i) {
    return SpanSplicer.span(encoded, spliceView, i);
  }

  /**
   * The value of attribute {@code key} on span {@code i}, taking earlier processors' edits into
   * account, or {@code null} when the span has no such attribute. When a span has the key more than
   * once, the first is taken.
   */
  public AnyValue attribute(int i, String key) {
    if (edits != null && edits[i] != null) {
      AnyValue edited = edits[i].get(key);
      if (edited != null) {
        return edited == REMOVED ? null : edited;
      }
    }
    WireSpans w = wire();
    int k = w.find(i, key);
    return k < 0 ? null : w.attributeValue(i, k);
  }

  /**
   * A reader's read-only view of one span, kept in the batch for the processors after it, so that
   * each span is read once rather than once per processor.
   */
  public interface View {
    /**
     * This view after attribute {@code key} of span {@code i} of {@code batch}, the span it views,
     * was set or removed (the edit is made when this is called): this view when the edit cannot
     * change it, a new view that takes the edit in, or null to have the view dropped. Replacing the
     * span's events always drops it.
     */
    View edited(SpanBatch batch, int i, String key);
  }

  /**
   * The view of span {@code i} a reader stored with {@link #setView}, or null. An edit replaces the
   * view with what {@link View#edited} makes of it, so it always describes the span as it is now.
   */
  public View view(int i) {
    return views == null ? null : views[i];
  }

  /** Stores a read-only view of span {@code i} for later processors of this batch. */
  public void setView(int i, View view) {
    if (views == null) {
      views = new View[size];
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
    if (views != null && views[i] != null) {
      views[i] = views[i].edited(this, i, key);
    }
  }

  /**
   * Removes attribute {@code key} from span {@code i}, every copy of it, as forwarded; {@link
   * #attribute} returns null for it from now on. Removing a key the span lacks changes nothing.
   */
  public void removeAttribute(int i, String key) {
    putAttribute(i, key, REMOVED);
  }

  /**
   * Replaces every event of span {@code i} with {@code events}, in that order, as forwarded. The
   * span is not decoded to write it: its arrived events are cut from its bytes and these written.
   */
  public void setEvents(int i, List<Span.Event> events) {
    checkOpen();
    Objects.requireNonNull(events, "events");
    if (eventEdits == null) {
      @SuppressWarnings("unchecked")
      List<Span.Event>[] created = new List[size()];
      eventEdits = created;
    }
    eventEdits[i] = List.copyOf(events);
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

  /** Why span {@code i} was refused, or null when it was not. */
  public RejectReason rejectReason(int i) {
    return rejections == null ? null : rejections[i];
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
    return edits != null || eventEdits != null || rejections != null;
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
            Span edited = withAttributes(span, edits == null ? null : edits[i]);
            List<Span.Event> events = editedEvents(i);
            ssOut.addSpans(
                events == null
                    ? edited
                    : edited.toBuilder().clearEvents().addAllEvents(events).build());
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
   * Seals the batch and returns the protobuf encoding of {@link #toRequest()}: the request's bytes
   * without copying if nothing was edited, and otherwise those bytes with refused spans left out
   * and edited attributes replaced, nothing decoded (see {@link SpanSplicer}).
   */
  public byte[] toByteArray() {
    sealed = true;
    if (!isModified()) {
      return encoded;
    }
    return SpanSplicer.splice(encoded, spliceView);
  }

  /**
   * The attributes processors set on span {@code i}, in the order first set, or null. A removed key
   * maps to a value for which {@link #isRemoved} is true.
   */
  Map<String, AnyValue> edits(int i) {
    return edits == null ? null : edits[i];
  }

  /** The events that replace span {@code i}'s, or null when they were not replaced. */
  List<Span.Event> editedEvents(int i) {
    return eventEdits == null ? null : eventEdits[i];
  }

  /** Whether {@code value}, from {@link #edits}, marks its key as removed. */
  static boolean isRemoved(AnyValue value) {
    return value == REMOVED;
  }

  // Compared by identity: an edit of this very instance removes its key.
  private static final AnyValue REMOVED = AnyValue.newBuilder().setStringValue("(removed)").build();

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
      if (!isRemoved(e.getValue())) {
        attributes.add(KeyValue.newBuilder().setKey(e.getKey()).setValue(e.getValue()).build());
      }
    }
    return span.toBuilder().clearAttributes().addAllAttributes(attributes).build();
  }

  /** This batch's edits as the splicer reads them. */
  private final class SpliceView implements SpanSplicer.Edits {
    @Override
    public WireSpans wire() {
      return SpanBatch.this.wire();
    }

    @Override
    public boolean isRejected(int i) {
      return SpanBatch.this.isRejected(i);
    }

    @Override
    public Map<String, AnyValue> attributes(int i) {
      return edits(i);
    }

    @Override
    public List<Span.Event> events(int i) {
      return editedEvents(i);
    }

    @Override
    public boolean isRemoved(AnyValue value) {
      return SpanBatch.isRemoved(value);
    }
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
