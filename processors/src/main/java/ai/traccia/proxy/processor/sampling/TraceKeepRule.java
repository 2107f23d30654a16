/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.sampling;

import ai.traccia.proxy.pipeline.SpanBatch;

/**
 * Says whether a span makes its trace worth keeping whatever the sample rate, for example because
 * it failed or a guardrail fired.
 *
 * <p>Implementations are thread-safe, never block and never throw; they read the span, with the
 * edits of earlier processors, through {@code batch}.
 */
@FunctionalInterface
public interface TraceKeepRule {

  /** Whether span {@code i} of {@code batch} must be kept with the rest of its trace. */
  boolean keep(SpanBatch batch, int i);
}
