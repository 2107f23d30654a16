/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import ai.traccia.proxy.codec.OtlpJsonFields.Field;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads OTLP JSON into a protobuf builder in one streaming pass, driven by the message descriptors.
 *
 * <p>Design. The protobuf JSON mapping is applied field by field as the tokens arrive: names are
 * looked up in a table that holds both the lowerCamelCase JSON name and the proto name, values are
 * converted by the field's type, and the trace and span id fields that OTLP encodes as hex are
 * decoded here instead of as base64. Nothing is parsed twice and no intermediate tree is built. The
 * path of an offending field costs nothing on the happy path: a {@link PathException} is thrown at
 * the value and each enclosing level adds its own name or index on the way out.
 *
 * <p>Stateless; safe to call from any thread.
 */
final class OtlpJsonParser {

  private static final JsonFactory FACTORY = new JsonFactory();
  private static final BigInteger MAX_UINT64 =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final int MAX_QUOTED = 64;
  private static final Pattern SOURCE_REFERENCE =
      Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

  /**
   * protobuf-java's recursion limit, which the proxy's protobuf path applies too: a message nested
   * deeper is refused on either path.
   */
  static final int MAX_DEPTH = 100;

  /**
   * The ids a span and a span link must have, not all zeros, as the OTLP specification requires;
   * the protobuf path checks the same (OtlpWire). Other ids may be empty.
   */
  private static final Set<FieldDescriptor> REQUIRED_IDS =
      Set.of(
          Span.getDescriptor().findFieldByNumber(Span.TRACE_ID_FIELD_NUMBER),
          Span.getDescriptor().findFieldByNumber(Span.SPAN_ID_FIELD_NUMBER),
          Span.Link.getDescriptor().findFieldByNumber(Span.Link.TRACE_ID_FIELD_NUMBER),
          Span.Link.getDescriptor().findFieldByNumber(Span.Link.SPAN_ID_FIELD_NUMBER));

  private OtlpJsonParser() {}

  /**
   * Parses {@code json} into {@code builder}.
   *
   * @param rootField the JSON name of the request's one field, for the empty-body message
   */
  static void parse(byte[] json, Message.Builder builder, String rootField)
      throws OtlpJsonException {
    try (JsonParser parser = FACTORY.createParser(json)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new OtlpJsonException(
            "empty body (expected: an OTLP JSON object such as {\"" + rootField + "\":[...]})");
      }
      if (first != JsonToken.START_OBJECT) {
        throw new OtlpJsonException(
            "expected a JSON object at the top level, got " + describe(parser) + at(parser));
      }
      readMessage(parser, builder, 0);
      if (parser.nextToken() != null) {
        throw new OtlpJsonException(
            "expected the end of the input after the top-level JSON object, got "
                + describe(parser)
                + at(parser));
      }
    } catch (PathException e) {
      throw new OtlpJsonException(e.path() + ": " + e.getMessage());
    } catch (StreamReadException e) {
      JsonLocation location = e.getLocation();
      String where =
          location == null
              ? ""
              : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
      throw new OtlpJsonException("invalid OTLP JSON" + where + ": " + clean(e), e);
    } catch (IOException e) {
      throw new OtlpJsonException("invalid OTLP JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Reads the object the parser is at (its START_OBJECT is current) into {@code builder}, a message
   * {@code depth} levels below the request.
   */
  private static void readMessage(JsonParser parser, Message.Builder builder, int depth)
      throws IOException {
    if (depth > MAX_DEPTH) {
      throw new PathException(
          "nested more than " + MAX_DEPTH + " messages deep (expected: at most " + MAX_DEPTH + ")");
    }
    Descriptor type = builder.getDescriptorForType();
    Map<String, Field> fields = OtlpJsonFields.byName(type);
    long seen = 0;
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      Field field = fields.get(name);
      JsonToken value = parser.nextToken();
      if (field == null) {
        // Unknown fields are skipped: newer senders may use fields this version does not know.
        parser.skipChildren();
        continue;
      }
      FieldDescriptor descriptor = field.descriptor;
      try {
        int index = descriptor.getIndex();
        if (index < 64) {
          long bit = 1L << index;
          if ((seen & bit) != 0) {
            throw new PathException("the field is given twice");
          }
          seen |= bit;
        }
        if (value == JsonToken.VALUE_NULL) {
          // null stands for the default value, as in the protobuf JSON mapping.
          continue;
        }
        if (descriptor.isRepeated()) {
          readRepeated(parser, builder, field, depth);
        } else {
          OneofDescriptor oneof = descriptor.getRealContainingOneof();
          if (oneof != null && builder.hasOneof(oneof)) {
            throw new PathException(
                builder.getOneofFieldDescriptor(oneof).getJsonName()
                    + " is already set (expected: one field of "
                    + oneof.getName()
                    + ")");
          }
          Object converted = readValue(parser, builder, field, depth);
          if (converted != null) {
            builder.setField(descriptor, converted);
          }
        }
      } catch (PathException e) {
        throw e.inField(name);
      }
    }
    if (token != JsonToken.END_OBJECT) {
      // Only reachable on malformed input that the parser has not rejected yet.
      throw new PathException("expected a field name, got " + describe(parser));
    }
    if (type == Span.getDescriptor() || type == Span.Link.getDescriptor()) {
      for (FieldDescriptor id : type.getFields()) {
        if (REQUIRED_IDS.contains(id) && ((ByteString) builder.getField(id)).isEmpty()) {
          throw new PathException("missing (expected: " + idRule(OtlpJsonFields.idBytes(id)) + ")")
              .inField(id.getJsonName());
        }
      }
    }
  }

  private static String idRule(int bytes) {
    return bytes * 2 + " hex characters, not all zeros";
  }

  private static void readRepeated(
      JsonParser parser, Message.Builder builder, Field field, int depth) throws IOException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      throw new PathException("expected an array, got " + describe(parser));
    }
    int index = 0;
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      try {
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
          throw new PathException("expected " + expected(field) + ", got null");
        }
        Object converted = readValue(parser, builder, field, depth);
        if (converted != null) {
          builder.addRepeatedField(field.descriptor, converted);
        }
      } catch (PathException e) {
        throw e.atIndex(index);
      }
      index++;
    }
  }

  /**
   * Converts the current value to what {@link Message.Builder#setField} takes for {@code field}, or
   * returns null when the value is to be ignored (an enum name this version does not know).
   */
  private static Object readValue(
      JsonParser parser, Message.Builder builder, Field field, int depth) throws IOException {
    FieldDescriptor descriptor = field.descriptor;
    JsonToken token = parser.currentToken();
    switch (descriptor.getJavaType()) {
      case MESSAGE:
        if (token != JsonToken.START_OBJECT) {
          throw new PathException("expected an object, got " + describe(parser));
        }
        Message.Builder child = builder.newBuilderForField(descriptor);
        readMessage(parser, child, depth + 1);
        return child.build();
      case STRING:
        if (token != JsonToken.VALUE_STRING) {
          throw new PathException("expected a string, got " + describe(parser));
        }
        return parser.getText();
      case BYTE_STRING:
        if (token != JsonToken.VALUE_STRING) {
          throw new PathException("expected " + expected(field) + ", got " + describe(parser));
        }
        if (field.idBytes == 0) {
          return base64(parser.getText());
        }
        ByteString id = hex(parser.getText(), field.idBytes);
        if (!id.isEmpty() && REQUIRED_IDS.contains(descriptor) && isAllZeros(id)) {
          throw new PathException(
              quote(parser.getText()) + " is all zeros (expected: " + idRule(field.idBytes) + ")");
        }
        return id;
      case INT:
        return readInt(parser, field);
      case LONG:
        return readLong(parser, field);
      case DOUBLE:
        return readDouble(parser, field);
      case FLOAT:
        double d = readDouble(parser, field);
        if (Double.isFinite(d) && Math.abs(d) > Float.MAX_VALUE) {
          throw new PathException("expected " + expected(field) + ", got " + describe(parser));
        }
        return (float) d;
      case BOOLEAN:
        return readBoolean(parser, field);
      case ENUM:
        return readEnum(parser, field);
    }
    throw new AssertionError(descriptor.getJavaType());
  }

  private static int readInt(JsonParser parser, Field field) throws IOException {
    FieldDescriptor.Type type = field.descriptor.getType();
    boolean unsigned = type == FieldDescriptor.Type.UINT32 || type == FieldDescriptor.Type.FIXED32;
    long min = unsigned ? 0 : Integer.MIN_VALUE;
    long max = unsigned ? 0xFFFF_FFFFL : Integer.MAX_VALUE;
    long v;
    if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT
        && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      v = parser.getLongValue();
    } else {
      BigInteger value = readInteger(parser, field);
      if (value == null || value.bitLength() > 63) {
        throw new PathException("expected " + expected(field) + ", got " + describe(parser));
      }
      v = value.longValue();
    }
    if (v < min || v > max) {
      throw new PathException("expected " + expected(field) + ", got " + describe(parser));
    }
    return (int) v;
  }

  private static long readLong(JsonParser parser, Field field) throws IOException {
    FieldDescriptor.Type type = field.descriptor.getType();
    boolean unsigned = type == FieldDescriptor.Type.UINT64 || type == FieldDescriptor.Type.FIXED64;
    JsonToken token = parser.currentToken();
    // Fast paths: a plain integer token, or a string of decimal digits, as senders write them.
    if (token == JsonToken.VALUE_NUMBER_INT
        && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      long v = parser.getLongValue();
      if (unsigned && v < 0) {
        throw new PathException("expected " + expected(field) + ", got " + describe(parser));
      }
      return v;
    }
    if (token == JsonToken.VALUE_STRING) {
      String text = parser.getText();
      try {
        long v = Long.parseLong(text);
        if (!unsigned || v >= 0) {
          return v;
        }
      } catch (NumberFormatException e) {
        // Not a plain long; the general path below decides.
      }
    }
    BigInteger value = readInteger(parser, field);
    boolean inRange =
        value != null
            && (unsigned
                ? value.signum() >= 0 && value.compareTo(MAX_UINT64) <= 0
                : value.bitLength() <= 63);
    if (!inRange) {
      throw new PathException("expected " + expected(field) + ", got " + describe(parser));
    }
    return value.longValue();
  }

  /** The current number or numeric string as an exact integer, or null if it is not one. */
  private static BigInteger readInteger(JsonParser parser, Field field) throws IOException {
    switch (parser.currentToken()) {
      case VALUE_NUMBER_INT:
        return parser.getBigIntegerValue();
      case VALUE_NUMBER_FLOAT:
        return exactInteger(parser.getDecimalValue());
      case VALUE_STRING:
        String text = parser.getText().trim();
        if (text.isEmpty() || text.length() > 400) {
          return null;
        }
        try {
          return exactInteger(new BigDecimal(text));
        } catch (NumberFormatException e) {
          return null;
        }
      default:
        throw new PathException("expected " + expected(field) + ", got " + describe(parser));
    }
  }

  private static BigInteger exactInteger(BigDecimal decimal) {
    if (decimal.signum() == 0) {
      return BigInteger.ZERO;
    }
    // Digits before the point: more than 20 is past every integer field's range (2^64 has 20),
    // and none is a fraction. Both are refused before toBigIntegerExact, which would otherwise
    // compute a power of ten as long as the exponent: "1e999999999" took minutes of CPU.
    int integerDigits = decimal.precision() - decimal.scale();
    if (integerDigits > 20 || integerDigits <= 0) {
      return null;
    }
    try {
      return decimal.toBigIntegerExact();
    } catch (ArithmeticException e) {
      return null;
    }
  }

  private static double readDouble(JsonParser parser, Field field) throws IOException {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
      return parser.getDoubleValue();
    }
    if (token == JsonToken.VALUE_STRING) {
      String text = parser.getText();
      switch (text) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          if (!text.isEmpty() && text.length() <= 400) {
            try {
              // BigDecimal accepts only decimal notation, unlike Double.parseDouble ("1f",
              // "0x1p3").
              return new BigDecimal(text).doubleValue();
            } catch (NumberFormatException e) {
              // Reported below.
            }
          }
      }
    }
    throw new PathException("expected " + expected(field) + ", got " + describe(parser));
  }

  private static boolean readBoolean(JsonParser parser, Field field) throws IOException {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.VALUE_TRUE) {
      return true;
    }
    if (token == JsonToken.VALUE_FALSE) {
      return false;
    }
    if (token == JsonToken.VALUE_STRING) {
      String text = parser.getText();
      if (text.equals("true")) {
        return true;
      }
      if (text.equals("false")) {
        return false;
      }
    }
    throw new PathException("expected " + expected(field) + ", got " + describe(parser));
  }

  private static EnumValueDescriptor readEnum(JsonParser parser, Field field) throws IOException {
    FieldDescriptor descriptor = field.descriptor;
    JsonToken token = parser.currentToken();
    if (token == JsonToken.VALUE_STRING) {
      // An unknown name is ignored like an unknown field: it may come from a newer version.
      return descriptor.getEnumType().findValueByName(parser.getText());
    }
    if (token == JsonToken.VALUE_NUMBER_INT
        && parser.getNumberType() == JsonParser.NumberType.INT) {
      return descriptor.getEnumType().findValueByNumberCreatingIfUnknown(parser.getIntValue());
    }
    if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
      BigInteger value = readInteger(parser, field);
      if (value != null && value.bitLength() <= 31) {
        // OTLP enums are open (proto3): numbers this version does not know are kept.
        return descriptor.getEnumType().findValueByNumberCreatingIfUnknown(value.intValue());
      }
    }
    throw new PathException("expected " + expected(field) + ", got " + describe(parser));
  }

  private static ByteString hex(String text, int bytes) {
    if (text.isEmpty()) {
      return ByteString.EMPTY;
    }
    if (text.length() != bytes * 2) {
      throw new PathException(quote(text) + " is not " + bytes * 2 + " hex characters");
    }
    byte[] out = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      int high = Character.digit(text.charAt(2 * i), 16);
      int low = Character.digit(text.charAt(2 * i + 1), 16);
      if (high < 0 || low < 0) {
        throw new PathException(quote(text) + " is not " + bytes * 2 + " hex characters");
      }
      out[i] = (byte) (high << 4 | low);
    }
    // The array is ours and never changes again, so it need not be copied.
    return UnsafeByteOperations.unsafeWrap(out);
  }

  private static boolean isAllZeros(ByteString id) {
    for (int i = 0; i < id.size(); i++) {
      if (id.byteAt(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private static ByteString base64(String text) {
    try {
      boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
      byte[] bytes = (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
      return UnsafeByteOperations.unsafeWrap(bytes);
    } catch (IllegalArgumentException e) {
      throw new PathException(quote(text) + " is not base64");
    }
  }

  /** What a value of {@code field} looks like in JSON, for error messages. */
  private static String expected(Field field) {
    FieldDescriptor descriptor = field.descriptor;
    switch (descriptor.getType()) {
      case INT32:
      case SINT32:
      case SFIXED32:
        return "a 32-bit integer";
      case UINT32:
      case FIXED32:
        return "an unsigned 32-bit integer";
      case INT64:
      case SINT64:
      case SFIXED64:
        return "a 64-bit integer";
      case UINT64:
      case FIXED64:
        return "an unsigned 64-bit integer";
      case DOUBLE:
      case FLOAT:
        return "a number";
      case BOOL:
        return "true or false";
      case STRING:
        return "a string";
      case BYTES:
        return field.idBytes > 0 ? field.idBytes * 2 + " hex characters" : "a base64 string";
      case ENUM:
        return "an enum number or name";
      default:
        return "an object";
    }
  }

  /** The current token as it appeared, shortened, for error messages. */
  private static String describe(JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    if (token == null) {
      return "the end of the input";
    }
    switch (token) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return quote(parser.getText());
      case FIELD_NAME:
        return "field " + quote(parser.currentName());
      default:
        String text = parser.getText();
        return text.length() <= MAX_QUOTED ? text : text.substring(0, MAX_QUOTED) + "...";
    }
  }

  /** The parser's message, with its references to the (redacted) source turned into positions. */
  private static String clean(StreamReadException e) {
    return SOURCE_REFERENCE.matcher(e.getOriginalMessage()).replaceAll("line $1, column $2");
  }

  private static String at(JsonParser parser) {
    JsonLocation location = parser.currentTokenLocation();
    return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  private static String quote(String text) {
    String shown = text.length() <= MAX_QUOTED ? text : text.substring(0, MAX_QUOTED) + "...";
    StringBuilder quoted = new StringBuilder(shown.length() + 2).append('"');
    for (int i = 0; i < shown.length(); i++) {
      char c = shown.charAt(i);
      if (c == '"' || c == '\\') {
        quoted.append('\\').append(c);
      } else if (c < 0x20) {
        quoted.append(String.format("\\u%04x", (int) c));
      } else {
        quoted.append(c);
      }
    }
    return quoted.append('"').toString();
  }

  /**
   * A value that does not fit its field. Carries the path from the field outwards; stack traces are
   * not filled in since the path says everything.
   */
  private static final class PathException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    // Segments from the innermost outwards: ".name" or "[index]".
    private final transient List<String> segments = new ArrayList<>();

    PathException(String message) {
      super(message, null, false, false);
    }

    PathException inField(String name) {
      segments.add(name);
      return this;
    }

    PathException atIndex(int index) {
      segments.add("[" + index + "]");
      return this;
    }

    String path() {
      StringBuilder path = new StringBuilder();
      for (int i = segments.size() - 1; i >= 0; i--) {
        String segment = segments.get(i);
        if (!segment.startsWith("[") && path.length() > 0) {
          path.append('.');
        }
        path.append(segment);
      }
      return path.toString();
    }
  }
}
