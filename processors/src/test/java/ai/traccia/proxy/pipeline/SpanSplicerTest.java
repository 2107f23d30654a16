/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Edited batches made from bytes are spliced; the result must decode to what toRequest builds. */
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

  private static void edit(SpanBatch batch, long seed) {
    Random random = new Random(seed);
    for (int i = 0; i < batch.size(); i++) {
      switch (random.nextInt(4)) {
        case 0:
          batch.reject(i, RejectReason.HELD);
          break;
        case 1:
          batch.putAttribute(i, "k1", "replaced");
          batch.putAttribute(i, "traccia.added", 42L);
          break;
        default:
          break;
      }
    }
  }

  @Test
  void splicedBytesDecodeToTheRebuiltRequest() throws Exception {
    Random random = new Random(7);
    for (int round = 0; round < 2_000; round++) {
      ExportTraceServiceRequest original = randomRequest(random);
      byte[] bytes = original.toByteArray();
      long seed = random.nextLong();

      SpanBatch spliced = SpanBatch.parse(bytes);
      edit(spliced, seed);
      SpanBatch rebuilt = SpanBatch.of(ExportTraceServiceRequest.parseFrom(bytes), null);
      edit(rebuilt, seed);

      assertThat(ExportTraceServiceRequest.parseFrom(spliced.toByteArray()))
          .isEqualTo(rebuilt.toRequest());
    }
  }

  @Test
  void oddEncodings_splicedBytesDecodeToTheRebuiltRequest() throws Exception {
    Random random = new Random(8);
    for (int round = 0; round < 2_000; round++) {
      byte[] bytes = WireSpansTest.oddRequest(random);
      long seed = random.nextLong();

      SpanBatch spliced = SpanBatch.parse(bytes);
      editOverlapping(spliced, seed);
      SpanBatch rebuilt = SpanBatch.of(ExportTraceServiceRequest.parseFrom(bytes), null);
      editOverlapping(rebuilt, seed);
      for (int i = 0; i < spliced.size(); i++) {
        assertThat(Span.parseFrom(spliced.editedSpanBytes(i)))
            .isEqualTo(SpanBatch.withAttributes(rebuilt.span(i), rebuilt.edits(i)));
      }

      // An edited toRequest() starts the request afresh, without the request's unknown fields.
      assertThat(withoutUnknownFields(ExportTraceServiceRequest.parseFrom(spliced.toByteArray())))
          .isEqualTo(withoutUnknownFields(rebuilt.toRequest()));
    }
  }

  private static ExportTraceServiceRequest withoutUnknownFields(ExportTraceServiceRequest r) {
    return r.toBuilder().setUnknownFields(UnknownFieldSet.getDefaultInstance()).build();
  }

  /** Edits keys the spans may already have, more than once, and refuses some spans. */
  private static void editOverlapping(SpanBatch batch, long seed) {
    Random random = new Random(seed);
    String[] keys = WireSpansTest.KEYS;
    for (int i = 0; i < batch.size(); i++) {
      if (random.nextInt(5) == 0) {
        batch.reject(i, RejectReason.SAMPLED_OUT);
      }
      for (int n = random.nextInt(4); n > 0; n--) {
        batch.putAttribute(i, keys[random.nextInt(keys.length)], random.nextInt(3));
      }
    }
  }

  @Test
  void refusalsAloneNeverDecodeTheRequest() throws Exception {
    ExportTraceServiceRequest original = randomRequest(new Random(11));
    byte[] bytes = original.toByteArray();
    SpanBatch batch = SpanBatch.parse(bytes);
    assertThat(batch.size()).isGreaterThan(2);
    batch.reject(0, RejectReason.RATE_LIMITED);
    batch.reject(batch.size() - 1, RejectReason.RATE_LIMITED);

    byte[] out = batch.toByteArray();

    assertThat(batch.isDecoded()).isFalse();
    SpanBatch expected = SpanBatch.of(original, null);
    expected.reject(0, RejectReason.RATE_LIMITED);
    expected.reject(expected.size() - 1, RejectReason.RATE_LIMITED);
    assertThat(ExportTraceServiceRequest.parseFrom(out)).isEqualTo(expected.toRequest());
  }
}
