/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tier;

import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import io.opentelemetry.proto.common.v1.AnyValue;

/**
 * Marks the spans a sidecar enriched, so that the gateway after it does not enrich them again.
 *
 * <p><b>Design.</b> The mark is a span attribute, not a resource attribute, because a batch a
 * gateway receives can mix spans a sidecar enriched with spans a client sent it directly (a
 * Collector in front batches both together), and the pipeline edits spans, not resources. It stays
 * on the span as the backend receives it: it says which tier enriched the span, and removing it
 * would make the gateway re-encode every span it forwards.
 *
 * <p>The mark is a promise that the sidecar ran the per-span stages (token counting, cost,
 * guardrail findings) with the same settings as the gateway would; a client that sets it on its own
 * spans only loses their enrichment. Runs last among the per-span stages of a sidecar. Thread-safe.
 */
public final class EnrichedMark implements SpanBatchProcessor {

  /** The span attribute a sidecar sets on every span it enriched (bool). */
  public static final String KEY = "traccia.proxy.enriched";

  private static final AnyValue TRUE = AnyValue.newBuilder().setBoolValue(true).build();

  private EnrichedMark() {}

  /** Returns the stage that marks every span it sees and no earlier stage refused. */
  public static EnrichedMark create() {
    return new EnrichedMark();
  }

  /** Whether span {@code i} carries the mark (a boolean {@code true}). */
  public static boolean isMarked(SpanBatch batch, int i) {
    AnyValue value = batch.attribute(i, KEY);
    return value != null && value.hasBoolValue() && value.getBoolValue();
  }

  @Override
  public String name() {
    return "mark_enriched";
  }

  @Override
  public void process(SpanBatch batch) {
    for (int i = 0; i < batch.size(); i++) {
      if (!batch.isRejected(i)) {
        batch.putAttribute(i, KEY, TRUE);
      }
    }
  }
}
