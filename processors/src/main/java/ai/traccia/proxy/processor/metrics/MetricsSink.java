/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

/**
 * Where the derived metrics go once collected: one encoded OTLP {@code ExportMetricsServiceRequest}
 * at a time. The proxy connects its export queues here, so the derived metrics are queued, retried
 * and counted like a metrics request a client sent.
 *
 * <p>Implementations are thread-safe, return promptly (they are called on the metric reader's
 * thread, which must not wait for room) and never throw.
 */
@FunctionalInterface
public interface MetricsSink {

  /**
   * Takes {@code exportMetricsServiceRequest}, which the caller no longer touches. Returns whether
   * it was taken; when not (the queues are full or closed), its points are lost and the sink has
   * counted them.
   */
  boolean offer(byte[] exportMetricsServiceRequest);
}
