/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
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
 * Re-encodes an edited trace request by copying the bytes of every span, resource and scope as they
 * arrived, and of an edited span, every field but the attributes its edits replace.
 *
 * <p>Most edits touch a few attributes of a few spans (a cost on each LLM span, a summary on a
 * root), so nothing needs decoding and encoding again but the new attributes. The layout of the
 * request (where each resource, scope and span lies) is read from the bytes in one pass that looks
 * at tags and lengths only, three levels deep. The output decodes to the request a decode, the
 * edits applied to the decoded spans, and an encode would give (that also drops unknown fields of
 * the request itself, kept here): the fields of a resource or scope other than its list of scopes
 * or spans come first, in their order of arrival, then the list; resources and scopes left without
 * spans are left out.
 *
 * <p>Works only on bytes {@link OtlpWire} or protobuf-java accepted; not thread-safe.
 */
public final class SpanSplicer {

  /**
   * The edits of a trace request's spans, addressed by the flat index {@link WireSpans} uses: which
   * spans are left out, which attributes are set or removed, which spans' events are replaced.
   */
  public interface Edits {

    /** The request's spans, read from the bytes being spliced. */
    WireSpans wire();

    /** Whether span {@code i} is left out. */
    boolean isRejected(int i);

    /**
     * The attributes set on span {@code i}, in the order first set, or null when none were; a key
     * whose value {@link #isRemoved} is removed from the span, every copy of it.
     */
    Map<String, AnyValue> attributes(int i);

    /** The events that replace span {@code i}'s, or null when they were not replaced. */
    List<Span.Event> events(int i);

    /** Whether {@code value}, from {@link #attributes}, marks its key as removed. */
    boolean isRemoved(AnyValue value);

    /** Whether span {@code i}'s attributes or events were changed. */
    default boolean isEdited(int i) {
      return attributes(i) != null || events(i) != null;
    }
  }

  private static final int RESOURCE_SPANS = ExportTraceServiceRequest.RESOURCE_SPANS_FIELD_NUMBER;
  private static final int SCOPE_SPANS = ResourceSpans.SCOPE_SPANS_FIELD_NUMBER;
  private static final int SPANS = ScopeSpans.SPANS_FIELD_NUMBER;

  private final WireReader in;

  private SpanSplicer(byte[] in) {
    this.in = new WireReader(in);
  }

  /**
   * The encoding of the request {@code encoded} with {@code edits} applied: rejected spans left
   * out, then resources and scopes left without spans; edited spans rewritten.
   */
  public static byte[] splice(byte[] encoded, Edits edits) {
    SpanSplicer splicer = new SpanSplicer(encoded);
    Node request = splicer.read(0, encoded.length, 0);
    int[] next = {0};
    int size = request.measure(encoded, edits, next);
    return written(size, out -> request.write(encoded, out));
  }

  /**
   * The encoding of span {@code i} of {@code batch} with its edits, as {@link #splice} writes it.
   */
  public static byte[] span(byte[] encoded, Edits batch, int i) {
    WireSpans wire = batch.wire();
    if (!batch.isEdited(i)) {
      return Arrays.copyOfRange(encoded, wire.spanStart(i), wire.spanEnd(i));
    }
    EditedSpan edited = new EditedSpan(encoded, batch, i);
    return written(edited.size, out -> edited.write(encoded, out));
  }

  /** What writes a message's bytes. */
  private interface Body {
    void write(CodedOutputStream out) throws IOException;
  }

  /** The {@code size} bytes {@code body} writes; measured beforehand, so exactly that many. */
  private static byte[] written(int size, Body body) {
    byte[] out = new byte[size];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      body.write(cos);
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing into an array of the measured size
    }
    return out;
  }

  /**
   * A message at one of the three levels: its own fields as byte ranges, and its children (the
   * resources of a request, the scopes of a resource, the spans of a scope).
   */
  private static final class Node {
    final int level; // 0 request, 1 resource, 2 scope
    final List<int[]> ownFields = new ArrayList<>(2); // [start, end) of whole fields, tag included
    final List<Node> children = new ArrayList<>();
    final List<int[]> spans = new ArrayList<>(); // level 2: [start, end) of each span's payload
    // Set by measure().
    int size;
    boolean kept;
    EditedSpan[] edited;
    boolean[] keptSpans;

    Node(int level) {
      this.level = level;
    }

    /** Computes the size of this message's payload; {@code next} is the next span's index. */
    int measure(byte[] encoded, Edits edits, int[] next) {
      int total = 0;
      for (int[] f : ownFields) {
        total += f[1] - f[0];
      }
      boolean any = false;
      if (level == 2) {
        edited = new EditedSpan[spans.size()];
        keptSpans = new boolean[spans.size()];
        for (int k = 0; k < spans.size(); k++) {
          int i = next[0]++;
          if (edits.isRejected(i)) {
            continue;
          }
          keptSpans[k] = true;
          any = true;
          int length = spans.get(k)[1] - spans.get(k)[0];
          if (edits.isEdited(i)) {
            EditedSpan e = new EditedSpan(encoded, edits, i);
            edited[k] = e;
            length = e.size;
          }
          total += CodedOutputStream.computeTagSize(SPANS) + lengthPrefixed(length);
        }
      } else {
        for (Node child : children) {
          int childSize = child.measure(encoded, edits, next);
          if (child.kept) {
            any = true;
            total +=
                CodedOutputStream.computeTagSize(level == 0 ? RESOURCE_SPANS : SCOPE_SPANS)
                    + lengthPrefixed(childSize);
          }
        }
      }
      // The request itself is always written; a resource or scope only with spans left.
      kept = level == 0 || any;
      size = total;
      return total;
    }

    void write(byte[] in, CodedOutputStream out) throws IOException {
      for (int[] f : ownFields) {
        out.writeRawBytes(in, f[0], f[1] - f[0]);
      }
      if (level == 2) {
        for (int k = 0; k < spans.size(); k++) {
          if (!keptSpans[k]) {
            continue;
          }
          if (edited[k] != null) {
            out.writeTag(SPANS, 2);
            out.writeUInt32NoTag(edited[k].size);
            edited[k].write(in, out);
          } else {
            int[] s = spans.get(k);
            out.writeTag(SPANS, 2);
            out.writeUInt32NoTag(s[1] - s[0]);
            out.writeRawBytes(in, s[0], s[1] - s[0]);
          }
        }
        return;
      }
      int field = level == 0 ? RESOURCE_SPANS : SCOPE_SPANS;
      for (Node child : children) {
        if (child.kept) {
          out.writeTag(field, 2);
          out.writeUInt32NoTag(child.size);
          child.write(in, out);
        }
      }
    }

    private static int lengthPrefixed(int length) {
      return CodedOutputStream.computeUInt32SizeNoTag(length) + length;
    }
  }

  /**
   * An edited span, written as its arrived bytes without the attributes the edits replace (and
   * without its events, when they were replaced), then the edits as new attributes and the new
   * events: it decodes to the decoded span with the edits applied, without the span being decoded
   * and encoded again.
   */
  private static final class EditedSpan {
    private static final int EVENTS_TAG =
        Span.EVENTS_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

    final int[] cut; // [start, end) of each field left out, in order
    final KeyValue[] added;
    final List<Span.Event> events;
    final int start;
    final int end;
    final int size;

    EditedSpan(byte[] encoded, Edits batch, int i) {
      WireSpans wire = batch.wire();
      Map<String, AnyValue> edits = batch.attributes(i);
      events = batch.events(i);
      start = wire.spanStart(i);
      end = wire.spanEnd(i);
      int[] removed = new int[8];
      int cuts = 0;
      if (edits != null) {
        for (int k = 0, n = wire.attributeCount(i); k < n; k++) {
          if (edits.containsKey(wire.attributeKey(i, k))) {
            removed = room(removed, cuts);
            removed[cuts * 2] = wire.attributeFieldStart(i, k);
            removed[cuts * 2 + 1] = wire.attributeFieldEnd(i, k);
            cuts++;
          }
        }
      }
      if (events != null && wire.eventCount(i) > 0) {
        WireReader in = new WireReader(encoded);
        in.pos = start;
        while (in.pos < end) {
          int fieldStart = in.pos;
          int tag = in.varint32();
          in.skip(tag);
          if (tag == EVENTS_TAG) {
            removed = room(removed, cuts);
            removed[cuts * 2] = fieldStart;
            removed[cuts * 2 + 1] = in.pos;
            cuts++;
          }
        }
        sortRanges(removed, cuts);
      }
      cut = Arrays.copyOf(removed, cuts * 2);
      int cutBytes = 0;
      for (int c = 0; c < cut.length; c += 2) {
        cutBytes += cut[c + 1] - cut[c];
      }
      List<KeyValue> kept = new ArrayList<>(edits == null ? 0 : edits.size());
      int addedBytes = 0;
      if (edits != null) {
        for (Map.Entry<String, AnyValue> e : edits.entrySet()) {
          if (batch.isRemoved(e.getValue())) {
            continue;
          }
          KeyValue kv = KeyValue.newBuilder().setKey(e.getKey()).setValue(e.getValue()).build();
          kept.add(kv);
          addedBytes += CodedOutputStream.computeMessageSize(Span.ATTRIBUTES_FIELD_NUMBER, kv);
        }
      }
      added = kept.toArray(new KeyValue[0]);
      if (events != null) {
        for (Span.Event event : events) {
          addedBytes += CodedOutputStream.computeMessageSize(Span.EVENTS_FIELD_NUMBER, event);
        }
      }
      size = end - start - cutBytes + addedBytes;
    }

    private static int[] room(int[] ranges, int used) {
      return used * 2 == ranges.length ? Arrays.copyOf(ranges, ranges.length * 2) : ranges;
    }

    /** Sorts the first {@code count} [start, end) pairs by start; they never overlap. */
    private static void sortRanges(int[] ranges, int count) {
      for (int a = 1; a < count; a++) {
        int s = ranges[a * 2];
        int e = ranges[a * 2 + 1];
        int b = a - 1;
        while (b >= 0 && ranges[b * 2] > s) {
          ranges[(b + 1) * 2] = ranges[b * 2];
          ranges[(b + 1) * 2 + 1] = ranges[b * 2 + 1];
          b--;
        }
        ranges[(b + 1) * 2] = s;
        ranges[(b + 1) * 2 + 1] = e;
      }
    }

    void write(byte[] in, CodedOutputStream out) throws IOException {
      int from = start;
      for (int c = 0; c < cut.length; c += 2) {
        out.writeRawBytes(in, from, cut[c] - from);
        from = cut[c + 1];
      }
      out.writeRawBytes(in, from, end - from);
      for (KeyValue kv : added) {
        out.writeMessage(Span.ATTRIBUTES_FIELD_NUMBER, kv);
      }
      if (events != null) {
        for (Span.Event event : events) {
          out.writeMessage(Span.EVENTS_FIELD_NUMBER, event);
        }
      }
    }
  }

  /** Reads the layout of the message at [start, end) on {@code level}. */
  private Node read(int start, int end, int level) {
    Node node = new Node(level);
    in.pos = start;
    int childField = level == 0 ? RESOURCE_SPANS : level == 1 ? SCOPE_SPANS : SPANS;
    while (in.pos < end) {
      int fieldStart = in.pos;
      int tag = in.varint32();
      if ((tag >>> 3) == childField && (tag & 7) == 2) {
        int after = in.limit();
        int payload = in.pos;
        if (level == 2) {
          node.spans.add(new int[] {payload, after});
        } else {
          node.children.add(read(payload, after, level + 1));
        }
        in.pos = after;
        continue;
      }
      in.skip(tag);
      node.ownFields.add(new int[] {fieldStart, in.pos});
    }
    return node;
  }
}
