/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pipeline;

import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-encodes an edited trace request by copying the bytes of every span, resource and scope that
 * was not edited, and encoding only the spans that were.
 *
 * <p>Most edits touch a few spans of a request (a cost on each LLM span, a root span held back), so
 * decoding a request's objects is needed to read it, but encoding all of them again is not. The
 * layout of the request (where each resource, scope and span lies) is read from the bytes in one
 * pass that looks at tags and lengths only, three levels deep. The output decodes to the request
 * {@link SpanBatch#toRequest()} builds (which also drops unknown fields of the request itself, kept
 * here): the fields of a resource or scope other than its list of scopes or spans come first, in
 * their order of arrival, then the list; resources and scopes left without spans are left out.
 *
 * <p>Works only on bytes {@link OtlpWire} or protobuf-java accepted; not thread-safe.
 */
final class SpanSplicer {

  private static final int RESOURCE_SPANS = ExportTraceServiceRequest.RESOURCE_SPANS_FIELD_NUMBER;
  private static final int SCOPE_SPANS = ResourceSpans.SCOPE_SPANS_FIELD_NUMBER;
  private static final int SPANS = ScopeSpans.SPANS_FIELD_NUMBER;

  private final byte[] in;
  private int pos;

  private SpanSplicer(byte[] in) {
    this.in = in;
  }

  static byte[] splice(byte[] encoded, SpanBatch edits) {
    SpanSplicer splicer = new SpanSplicer(encoded);
    Node request = splicer.read(0, encoded.length, 0);
    int[] next = {0};
    int size = request.measure(edits, next);
    byte[] out = new byte[size];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      request.write(encoded, cos);
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
    Span[] edited;
    boolean[] keptSpans;

    Node(int level) {
      this.level = level;
    }

    /** Computes the size of this message's payload; {@code next} is the next span's index. */
    int measure(SpanBatch edits, int[] next) {
      int total = 0;
      for (int[] f : ownFields) {
        total += f[1] - f[0];
      }
      boolean any = false;
      if (level == 2) {
        edited = new Span[spans.size()];
        keptSpans = new boolean[spans.size()];
        for (int k = 0; k < spans.size(); k++) {
          int i = next[0]++;
          if (edits.isRejected(i)) {
            continue;
          }
          keptSpans[k] = true;
          any = true;
          Span e = edits.isEdited(i) ? edits.editedSpan(i) : null;
          int length;
          if (e != null) {
            edited[k] = e;
            length = e.getSerializedSize();
          } else {
            length = spans.get(k)[1] - spans.get(k)[0];
          }
          total += CodedOutputStream.computeTagSize(SPANS) + lengthPrefixed(length);
        }
      } else {
        for (Node child : children) {
          int childSize = child.measure(edits, next);
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
            out.writeMessage(SPANS, edited[k]);
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

  /** Reads the layout of the message at [start, end) on {@code level}. */
  private Node read(int start, int end, int level) {
    Node node = new Node(level);
    pos = start;
    int childField = level == 0 ? RESOURCE_SPANS : level == 1 ? SCOPE_SPANS : SPANS;
    while (pos < end) {
      int fieldStart = pos;
      int tag = varint32();
      int wireType = tag & 7;
      if ((tag >>> 3) == childField && wireType == 2) {
        int length = varint32();
        int payload = pos;
        pos = payload + length;
        if (level == 2) {
          node.spans.add(new int[] {payload, pos});
        } else {
          int after = pos;
          node.children.add(read(payload, after, level + 1));
          pos = after;
        }
        continue;
      }
      skipField(wireType);
      node.ownFields.add(new int[] {fieldStart, pos});
    }
    return node;
  }

  private void skipField(int wireType) {
    switch (wireType) {
      case 0:
        // A checked varint ends within ten bytes, the tenth ending it whatever its top bit says.
        for (int i = 0; i < 10 && in[pos++] < 0; i++) {
          // skipped
        }
        break;
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2:
        {
          int length = varint32();
          pos += length;
          break;
        }
      case 3:
        while (true) {
          int tag = varint32();
          if ((tag & 7) == 4) {
            return; // Nested groups were skipped whole, so this end is the group's own.
          }
          skipField(tag & 7);
        }
      default:
        throw new IllegalStateException("wire type " + wireType + " in a checked request");
    }
  }

  private int varint32() {
    int result = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      byte b = in[pos++];
      if (shift < 32) {
        result |= (b & 0x7f) << shift;
      }
      if (b >= 0) {
        return result;
      }
    }
    throw new IllegalStateException("malformed varint in a checked request");
  }
}
