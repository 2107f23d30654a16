/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import java.util.List;

/**
 * Receives the events of a {@link GuardrailProcessor} that self-metrics count. Every method has a
 * no-op default; implementations must be thread-safe and return immediately, because they are
 * called on receiver threads, on the scheduler's thread and from {@code shutdown()}.
 */
public interface GuardrailListener {

  /** Why a held root span was let go. */
  enum Release {
    /** The configured wait for the trace's children ended. */
    WAIT_ELAPSED("wait_elapsed"),
    /** Held roots reached {@code guardrails.max_held_root_bytes}; the oldest went early. */
    MEMORY_BOUND("memory_bound"),
    /** The trace's state left the cache (size bound or expiry) while its root was held. */
    TRACE_EVICTED("trace_evicted"),
    /** The processor shut down. */
    SHUTDOWN("shutdown"),
    /**
     * Released early on request ({@link GuardrailProcessor#releaseHeld}): the rest of the traces
     * will be processed elsewhere, as when a Kafka consumer loses its partitions.
     */
    REBALANCE("rebalance");

    private final String label;

    Release(String label) {
      this.label = label;
    }

    /** The value of a {@code reason} label in self-metrics. */
    public String label() {
      return label;
    }
  }

  /** A no-op listener. */
  static GuardrailListener noop() {
    return new GuardrailListener() {};
  }

  /** A root span was taken out of its batch to wait for its trace's children. */
  default void onRootHeld() {}

  /**
   * A held root span, with its summary, was taken by the stages after the guardrail stage and the
   * queues (or dropped there by sampling).
   */
  default void onRootReleased(Release reason) {}

  /**
   * A released root span could not be handed on: a later stage threw, or the queues closed before
   * they had room for it. That span is lost.
   */
  default void onReleaseFailed(RuntimeException error) {}

  /** A span arrived after its trace's summary was written; it is not in the summary. */
  default void onLateSpan() {}

  /** A trace's state was evicted because the cache of traces was full. */
  default void onTraceEvicted() {}

  /** A trace's state expired without a root span ever arriving; no summary was written. */
  default void onTraceExpiredWithoutRoot() {}

  /**
   * A trace's summary was written on its root: the guardrail categories found, those that
   * triggered, and those its capabilities call for but no finding covers. Called once per summary.
   */
  default void onTraceSummarized(
      List<String> detected, List<String> triggered, List<String> missing) {}
}
