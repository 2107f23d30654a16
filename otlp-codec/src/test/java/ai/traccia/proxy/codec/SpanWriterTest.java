/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Spans written back into requests by themselves: the bytes must be what protobuf-java writes for
 * the same request, with neighbours of one resource and scope sharing them.
 */
class SpanWriterTest {

  private static final Resource CHECKOUT = resource("checkout");
  private static final Resource BILLING = resource("billing");
  private static final InstrumentationScope OPENAI = scope("openai");
  private static final InstrumentationScope HTTP = scope("http");

  private static Resource resource(String service) {
    return Resource.newBuilder().addAttributes(kv("service.name", service)).build();
  }

  private static InstrumentationScope scope(String name) {
    return InstrumentationScope.newBuilder().setName(name).setVersion("1.0").build();
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static Span span(int n) {
    return Span.newBuilder()
        .setTraceId(ByteString.copyFrom(new byte[16]))
        .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) n}))
        .setName("span " + n)
        .addAttributes(kv("n", Integer.toString(n)))
        .build();
  }

  private static SpanWriter.ScopedSpan scoped(
      Resource resource, String resourceUrl, InstrumentationScope scope, Span span) {
    return new SpanWriter.ScopedSpan(resource, resourceUrl, scope, "", span.toByteArray());
  }

  @Test
  void neighboursShareTheirResourceAndScope_inProtobufJavasBytes() {
    List<SpanWriter.ScopedSpan> spans =
        List.of(
            scoped(CHECKOUT, "", OPENAI, span(1)),
            scoped(CHECKOUT, "", OPENAI, span(2)),
            scoped(CHECKOUT, "", HTTP, span(3)),
            // Equal to CHECKOUT, not the same object: shares too.
            scoped(resource("checkout"), "", HTTP, span(4)),
            scoped(BILLING, "", OPENAI, span(5)),
            scoped(CHECKOUT, "", OPENAI, span(6)));

    ExportTraceServiceRequest expected =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(CHECKOUT)
                    .addScopeSpans(
                        ScopeSpans.newBuilder()
                            .setScope(OPENAI)
                            .addSpans(span(1))
                            .addSpans(span(2)))
                    .addScopeSpans(
                        ScopeSpans.newBuilder().setScope(HTTP).addSpans(span(3)).addSpans(span(4))))
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(BILLING)
                    .addScopeSpans(ScopeSpans.newBuilder().setScope(OPENAI).addSpans(span(5))))
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(CHECKOUT)
                    .addScopeSpans(ScopeSpans.newBuilder().setScope(OPENAI).addSpans(span(6))))
            .build();
    assertThat(SpanWriter.request(spans)).isEqualTo(expected.toByteArray());
  }

  @Test
  void schemaUrlsSeparateRuns_andAnEmptyOneIsLeftOut() throws Exception {
    List<SpanWriter.ScopedSpan> spans =
        List.of(
            new SpanWriter.ScopedSpan(CHECKOUT, "", OPENAI, "", span(1).toByteArray()),
            new SpanWriter.ScopedSpan(
                CHECKOUT,
                "https://opentelemetry.io/schemas/1.26.0",
                OPENAI,
                "",
                span(2).toByteArray()),
            new SpanWriter.ScopedSpan(
                CHECKOUT,
                "https://opentelemetry.io/schemas/1.26.0",
                OPENAI,
                "s",
                span(3).toByteArray()));

    ExportTraceServiceRequest expected =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(CHECKOUT)
                    .addScopeSpans(ScopeSpans.newBuilder().setScope(OPENAI).addSpans(span(1))))
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(CHECKOUT)
                    .setSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
                    .addScopeSpans(ScopeSpans.newBuilder().setScope(OPENAI).addSpans(span(2)))
                    .addScopeSpans(
                        ScopeSpans.newBuilder()
                            .setScope(OPENAI)
                            .setSchemaUrl("s")
                            .addSpans(span(3))))
            .build();
    assertThat(SpanWriter.request(spans)).isEqualTo(expected.toByteArray());
  }

  /** Whatever the order, every span comes back with its own resource and scope, in order. */
  @Test
  void randomSequences_keepEverySpansResourceScopeAndOrder() throws Exception {
    Random random = new Random(7);
    Resource[] resources = {CHECKOUT, BILLING, Resource.getDefaultInstance()};
    InstrumentationScope[] scopes = {OPENAI, HTTP, InstrumentationScope.getDefaultInstance()};
    for (int round = 0; round < 200; round++) {
      List<SpanWriter.ScopedSpan> spans = new ArrayList<>();
      int runsOfResources = 1;
      for (int n = 1 + random.nextInt(40); spans.size() < n; ) {
        Resource r = resources[random.nextInt(resources.length)];
        if (!spans.isEmpty() && !spans.get(spans.size() - 1).resource().equals(r)) {
          runsOfResources++;
        }
        spans.add(scoped(r, "", scopes[random.nextInt(scopes.length)], span(spans.size())));
      }

      ExportTraceServiceRequest request =
          ExportTraceServiceRequest.parseFrom(SpanWriter.request(spans));

      assertThat(request.getResourceSpansCount()).isEqualTo(runsOfResources);
      List<Map.Entry<String, Span>> read = new ArrayList<>();
      for (ResourceSpans rs : request.getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span s : ss.getSpansList()) {
            read.add(Map.entry(rs.getResource() + "/" + ss.getScope(), s));
          }
        }
      }
      List<Map.Entry<String, Span>> written = new ArrayList<>();
      for (SpanWriter.ScopedSpan s : spans) {
        written.add(Map.entry(s.resource() + "/" + s.scope(), Span.parseFrom(s.span())));
      }
      assertThat(read).isEqualTo(written);
    }
  }

  @Test
  void noSpans_refused() {
    assertThatThrownBy(() -> SpanWriter.request(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void appendedAttributes_decodeAsTheSpansLast() throws Exception {
    Map<String, AnyValue> summary =
        Map.of("guardrail.summary", AnyValue.newBuilder().setStringValue("{}").build());

    Span read = Span.parseFrom(SpanWriter.appendAttributes(span(1).toByteArray(), summary));

    assertThat(read)
        .isEqualTo(
            span(1).toBuilder()
                .addAttributes(
                    KeyValue.newBuilder()
                        .setKey("guardrail.summary")
                        .setValue(summary.get("guardrail.summary")))
                .build());
  }
}
