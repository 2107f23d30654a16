/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import java.util.concurrent.CompletableFuture;

/**
 * Sends encoded OTLP requests to one destination: a backend over OTLP/gRPC or OTLP/HTTP, a file, or
 * the console.
 *
 * <p>One call is one attempt; retries, batching and queueing are layered on top. Implementations
 * are thread-safe, must not block the calling thread for longer than it takes to hand the request
 * off, and never throw: every failure is an {@link ExportResult}.
 */
public interface Exporter {

  /** A short name for logs and self-metrics, for example {@code "otlp-grpc"}. */
  String name();

  /**
   * Whether the metrics the proxy derives from spans are queued here as well as the metrics clients
   * send: true for a backend that takes OTLP metrics. The file and the console keep what clients
   * sent, as they always have, and say no.
   */
  default boolean takesDerivedMetrics() {
    return false;
  }

  /** Sends {@code request} once; the future completes with the outcome and never exceptionally. */
  CompletableFuture<ExportResult> export(ExportRequest request);

  /** Releases connections and files. Idempotent; pending exports are allowed to finish. */
  CompletableFuture<Void> shutdown();
}
