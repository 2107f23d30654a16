/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The guardrail processor's per-trace state: a bounded Caffeine cache of {@link TraceState} by hex
 * trace id ({@code maxTraces}, idle expiry {@code ttl}).
 *
 * <p>A trace evicted for size is counted; a trace that expires without a root is counted and gets
 * no summary. Either way the trace's held roots, if any, are handed to {@code onLeft}, which
 * releases them with what is known: a root is never dropped because its trace left. Thread-safe.
 */
final class TraceStates {

  private final Cache<String, TraceState> traces;
  private final GuardrailListener listener;
  private final Consumer<TraceState> onLeft;

  TraceStates(
      long maxTraces,
      Duration ttl,
      LongSupplier nanoClock,
      ScheduledExecutorService scheduler,
      GuardrailListener listener,
      Consumer<TraceState> onLeft) {
    this.listener = listener;
    this.onLeft = onLeft;
    this.traces =
        Caffeine.newBuilder()
            .maximumSize(maxTraces)
            .expireAfterAccess(ttl)
            .ticker(nanoClock::getAsLong)
            // Expire idle traces even when no span arrives, so their roots and counts are not late.
            .scheduler(Scheduler.forScheduledExecutorService(scheduler))
            // Run removal on the thread that removes: no hidden executor, deterministic in tests.
            .executor(Runnable::run)
            .<String, TraceState>removalListener(this::onRemoved)
            .build();
  }

  /** The state of the trace with this hex id, created when it has none. */
  TraceState get(String traceId) {
    return traces.get(traceId, k -> new TraceState());
  }

  private void onRemoved(String traceId, TraceState state, RemovalCause cause) {
    if (state == null) {
      return;
    }
    state.removed = true;
    if (cause == RemovalCause.EXPLICIT || cause == RemovalCause.REPLACED) {
      return;
    }
    boolean rootSeen;
    synchronized (state) {
      rootSeen = state.rootSeen;
    }
    if (cause == RemovalCause.SIZE) {
      listener.onTraceEvicted();
    } else if (!rootSeen) {
      listener.onTraceExpiredWithoutRoot();
    }
    onLeft.accept(state);
  }

  /** Runs the cache's pending expiry and eviction now (tests). */
  void cleanUp() {
    traces.cleanUp();
  }

  /** The number of traces with state; approximate, as Caffeine's size is. */
  long size() {
    return traces.estimatedSize();
  }
}
