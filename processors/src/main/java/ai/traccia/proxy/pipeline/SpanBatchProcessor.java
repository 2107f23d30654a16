/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pipeline;

import java.util.concurrent.CompletableFuture;

/**
 * One stage of the span pipeline: it reads and edits a {@link SpanBatch} in place.
 *
 * <p>Named apart from the OpenTelemetry SDK's {@code SpanProcessor}, whose contract differs: that
 * one sees each span of an application as it starts and ends; this one sees a batch of finished
 * spans as a request brings them, like a Collector processor.
 *
 * <p>Implementations are thread-safe, never block and never throw: a processor that cannot handle a
 * span leaves it alone or marks it with {@link SpanBatch#reject(int, RejectReason)}. The pipeline
 * still guards against a throwing processor, counts it and carries on with the next one.
 */
public interface SpanBatchProcessor {

  /**
   * Enriches or rejects spans in {@code batch}. The batch is confined to the calling thread and
   * must not be kept after this method returns.
   */
  void process(SpanBatch batch);

  /**
   * Whether {@link #process} will read spans now. The receiver decodes a request up front when some
   * processor will, and otherwise only checks it on the wire and decodes it if a processor reads
   * after all; a processor that is idle in its current configuration (sampling at rate 1) returns
   * false. Only a hint: a processor may read whatever it answers.
   */
  default boolean readsSpans() {
    return true;
  }

  /** A short name for logs and self-metrics, for example {@code "cost"}. */
  default String name() {
    return getClass().getSimpleName();
  }

  /** Releases resources. Idempotent; the returned future completes when the processor is done. */
  default CompletableFuture<Void> shutdown() {
    return CompletableFuture.completedFuture(null);
  }
}
