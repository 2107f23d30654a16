/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import java.time.Duration;

/**
 * Hears what {@link RetryingExporter} does with each request, so the server can count attempts,
 * retries and failures in its self-metrics.
 *
 * <p>Methods are called from whichever thread completed the attempt, possibly concurrently for
 * different requests; implementations must be thread-safe, return quickly and not throw (a thrown
 * exception is logged and otherwise ignored). Every method defaults to doing nothing.
 */
public interface ExportListener {

  /** A listener that ignores everything. */
  static ExportListener noop() {
    return NoopExportListener.INSTANCE;
  }

  /** Attempt number {@code attempt} (1 for the first) of {@code request} is about to be sent. */
  default void onAttempt(ExportRequest request, int attempt) {}

  /** Attempt {@code result} was retryable; the next attempt follows after {@code delay}. */
  default void onRetry(ExportRequest request, ExportResult result, Duration delay) {}

  /**
   * No further attempt will be made although the last one, {@code result}, was retryable: the
   * maximum elapsed time would be exceeded, or the exporter is shutting down.
   */
  default void onGiveUp(ExportRequest request, ExportResult result, int attempts) {}

  /** The backend refused {@code request} for good; it is not retried. */
  default void onPermanentFailure(ExportRequest request, ExportResult result) {}

  /**
   * The backend accepted {@code request} but refused {@link ExportResult#rejectedItems()} of its
   * items, or accepted everything with a warning in {@link ExportResult#message()}.
   */
  default void onPartialSuccess(ExportRequest request, ExportResult result) {}
}
