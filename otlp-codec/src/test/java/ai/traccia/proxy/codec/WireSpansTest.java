/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Reading spans from the wire must give what protobuf-java's decode gives, for any encoding it
 * accepts: fields in any order, repeated singular fields, merged messages, unknown fields of every
 * wire type, known field numbers with the wrong wire type.
 */
class WireSpansTest {

  static final String[] KEYS = {
    "",
    "a",
    "gen_ai.request.model",
    "llm.model",
    "span.type",
    "k1",
    "k2",
    "k3",
    "k4",
    "k5",
    "kk",
    "schlüssel",
    "键",
    "emoji \uD83D\uDE00",
    "service.name",
    "guardrail.name",
    "ab",
    "ba",
    "a?",
  };

  // Asked for but never written: an unpaired surrogate, which UTF-8 writes as "?".
  private static final String UNPAIRED = "a\uD800";

  @Test
  void readsWhatTheDecoderReads_onRandomEncodings() throws Exception {
    Random random = new Random(20261206);
    int spans = 0;
    for (int round = 0; round < 3_000; round++) {
      byte[] bytes = oddRequest(random);
      ExportTraceServiceRequest decoded = ExportTraceServiceRequest.parseFrom(bytes);
      int count = OtlpWire.countSpans(bytes);
      WireSpans wire = WireSpans.read(bytes, count);
      List<Span> expected = new ArrayList<>();
      List<ResourceSpans> resources = new ArrayList<>();
      List<ScopeSpans> scopes = new ArrayList<>();
      for (ResourceSpans rs : decoded.getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span span : ss.getSpansList()) {
            expected.add(span);
            resources.add(rs);
            scopes.add(ss);
          }
        }
      }
      assertThat(count).isEqualTo(expected.size());
      // Read in a random order: each span's fields are found on its first read.
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < expected.size(); i++) {
        order.add(i);
      }
      Collections.shuffle(order, random);
      for (int i : order) {
        Span want = expected.get(i);
        assertThat(wire.traceId(i)).isEqualTo(want.getTraceId());
        assertThat(wire.spanId(i)).isEqualTo(want.getSpanId());
        assertThat(wire.parentSpanId(i)).isEqualTo(want.getParentSpanId());
        assertThat(wire.traceState(i)).isEqualTo(want.getTraceState());
        assertThat(wire.name(i)).isEqualTo(want.getName());
        assertThat(wire.startTimeUnixNano(i)).isEqualTo(want.getStartTimeUnixNano());
        assertThat(wire.endTimeUnixNano(i)).isEqualTo(want.getEndTimeUnixNano());
        assertThat(wire.statusCode(i)).isEqualTo(want.getStatus().getCodeValue());
        assertThat(wire.attributeCount(i)).isEqualTo(want.getAttributesCount());
        for (int k = 0; k < want.getAttributesCount(); k++) {
          assertThat(wire.attributeKey(i, k)).isEqualTo(want.getAttributes(k).getKey());
          assertThat(wire.attributeValue(i, k)).isEqualTo(want.getAttributes(k).getValue());
        }
        for (String key : KEYS) {
          assertThat(attribute(wire, i, key)).as(key).isEqualTo(first(want, key));
        }
        assertThat(wire.find(i, UNPAIRED)).isNegative();
        assertThat(wire.span(i)).isEqualTo(want);
        assertThat(wire.resource(i)).isEqualTo(resources.get(i).getResource());
        assertThat(wire.resourceSchemaUrl(i)).isEqualTo(resources.get(i).getSchemaUrl());
        assertThat(wire.scope(i)).isEqualTo(scopes.get(i).getScope());
        assertThat(wire.scopeSchemaUrl(i)).isEqualTo(scopes.get(i).getSchemaUrl());
      }
      spans += expected.size();
    }
    assertThat(spans).isGreaterThan(10_000);
  }

  /** The value of the first attribute {@code key} of span {@code i}, or null. */
  private static AnyValue attribute(WireSpans wire, int i, String key) {
    int k = wire.find(i, key);
    return k < 0 ? null : wire.attributeValue(i, k);
  }

  private static String randomKey(Random random) {
    if (random.nextInt(4) == 0) {
      return KEYS[random.nextInt(KEYS.length)];
    }
    StringBuilder b = new StringBuilder();
    for (int n = random.nextInt(12); n > 0; n--) {
      b.append((char) ('a' + random.nextInt(4)));
    }
    return b.toString();
  }

  private static AnyValue first(Span span, String key) {
    for (KeyValue kv : span.getAttributesList()) {
      if (kv.getKey().equals(key)) {
        return kv.getValue();
      }
    }
    return null;
  }

  // --- A random, valid, oddly written request ----------------------------------------------------

  /** Writes one field; the fields of a message are written in a random order. */
  private interface Field {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(List<Field> fields, Random random) throws IOException {
    Collections.shuffle(fields, random);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    for (Field f : fields) {
      f.write(out);
    }
    out.flush();
    return bytes.toByteArray();
  }

  /** A random request, valid but written as no encoder would; for other tests of the wire too. */
  static byte[] oddRequest(Random random) throws IOException {
    List<Field> fields = new ArrayList<>();
    for (int r = random.nextInt(4); r > 0; r--) {
      byte[] rs = resourceSpans(random);
      fields.add(out -> out.writeByteArray(1, rs));
    }
    unknown(fields, random, 1);
    return message(fields, random);
  }

  private static byte[] resourceSpans(Random random) throws IOException {
    List<Field> fields = new ArrayList<>();
    for (int n = random.nextInt(3); n > 0; n--) {
      byte[] resource = resource(random);
      fields.add(out -> out.writeByteArray(1, resource));
    }
    for (int n = random.nextInt(3); n > 0; n--) {
      String url = "https://opentelemetry.io/schemas/1." + random.nextInt(30);
      fields.add(out -> out.writeString(3, url));
    }
    unknown(fields, random, 3);
    for (int n = random.nextInt(4); n > 0; n--) {
      byte[] scopeSpans = scopeSpans(random);
      fields.add(out -> out.writeByteArray(2, scopeSpans));
    }
    return message(fields, random);
  }

  private static byte[] scopeSpans(Random random) throws IOException {
    List<Field> fields = new ArrayList<>();
    for (int n = random.nextInt(3); n > 0; n--) {
      String name = "scope" + random.nextInt(3);
      String version = random.nextBoolean() ? "1.0" : "";
      fields.add(
          out ->
              out.writeByteArray(
                  1,
                  io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder()
                      .setName(name)
                      .setVersion(version)
                      .build()
                      .toByteArray()));
    }
    for (int n = random.nextInt(3); n > 0; n--) {
      String url = "https://example.com/" + random.nextInt(5);
      fields.add(out -> out.writeString(3, url));
    }
    unknown(fields, random, 3);
    for (int n = random.nextInt(6); n > 0; n--) {
      byte[] span = span(random);
      fields.add(out -> out.writeByteArray(2, span));
    }
    return message(fields, random);
  }

  private static byte[] resource(Random random) throws IOException {
    List<Field> fields = new ArrayList<>();
    for (int n = random.nextInt(3); n > 0; n--) {
      byte[] kv = keyValue(random);
      fields.add(out -> out.writeByteArray(1, kv));
    }
    unknown(fields, random, 2);
    return message(fields, random);
  }

  private static byte[] span(Random random) throws IOException {
    List<Field> fields = new ArrayList<>();
    int[] idFields = {1, 2, 4};
    for (int field : idFields) {
      // Ids as OtlpWire accepts them, sometimes more than one of a number (the last is the span's):
      // a trace and a span id of their length and not all zeros; a parent of 8 bytes or empty.
      for (int n = (field == 4 ? 0 : 1) + random.nextInt(2); n > 0; n--) {
        byte[] id = new byte[field == 1 ? 16 : field == 2 || random.nextInt(3) > 0 ? 8 : 0];
        random.nextBytes(id);
        if (id.length > 0) {
          id[0] |= 1;
        }
        fields.add(out -> out.writeByteArray(field, id));
      }
    }
    for (int n = random.nextInt(3); n > 0; n--) {
      String state = random.nextBoolean() ? "ot=th:8;rv:" + random.nextInt(1000) : "vendor=é";
      fields.add(out -> out.writeString(3, state));
    }
    for (int n = random.nextInt(2); n > 0; n--) {
      String name = "span " + random.nextInt(100);
      fields.add(out -> out.writeString(5, name));
    }
    for (int n = random.nextInt(2); n > 0; n--) {
      int kind = random.nextInt(7);
      fields.add(out -> out.writeEnum(6, kind));
    }
    for (int field = 7; field <= 8; field++) {
      int number = field;
      for (int n = random.nextInt(3); n > 0; n--) {
        long time = random.nextInt(4) == 0 ? -random.nextLong() : random.nextLong() >>> 2;
        fields.add(out -> out.writeFixed64(number, time));
      }
    }
    int attributes = random.nextInt(4) == 0 ? 9 + random.nextInt(20) : random.nextInt(9);
    for (int n = attributes; n > 0; n--) {
      byte[] kv = keyValue(random);
      fields.add(out -> out.writeByteArray(9, kv));
    }
    for (int n = random.nextInt(3); n > 0; n--) {
      byte[] status = status(random);
      fields.add(out -> out.writeByteArray(15, status));
    }
    if (random.nextInt(4) == 0) {
      byte[] event =
          Span.Event.newBuilder()
              .setName("exception")
              .addAttributes(
                  KeyValue.newBuilder()
                      .setKey("exception.type")
                      .setValue(AnyValue.newBuilder().setStringValue("PermissionError")))
              .build()
              .toByteArray();
      fields.add(out -> out.writeByteArray(11, event));
    }
    if (random.nextInt(4) == 0) {
      int flags = random.nextInt();
      fields.add(out -> out.writeFixed32(16, flags));
    }
    unknown(fields, random, 4);
    // Known numbers with the wrong wire type are unknown fields to protobuf-java.
    if (random.nextInt(5) == 0) {
      int number = new int[] {1, 2, 4, 7, 8, 9, 15}[random.nextInt(7)];
      fields.add(out -> out.writeUInt64(number, 5));
    }
    if (random.nextInt(5) == 0) {
      fields.add(out -> out.writeFixed32(9, 7));
    }
    return message(fields, random);
  }

  private static byte[] keyValue(Random random) throws IOException {
    List<Field> fields = new ArrayList<>();
    int keys = random.nextInt(10) == 0 ? random.nextInt(3) : 1;
    for (int n = keys; n > 0; n--) {
      String key = randomKey(random);
      fields.add(out -> out.writeString(1, key));
    }
    int values = random.nextInt(10) == 0 ? random.nextInt(3) : 1;
    for (int n = values; n > 0; n--) {
      byte[] value = value(random).toByteArray();
      fields.add(out -> out.writeByteArray(2, value));
    }
    unknown(fields, random, 1);
    if (random.nextInt(20) == 0) {
      fields.add(out -> out.writeUInt32(2, 1)); // a value with the wrong wire type
    }
    return message(fields, random);
  }

  private static AnyValue value(Random random) {
    switch (random.nextInt(8)) {
      case 0:
        return AnyValue.newBuilder().setIntValue(random.nextLong()).build();
      case 1:
        return AnyValue.newBuilder().setDoubleValue(random.nextDouble()).build();
      case 2:
        return AnyValue.newBuilder().setBoolValue(random.nextBoolean()).build();
      case 3:
        return AnyValue.newBuilder()
            .setArrayValue(
                ArrayValue.newBuilder()
                    .addValues(AnyValue.newBuilder().setStringValue("content_filter")))
            .build();
      case 4:
        return AnyValue.newBuilder()
            .setBytesValue(ByteString.copyFrom(new byte[random.nextInt(5)]))
            .build();
      case 5:
        return AnyValue.getDefaultInstance();
      default:
        return AnyValue.newBuilder().setStringValue("v".repeat(random.nextInt(300))).build();
    }
  }

  private static byte[] status(Random random) throws IOException {
    List<Field> fields = new ArrayList<>();
    for (int n = random.nextInt(3); n > 0; n--) {
      int code = random.nextInt(5) == 0 ? random.nextInt(100) : random.nextInt(3);
      fields.add(out -> out.writeEnum(3, code));
    }
    if (random.nextBoolean()) {
      fields.add(out -> out.writeString(2, "boom"));
    }
    unknown(fields, random, 1);
    return message(fields, random);
  }

  /** Adds up to {@code max} unknown fields, of every wire type, groups included. */
  private static void unknown(List<Field> fields, Random random, int max) {
    for (int n = random.nextInt(max + 1); n > 0; n--) {
      int number = 90 + random.nextInt(10);
      switch (random.nextInt(5)) {
        case 0:
          long v = random.nextLong();
          fields.add(out -> out.writeUInt64(number, v));
          break;
        case 1:
          fields.add(out -> out.writeFixed64(number, 1));
          break;
        case 2:
          fields.add(out -> out.writeFixed32(number, 1));
          break;
        case 3:
          fields.add(out -> out.writeByteArray(number, new byte[] {8, 1}));
          break;
        default:
          fields.add(
              out -> {
                out.writeTag(number, 3);
                out.writeUInt64(1, 7);
                out.writeTag(number, 4);
              });
          break;
      }
    }
  }
}
