/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import io.opentelemetry.api.common.Attributes;
import java.util.Map;
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
 * <p>An admitted set is given back as the instance first admitted, so that each set reaches the SDK
 * as one instance: the readers' storages find it by a cached hash code and an identity check,
 * instead of comparing every key and value of a new, equal instance at each recording.
 *
 * <p>Thread-safe; a lookup is one concurrent-map read, new sets take a lock.
 */
final class CardinalityGuard {

  static final Attributes OVERFLOW_SET = Attributes.of(GenAiMetrics.OVERFLOW, true);

  private final int maxSets;
  // Each admitted set mapped to itself: the instance that first came.
  private final Map<Attributes, Attributes> admitted = new ConcurrentHashMap<>();
  private final Object lock = new Object();

  CardinalityGuard(int limit) {
    // One series is kept for the overflow.
    this.maxSets = limit - 1;
  }

  /**
   * The admitted set equal to {@code attributes} (the first instance admitted; {@code attributes}
   * itself when new), else {@link #OVERFLOW_SET}.
   */
  Attributes admit(Attributes attributes) {
    Attributes known = admitted.get(attributes);
    if (known != null) {
      return known;
    }
    synchronized (lock) {
      known = admitted.get(attributes);
      if (known != null) {
        return known;
      }
      if (admitted.size() >= maxSets) {
        return OVERFLOW_SET;
      }
      admitted.put(attributes, attributes);
      return attributes;
    }
  }
}
