/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks and counts an encoded OTLP export request without decoding it.
 *
 * <p>A request that no processor reads is forwarded as the bytes that arrived, so decoding it into
 * objects only to count its items is wasted work. This class walks the protobuf wire format
 * instead, following the OTLP schema taken from the generated descriptors: it accepts exactly what
 * protobuf-java's {@code parseFrom} accepts (well-formed tags, varints and lengths, nested messages
 * that parse, valid UTF-8 in string fields, balanced groups, nesting at most 100 deep), so a
 * malformed request is refused here as it would be by a full decode, and one client's bad request
 * never reaches a batch that other clients' spans share. Unknown fields, and known fields sent with
 * another wire type, are skipped, as protobuf-java keeps them as unknown fields.
 *
 * <p>It also refuses what decodes but a backend may refuse, since one such span would make a strict
 * backend refuse the whole batch it shares with other clients' spans:
 *
 * <ul>
 *   <li>Ids, as the OTLP specification defines them: a span's and a span link's {@code trace_id}
 *       must be 16 bytes and its {@code span_id} 8 bytes, neither all zeros; a {@code
 *       parent_span_id} is empty or 8 bytes; the optional ids of log records and exemplars are
 *       empty or of their length. (The OTLP JSON reader applies the same rules.) A request with a
 *       bad id is refused whole, not just its bad spans, as the Collector refuses an id of the
 *       wrong length: it is the answer of the JSON path, it needs no rewrite of the request on the
 *       path that forwards bytes as they arrived, and a sender that writes bad ids writes them in
 *       every span, so a 400 that names the field shows the bug where {@code partial_success} would
 *       be logged quietly.
 *   <li>For trace requests, the {@link SpanLimits}: attributes per span, event, link, resource,
 *       scope or key-value list, and bytes per string or bytes attribute value.
 * </ul>
 *
 * <p>These refusals name the field, as {@code resource_spans[0].scope_spans[1].spans[7].trace_id:
 * 15 bytes (expected: 16 bytes, not all zeros)}; the path is worked out only once a request is
 * refused, so the check itself stays one comparison per field.
 *
 * <p>Counts are of what is on the wire: a {@code Metric} that carries two of its one-of data fields
 * (which no SDK sends) has the points of both counted, where a decode keeps only the last.
 *
 * <p>Thread-safe; the schemas are built once.
 */
public final class OtlpWire {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** protobuf-java's default recursion limit. */
  private static final int RECURSION_LIMIT = 100;

  // The id fields: their length, and whether they must be present and not all zeros (a bit of
  // Schema.requiredIds) or may be empty.
  private static final Map<FieldDescriptor, Integer> ID_LENGTHS = idLengths();
  private static final Set<FieldDescriptor> REQUIRED_IDS =
      Set.of(
          Span.getDescriptor().findFieldByNumber(Span.TRACE_ID_FIELD_NUMBER),
          Span.getDescriptor().findFieldByNumber(Span.SPAN_ID_FIELD_NUMBER),
          Span.Link.getDescriptor().findFieldByNumber(Span.Link.TRACE_ID_FIELD_NUMBER),
          Span.Link.getDescriptor().findFieldByNumber(Span.Link.SPAN_ID_FIELD_NUMBER));

  private static final Schema TRACES =
      Schema.of(
          ExportTraceServiceRequest.getDescriptor(),
          Set.of(ScopeSpans.getDescriptor().findFieldByNumber(ScopeSpans.SPANS_FIELD_NUMBER)));
  private static final Schema LOGS =
      Schema.of(
          ExportLogsServiceRequest.getDescriptor(),
          Set.of(ScopeLogs.getDescriptor().findFieldByNumber(ScopeLogs.LOG_RECORDS_FIELD_NUMBER)));
  private static final Schema METRICS =
      Schema.of(
          ExportMetricsServiceRequest.getDescriptor(),
          Set.of(
              dataPoints(Gauge.getDescriptor()),
              dataPoints(Sum.getDescriptor()),
              dataPoints(Histogram.getDescriptor()),
              dataPoints(ExponentialHistogram.getDescriptor()),
              dataPoints(Summary.getDescriptor())));

  private OtlpWire() {}

  /**
   * Checks an encoded {@code ExportTraceServiceRequest} and returns its number of spans.
   *
   * @throws InvalidProtocolBufferException when protobuf-java would refuse to decode it
   */
  public static int countSpans(byte[] encoded) throws InvalidProtocolBufferException {
    return countSpans(encoded, SpanLimits.defaults());
  }

  /**
   * Checks an encoded {@code ExportTraceServiceRequest}, its ids and {@code limits}, and returns
   * its number of spans.
   *
   * @throws InvalidProtocolBufferException when protobuf-java would refuse to decode it, or an id
   *     or a bound is broken; the message names the field
   */
  public static int countSpans(byte[] encoded, SpanLimits limits)
      throws InvalidProtocolBufferException {
    return new Walk(encoded, limits).run(TRACES);
  }

  /** Checks an encoded {@code ExportLogsServiceRequest} and returns its number of log records. */
  public static int countLogRecords(byte[] encoded) throws InvalidProtocolBufferException {
    return new Walk(encoded, SpanLimits.NONE).run(LOGS);
  }

  /**
   * Checks an encoded {@code ExportMetricsServiceRequest} and returns its number of data points.
   */
  public static int countDataPoints(byte[] encoded) throws InvalidProtocolBufferException {
    return new Walk(encoded, SpanLimits.NONE).run(METRICS);
  }

  private static FieldDescriptor dataPoints(Descriptor metricData) {
    return metricData.findFieldByName("data_points");
  }

  private static Map<FieldDescriptor, Integer> idLengths() {
    Map<FieldDescriptor, Integer> ids = new IdentityHashMap<>();
    for (Descriptor type :
        List.of(
            Span.getDescriptor(),
            Span.Link.getDescriptor(),
            LogRecord.getDescriptor(),
            Exemplar.getDescriptor())) {
      ids.put(type.findFieldByName("trace_id"), 16);
      ids.put(type.findFieldByName("span_id"), 8);
    }
    ids.put(Span.getDescriptor().findFieldByNumber(Span.PARENT_SPAN_ID_FIELD_NUMBER), 8);
    return ids;
  }

  /** What the walk needs of one message type, by field number. */
  private static final class Schema {
    // Kinds that share a path come in pairs that differ in the lowest bit only, so the walk tells
    // a pair apart from the rest with one comparison: (kind | 1) == (MESSAGE | 1).
    private static final byte SKIP = 0;
    // A trace or span id; its length is in idLengths.
    private static final byte ID = 1;
    private static final byte MESSAGE = 2;
    // A KeyValue of an attribute list (or of a key-value list), counted against maxAttributes.
    private static final byte ATTRIBUTE = 3;
    private static final byte STRING = 4;
    // AnyValue's string_value and bytes_value, bounded by maxAttributeValueBytes.
    private static final byte VALUE_STRING = 5;
    private static final byte VALUE_BYTES = 6;
    // Repeated scalars, which protobuf-java also reads packed, in one length-delimited field.
    private static final byte PACKED_VARINT64 = 7;
    private static final byte PACKED_VARINT32 = 8;
    private static final byte PACKED_FIXED64 = 9;
    private static final byte PACKED_FIXED32 = 10;

    /** A message of unknown type: every field is skipped. */
    static final Schema EMPTY = new Schema();

    private byte[] kinds = new byte[0];
    private Schema[] messages = new Schema[0];
    private boolean[] counted = new boolean[0];
    // Fields protobuf-java reads with its 32-bit varint reader, which refuses a tenth byte that
    // has its continuation bit set; its 64-bit reader (and unknown fields) stop at the tenth byte.
    private boolean[] varint32 = new boolean[0];
    private byte[] idLengths = new byte[0];
    // Per field, its bit in requiredIds: ids that must be present and not all zeros.
    private int[] idBits = new int[0];
    private int requiredIds;
    // For the path of a refused field: names, and which fields are repeated.
    private String[] names = new String[0];
    private boolean[] repeated = new boolean[0];

    static Schema of(Descriptor root, Set<FieldDescriptor> countedFields) {
      return build(root, countedFields, new HashMap<>());
    }

    private static Schema build(
        Descriptor type, Set<FieldDescriptor> countedFields, Map<Descriptor, Schema> built) {
      Schema existing = built.get(type);
      if (existing != null) {
        return existing; // AnyValue, ArrayValue and KeyValueList refer to each other.
      }
      Schema schema = new Schema();
      built.put(type, schema);
      List<FieldDescriptor> fields = type.getFields();
      int max = 0;
      for (FieldDescriptor f : fields) {
        max = Math.max(max, f.getNumber());
      }
      schema.kinds = new byte[max + 1];
      schema.messages = new Schema[max + 1];
      schema.counted = new boolean[max + 1];
      schema.varint32 = new boolean[max + 1];
      schema.idLengths = new byte[max + 1];
      schema.idBits = new int[max + 1];
      schema.names = new String[max + 1];
      schema.repeated = new boolean[max + 1];
      for (FieldDescriptor f : fields) {
        int n = f.getNumber();
        schema.varint32[n] = is32BitVarint(f.getType());
        schema.names[n] = f.getName();
        schema.repeated[n] = f.isRepeated();
        boolean anyValue = type == AnyValue.getDescriptor();
        if (f.getType() == FieldDescriptor.Type.MESSAGE) {
          boolean attribute = f.isRepeated() && f.getMessageType() == KeyValue.getDescriptor();
          schema.kinds[n] = attribute ? ATTRIBUTE : MESSAGE;
          schema.messages[n] = build(f.getMessageType(), countedFields, built);
          schema.counted[n] = countedFields.contains(f);
        } else if (f.getType() == FieldDescriptor.Type.STRING) {
          // Every OTLP file is proto3, whose string fields protobuf-java decodes with a UTF-8
          // check.
          schema.kinds[n] = anyValue ? VALUE_STRING : STRING;
        } else if (anyValue && f.getType() == FieldDescriptor.Type.BYTES) {
          schema.kinds[n] = VALUE_BYTES;
        } else if (ID_LENGTHS.containsKey(f)) {
          schema.kinds[n] = ID;
          schema.idLengths[n] = ID_LENGTHS.get(f).byteValue();
          if (REQUIRED_IDS.contains(f)) {
            schema.idBits[n] = 1 << Integer.bitCount(schema.requiredIds);
            schema.requiredIds |= schema.idBits[n];
          }
        } else if (f.isRepeated()) {
          schema.kinds[n] = packedKind(f.getType());
        }
      }
      return schema;
    }

    private static boolean is32BitVarint(FieldDescriptor.Type type) {
      switch (type) {
        case INT32:
        case UINT32:
        case SINT32:
        case ENUM:
          return true;
        default:
          return false;
      }
    }

    private static byte packedKind(FieldDescriptor.Type type) {
      switch (type) {
        case DOUBLE:
        case FIXED64:
        case SFIXED64:
          return PACKED_FIXED64;
        case FLOAT:
        case FIXED32:
        case SFIXED32:
          return PACKED_FIXED32;
        case BYTES:
        case GROUP:
          return SKIP;
        default:
          return is32BitVarint(type) ? PACKED_VARINT32 : PACKED_VARINT64;
      }
    }

    byte kind(int field) {
      return field < kinds.length ? kinds[field] : SKIP;
    }

    boolean isVarint32(int field) {
      return field < varint32.length && varint32[field];
    }
  }

  /** One pass over one request. */
  private static final class Walk {
    private final byte[] buf;
    private final int maxAttributes;
    private final int maxValueBytes;
    private int pos;
    private int count;

    Walk(byte[] buf, SpanLimits limits) {
      this.buf = buf;
      this.maxAttributes = limits.maxAttributes();
      this.maxValueBytes = limits.maxAttributeValueBytes();
    }

    int run(Schema schema) throws InvalidProtocolBufferException {
      try {
        message(schema, buf.length, 0, 0, -1);
      } catch (Refusal r) {
        String path = locate(schema, r.at) + r.field;
        throw new InvalidProtocolBufferException(
            (path.isEmpty() ? "" : path + ": ") + r.getMessage());
      }
      return count;
    }

    /**
     * Walks a message up to {@code end}; or, when {@code group} is a field number, a group of that
     * field (deprecated, never in OTLP, but valid wire format) up to its end tag. {@code start} is
     * where the field holding the message starts, to name it if it is refused.
     */
    private void message(Schema schema, int end, int depth, int group, int start)
        throws InvalidProtocolBufferException {
      if (depth > RECURSION_LIMIT) {
        throw new InvalidProtocolBufferException(
            "Protocol message had too many levels of nesting.");
      }
      final byte[] buf = this.buf;
      int attributes = 0;
      int ids = 0;
      while (true) {
        if (pos >= end) {
          if (group != 0) {
            throw truncated();
          }
          if (ids != schema.requiredIds) {
            throw missingId(schema, ids, start);
          }
          return;
        }
        int at = pos;
        // Nearly every tag, length and value in OTLP fits in one byte: read those inline.
        int tag = buf[pos];
        if (tag > 0) {
          pos++;
        } else {
          tag = varint32(end);
        }
        int field = tag >>> 3;
        if (field == 0) {
          throw new InvalidProtocolBufferException(
              "Protocol message contained an invalid tag (zero).");
        }
        switch (tag & 7) {
          case 0:
            if (pos < end && buf[pos] >= 0) {
              pos++;
            } else if (schema.isVarint32(field)) {
              varint32(end);
            } else {
              varint64(end);
            }
            break;
          case 1:
            skip(8, end);
            break;
          case 5:
            skip(4, end);
            break;
          case 2:
            {
              int length = length(end);
              int stop = pos + length;
              // One call site each for message() and utf8(): the compiled walk stays small.
              byte kind = schema.kind(field);
              if ((kind | 1) == Schema.ATTRIBUTE) { // MESSAGE or ATTRIBUTE
                if (kind == Schema.ATTRIBUTE) {
                  if (++attributes > maxAttributes) {
                    throw tooManyAttributes(at);
                  }
                } else if (schema.counted[field]) {
                  count++;
                }
                message(schema.messages[field], stop, depth + 1, 0, at);
              } else if ((kind | 1) == Schema.VALUE_STRING) { // STRING or VALUE_STRING
                if (kind == Schema.VALUE_STRING && length > maxValueBytes) {
                  throw valueTooLarge(length, at);
                }
                utf8(pos, stop);
              } else if (kind == Schema.ID) {
                ids = id(schema, field, length, at, ids);
              } else if (kind != Schema.SKIP) {
                scalars(kind, length, stop, at);
              }
              pos = stop;
              break;
            }
          case 3:
            message(Schema.EMPTY, end, depth + 1, field, at);
            break;
          case 4:
            if (group == 0 || field != group) {
              throw new InvalidProtocolBufferException(
                  "Protocol message end-group tag did not match expected tag.");
            }
            return;
          default:
            throw new InvalidProtocolBufferException("Protocol message tag had invalid wire type.");
        }
      }
    }

    /** Checks a length-delimited field of scalars, or of bytes, that ends at {@code stop}. */
    private void scalars(byte kind, int length, int stop, int at)
        throws InvalidProtocolBufferException {
      switch (kind) {
        case Schema.VALUE_BYTES:
          if (length > maxValueBytes) {
            throw valueTooLarge(length, at);
          }
          break;
        case Schema.PACKED_VARINT64:
          while (pos < stop) {
            varint64(stop);
          }
          break;
        case Schema.PACKED_VARINT32:
          while (pos < stop) {
            varint32(stop);
          }
          break;
        case Schema.PACKED_FIXED64:
          if (length % 8 != 0) {
            throw truncated();
          }
          break;
        case Schema.PACKED_FIXED32:
          if (length % 4 != 0) {
            throw truncated();
          }
          break;
        default:
          break;
      }
    }

    private Refusal tooManyAttributes(int at) {
      return new Refusal(
          at,
          "",
          "more than "
              + maxAttributes
              + " attributes (expected: at most "
              + maxAttributes
              + ", advanced.max_attributes)");
    }

    private Refusal valueTooLarge(int length, int at) {
      return new Refusal(
          at,
          "",
          length
              + " bytes (expected: at most "
              + maxValueBytes
              + ", advanced.max_attribute_value_bytes)");
    }

    /**
     * Checks the id at {@code pos} of {@code length} bytes, and returns the required ids present
     * from {@code ids}: the last value of a field is the one a decode keeps, so an empty one after
     * a valid one makes it missing again.
     */
    private int id(Schema schema, int field, int length, int at, int ids) throws Refusal {
      int bit = schema.idBits[field];
      if (length == 0) {
        return ids & ~bit;
      }
      int expected = schema.idLengths[field];
      if (length != expected) {
        throw new Refusal(at, "", length + " bytes (expected: " + idRule(expected, bit) + ")");
      }
      if (bit != 0) {
        long any = (long) LONGS.get(buf, pos);
        if (expected == 16) {
          any |= (long) LONGS.get(buf, pos + 8);
        }
        if (any == 0) {
          throw new Refusal(at, "", "all zeros (expected: " + idRule(expected, bit) + ")");
        }
      }
      return ids | bit;
    }

    private static String idRule(int length, int bit) {
      return bit != 0 ? length + " bytes, not all zeros" : "empty or " + length + " bytes";
    }

    private static Refusal missingId(Schema schema, int ids, int start) {
      int missing = schema.requiredIds & ~ids;
      for (int f = 0; f < schema.idBits.length; f++) {
        if ((schema.idBits[f] & missing) != 0) {
          return new Refusal(
              start,
              "." + schema.names[f],
              "missing (expected: " + idRule(schema.idLengths[f], schema.idBits[f]) + ")");
        }
      }
      throw new AssertionError(missing);
    }

    /**
     * The path of the field that starts at or contains {@code target}, as {@code
     * resource_spans[0].scope_spans[1].spans[7].trace_id}. Only for a refused request: everything
     * before {@code target} was checked, so the walk down to it cannot fail.
     */
    private String locate(Schema root, int target) {
      StringBuilder path = new StringBuilder();
      if (target < 0) {
        return "";
      }
      Schema schema = root;
      int end = buf.length;
      pos = 0;
      try {
        descend:
        while (true) {
          int[] seen = new int[schema.names.length];
          while (pos < end) {
            int fieldStart = pos;
            int tag = varint32(end);
            int field = tag >>> 3;
            switch (tag & 7) {
              case 0:
                varint64(end);
                break;
              case 1:
                skip(8, end);
                break;
              case 5:
                skip(4, end);
                break;
              case 2:
                {
                  int length = length(end);
                  int stop = pos + length;
                  boolean known = field < schema.names.length && schema.names[field] != null;
                  int index = known ? seen[field]++ : 0;
                  if (target >= fieldStart && target < stop) {
                    if (!known) {
                      return path.toString();
                    }
                    if (path.length() > 0) {
                      path.append('.');
                    }
                    path.append(schema.names[field]);
                    if (schema.repeated[field]) {
                      path.append('[').append(index).append(']');
                    }
                    byte kind = schema.kind(field);
                    if (target == fieldStart
                        || (kind != Schema.MESSAGE && kind != Schema.ATTRIBUTE)) {
                      return path.toString();
                    }
                    schema = schema.messages[field];
                    end = stop;
                    continue descend;
                  }
                  pos = stop;
                  break;
                }
              case 3:
                message(Schema.EMPTY, end, 1, field, fieldStart);
                break;
              default:
                return path.toString();
            }
          }
          return path.toString();
        }
      } catch (InvalidProtocolBufferException e) {
        return path.toString(); // not reached: see above
      }
    }

    private int length(int end) throws InvalidProtocolBufferException {
      int length;
      if (pos < end && buf[pos] >= 0) {
        length = buf[pos++]; // the usual one-byte length
      } else {
        length = varint32(end);
      }
      if (length < 0) {
        throw new InvalidProtocolBufferException(
            "CodedInputStream encountered an embedded string or message which claimed to have"
                + " negative size.");
      }
      if (length > end - pos) {
        throw truncated();
      }
      return length;
    }

    private void skip(int n, int end) throws InvalidProtocolBufferException {
      if (end - pos < n) {
        throw truncated();
      }
      pos += n;
    }

    /** Reads a varint of up to ten bytes and keeps its low 32 bits, as protobuf-java does. */
    private int varint32(int end) throws InvalidProtocolBufferException {
      int result = 0;
      for (int shift = 0; shift < 70; shift += 7) {
        if (pos >= end) {
          throw truncated();
        }
        byte b = buf[pos++];
        if (shift < 32) {
          result |= (b & 0x7f) << shift;
        }
        if (b >= 0) {
          return result;
        }
      }
      throw new InvalidProtocolBufferException("CodedInputStream encountered a malformed varint.");
    }

    /**
     * Skips a varint read with protobuf-java's 64-bit reader: at most ten bytes, and a tenth byte
     * ends it when its continuation bit is clear or its lowest bit is set (the reader's fast path
     * only looks at the bit that lands in the value's sign); otherwise the varint is malformed.
     */
    private void varint64(int end) throws InvalidProtocolBufferException {
      for (int i = 0; i < 9; i++) {
        if (pos >= end) {
          throw truncated();
        }
        if (buf[pos++] >= 0) {
          return;
        }
      }
      if (pos >= end) {
        throw truncated();
      }
      byte tenth = buf[pos++];
      if (tenth < 0 && (tenth & 1) == 0) {
        throw new InvalidProtocolBufferException(
            "CodedInputStream encountered a malformed varint.");
      }
    }

    /**
     * Checks that [from, to) is well-formed UTF-8 as protobuf-java defines it: no overlong forms,
     * no surrogates, nothing above U+10FFFF. ASCII, which most keys and values are, is skipped
     * eight bytes at a time.
     */
    private void utf8(int from, int to) throws InvalidProtocolBufferException {
      final byte[] buf = this.buf;
      if (isAscii(buf, from, to)) {
        return;
      }
      int i = from;
      while (i < to) {
        if (to - i >= 8 && ((long) LONGS.get(buf, i) & 0x8080808080808080L) == 0) {
          i += 8;
          continue;
        }
        int b = buf[i];
        if (b >= 0) {
          i++;
          continue;
        }
        b &= 0xff;
        int continuation;
        int min = 0x80;
        int max = 0xbf;
        if (b >= 0xc2 && b <= 0xdf) {
          continuation = 1;
        } else if (b >= 0xe0 && b <= 0xef) {
          continuation = 2;
          if (b == 0xe0) {
            min = 0xa0; // overlong
          } else if (b == 0xed) {
            max = 0x9f; // surrogates
          }
        } else if (b >= 0xf0 && b <= 0xf4) {
          continuation = 3;
          if (b == 0xf0) {
            min = 0x90; // overlong
          } else if (b == 0xf4) {
            max = 0x8f; // above U+10FFFF
          }
        } else {
          throw invalidUtf8();
        }
        if (to - i <= continuation) {
          throw invalidUtf8();
        }
        int second = buf[i + 1] & 0xff;
        if (second < min || second > max) {
          throw invalidUtf8();
        }
        for (int k = 2; k <= continuation; k++) {
          if ((buf[i + k] & 0xc0) != 0x80) {
            throw invalidUtf8();
          }
        }
        i += continuation + 1;
      }
    }

    /**
     * Whether [from, to) is all ASCII, read eight bytes at a time: the last eight overlap the ones
     * before, and a string shorter than eight is read with the bytes before it, masked out.
     */
    private static boolean isAscii(byte[] buf, int from, int to) {
      int n = to - from;
      if (n >= 8) {
        long any = (long) LONGS.get(buf, to - 8);
        for (int j = from; j < to - 8; j += 8) {
          any |= (long) LONGS.get(buf, j);
        }
        return (any & 0x8080808080808080L) == 0;
      }
      if (n <= 0) {
        return true;
      }
      if (to < 8) {
        return false; // the byte loop will look
      }
      // Little-endian: the string's n bytes are the top n of the eight that end at to.
      return ((long) LONGS.get(buf, to - 8) & 0x8080808080808080L << (8 * (8 - n))) == 0;
    }

    private static InvalidProtocolBufferException invalidUtf8() {
      return new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
    }

    private static InvalidProtocolBufferException truncated() {
      return new InvalidProtocolBufferException(
          "While parsing a protocol message, the input ended unexpectedly in the middle of a"
              + " field.  This could mean either that the input has been truncated or that an"
              + " embedded message misreported its own length.");
    }
  }

  /**
   * A request that decodes but breaks an OTLP rule or a bound: where it is, so the message can name
   * the field. Only thrown inside a walk; no stack trace, since the path says everything.
   */
  private static final class Refusal extends InvalidProtocolBufferException {
    private static final long serialVersionUID = 1L;

    final transient int at;
    final String field;

    /**
     * @param at where the refused field starts (or the message missing it)
     * @param field appended to the path of {@code at}: the name of a missing field, or ""
     */
    Refusal(int at, String field, String message) {
      super(message);
      this.at = at;
      this.field = field;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
