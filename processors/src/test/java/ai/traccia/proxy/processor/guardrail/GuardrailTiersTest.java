/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import static ai.traccia.proxy.processor.TestSpans.attributes;
import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.pipeline.Handoff;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.processor.tier.EnrichedMark;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The guardrail stage split over a sidecar ({@link GuardrailFindingsProcessor} then {@link
 * EnrichedMark}) and a gateway ({@link GuardrailProcessor} that skips marked spans' findings)
 * writes what one node writes.
 */
class GuardrailTiersTest {

  private static final ByteString TRACE =
      ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});

  private final FakeScheduler scheduler = new FakeScheduler();

  private GuardrailProcessor oneNode(boolean skipMarked) {
    return GuardrailProcessor.builder()
        .setRootSpanWait(Duration.ZERO)
        .setSkipFindingsOfMarkedSpans(skipMarked)
        .setScheduler(scheduler)
        .setNanoClock(scheduler.clock())
        .setNext(root -> Handoff.taken())
        .build();
  }

  /** A tool denied permission, a filtered completion and the root, last, in one request. */
  private static ExportTraceServiceRequest trace() {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .addScopeSpans(
                    ScopeSpans.newBuilder()
                        .addSpans(
                            span(
                                2,
                                1,
                                attributes(
                                    "span.type",
                                    "tool",
                                    "error.type",
                                    "PermissionError",
                                    "error.message",
                                    "Permission denied")))
                        .addSpans(
                            span(
                                3,
                                1,
                                attributes(
                                    "llm.model",
                                    "gpt-4o",
                                    "llm.finish_reason",
                                    "content_filter",
                                    "gen_ai.usage.input_tokens",
                                    12L,
                                    "gen_ai.usage.output_tokens",
                                    3L)))
                        .addSpans(span(1, 0, attributes("http.route", "/chat")))))
        .build();
  }

  @Test
  void sidecarThenGateway_writesWhatOneNodeWrites() throws Exception {
    SpanBatch single = SpanBatch.of(trace(), null);
    oneNode(false).process(single);

    SpanBatch atSidecar = SpanBatch.of(trace(), null);
    GuardrailFindingsProcessor.create(true).process(atSidecar);
    EnrichedMark.create().process(atSidecar);
    SpanBatch atGateway = SpanBatch.of(atSidecar.toRequest(), null);
    oneNode(true).process(atGateway);

    // The gateway writes only the root's summary; the children keep the sidecar's findings.
    assertThat(atGateway.editedAttributeKeys(0)).isEmpty();
    assertThat(atGateway.editedAttributeKeys(1)).isEmpty();
    assertThat(atGateway.editedAttributeKeys(2)).contains(GuardrailProcessor.SUMMARY);
    assertThat(withoutMark(atGateway.toRequest())).isEqualTo(withoutMark(single.toRequest()));
    assertThat(single.attribute(0, GuardrailProcessor.FINDING_COUNT).getIntValue()).isEqualTo(1);
  }

  @Test
  void gateway_unmarkedSpansStillGetTheirFindings() {
    SpanBatch single = SpanBatch.of(trace(), null);
    oneNode(false).process(single);
    SpanBatch direct = SpanBatch.of(trace(), null);

    oneNode(true).process(direct);

    assertThat(direct.toRequest()).isEqualTo(single.toRequest());
  }

  private static List<Span> withoutMark(ExportTraceServiceRequest request) {
    List<Span> out = new ArrayList<>();
    for (Span span : request.getResourceSpans(0).getScopeSpans(0).getSpansList()) {
      Span.Builder b = span.toBuilder().clearAttributes();
      for (KeyValue kv : span.getAttributesList()) {
        if (!kv.getKey().equals(EnrichedMark.KEY)) {
          b.addAttributes(kv);
        }
      }
      out.add(b.build());
    }
    return out;
  }

  private static Span span(int id, int parent, List<KeyValue> attributes) {
    Span.Builder b =
        Span.newBuilder()
            .setTraceId(TRACE)
            .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) id}))
            .setName("s" + id)
            .addAllAttributes(attributes);
    if (parent != 0) {
      b.setParentSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) parent}));
    }
    return b.build();
  }
}
