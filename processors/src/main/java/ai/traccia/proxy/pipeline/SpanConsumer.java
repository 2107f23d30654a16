/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pipeline;

/**
 * Where a stage that holds spans back hands them when it lets them go: the stages after it, then
 * the hand-off to the queues, as the OpenTelemetry Collector gives each processor its next {@code
 * consumer.Traces}. Given to the stage by {@link SpanPipeline.Builder#addHoldingProcessor} when the
 * pipeline is built, so that released spans take the path every span takes and nothing re-applies a
 * later stage by hand.
 *
 * <p>Implementations are thread-safe and never block: they are called on receiver threads, on a
 * stage's timer thread and from {@code shutdown()}.
 */
@FunctionalInterface
public interface SpanConsumer {

  /**
   * Runs the rest of the pipeline over {@code batch} and queues what it keeps, or takes nothing and
   * says when to try again. The batch belongs to the consumer from this call on.
   */
  Handoff accept(SpanBatch batch);
}
