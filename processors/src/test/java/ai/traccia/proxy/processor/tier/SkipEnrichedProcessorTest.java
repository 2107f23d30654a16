/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tier;

import static ai.traccia.proxy.processor.TestSpans.attributes;
import static ai.traccia.proxy.processor.TestSpans.forwarded;
import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pipeline.SpanBatchProcessorContract;
import ai.traccia.proxy.processor.TestSpans;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SkipEnrichedProcessorTest extends SpanBatchProcessorContract {

  private final AtomicInteger calls = new AtomicInteger();

  /** Writes test.seen (with the span's service) on every span, refuses those with test.refuse. */
  private final SpanBatchProcessor stage =
      new SpanBatchProcessor() {
        @Override
        public void process(SpanBatch batch) {
          calls.incrementAndGet();
          for (int i = 0; i < batch.size(); i++) {
            if (batch.isRejected(i)) {
              continue;
            }
            AnyValue service = batch.resourceAttribute(i, "service.name");
            batch.putAttribute(i, "test.seen", service == null ? "" : service.getStringValue());
            if (batch.attribute(i, "test.refuse") != null) {
              batch.reject(i, RejectReason.INVALID);
            }
          }
        }

        @Override
        public String name() {
          return "test_stage";
        }
      };

  @Override
  protected SpanBatchProcessor newProcessor() {
    return SkipEnrichedProcessor.wrap(stage);
  }

  @Override
  protected Set<String> keysWritten() {
    return Set.of("test.seen");
  }

  @Override
  protected Set<RejectReason> refusesFor() {
    return Set.of(RejectReason.INVALID);
  }

  @Test
  void name_isTheStages() {
    assertThat(SkipEnrichedProcessor.wrap(stage).name()).isEqualTo("test_stage");
  }

  @Test
  void process_everySpanMarked_stageNotRunAndBatchUntouched() {
    SpanBatch batch =
        TestSpans.batch(
            attributes(EnrichedMark.KEY, true, "a", "1"), attributes(EnrichedMark.KEY, true));

    SkipEnrichedProcessor.wrap(stage).process(batch);

    assertThat(calls).hasValue(0);
    assertThat(batch.isModified()).isFalse();
  }

  @Test
  void process_noSpanMarked_stageRunsOnTheBatchItself() {
    SpanBatch batch = TestSpans.batch(attributes("a", "1"), attributes(EnrichedMark.KEY, false));

    SkipEnrichedProcessor.wrap(stage).process(batch);

    assertThat(calls).hasValue(1);
    assertThat(forwarded(batch, 0)).containsEntry("test.seen", "");
    assertThat(forwarded(batch, 1)).containsEntry("test.seen", "");
  }

  @Test
  void process_mixedBatch_onlyUnmarkedSpansEnrichedWithTheirResource() {
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(resourceSpans("checkout", attributes(EnrichedMark.KEY, true)))
            .addResourceSpans(
                resourceSpans(
                    "search",
                    attributes("q", "x"),
                    attributes(EnrichedMark.KEY, true),
                    attributes("test.refuse", true)))
            .build();
    SpanBatch batch = SpanBatch.of(request, null);
    batch.putAttribute(1, "earlier.stage", "kept");

    SkipEnrichedProcessor.wrap(stage).process(batch);

    assertThat(calls).hasValue(1);
    assertThat(batch.attribute(0, "test.seen")).isNull();
    assertThat(batch.attribute(1, "test.seen").getStringValue()).isEqualTo("search");
    assertThat(batch.attribute(1, "earlier.stage").getStringValue()).isEqualTo("kept");
    assertThat(batch.attribute(2, "test.seen")).isNull();
    assertThat(batch.rejectReason(3)).isEqualTo(RejectReason.INVALID);
    assertThat(batch.rejectedCount()).isEqualTo(1);
    Span forwardedSpan = batch.toRequest().getResourceSpans(1).getScopeSpans(0).getSpans(0);
    assertThat(forwardedSpan.getAttributesList())
        .extracting(KeyValue::getKey)
        .containsExactly("q", "earlier.stage", "test.seen");
  }

  @Test
  void process_refusedSpansLeftAlone() {
    SpanBatch batch = TestSpans.batch(attributes("a", "1"), attributes(EnrichedMark.KEY, true));
    batch.reject(0, RejectReason.RATE_LIMITED);

    SkipEnrichedProcessor.wrap(stage).process(batch);

    // The only open span is marked: nothing to do.
    assertThat(calls).hasValue(0);
    assertThat(batch.rejectReason(0)).isEqualTo(RejectReason.RATE_LIMITED);
  }

  @SafeVarargs
  private static ResourceSpans resourceSpans(
      String service, java.util.List<KeyValue>... spanAttributes) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (java.util.List<KeyValue> a : spanAttributes) {
      scope.addSpans(Span.newBuilder().setName("span").addAllAttributes(a));
    }
    return ResourceSpans.newBuilder()
        .setResource(
            Resource.newBuilder()
                .addAttributes(
                    KeyValue.newBuilder()
                        .setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue(service))))
        .addScopeSpans(scope)
        .build();
  }
}
