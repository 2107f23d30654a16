/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pipeline.SpanBatchProcessorContract;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TraceSamplingProcessorTest extends SpanBatchProcessorContract {

  @Override
  protected SpanBatchProcessor newProcessor() {
    return TraceSamplingProcessor.builder()
        .setSampleRate(0.5)
        .addKeepRule(TraceSamplingProcessor.ERROR_STATUS)
        .build();
  }

  @Override
  protected Set<RejectReason> refusesFor() {
    return Set.of(RejectReason.SAMPLED_OUT);
  }

  private static ByteString traceId(Random random) {
    byte[] id = new byte[16];
    random.nextBytes(id);
    return ByteString.copyFrom(id);
  }

  private static Span.Builder span(ByteString traceId) {
    return Span.newBuilder().setName("s").setTraceId(traceId);
  }

  private static SpanBatch batch(List<Span.Builder> spans) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    spans.forEach(scope::addSpans);
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
            .build();
    return SpanBatch.of(request, request.toByteArray());
  }

  @Test
  void process_sameTraceSameDecisionAcrossBatchesAndInstances() {
    Random random = new Random(7);
    List<ByteString> ids = new ArrayList<>();
    for (int k = 0; k < 500; k++) {
      ids.add(traceId(random));
    }
    // One batch with every trace's first span, then each second span alone, on another replica.
    List<Span.Builder> first = new ArrayList<>();
    ids.forEach(id -> first.add(span(id)));
    SpanBatch together = batch(first);
    TraceSamplingProcessor.builder().setSampleRate(0.3).build().process(together);
    TraceSamplingProcessor replica = TraceSamplingProcessor.builder().setSampleRate(0.3).build();

    for (int k = 0; k < ids.size(); k++) {
      SpanBatch alone = batch(List.of(span(ids.get(k)).setName("child")));
      replica.process(alone);
      assertThat(alone.isRejected(0)).as("trace %d", k).isEqualTo(together.isRejected(k));
    }
    assertThat(together.rejectedCount()).isBetween(1, 499);
  }

  @Test
  void process_keptFractionCloseToRate() {
    Random random = new Random(11);
    int n = 20_000;
    List<Span.Builder> spans = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      spans.add(span(traceId(random)));
    }
    SpanBatch batch = batch(spans);

    TraceSamplingProcessor.builder().setSampleRate(0.1).build().process(batch);

    // Binomial(20000, 0.1): standard deviation 42; 5 of them either side.
    assertThat(batch.acceptedCount()).isBetween(2000 - 212, 2000 + 212);
    assertThat(batch.rejectionsByReason()).containsOnlyKeys(RejectReason.SAMPLED_OUT);
    assertThat(RejectReason.SAMPLED_OUT.reportedToClient()).isFalse();
  }

  @Test
  void process_decisionIsTheThresholdOnTheLow56Bits() {
    byte[] low = new byte[16];
    low[0] = (byte) 0xff; // high bytes are not random bits and must not matter
    byte[] high = new byte[16];
    high[9] = (byte) 0x80;
    SpanBatch batch =
        batch(
            List.of(
                span(ByteString.copyFrom(low)),
                span(ByteString.copyFrom(high)),
                span(ByteString.copyFrom(low)).setTraceState("ot=rv:ffffffffffffff")));

    TraceSamplingProcessor.builder().setSampleRate(0.5).build().process(batch);

    assertThat(batch.isRejected(0)).isTrue();
    assertThat(batch.isRejected(1)).isFalse();
    assertThat(batch.isRejected(2)).isFalse();
  }

  @Test
  void process_rateOneKeepsAllAndZeroDropsAll() {
    Random random = new Random(3);
    List<Span.Builder> spans = new ArrayList<>();
    for (int k = 0; k < 100; k++) {
      spans.add(span(traceId(random)));
    }
    SpanBatch all = batch(spans);
    SpanBatch none = batch(spans);

    TraceSamplingProcessor.builder().build().process(all);
    TraceSamplingProcessor.builder().setSampleRate(0).build().process(none);

    assertThat(all.isModified()).isFalse();
    assertThat(none.rejectionsByReason()).isEqualTo(Map.of(RejectReason.SAMPLED_OUT, 100));
  }

  @Test
  void process_spansWithoutTraceIdAreKept() {
    SpanBatch batch = batch(List.of(Span.newBuilder().setName("no id")));

    TraceSamplingProcessor.builder().setSampleRate(0).build().process(batch);

    assertThat(batch.isRejected(0)).isFalse();
  }

  @Test
  void process_errorKeepsItsTraceInTheBatch() {
    byte[] dropped = new byte[16]; // randomness 0: dropped at any rate below 1
    byte[] other = new byte[16];
    other[0] = 1;
    ByteString errorTrace = ByteString.copyFrom(dropped);
    ByteString otherTrace = ByteString.copyFrom(other);
    SpanBatch batch =
        batch(
            List.of(
                span(errorTrace).setName("parent"),
                span(errorTrace)
                    .setName("failed")
                    .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)),
                span(otherTrace)));

    TraceSamplingProcessor.builder()
        .setSampleRate(0.5)
        .addKeepRule(TraceSamplingProcessor.ERROR_STATUS)
        .build()
        .process(batch);

    assertThat(batch.isRejected(0)).isFalse();
    assertThat(batch.isRejected(1)).isFalse();
    assertThat(batch.isRejected(2)).isTrue();
  }

  @Test
  void process_withoutKeepRuleErrorsAreSampledLikeAnyOtherSpan() {
    SpanBatch batch =
        batch(
            List.of(
                span(ByteString.copyFrom(new byte[16]))
                    .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR))));

    TraceSamplingProcessor.builder().setSampleRate(0.5).build().process(batch);

    assertThat(batch.isRejected(0)).isTrue();
  }

  @Test
  void process_customKeepRuleSeesEarlierEdits() {
    SpanBatch batch = batch(List.of(span(ByteString.copyFrom(new byte[16]))));
    batch.putAttribute(0, "guardrail.triggered", true);

    TraceSamplingProcessor.builder()
        .setSampleRate(0.01)
        .addKeepRule((b, i) -> b.attribute(i, "guardrail.triggered") != null)
        .build()
        .process(batch);

    assertThat(batch.isRejected(0)).isFalse();
  }

  @Test
  void setSampleRate_appliesToTheNextBatch() {
    TraceSamplingProcessor sampler = TraceSamplingProcessor.builder().build();
    SpanBatch before = batch(List.of(span(ByteString.copyFrom(new byte[16]))));
    SpanBatch after = batch(List.of(span(ByteString.copyFrom(new byte[16]))));

    sampler.process(before);
    sampler.setSampleRate(0.5);
    sampler.process(after);

    assertThat(before.isRejected(0)).isFalse();
    assertThat(after.isRejected(0)).isTrue();
    assertThat(sampler.sampleRate()).isEqualTo(0.5);
  }

  @Test
  void setSampleRate_rejectsOutOfRange() {
    TraceSamplingProcessor sampler = TraceSamplingProcessor.builder().build();

    assertThatThrownBy(() -> sampler.setSampleRate(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tracing.sample_rate: 1.5 (expected: a number from 0 to 1)");
    assertThatThrownBy(() -> TraceSamplingProcessor.builder().setSampleRate(Double.NaN))
        .hasMessage("tracing.sample_rate: NaN (expected: a number from 0 to 1)");
  }

  @Test
  void builder_fromConfigAddsTheErrorRuleWhenAsked() {
    Span.Builder failed =
        span(ByteString.copyFrom(new byte[16]))
            .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
    SpanBatch keep = batch(List.of(failed));
    SpanBatch drop = batch(List.of(failed));

    TraceSamplingProcessor.builder()
        .fromConfig(ProxyConfig.builder().setSampleRate(0.5).build())
        .build()
        .process(keep);
    TraceSamplingProcessor.builder()
        .fromConfig(ProxyConfig.builder().setSampleRate(0.5).setKeepErrorTraces(false).build())
        .build()
        .process(drop);

    assertThat(keep.isRejected(0)).isFalse();
    assertThat(drop.isRejected(0)).isTrue();
  }

  @Test
  void keeps_agreesWithProcess() {
    TraceSamplingProcessor sampler = TraceSamplingProcessor.builder().setSampleRate(0.4).build();
    Random random = new Random(5);
    for (int k = 0; k < 200; k++) {
      Span.Builder span = span(traceId(random));
      SpanBatch batch = batch(List.of(span));
      sampler.process(batch);
      assertThat(sampler.keeps(span.build())).isEqualTo(!batch.isRejected(0));
    }
  }
}
