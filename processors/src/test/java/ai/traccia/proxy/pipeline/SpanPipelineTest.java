/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanPipelineTest {

  private static SpanBatch batch() {
    return SpanBatch.of(
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .addScopeSpans(
                        ScopeSpans.newBuilder().addSpans(Span.newBuilder().setName("s"))))
            .build(),
        null);
  }

  @Test
  void build_noProcessorsIsTheSharedEmptyPipeline() {
    assertThat(SpanPipeline.builder().build()).isSameAs(SpanPipeline.empty());
  }

  @Test
  void process_runsInOrderAndLaterSeeEarlierEdits() {
    List<String> seen = new ArrayList<>();
    SpanPipeline pipeline =
        SpanPipeline.builder()
            .addProcessor(b -> b.putAttribute(0, "step", "first"))
            .addProcessor(b -> seen.add(b.attribute(0, "step").getStringValue()))
            .build();

    pipeline.process(batch());

    assertThat(seen).containsExactly("first");
  }

  @Test
  void process_throwingProcessorIsReportedAndTheChainGoesOn() {
    List<Throwable> errors = new ArrayList<>();
    SpanBatchProcessor broken =
        b -> {
          throw new IllegalStateException("boom");
        };
    SpanPipeline pipeline =
        SpanPipeline.builder()
            .addProcessor(broken)
            .addProcessor(b -> b.putAttribute(0, "after", true))
            .setErrorHandler((p, t) -> errors.add(t))
            .build();
    SpanBatch batch = batch();

    pipeline.process(batch);

    assertThat(errors).hasSize(1);
    assertThat(errors.get(0)).hasMessage("boom");
    assertThat(batch.attribute(0, "after").getBoolValue()).isTrue();
  }

  @Test
  void builder_laterChangesDoNotAffectABuiltPipeline() {
    SpanPipeline.Builder builder = SpanPipeline.builder().addProcessor(b -> {});
    SpanPipeline pipeline = builder.build();

    builder.addProcessor(b -> {});

    assertThat(pipeline.processors()).hasSize(1);
  }

  @Test
  void shutdown_completesForEveryProcessor() {
    SpanPipeline pipeline = SpanPipeline.builder().addProcessor(b -> {}).build();

    assertThat(pipeline.shutdown()).isCompleted();
    assertThat(pipeline.shutdown()).isCompleted();
  }

  @Test
  void processFrom_runsOnlyTheStagesFromTheIndexOn() {
    List<String> seen = new ArrayList<>();
    SpanPipeline pipeline =
        SpanPipeline.builder()
            .addProcessor(b -> seen.add("a"))
            .addProcessor(b -> seen.add("b"))
            .addProcessor(b -> seen.add("c"))
            .build();

    pipeline.processFrom(1, batch());

    assertThat(seen).containsExactly("b", "c");
  }

  @Test
  void addHoldingProcessor_releasedSpansGoThroughTheLaterStagesOnly() {
    List<String> seen = new ArrayList<>();
    SpanPipeline.Builder builder = SpanPipeline.builder().addProcessor(b -> seen.add("before"));
    List<SpanConsumer> next = new ArrayList<>();
    SpanBatchProcessor holder =
        builder.addHoldingProcessor(
            consumer -> {
              next.add(consumer);
              return b -> seen.add("holder");
            });
    SpanPipeline pipeline = builder.addProcessor(b -> seen.add("after")).build();

    Handoff answer = next.get(0).accept(batch());

    assertThat(pipeline.processors()).hasSize(3).element(1).isSameAs(holder);
    assertThat(seen).containsExactly("after");
    assertThat(answer.outcome()).isEqualTo(Handoff.Outcome.TAKEN);
  }

  @Test
  void connect_theTailDecidesAndRunsTheStagesAfterTheHolder() {
    List<String> seen = new ArrayList<>();
    List<SpanConsumer> next = new ArrayList<>();
    SpanPipeline.Builder builder = SpanPipeline.builder();
    builder.addHoldingProcessor(
        consumer -> {
          next.add(consumer);
          return b -> {};
        });
    SpanPipeline pipeline = builder.addProcessor(b -> seen.add("after")).build();
    List<Integer> firsts = new ArrayList<>();
    Handoff full = Handoff.retryLater(java.time.Duration.ofSeconds(1), "queue full");
    pipeline.connect(
        (first, b) -> {
          firsts.add(first);
          return full;
        });

    assertThat(next.get(0).accept(batch())).isSameAs(full);

    // The tail refused before running anything: no later stage saw the batch.
    assertThat(firsts).containsExactly(1);
    assertThat(seen).isEmpty();
  }

  @Test
  void build_aBuilderWithAHoldingStageBuildsOnce() {
    SpanPipeline.Builder builder = SpanPipeline.builder();
    builder.addHoldingProcessor(consumer -> b -> {});
    builder.build();

    org.assertj.core.api.Assertions.assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a builder with a holding stage builds one pipeline: the stage hands on to it");
  }

  @Test
  void handoff_retryLaterNeedsAPositiveDelay() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Handoff.retryLater(java.time.Duration.ZERO, "full"))
        .hasMessage("retryAfter: PT0S (expected: > 0)");
  }
}
