/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pipeline;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HashMap;
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
    return new Walk(encoded).run(TRACES);
  }

  /** Checks an encoded {@code ExportLogsServiceRequest} and returns its number of log records. */
  public static int countLogRecords(byte[] encoded) throws InvalidProtocolBufferException {
    return new Walk(encoded).run(LOGS);
  }

  /**
   * Checks an encoded {@code ExportMetricsServiceRequest} and returns its number of data points.
   */
  public static int countDataPoints(byte[] encoded) throws InvalidProtocolBufferException {
    return new Walk(encoded).run(METRICS);
  }

  private static FieldDescriptor dataPoints(Descriptor metricData) {
    return metricData.findFieldByName("data_points");
  }

  /** What the walk needs of one message type, by field number. */
  private static final class Schema {
    private static final byte SKIP = 0;
    private static final byte STRING = 1;
    private static final byte MESSAGE = 2;
    // Repeated scalars, which protobuf-java also reads packed, in one length-delimited field.
    private static final byte PACKED_VARINT64 = 3;
    private static final byte PACKED_VARINT32 = 4;
    private static final byte PACKED_FIXED64 = 5;
    private static final byte PACKED_FIXED32 = 6;

    /** A message of unknown type: every field is skipped. */
    static final Schema EMPTY = new Schema();

    private byte[] kinds = new byte[0];
    private Schema[] messages = new Schema[0];
    private boolean[] counted = new boolean[0];
    // Fields protobuf-java reads with its 32-bit varint reader, which refuses a tenth byte that
    // has its continuation bit set; its 64-bit reader (and unknown fields) stop at the tenth byte.
    private boolean[] varint32 = new boolean[0];

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
      for (FieldDescriptor f : fields) {
        int n = f.getNumber();
        schema.varint32[n] = is32BitVarint(f.getType());
        if (f.getType() == FieldDescriptor.Type.MESSAGE) {
          schema.kinds[n] = MESSAGE;
          schema.messages[n] = build(f.getMessageType(), countedFields, built);
          schema.counted[n] = countedFields.contains(f);
        } else if (f.getType() == FieldDescriptor.Type.STRING) {
          // Every OTLP file is proto3, whose string fields protobuf-java decodes with a UTF-8
          // check.
          schema.kinds[n] = STRING;
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
    private int pos;
    private int count;

    Walk(byte[] buf) {
      this.buf = buf;
    }

    int run(Schema schema) throws InvalidProtocolBufferException {
      message(schema, buf.length, 0, 0);
      return count;
    }

    /**
     * Walks a message up to {@code end}; or, when {@code group} is a field number, a group of that
     * field (deprecated, never in OTLP, but valid wire format) up to its end tag.
     */
    private void message(Schema schema, int end, int depth, int group)
        throws InvalidProtocolBufferException {
      if (depth > RECURSION_LIMIT) {
        throw new InvalidProtocolBufferException(
            "Protocol message had too many levels of nesting.");
      }
      final byte[] buf = this.buf;
      while (true) {
        if (pos >= end) {
          if (group != 0) {
            throw truncated();
          }
          return;
        }
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
              byte kind = schema.kind(field);
              if (kind == Schema.MESSAGE) {
                if (schema.counted[field]) {
                  count++;
                }
                message(schema.messages[field], stop, depth + 1, 0);
              } else if (kind == Schema.STRING) {
                utf8(pos, stop);
              } else if (kind == Schema.PACKED_VARINT64) {
                while (pos < stop) {
                  varint64(stop);
                }
              } else if (kind == Schema.PACKED_VARINT32) {
                while (pos < stop) {
                  varint32(stop);
                }
              } else if ((kind == Schema.PACKED_FIXED64 && length % 8 != 0)
                  || (kind == Schema.PACKED_FIXED32 && length % 4 != 0)) {
                throw truncated();
              }
              pos = stop;
              break;
            }
          case 3:
            message(Schema.EMPTY, end, depth + 1, field);
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
}
