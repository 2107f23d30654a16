/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pipeline;

import java.time.Duration;
import java.util.Objects;

/**
 * What became of spans handed to a {@link SpanConsumer}: taken (queued, or dropped by a later stage
 * such as sampling), not taken now but worth another try after a delay (the queues were full), or
 * refused for good (the queues have closed). Immutable.
 *
 * <p>The answer a client gets for a request, for spans that have no client any more: a stage that
 * held spans and hands them on keeps them and tries again when told to, as a client would retry.
 */
public final class Handoff {

  /** The kinds of answer. */
  public enum Outcome {
    /** Taken: the spans went through the remaining stages, and were queued unless one dropped. */
    TAKEN,
    /** Not taken; nothing ran on the spans. Try again after {@link #retryAfter()}. */
    RETRY_LATER,
    /** Not taken and never will be: the proxy is closing its queues. */
    CLOSED
  }

  private static final Handoff TAKEN = new Handoff(Outcome.TAKEN, Duration.ZERO, "");

  private final Outcome outcome;
  private final Duration retryAfter;
  private final String reason;

  private Handoff(Outcome outcome, Duration retryAfter, String reason) {
    this.outcome = outcome;
    this.retryAfter = retryAfter;
    this.reason = reason;
  }

  /** The spans were taken. */
  public static Handoff taken() {
    return TAKEN;
  }

  /** The spans were not taken now; {@code reason} says why, for a log line. */
  public static Handoff retryLater(Duration retryAfter, String reason) {
    Objects.requireNonNull(retryAfter, "retryAfter");
    if (retryAfter.isNegative() || retryAfter.isZero()) {
      throw new IllegalArgumentException("retryAfter: " + retryAfter + " (expected: > 0)");
    }
    return new Handoff(Outcome.RETRY_LATER, retryAfter, Objects.requireNonNull(reason, "reason"));
  }

  /** The spans cannot be taken any more; {@code reason} says why, for a log line. */
  public static Handoff closed(String reason) {
    return new Handoff(Outcome.CLOSED, Duration.ZERO, Objects.requireNonNull(reason, "reason"));
  }

  public Outcome outcome() {
    return outcome;
  }

  /** How long to wait before trying again; zero unless {@link Outcome#RETRY_LATER}. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** Why the spans were not taken; empty when they were. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return outcome == Outcome.TAKEN
        ? "Handoff[taken]"
        : "Handoff[" + outcome + ", " + retryAfter + ", " + reason + "]";
  }
}
