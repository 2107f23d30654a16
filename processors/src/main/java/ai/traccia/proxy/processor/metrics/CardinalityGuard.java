/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import io.opentelemetry.api.common.Attributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds the attribute sets of one instrument: the first {@code limit - 1} distinct sets pass, any
 * later new set becomes the overflow set ({@code otel.metric.overflow=true}), so the instrument has
 * at most {@code limit} series, as the SDK's own cardinality limit would give.
 *
 * <p>Why not only the SDK's limit: it is applied by each reader's storage separately (the OTLP
 * reader with delta temporality forgets series every interval, the Prometheus reader never does),
 * so the readers would disagree on which recordings overflowed, and the SDK does not report
 * overflows. Routing here makes every reader see the same series and lets overflows be counted. The
 * sets admitted are remembered for the life of the process.
 *
 * <p>Thread-safe; a lookup is one concurrent-map read, new sets take a lock.
 */
final class CardinalityGuard {

  static final Attributes OVERFLOW_SET = Attributes.of(GenAiMetrics.OVERFLOW, true);

  private final int maxSets;
  private final Set<Attributes> admitted = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();

  CardinalityGuard(int limit) {
    // One series is kept for the overflow.
    this.maxSets = limit - 1;
  }

  /** {@code attributes} when admitted, else {@link #OVERFLOW_SET}. */
  Attributes admit(Attributes attributes) {
    if (admitted.contains(attributes)) {
      return attributes;
    }
    synchronized (lock) {
      if (admitted.contains(attributes)) {
        return attributes;
      }
      if (admitted.size() >= maxSets) {
        return OVERFLOW_SET;
      }
      admitted.add(attributes);
      return attributes;
    }
  }
}
