/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.queue.MemoryBudget;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** Samples a memory budget's use on a thread of its own and keeps the largest value seen. */
final class PeakWatcher {

  private final MemoryBudget budget;
  private final AtomicLong max = new AtomicLong();
  private volatile boolean running = true;
  private final Thread thread;

  private PeakWatcher(MemoryBudget budget) {
    this.budget = budget;
    this.thread = new Thread(this::run, "peak-watcher");
    thread.setDaemon(true);
  }

  static PeakWatcher start(MemoryBudget budget) {
    PeakWatcher watcher = new PeakWatcher(budget);
    watcher.thread.start();
    return watcher;
  }

  private void run() {
    while (running) {
      max.accumulateAndGet(budget.used(), Math::max);
      // A sample every 50 microseconds: enough to see buffers that live for milliseconds.
      LockSupport.parkNanos(50_000);
    }
  }

  void stop() throws InterruptedException {
    running = false;
    thread.join();
  }

  long max() {
    return max.get();
  }
}
