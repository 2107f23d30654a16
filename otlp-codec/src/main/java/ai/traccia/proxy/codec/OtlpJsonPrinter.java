/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Writes a protobuf message as OTLP JSON on one line: lowerCamelCase names, enums as numbers,
 * 64-bit integers as strings, trace and span ids as lowercase hex, other bytes as base64, and
 * fields that hold their default value left out, as the protobuf JSON mapping does.
 *
 * <p>Stateless; safe to call from any thread.
 */
final class OtlpJsonPrinter {

  private static final JsonFactory FACTORY = new JsonFactory();

  private OtlpJsonPrinter() {}

  static String print(MessageOrBuilder message) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      writeMessage(generator, message);
    } catch (IOException e) {
      // A StringWriter does not fail; this would be a bug in the generator.
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void writeMessage(JsonGenerator out, MessageOrBuilder message) throws IOException {
    out.writeStartObject();
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      if (field.isRepeated()) {
        int count = message.getRepeatedFieldCount(field);
        if (count == 0) {
          continue;
        }
        out.writeFieldName(field.getJsonName());
        out.writeStartArray();
        for (int i = 0; i < count; i++) {
          writeValue(out, field, message.getRepeatedField(field, i));
        }
        out.writeEndArray();
      } else if (field.hasPresence()) {
        if (message.hasField(field)) {
          out.writeFieldName(field.getJsonName());
          writeValue(out, field, message.getField(field));
        }
      } else {
        Object value = message.getField(field);
        if (!isDefault(field, value)) {
          out.writeFieldName(field.getJsonName());
          writeValue(out, field, value);
        }
      }
    }
    out.writeEndObject();
  }

  private static boolean isDefault(FieldDescriptor field, Object value) {
    switch (field.getJavaType()) {
      case ENUM:
        return ((EnumValueDescriptor) value).getNumber() == 0;
      case BYTE_STRING:
        return ((ByteString) value).isEmpty();
      case DOUBLE:
        // -0.0 is not the default: the binary encoding keeps it, and so does the JSON mapping.
        return Double.doubleToRawLongBits((Double) value) == 0;
      case FLOAT:
        return Float.floatToRawIntBits((Float) value) == 0;
      default:
        return value.equals(field.getDefaultValue());
    }
  }

  private static void writeValue(JsonGenerator out, FieldDescriptor field, Object value)
      throws IOException {
    switch (field.getType()) {
      case MESSAGE:
      case GROUP:
        writeMessage(out, (MessageOrBuilder) value);
        return;
      case STRING:
        out.writeString((String) value);
        return;
      case BOOL:
        out.writeBoolean((Boolean) value);
        return;
      case INT32:
      case SINT32:
      case SFIXED32:
        out.writeNumber((Integer) value);
        return;
      case UINT32:
      case FIXED32:
        out.writeNumber(Integer.toUnsignedLong((Integer) value));
        return;
      case INT64:
      case SINT64:
      case SFIXED64:
        out.writeString(Long.toString((Long) value));
        return;
      case UINT64:
      case FIXED64:
        out.writeString(Long.toUnsignedString((Long) value));
        return;
      case DOUBLE:
        writeDouble(out, (Double) value);
        return;
      case FLOAT:
        float f = (Float) value;
        if (Float.isFinite(f)) {
          out.writeNumber(f);
        } else {
          writeDouble(out, f);
        }
        return;
      case ENUM:
        out.writeNumber(((EnumValueDescriptor) value).getNumber());
        return;
      case BYTES:
        ByteString bytes = (ByteString) value;
        if (OtlpJsonFields.idBytes(field) > 0) {
          out.writeString(OtlpIds.hex(bytes));
        } else {
          out.writeBinary(bytes.toByteArray());
        }
        return;
    }
    throw new AssertionError(field.getType());
  }

  private static void writeDouble(JsonGenerator out, double value) throws IOException {
    if (Double.isNaN(value)) {
      out.writeString("NaN");
    } else if (value == Double.POSITIVE_INFINITY) {
      out.writeString("Infinity");
    } else if (value == Double.NEGATIVE_INFINITY) {
      out.writeString("-Infinity");
    } else {
      out.writeNumber(value);
    }
  }
}
