/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An exporter that does its writing on one thread of its own, in the order requests came: the
 * console and the file. {@link #export} hands a request to the thread and returns at once; {@link
 * #shutdown} lets what is queued be written, then {@link #finish} runs on the same thread (flush or
 * close) and the thread stops.
 *
 * <p>Because only that thread touches the output, subclasses need no lock around it. Thread-safe.
 */
abstract class OneThreadExporter implements Exporter {

  private final ExecutorService thread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  /**
   * @param threadName the name of the writing thread, as thread dumps show it
   */
  OneThreadExporter(String threadName) {
    this.thread =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread t = new Thread(runnable, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  /** Writes {@code request}; runs on the exporter's thread. Never throws. */
  abstract ExportResult write(ExportRequest request);

  /** Flushes or closes the output once everything queued is written; runs on the thread. */
  abstract void finish();

  /** The result of a request that came after shutdown, saying that it was not written. */
  abstract ExportResult afterShutdown();

  /**
   * Queues {@code request} for the exporter's thread. Returns at once; the future completes once
   * the request is written, never exceptionally.
   */
  @Override
  public final CompletableFuture<ExportResult> export(ExportRequest request) {
    if (closed.get()) {
      return CompletableFuture.completedFuture(afterShutdown());
    }
    try {
      return CompletableFuture.supplyAsync(() -> write(request), thread);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(afterShutdown());
    }
  }

  /**
   * Writes what is queued, finishes the output, then stops the thread. Idempotent; returns at once.
   */
  @Override
  public final CompletableFuture<Void> shutdown() {
    if (closed.compareAndSet(false, true)) {
      try {
        thread.execute(
            () -> {
              try {
                finish();
              } finally {
                terminated.complete(null);
              }
            });
      } catch (RejectedExecutionException e) {
        terminated.complete(null);
      }
      thread.shutdown();
    }
    return terminated;
  }
}
