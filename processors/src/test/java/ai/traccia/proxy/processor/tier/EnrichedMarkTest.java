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
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnrichedMarkTest extends SpanBatchProcessorContract {

  @Override
  protected SpanBatchProcessor newProcessor() {
    return EnrichedMark.create();
  }

  @Override
  protected Set<String> keysWritten() {
    return Set.of(EnrichedMark.KEY);
  }

  @Test
  void process_marksEveryOpenSpanButNotRefusedOnes() {
    SpanBatch batch = TestSpans.batch(attributes("a", "1"), attributes("b", "2"));
    batch.reject(1, RejectReason.INVALID);

    EnrichedMark.create().process(batch);

    assertThat(EnrichedMark.isMarked(batch, 0)).isTrue();
    assertThat(forwarded(batch, 0)).containsEntry(EnrichedMark.KEY, true);
    assertThat(batch.attribute(1, EnrichedMark.KEY)).isNull();
  }

  @Test
  void isMarked_onlyABooleanTrue() {
    SpanBatch batch =
        TestSpans.batch(
            attributes(EnrichedMark.KEY, true),
            attributes(EnrichedMark.KEY, false),
            attributes(EnrichedMark.KEY, "true"),
            attributes());

    assertThat(EnrichedMark.isMarked(batch, 0)).isTrue();
    assertThat(EnrichedMark.isMarked(batch, 1)).isFalse();
    assertThat(EnrichedMark.isMarked(batch, 2)).isFalse();
    assertThat(EnrichedMark.isMarked(batch, 3)).isFalse();
  }
}
