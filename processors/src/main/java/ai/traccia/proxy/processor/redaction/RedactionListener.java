/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.redaction;

/**
 * Hears of every redaction, for self-metrics: the rule and mode only, never what was redacted.
 * Implementations are thread-safe and do not block.
 */
@FunctionalInterface
public interface RedactionListener {

  /**
   * {@code count} values or matches of one span were redacted by {@code rule} in {@code mode}.
   *
   * @param rule a pattern's name for the mask mode, else the mode's own name
   */
  void onRedacted(String rule, RedactionMode mode, int count);

  /** A listener that ignores everything. */
  static RedactionListener noop() {
    return (rule, mode, count) -> {};
  }
}
