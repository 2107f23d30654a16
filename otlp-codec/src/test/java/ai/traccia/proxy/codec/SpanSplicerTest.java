/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Edited requests are spliced from their bytes; the result must decode to the decoded request with
 * the same edits applied by protobuf-java, unknown fields of every level included.
 */
class SpanSplicerTest {

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static ExportTraceServiceRequest randomRequest(Random random) {
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    int resources = random.nextInt(4);
    int n = 0;
    for (int r = 0; r < resources; r++) {
      ResourceSpans.Builder rs = ResourceSpans.newBuilder();
      if (random.nextBoolean()) {
        rs.setResource(Resource.newBuilder().addAttributes(kv("service.name", "svc" + r)));
      }
      if (random.nextBoolean()) {
        rs.setSchemaUrl("https://opentelemetry.io/schemas/1.2" + r);
      }
      if (random.nextInt(4) == 0) {
        rs.setUnknownFields(
            UnknownFieldSet.newBuilder()
                .addField(
                    99, UnknownFieldSet.Field.newBuilder().addVarint(random.nextInt(1000)).build())
                .build());
      }
      int scopes = random.nextInt(3);
      for (int s = 0; s < scopes; s++) {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder();
        if (random.nextBoolean()) {
          ss.setScope(InstrumentationScope.newBuilder().setName("scope" + s).setVersion("1"));
        }
        if (random.nextBoolean()) {
          ss.setSchemaUrl("https://example.com/" + s);
        }
        int spans = random.nextInt(5);
        for (int k = 0; k < spans; k++) {
          Span.Builder span =
              Span.newBuilder()
                  .setName("span " + n++)
                  .setTraceId(
                      ByteString.copyFrom(
                          new byte[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, (byte) k}))
                  .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) k}));
          for (int a = random.nextInt(6); a > 0; a--) {
            span.addAttributes(kv("k" + a, "v".repeat(random.nextInt(200))));
          }
          ss.addSpans(span);
        }
        rs.addScopeSpans(ss);
      }
      request.addResourceSpans(rs);
    }
    return request.build();
  }

  /**
   * Edits by span index, and the reference they are checked against: the decoded request with the
   * same edits applied by protobuf-java's builders.
   */
  private static final class Edits implements SpanSplicer.Edits {
    private static final AnyValue REMOVED = AnyValue.newBuilder().setStringValue("-").build();

    final int size;
    private final WireSpans wire;
    private final Set<Integer> rejected = new HashSet<>();
    private final Map<Integer, Map<String, AnyValue>> attributes = new HashMap<>();
    private final Map<Integer, List<Span.Event>> events = new HashMap<>();

    Edits(byte[] encoded) throws InvalidProtocolBufferException {
      size = OtlpWire.countSpans(encoded);
      wire = WireSpans.read(encoded, size);
    }

    void reject(int i) {
      rejected.add(i);
    }

    void put(int i, String key, AnyValue value) {
      attributes.computeIfAbsent(i, k -> new LinkedHashMap<>()).put(key, value);
    }

    void put(int i, String key, long value) {
      put(i, key, AnyValue.newBuilder().setIntValue(value).build());
    }

    void remove(int i, String key) {
      put(i, key, REMOVED);
    }

    void setEvents(int i, List<Span.Event> replaced) {
      events.put(i, replaced);
    }

    @Override
    public WireSpans wire() {
      return wire;
    }

    @Override
    public boolean isRejected(int i) {
      return rejected.contains(i);
    }

    @Override
    public Map<String, AnyValue> attributes(int i) {
      return attributes.get(i);
    }

    @Override
    public List<Span.Event> events(int i) {
      return events.get(i);
    }

    @Override
    public boolean isRemoved(AnyValue value) {
      return value == REMOVED;
    }

    /** {@code span}, which is span {@code i}, with its edits applied. */
    Span applied(Span span, int i) {
      Span.Builder out = span.toBuilder();
      Map<String, AnyValue> set = attributes.get(i);
      if (set != null) {
        out.clearAttributes();
        for (KeyValue kv : span.getAttributesList()) {
          if (!set.containsKey(kv.getKey())) {
            out.addAttributes(kv);
          }
        }
        set.forEach(
            (key, value) -> {
              if (value != REMOVED) {
                out.addAttributes(KeyValue.newBuilder().setKey(key).setValue(value));
              }
            });
      }
      if (events.containsKey(i)) {
        out.clearEvents().addAllEvents(events.get(i));
      }
      return out.build();
    }

    /** {@code request} with every edit applied, and resources and scopes left empty left out. */
    ExportTraceServiceRequest applied(ExportTraceServiceRequest request) {
      ExportTraceServiceRequest.Builder out = request.toBuilder();
      int i = 0;
      for (ResourceSpans.Builder rs : out.getResourceSpansBuilderList()) {
        for (ScopeSpans.Builder ss : rs.getScopeSpansBuilderList()) {
          List<Span> kept = new ArrayList<>();
          for (Span span : ss.getSpansList()) {
            if (!rejected.contains(i)) {
              kept.add(applied(span, i));
            }
            i++;
          }
          ss.clearSpans().addAllSpans(kept);
        }
        List<ScopeSpans> scopes = new ArrayList<>(rs.getScopeSpansList());
        scopes.removeIf(scope -> scope.getSpansCount() == 0);
        rs.clearScopeSpans().addAllScopeSpans(scopes);
      }
      List<ResourceSpans> resources = new ArrayList<>(out.getResourceSpansList());
      resources.removeIf(resource -> resource.getScopeSpansCount() == 0);
      return out.clearResourceSpans().addAllResourceSpans(resources).build();
    }
  }

  private static List<Span> spans(ExportTraceServiceRequest request) {
    List<Span> spans = new ArrayList<>();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        spans.addAll(ss.getSpansList());
      }
    }
    return spans;
  }

  private static void edit(Edits edits, Random random) {
    for (int i = 0; i < edits.size; i++) {
      switch (random.nextInt(4)) {
        case 0:
          edits.reject(i);
          break;
        case 1:
          edits.put(i, "k1", AnyValue.newBuilder().setStringValue("replaced").build());
          edits.put(i, "traccia.added", 42L);
          break;
        default:
          break;
      }
    }
  }

  @Test
  void splicedBytesDecodeToTheEditedRequest() throws Exception {
    Random random = new Random(7);
    for (int round = 0; round < 2_000; round++) {
      byte[] bytes = randomRequest(random).toByteArray();
      Edits edits = new Edits(bytes);
      edit(edits, random);

      assertThat(ExportTraceServiceRequest.parseFrom(SpanSplicer.splice(bytes, edits)))
          .isEqualTo(edits.applied(ExportTraceServiceRequest.parseFrom(bytes)));
    }
  }

  @Test
  void oddEncodings_splicedBytesDecodeToTheEditedRequest() throws Exception {
    Random random = new Random(8);
    for (int round = 0; round < 2_000; round++) {
      byte[] bytes = WireSpansTest.oddRequest(random);
      Edits edits = new Edits(bytes);
      editOverlapping(edits, random);
      ExportTraceServiceRequest decoded = ExportTraceServiceRequest.parseFrom(bytes);
      List<Span> spans = spans(decoded);
      for (int i = 0; i < edits.size; i++) {
        assertThat(Span.parseFrom(SpanSplicer.span(bytes, edits, i)))
            .isEqualTo(edits.applied(spans.get(i), i));
      }

      assertThat(ExportTraceServiceRequest.parseFrom(SpanSplicer.splice(bytes, edits)))
          .isEqualTo(edits.applied(decoded));
    }
  }

  /**
   * Sets and removes keys the spans may already have, more than once, replaces some spans' events
   * and refuses some spans.
   */
  private static void editOverlapping(Edits edits, Random random) {
    String[] keys = WireSpansTest.KEYS;
    for (int i = 0; i < edits.size; i++) {
      if (random.nextInt(5) == 0) {
        edits.reject(i);
      }
      for (int n = random.nextInt(4); n > 0; n--) {
        edits.put(i, keys[random.nextInt(keys.length)], random.nextInt(3));
      }
      if (random.nextInt(6) == 0) {
        edits.remove(i, keys[random.nextInt(keys.length)]);
      }
      if (random.nextInt(6) == 0) {
        List<Span.Event> replaced = new ArrayList<>();
        for (int n = random.nextInt(3); n > 0; n--) {
          replaced.add(
              Span.Event.newBuilder().setName("e" + n).addAttributes(kv("a", "x")).build());
        }
        edits.setEvents(i, replaced);
      }
    }
  }
}
