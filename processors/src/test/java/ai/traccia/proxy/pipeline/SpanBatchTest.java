/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpanBatchTest {

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static Span span(String name, KeyValue... attributes) {
    Span.Builder b = Span.newBuilder().setName(name);
    for (KeyValue kv : attributes) {
      b.addAttributes(kv);
    }
    return b.build();
  }

  /** Two resources; the first with two scopes of 1 and 2 spans, the second with one span. */
  private static ExportTraceServiceRequest request() {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "a")))
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(span("a1", kv("k", "v"))))
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(span("a2")).addSpans(span("a3"))))
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "b")))
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(span("b1"))))
        .build();
  }

  @Test
  void index_flattensResourcesAndScopes() {
    SpanBatch batch = SpanBatch.of(request(), null);

    assertThat(batch.size()).isEqualTo(4);
    assertThat(batch.span(2).getName()).isEqualTo("a3");
    assertThat(batch.span(3).getName()).isEqualTo("b1");
    assertThat(batch.resourceAttribute(3, "service.name").getStringValue()).isEqualTo("b");
    assertThat(batch.resourceAttribute(0, "service.name").getStringValue()).isEqualTo("a");
  }

  @Test
  void unmodified_returnsTheSameBytes() {
    byte[] encoded = request().toByteArray();
    SpanBatch batch = SpanBatch.of(request(), encoded);

    assertThat(batch.isModified()).isFalse();
    assertThat(batch.toByteArray()).isSameAs(encoded);
  }

  @Test
  void putAttribute_visibleToLaterReadersAndApplied() {
    SpanBatch batch = SpanBatch.of(request(), request().toByteArray());

    batch.putAttribute(0, "k", "replaced");
    batch.putAttribute(0, "n", 42L);
    batch.putAttribute(3, "ok", true);

    assertThat(batch.attribute(0, "k").getStringValue()).isEqualTo("replaced");
    assertThat(batch.attribute(0, "n").getIntValue()).isEqualTo(42);
    assertThat(batch.attribute(1, "k")).isNull();
    ExportTraceServiceRequest out = batch.toRequest();
    Span first = out.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(first.getAttributesList()).extracting(KeyValue::getKey).containsExactly("k", "n");
    assertThat(first.getAttributes(0).getValue().getStringValue()).isEqualTo("replaced");
    assertThat(out.getResourceSpans(1).getScopeSpans(0).getSpans(0).getAttributes(0).getKey())
        .isEqualTo("ok");
    assertThat(out.getResourceSpans(0).getScopeSpans(1))
        .isEqualTo(request().getResourceSpans(0).getScopeSpans(1));
  }

  @Test
  void reject_removesSpansAndEmptyContainers() {
    SpanBatch batch = SpanBatch.of(request(), request().toByteArray());

    batch.reject(0, RejectReason.RATE_LIMITED);
    batch.reject(3, RejectReason.SAMPLED_OUT);
    batch.reject(3, RejectReason.RATE_LIMITED);

    assertThat(batch.rejectedCount()).isEqualTo(2);
    assertThat(batch.acceptedCount()).isEqualTo(2);
    assertThat(batch.rejectionsByReason())
        .isEqualTo(Map.of(RejectReason.RATE_LIMITED, 1, RejectReason.SAMPLED_OUT, 1));
    ExportTraceServiceRequest out = batch.toRequest();
    assertThat(out.getResourceSpansCount()).isEqualTo(1);
    assertThat(out.getResourceSpans(0).getScopeSpansCount()).isEqualTo(1);
    assertThat(out.getResourceSpans(0).getScopeSpans(0).getSpansList())
        .extracting(Span::getName)
        .containsExactly("a2", "a3");
  }

  @Test
  void sealed_refusesEdits() {
    SpanBatch batch = SpanBatch.of(request(), null);
    batch.toRequest();

    assertThatThrownBy(() -> batch.putAttribute(0, "k", "v"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the batch was sealed; processors must not keep it");
  }

  @Test
  void emptyRequest_hasNoSpans() {
    SpanBatch batch = SpanBatch.of(ExportTraceServiceRequest.getDefaultInstance(), new byte[0]);

    assertThat(batch.size()).isZero();
    assertThat(batch.toByteArray()).isEmpty();
  }

  @Test
  void attribute_onManyAttributesFindsTheFirstOfARepeatedKeyAndSeesEdits() {
    Span.Builder span = Span.newBuilder().setName("many");
    for (int k = 0; k < 20; k++) {
      span.addAttributes(kv("k" + k, "v" + k));
    }
    span.addAttributes(kv("k3", "second"));
    SpanBatch batch = batchOf(span);

    assertThat(batch.attribute(0, "k3").getStringValue()).isEqualTo("v3");
    assertThat(batch.attribute(0, "k19").getStringValue()).isEqualTo("v19");
    assertThat(batch.attribute(0, "absent")).isNull();
    batch.putAttribute(0, "k19", "edited");
    assertThat(batch.attribute(0, "k19").getStringValue()).isEqualTo("edited");
  }

  @Test
  void attribute_onManyAttributesAgreesWithASearchInOrder() {
    SplittableRandom random = new SplittableRandom(17);
    String[] alphabet = {"", "a", "gen_ai.", "llm.", "é", "日本", ".", "0", "usage", "_tokens"};
    for (int n = 0; n < 300; n++) {
      Span.Builder span = Span.newBuilder();
      List<String> keys = new ArrayList<>();
      int count = 9 + random.nextInt(32);
      for (int k = 0; k < count; k++) {
        StringBuilder key = new StringBuilder();
        for (int part = random.nextInt(4); part >= 0; part--) {
          key.append(alphabet[random.nextInt(alphabet.length)]);
        }
        keys.add(key.toString());
        span.addAttributes(kv(key.toString(), "v" + k));
      }
      SpanBatch batch = batchOf(span);
      for (int q = 0; q < 40; q++) {
        String key =
            random.nextBoolean()
                ? keys.get(random.nextInt(keys.size()))
                : alphabet[random.nextInt(alphabet.length)]
                    + alphabet[random.nextInt(alphabet.length)];
        int first = keys.indexOf(key);
        AnyValue found = batch.attribute(0, key);
        if (first < 0) {
          assertThat(found).as(key).isNull();
        } else {
          assertThat(found.getStringValue()).as(key).isEqualTo("v" + first);
        }
      }
    }
  }

  /** A view that reads attribute "k": dropped by an edit of it, kept by others. */
  private static final class ReadsK implements SpanBatch.View {
    @Override
    public SpanBatch.View edited(SpanBatch batch, int i, String key) {
      return key.equals("k") ? null : this;
    }
  }

  /** A view of attribute "k" that takes its edits in: a new view with the value as edited. */
  private record SeesK(String value) implements SpanBatch.View {
    @Override
    public SpanBatch.View edited(SpanBatch batch, int i, String key) {
      if (!key.equals("k")) {
        return this;
      }
      AnyValue now = batch.attribute(i, "k");
      return new SeesK(now == null ? null : now.getStringValue());
    }
  }

  @Test
  void view_isDroppedByAnEditItReadsAndKeptByOthers() {
    SpanBatch batch = SpanBatch.of(request(), null);
    SpanBatch.View readsK = new ReadsK();
    SpanBatch.View other = new ReadsK();
    batch.setView(0, readsK);
    batch.setView(1, other);

    batch.putAttribute(0, "unread", "changed");
    batch.removeAttribute(1, "unread");
    assertThat(batch.view(0)).isSameAs(readsK);
    assertThat(batch.view(1)).isSameAs(other);

    batch.putAttribute(0, "k", "changed");
    batch.removeAttribute(1, "k");
    assertThat(batch.view(0)).isNull();
    assertThat(batch.view(1)).isNull();
  }

  @Test
  void view_isReplacedByWhatItMakesOfAnEdit_madeBeforeItIsAsked() {
    SpanBatch batch = SpanBatch.of(request(), null);
    batch.setView(0, new SeesK("as arrived"));

    batch.putAttribute(0, "k", "changed");
    assertThat(batch.view(0)).isEqualTo(new SeesK("changed"));

    batch.removeAttribute(0, "k");
    assertThat(batch.view(0)).isEqualTo(new SeesK(null));
  }

  @Test
  void view_isDroppedWhenItsSpansEventsAreReplaced() {
    SpanBatch batch = SpanBatch.of(request(), null);
    batch.setView(0, new SeesK("as arrived"));

    batch.setEvents(0, List.of(Span.Event.newBuilder().setName("e").build()));

    assertThat(batch.view(0)).isNull();
  }

  @Test
  void removeAttribute_goneForReadersAndInBothEncodings() throws Exception {
    Span span =
        span("s", kv("keep", "1"), kv("gone", "2"), kv("gone", "3")).toBuilder()
            .addEvents(Span.Event.newBuilder().setName("e"))
            .build();
    SpanBatch batch = batchOf(span.toBuilder());

    batch.removeAttribute(0, "gone");
    batch.removeAttribute(0, "never-there");

    assertThat(batch.attribute(0, "gone")).isNull();
    assertThat(batch.editedAttributeKeys(0)).isEmpty();
    Span spliced = onlySpan(ExportTraceServiceRequest.parseFrom(batch.toByteArray()));
    assertThat(spliced.getAttributesList()).containsExactly(kv("keep", "1"));
    assertThat(spliced.getEventsCount()).isEqualTo(1);
    assertThat(onlySpan(batch.toRequest())).isEqualTo(spliced);
  }

  @Test
  void setEvents_replacesEveryEvent_splicedAsDecoded() throws Exception {
    Span span =
        span("s", kv("k", "v")).toBuilder()
            .addEvents(Span.Event.newBuilder().setName("first").addAttributes(kv("a", "1")))
            .setStatus(io.opentelemetry.proto.trace.v1.Status.newBuilder().setMessage("m"))
            .addEvents(Span.Event.newBuilder().setName("second"))
            .build();
    SpanBatch batch = batchOf(span.toBuilder());
    assertThat(batch.eventCount(0)).isEqualTo(2);
    Span.Event replaced =
        Span.Event.newBuilder().setName("first").addAttributes(kv("a", "x")).build();

    batch.setEvents(0, List.of(replaced));
    batch.putAttribute(0, "k", "w");

    assertThat(batch.events(0)).containsExactly(replaced);
    Span spliced = onlySpan(ExportTraceServiceRequest.parseFrom(batch.toByteArray()));
    assertThat(spliced.getEventsList()).containsExactly(replaced);
    assertThat(spliced.getStatus().getMessage()).isEqualTo("m");
    assertThat(spliced.getAttributesList()).containsExactly(kv("k", "w"));
    assertThat(onlySpan(batch.toRequest())).isEqualTo(spliced);
  }

  @Test
  void edits_areSeenByAttributeButNotByTheArrivedList() throws Exception {
    Span span =
        Span.newBuilder()
            .setTraceId(
                ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7}))
            .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
            .addAttributes(
                KeyValue.newBuilder().setKey("k").setValue(AnyValue.newBuilder().setIntValue(1)))
            .build();
    SpanBatch batch = SpanBatch.parse(batchOf(span.toBuilder()).toByteArray());

    batch.putAttribute(0, "k", 2L);
    batch.putAttribute(0, "new", "v");

    assertThat(batch.attribute(0, "k").getIntValue()).isEqualTo(2);
    assertThat(batch.attribute(0, "new").getStringValue()).isEqualTo("v");
    assertThat(batch.attributeCount(0)).isEqualTo(1);
    assertThat(batch.attributeValue(0, 0).getIntValue()).isEqualTo(1);
  }

  @Test
  void readsAndRefusalsAlone_neverDecodeTheRequest() throws Exception {
    ExportTraceServiceRequest.Builder withIds = request().toBuilder();
    for (ResourceSpans.Builder rs : withIds.getResourceSpansBuilderList()) {
      for (ScopeSpans.Builder ss : rs.getScopeSpansBuilderList()) {
        for (Span.Builder span : ss.getSpansBuilderList()) {
          span.setTraceId(
                  ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7}))
              .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        }
      }
    }
    ExportTraceServiceRequest original = withIds.build();
    SpanBatch batch = SpanBatch.parse(original.toByteArray());
    for (int i = 0; i < batch.size(); i++) {
      batch.name(i);
      batch.attribute(i, "k");
      batch.resource(i);
      batch.span(i);
    }
    batch.reject(0, RejectReason.RATE_LIMITED);
    batch.reject(batch.size() - 1, RejectReason.RATE_LIMITED);

    byte[] out = batch.toByteArray();

    assertThat(batch.isDecoded()).isFalse();
    SpanBatch expected = SpanBatch.of(original, null);
    expected.reject(0, RejectReason.RATE_LIMITED);
    expected.reject(expected.size() - 1, RejectReason.RATE_LIMITED);
    assertThat(ExportTraceServiceRequest.parseFrom(out)).isEqualTo(expected.toRequest());
  }

  private static Span onlySpan(ExportTraceServiceRequest request) {
    return request.getResourceSpans(0).getScopeSpans(0).getSpans(0);
  }

  /** A batch of one request holding {@code span} alone. */
  private static SpanBatch batchOf(Span.Builder span) {
    return SpanBatch.of(
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
            .build(),
        null);
  }
}
