/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.UnsafeByteOperations;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The spans of an encoded trace request, read from its bytes without decoding the request: where
 * each resource, scope and span lies, and of each span, when first asked, its ids, times, status
 * and where its attributes lie. Attribute keys are compared as bytes; values, resources, scopes and
 * whole spans are decoded only when asked for, and kept.
 *
 * <p>What it reads is what protobuf-java's decode would give: a field matches on its number and
 * wire type (a field of another wire type is an unknown field), a field that is not repeated takes
 * its last value, and a message field that comes more than once is merged.
 *
 * <p>Works only on bytes {@link OtlpWire} accepted or protobuf-java wrote; not thread-safe.
 */
public final class WireSpans {

  // Tags (field number and wire type) as protobuf-java's generated parsers match them.
  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LENGTH_DELIMITED = 2;
  private static final int RESOURCE_SPANS =
      ExportTraceServiceRequest.RESOURCE_SPANS_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int RESOURCE = ResourceSpans.RESOURCE_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int SCOPE_SPANS =
      ResourceSpans.SCOPE_SPANS_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int RESOURCE_SCHEMA_URL =
      ResourceSpans.SCHEMA_URL_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int SCOPE = ScopeSpans.SCOPE_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int SPANS = ScopeSpans.SPANS_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int SCOPE_SCHEMA_URL =
      ScopeSpans.SCHEMA_URL_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int TRACE_ID = Span.TRACE_ID_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int SPAN_ID = Span.SPAN_ID_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int TRACE_STATE = Span.TRACE_STATE_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int NAME = Span.NAME_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int PARENT_SPAN_ID =
      Span.PARENT_SPAN_ID_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int START_TIME = Span.START_TIME_UNIX_NANO_FIELD_NUMBER << 3 | FIXED64;
  private static final int END_TIME = Span.END_TIME_UNIX_NANO_FIELD_NUMBER << 3 | FIXED64;
  private static final int ATTRIBUTES = Span.ATTRIBUTES_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int STATUS = Span.STATUS_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int EVENTS = Span.EVENTS_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int STATUS_CODE = Status.CODE_FIELD_NUMBER << 3 | VARINT;
  private static final int KEY = KeyValue.KEY_FIELD_NUMBER << 3 | LENGTH_DELIMITED;
  private static final int VALUE = KeyValue.VALUE_FIELD_NUMBER << 3 | LENGTH_DELIMITED;

  // Spans with at most this many attributes are searched in order; more get a key mask first.
  private static final int SCAN_LIMIT = 8;

  // Per attribute, in attributes: where its KeyValue field lies (tag included), its key, its
  // value's payload, and its key's hash once the span is looked up by key. A value length of MERGED
  // means the KeyValue has more than one value field, which protobuf-java merges: such a value is
  // decoded from the whole KeyValue.
  private static final int FIELD_START = 0;
  private static final int FIELD_END = 1;
  private static final int KEY_START = 2;
  private static final int KEY_LENGTH = 3;
  private static final int VALUE_START = 4;
  private static final int VALUE_LENGTH = 5;
  private static final int KEY_HASH = 6;
  private static final int STRIDE = 7;
  private static final int MERGED = -1;

  // Where Fields.ranges keeps each length-delimited field of a span.
  private static final int TRACE_ID_SLOT = 0;
  private static final int SPAN_ID_SLOT = 1;
  private static final int PARENT_SPAN_ID_SLOT = 2;
  private static final int TRACE_STATE_SLOT = 3;
  private static final int NAME_SLOT = 4;

  private static final int[] NONE = new int[0];

  private final byte[] buf;
  private final WireReader in;

  private final List<Part> resources = new ArrayList<>(1);
  private final List<Part> scopes = new ArrayList<>(1);
  // For span i: its resource and scope (numbered across the request) and [start, end) of its
  // payload.
  private final int[] resourceOf;
  private final int[] scopeOf;
  private final int[] spanStart;
  private final int[] spanEnd;
  private final Fields[] fields;
  // The attributes of every span read so far, each span's together, in the order spans were read.
  private int[] attributes;
  private int attributesUsed;
  private Span[] decoded;

  private WireSpans(byte[] buf, int size) {
    this.buf = buf;
    this.in = new WireReader(buf);
    resourceOf = new int[size];
    scopeOf = new int[size];
    spanStart = new int[size];
    spanEnd = new int[size];
    fields = new Fields[size];
    attributes = new int[Math.min(64, 16 * Math.max(1, size)) * STRIDE];
  }

  /** Reads where the {@code size} spans of {@code buf} lie; their fields are read on demand. */
  public static WireSpans read(byte[] buf, int size) {
    WireSpans wire = new WireSpans(buf, size);
    int spans = wire.layout();
    if (spans != size) {
      throw new IllegalStateException("a checked request of " + size + " spans has " + spans);
    }
    return wire;
  }

  /** A resource or a scope: the ranges of its message (merged when repeated), its schema URL. */
  private static final class Part {
    int[] ranges = NONE;
    int rangeCount;
    int schemaUrlStart = -1;
    int schemaUrlLength;
    MessageLite message;

    void addRange(int start, int end) {
      if (rangeCount * 2 == ranges.length) {
        ranges = Arrays.copyOf(ranges, Math.max(2, ranges.length * 2));
      }
      ranges[rangeCount * 2] = start;
      ranges[rangeCount * 2 + 1] = end;
      rangeCount++;
    }
  }

  /** What a span's scan found; offsets are into the request's bytes, -1 when a field is absent. */
  private static final class Fields {
    // [start, length] of trace_id, span_id, parent_span_id, trace_state and name (*_SLOT).
    final int[] ranges = {-1, 0, -1, 0, -1, 0, -1, 0, -1, 0};
    long startTime;
    long endTime;
    int statusCode;
    int firstAttribute;
    int attributeCount;
    int eventCount;
    // Made on the first lookup by key.
    boolean hashed;
    long keyMask;
    String[] keys;
    AnyValue[] values;
  }

  // --- The request's layout ---------------------------------------------------------------------

  private int layout() {
    int i = 0;
    in.pos = 0;
    while (in.pos < buf.length) {
      int tag = in.varint32();
      if (tag != RESOURCE_SPANS) {
        in.skip(tag);
        continue;
      }
      int end = in.limit();
      Part resource = new Part();
      int r = resources.size();
      resources.add(resource);
      while (in.pos < end) {
        int field = in.varint32();
        if (field == RESOURCE) {
          int stop = in.limit();
          resource.addRange(in.pos, stop);
          in.pos = stop;
        } else if (field == RESOURCE_SCHEMA_URL) {
          int stop = in.limit();
          resource.schemaUrlStart = in.pos;
          resource.schemaUrlLength = stop - in.pos;
          in.pos = stop;
        } else if (field == SCOPE_SPANS) {
          i = scopeSpans(r, in.limit(), i);
        } else {
          in.skip(field);
        }
      }
    }
    return i;
  }

  /** Reads the ScopeSpans ending at {@code end}; {@code i} is its first span's number. */
  private int scopeSpans(int r, int end, int i) {
    Part scope = new Part();
    int number = scopes.size();
    scopes.add(scope);
    while (in.pos < end) {
      int field = in.varint32();
      if (field == SPANS) {
        int stop = in.limit();
        if (i < fields.length) {
          resourceOf[i] = r;
          scopeOf[i] = number;
          spanStart[i] = in.pos;
          spanEnd[i] = stop;
        }
        i++;
        in.pos = stop;
      } else if (field == SCOPE) {
        int stop = in.limit();
        scope.addRange(in.pos, stop);
        in.pos = stop;
      } else if (field == SCOPE_SCHEMA_URL) {
        int stop = in.limit();
        scope.schemaUrlStart = in.pos;
        scope.schemaUrlLength = stop - in.pos;
        in.pos = stop;
      } else {
        in.skip(field);
      }
    }
    return i;
  }

  /** Where span {@code i}'s payload starts in the request. */
  int spanStart(int i) {
    return spanStart[i];
  }

  /** Where span {@code i}'s payload ends in the request. */
  int spanEnd(int i) {
    return spanEnd[i];
  }

  /** The resource of span {@code i}, decoded on first use and kept. */
  public Resource resource(int i) {
    Part part = resources.get(resourceOf[i]);
    if (part.message == null) {
      part.message = merged(part, Resource.newBuilder());
    }
    return (Resource) part.message;
  }

  /** The schema URL of span {@code i}'s resource ({@code ResourceSpans.schema_url}), or "". */
  public String resourceSchemaUrl(int i) {
    return schemaUrl(resources.get(resourceOf[i]));
  }

  /** The instrumentation scope of span {@code i}, decoded on first use and kept. */
  public InstrumentationScope scope(int i) {
    Part part = scopes.get(scopeOf[i]);
    if (part.message == null) {
      part.message = merged(part, InstrumentationScope.newBuilder());
    }
    return (InstrumentationScope) part.message;
  }

  /** The schema URL of span {@code i}'s scope ({@code ScopeSpans.schema_url}), or "". */
  public String scopeSchemaUrl(int i) {
    return schemaUrl(scopes.get(scopeOf[i]));
  }

  /**
   * The message of {@code part}: every range of it merged into {@code builder}, as a decode would.
   */
  private MessageLite merged(Part part, MessageLite.Builder builder) {
    try {
      for (int k = 0; k < part.rangeCount; k++) {
        int start = part.ranges[2 * k];
        builder.mergeFrom(buf, start, part.ranges[2 * k + 1] - start);
      }
    } catch (InvalidProtocolBufferException e) {
      throw decodeFailed(e);
    }
    return builder.build();
  }

  private String schemaUrl(Part part) {
    return part.schemaUrlStart < 0 ? "" : string(part.schemaUrlStart, part.schemaUrlLength);
  }

  /** Span {@code i} decoded whole, for the rare reader that needs all of it. */
  public Span span(int i) {
    if (decoded == null) {
      decoded = new Span[fields.length];
    }
    Span span = decoded[i];
    if (span == null) {
      try {
        span = Span.parser().parseFrom(buf, spanStart[i], spanEnd[i] - spanStart[i]);
      } catch (InvalidProtocolBufferException e) {
        throw decodeFailed(e);
      }
      decoded[i] = span;
    }
    return span;
  }

  // --- A span's fields
  // ----------------------------------------------------------------------------

  /** The {@code trace_id} of span {@code i}, empty when it has none. */
  public ByteString traceId(int i) {
    return bytes(fields(i), TRACE_ID_SLOT);
  }

  /** The {@code span_id} of span {@code i}, empty when it has none. */
  public ByteString spanId(int i) {
    return bytes(fields(i), SPAN_ID_SLOT);
  }

  /** The {@code parent_span_id} of span {@code i}, empty when it has none. */
  public ByteString parentSpanId(int i) {
    return bytes(fields(i), PARENT_SPAN_ID_SLOT);
  }

  /** The {@code trace_state} of span {@code i}, or "". */
  public String traceState(int i) {
    int[] r = fields(i).ranges;
    return r[2 * TRACE_STATE_SLOT] < 0
        ? ""
        : string(r[2 * TRACE_STATE_SLOT], r[2 * TRACE_STATE_SLOT + 1]);
  }

  /** The {@code name} of span {@code i}, "" when it has none. */
  public String name(int i) {
    int[] r = fields(i).ranges;
    return r[2 * NAME_SLOT] < 0 ? "" : string(r[2 * NAME_SLOT], r[2 * NAME_SLOT + 1]);
  }

  /** The {@code start_time_unix_nano} of span {@code i}, 0 when unset. */
  public long startTimeUnixNano(int i) {
    return fields(i).startTime;
  }

  /** The {@code end_time_unix_nano} of span {@code i}, 0 when unset. */
  public long endTimeUnixNano(int i) {
    return fields(i).endTime;
  }

  /** The number of span {@code i}'s {@code status.code}. */
  public int statusCode(int i) {
    return fields(i).statusCode;
  }

  /** The number of attributes of span {@code i}. */
  public int attributeCount(int i) {
    return fields(i).attributeCount;
  }

  /** The number of events of span {@code i}. */
  public int eventCount(int i) {
    return fields(i).eventCount;
  }

  /** The key of span {@code i}'s attribute {@code k}. */
  public String attributeKey(int i, int k) {
    Fields f = fields(i);
    if (f.keys == null) {
      f.keys = new String[f.attributeCount];
    }
    String key = f.keys[k];
    if (key == null) {
      int at = at(f, k);
      key = string(attributes[at + KEY_START], attributes[at + KEY_LENGTH]);
      f.keys[k] = key;
    }
    return key;
  }

  /** The value of span {@code i}'s attribute {@code k}, decoded on first use and kept. */
  public AnyValue attributeValue(int i, int k) {
    Fields f = fields(i);
    if (f.values == null) {
      f.values = new AnyValue[f.attributeCount];
    }
    AnyValue value = f.values[k];
    if (value == null) {
      value = decodeValue(at(f, k));
      f.values[k] = value;
    }
    return value;
  }

  /** Where the KeyValue field of attribute {@code k} lies, tag included: [start, end). */
  int attributeFieldStart(int i, int k) {
    return attributes[at(fields(i), k) + FIELD_START];
  }

  int attributeFieldEnd(int i, int k) {
    return attributes[at(fields(i), k) + FIELD_END];
  }

  /** The length in UTF-8 bytes of the key of span {@code i}'s attribute {@code k}. */
  public int attributeKeyLength(int i, int k) {
    return attributes[at(fields(i), k) + KEY_LENGTH];
  }

  /** Byte {@code j} (0 to 255) of the UTF-8 key of span {@code i}'s attribute {@code k}. */
  public int attributeKeyByte(int i, int k, int j) {
    int at = at(fields(i), k);
    if (j < 0 || j >= attributes[at + KEY_LENGTH]) {
      throw new IndexOutOfBoundsException(
          "byte " + j + " of a key of " + attributes[at + KEY_LENGTH]);
    }
    return buf[attributes[at + KEY_START] + j] & 0xff;
  }

  /** Where attribute {@code k} of the span of {@code f} starts in {@link #attributes}. */
  private static int at(Fields f, int k) {
    if (k < 0 || k >= f.attributeCount) {
      throw new IndexOutOfBoundsException("attribute " + k + " of " + f.attributeCount);
    }
    return (f.firstAttribute + k) * STRIDE;
  }

  /**
   * The first attribute of span {@code i} whose key is {@code key}, or -1. Keys are compared by
   * {@link String#hashCode()} first, which a constant key computes once and keeps; the span's keys
   * get the same hash from their bytes on the span's first lookup. A span with many attributes also
   * keeps a 64-bit mask of those hashes, which rules most absent keys out at once.
   */
  public int find(int i, String key) {
    Fields f = fields(i);
    int n = f.attributeCount;
    if (n == 0) {
      return -1;
    }
    if (!f.hashed) {
      hashKeys(i, f);
    }
    int hash = key.hashCode();
    if (n > SCAN_LIMIT && (f.keyMask & maskBit(hash)) == 0) {
      return -1;
    }
    int[] a = attributes;
    for (int k = 0, at = f.firstAttribute * STRIDE; k < n; k++, at += STRIDE) {
      if (a[at + KEY_HASH] == hash) {
        int length = a[at + KEY_LENGTH];
        // As many bytes as characters: equal only if both are the same ASCII. Otherwise the key
        // has other characters, or is not this one.
        if (length == key.length()
            ? asciiEquals(a[at + KEY_START], length, key)
            : length > key.length() && attributeKey(i, k).equals(key)) {
          return k;
        }
      }
    }
    return -1;
  }

  /** Gives each key of span {@code i} the hash its String would have, and the span its mask. */
  private void hashKeys(int i, Fields f) {
    int[] a = attributes;
    long mask = 0;
    for (int k = 0, at = f.firstAttribute * STRIDE; k < f.attributeCount; k++, at += STRIDE) {
      int start = a[at + KEY_START];
      int end = start + a[at + KEY_LENGTH];
      // String.hashCode over ASCII bytes, four at a time: h * 31^4 + b0 * 31^3 + ... + b3.
      int h = 0;
      int any = 0;
      int j = start;
      for (; j + 4 <= end; j += 4) {
        byte b0 = buf[j];
        byte b1 = buf[j + 1];
        byte b2 = buf[j + 2];
        byte b3 = buf[j + 3];
        any |= b0 | b1 | b2 | b3;
        h = h * 923521 + b0 * 29791 + b1 * 961 + b2 * 31 + b3;
      }
      for (; j < end; j++) {
        any |= buf[j];
        h = 31 * h + buf[j];
      }
      if (any < 0) {
        h = attributeKey(i, k).hashCode(); // not ASCII: hash the decoded characters
      }
      a[at + KEY_HASH] = h;
      mask |= maskBit(h);
    }
    f.keyMask = mask;
    f.hashed = true;
  }

  private static long maskBit(int hash) {
    return 1L << ((hash * 0x9E3779B9) >>> 26);
  }

  private boolean asciiEquals(int start, int length, String key) {
    if (length != key.length()) {
      return false;
    }
    for (int j = 0; j < length; j++) {
      if (buf[start + j] != key.charAt(j)) {
        return false;
      }
    }
    return true;
  }

  private AnyValue decodeValue(int at) {
    int[] a = attributes;
    int start = a[at + VALUE_START];
    int length = a[at + VALUE_LENGTH];
    try {
      if (length == MERGED) {
        int kvStart = kvPayload(a[at + FIELD_START]);
        return KeyValue.parser().parseFrom(buf, kvStart, a[at + FIELD_END] - kvStart).getValue();
      }
      if (start < 0) {
        return AnyValue.getDefaultInstance();
      }
      return AnyValue.parser().parseFrom(buf, start, length);
    } catch (InvalidProtocolBufferException e) {
      throw decodeFailed(e);
    }
  }

  /** Where the payload of the length-delimited field at {@code fieldStart} begins. */
  private int kvPayload(int fieldStart) {
    in.pos = fieldStart;
    in.varint32(); // the tag
    in.varint32(); // the length
    return in.pos;
  }

  private Fields fields(int i) {
    Fields f = fields[i];
    if (f == null) {
      f = scan(spanStart[i], spanEnd[i]);
      fields[i] = f;
    }
    return f;
  }

  private Fields scan(int start, int end) {
    Fields f = new Fields();
    in.pos = start;
    while (in.pos < end) {
      int fieldStart = in.pos;
      int tag = in.varint32();
      switch (tag) {
        case TRACE_ID:
          range(f, TRACE_ID_SLOT);
          break;
        case SPAN_ID:
          range(f, SPAN_ID_SLOT);
          break;
        case PARENT_SPAN_ID:
          range(f, PARENT_SPAN_ID_SLOT);
          break;
        case TRACE_STATE:
          range(f, TRACE_STATE_SLOT);
          break;
        case NAME:
          range(f, NAME_SLOT);
          break;
        case START_TIME:
          f.startTime = in.fixed64();
          break;
        case END_TIME:
          f.endTime = in.fixed64();
          break;
        case STATUS:
          {
            int stop = in.limit();
            while (in.pos < stop) {
              int field = in.varint32();
              if (field == STATUS_CODE) {
                f.statusCode = in.varint32();
              } else {
                in.skip(field);
              }
            }
            break;
          }
        case EVENTS:
          f.eventCount++;
          in.skip(tag);
          break;
        case ATTRIBUTES:
          {
            int stop = in.limit();
            keyValue(f, fieldStart, stop);
            in.pos = stop;
            break;
          }
        default:
          in.skip(tag);
      }
    }
    return f;
  }

  /** Records where the length-delimited field being read lies; the last one of a number wins. */
  private void range(Fields f, int slot) {
    int length = in.varint32();
    f.ranges[2 * slot] = in.pos;
    f.ranges[2 * slot + 1] = length;
    in.pos += length;
  }

  /** Records the attribute whose KeyValue field starts at {@code fieldStart}; read its payload. */
  private void keyValue(Fields f, int fieldStart, int end) {
    if (f.attributeCount == 0) {
      f.firstAttribute = attributesUsed;
    }
    if ((attributesUsed + 1) * STRIDE > attributes.length) {
      attributes = Arrays.copyOf(attributes, attributes.length * 2);
    }
    int[] a = attributes;
    int at = attributesUsed * STRIDE;
    a[at + FIELD_START] = fieldStart;
    a[at + FIELD_END] = end;
    a[at + KEY_START] = -1;
    a[at + KEY_LENGTH] = 0;
    a[at + VALUE_START] = -1;
    a[at + VALUE_LENGTH] = 0;
    while (in.pos < end) {
      int field = in.varint32();
      if (field == KEY) {
        int length = in.varint32();
        a[at + KEY_START] = in.pos;
        a[at + KEY_LENGTH] = length;
        in.pos += length;
      } else if (field == VALUE) {
        int length = in.varint32();
        if (a[at + VALUE_START] >= 0) {
          a[at + VALUE_LENGTH] = MERGED;
        } else {
          a[at + VALUE_START] = in.pos;
          a[at + VALUE_LENGTH] = length;
        }
        in.pos += length;
      } else {
        in.skip(field);
      }
    }
    if (a[at + KEY_START] < 0) {
      a[at + KEY_START] = end; // no key: the empty string
    }
    f.attributeCount++;
    attributesUsed++;
  }

  // --- Wire format
  // --------------------------------------------------------------------------------

  private ByteString bytes(Fields f, int slot) {
    int start = f.ranges[2 * slot];
    int length = f.ranges[2 * slot + 1];
    return start < 0 || length == 0
        ? ByteString.EMPTY
        : UnsafeByteOperations.unsafeWrap(buf, start, length);
  }

  private String string(int start, int length) {
    return length == 0 ? "" : new String(buf, start, length, StandardCharsets.UTF_8);
  }

  private static IllegalStateException decodeFailed(InvalidProtocolBufferException e) {
    // OtlpWire accepted these bytes, and it accepts what protobuf-java does.
    return new IllegalStateException("a checked request failed to decode", e);
  }
}
