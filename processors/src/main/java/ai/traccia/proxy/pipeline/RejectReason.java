/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pipeline;

/** Why a span was refused by a processor. Each reason is a label on the refused-spans counter. */
public enum RejectReason {
  /** The rate limiter had no capacity and the configured policy is to drop. */
  RATE_LIMITED("rate_limited"),
  /** A processor found the span unusable, for example without a trace id. */
  INVALID("invalid"),
  /** Dropped by trace sampling. Not an error: the client is not told. */
  SAMPLED_OUT("sampled_out"),
  /**
   * Taken out of this batch by a processor that keeps it and forwards it later itself (a trace's
   * root span waiting for its children). Accepted, not refused: the client is not told, and it is
   * not counted as refused.
   */
  HELD("held");

  private final String label;

  RejectReason(String label) {
    this.label = label;
  }

  /** The value of the {@code reason} label in self-metrics. */
  public String label() {
    return label;
  }

  /** Whether the client hears of it through OTLP {@code partial_success}. */
  public boolean reportedToClient() {
    return this != SAMPLED_OUT && this != HELD;
  }

  /** Whether the span was refused, as opposed to taken over by a processor. */
  public boolean isRefusal() {
    return this != HELD;
  }
}
