/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ratelimit;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A token bucket of spans per second, shared by every receiver.
 *
 * <p>Design. The bucket holds at most {@code max(rate, 1)} tokens and starts full. The floor of one
 * token is deliberate: with a capacity equal to the rate, a rate below 1 span per second could
 * never collect a whole token and would refuse every span forever (the seed SDK's behaviour, Q-13);
 * here such a rate lets one span through every {@code 1 / rate} seconds. Tokens are added for the
 * time elapsed since the last refill, measured by the injected {@link Ticker}, never by a timer.
 *
 * <p>A request of {@code n} spans waits for {@code min(n, capacity)} tokens. Under {@link
 * Policy#REFUSE} it then takes {@code n}, so a request larger than the bucket is not refused
 * forever: it leaves the bucket in debt, which later requests wait out, and the long-run rate stays
 * the configured one. Under {@link Policy#DROP} it takes one token per admitted span and the spans
 * the bucket cannot cover are dropped. A request waits up to {@code maxBlock} for its tokens,
 * sleeping outside the lock for exactly the computed deficit; past that, {@link Policy#REFUSE}
 * refuses it whole with the time the deficit takes to refill as the retry delay, and {@link
 * Policy#DROP} admits as many spans as there are whole tokens.
 *
 * <p>The limits are one immutable snapshot in a volatile field, so {@link #update} takes effect for
 * the next request without locking. Thread-safe. {@link #acquire} blocks for at most {@code
 * maxBlock} and must not be called on a Netty event loop.
 */
public final class SpanRateLimiter {

  /** What happens to spans over the limit once {@code maxBlock} has passed. */
  public enum Policy {
    /** Refuse the whole request with a retry delay. */
    REFUSE,
    /** Admit what the bucket has tokens for and drop the rest. */
    DROP;

    /** Parses {@code "refuse"} or {@code "drop"}, as in {@code rate_limiting.policy}. */
    public static Policy parse(String word) {
      String w = word.trim().toLowerCase(Locale.ROOT);
      if (w.equals("refuse")) {
        return REFUSE;
      }
      if (w.equals("drop")) {
        return DROP;
      }
      throw new IllegalArgumentException(
          "rate_limiting.policy: \"" + word + "\" (expected: \"refuse\" or \"drop\")");
    }
  }

  /** The source of time; injected so tests move time by hand. */
  public interface Ticker {
    /** A monotonic time in nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Waits about {@code nanos}; may return early, callers re-check. */
    void sleepNanos(long nanos) throws InterruptedException;

    /** The system's monotonic clock and {@link LockSupport#parkNanos(long)}. */
    static Ticker system() {
      return SystemTicker.INSTANCE;
    }
  }

  /** The answer for one request: how many spans are admitted, and the retry delay otherwise. */
  public static final class Decision {
    private final int admitted;
    private final int requested;
    private final Duration retryAfter;

    private Decision(int admitted, int requested, Duration retryAfter) {
      this.admitted = admitted;
      this.requested = requested;
      this.retryAfter = retryAfter;
    }

    /** Spans admitted; all of them, none (refused) or, under {@link Policy#DROP}, some. */
    public int admitted() {
      return admitted;
    }

    /**
     * Whether the request is refused as a whole and should be retried after {@link #retryAfter}.
     */
    public boolean refused() {
      return retryAfter != null;
    }

    /** Spans to drop under {@link Policy#DROP}; 0 otherwise. */
    public int dropped() {
      return refused() ? 0 : requested - admitted;
    }

    /** When a refused request is worth retrying; null if it was not refused. */
    public Duration retryAfter() {
      return retryAfter;
    }
  }

  /** One consistent set of limits; {@code rate <= 0} means unlimited. */
  private static final class Limits {
    final double rate;
    final double capacity;
    final long maxBlockNanos;
    final Policy policy;

    Limits(double rate, Duration maxBlock, Policy policy) {
      this.rate = rate;
      this.capacity = Math.max(rate, 1.0);
      this.maxBlockNanos = maxBlock.toNanos();
      this.policy = policy;
    }
  }

  private final Ticker ticker;
  private volatile Limits limits;
  private final Object lock = new Object();
  // Guarded by lock.
  private double tokens;
  private long lastRefill;
  private Limits bucketLimits;

  private SpanRateLimiter(Ticker ticker, Limits limits) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.limits = limits;
    this.bucketLimits = limits;
    this.tokens = limits.capacity;
    this.lastRefill = ticker.nanoTime();
  }

  /** A limiter that admits everything until {@link #update} sets a rate. */
  public static SpanRateLimiter unlimited() {
    return create(0, Duration.ZERO, Policy.REFUSE, Ticker.system());
  }

  /**
   * A limiter of {@code spansPerSecond} ({@code <= 0} for unlimited), waiting up to {@code
   * maxBlock} for tokens, then applying {@code policy}; time comes from {@code ticker}.
   */
  public static SpanRateLimiter create(
      double spansPerSecond, Duration maxBlock, Policy policy, Ticker ticker) {
    return new SpanRateLimiter(ticker, limits(spansPerSecond, maxBlock, policy));
  }

  /**
   * Changes the limits for the requests that come next; the bucket keeps its tokens, capped to the
   * new capacity. Safe to call from any thread, for example a configuration reload.
   */
  public void update(double spansPerSecond, Duration maxBlock, Policy policy) {
    limits = limits(spansPerSecond, maxBlock, policy);
  }

  /** The configured rate in spans per second; 0 when unlimited. */
  public double rate() {
    Limits l = limits;
    return l.rate > 0 ? l.rate : 0;
  }

  /** Whether {@link #acquire} may wait now: a rate is set and {@code maxBlock} is above zero. */
  public boolean mayBlock() {
    Limits l = limits;
    return l.rate > 0 && l.maxBlockNanos > 0;
  }

  /** The configured policy. */
  public Policy policy() {
    return limits.policy;
  }

  /**
   * Takes tokens for {@code spans} spans, waiting up to {@code maxBlock} for them. Blocks the
   * calling thread; never call it on an event loop. An interrupt ends the wait as a refusal and
   * keeps the thread's interrupt status.
   */
  public Decision acquire(int spans) {
    Limits l = limits;
    if (l.rate <= 0 || spans <= 0) {
      return new Decision(spans, spans, null);
    }
    long deadline = ticker.nanoTime() + l.maxBlockNanos;
    while (true) {
      long waitNanos;
      synchronized (lock) {
        long now = ticker.nanoTime();
        refill(l, now);
        double needed = Math.min(spans, l.capacity);
        if (tokens >= needed) {
          if (l.policy == Policy.DROP) {
            // Per span: what the bucket cannot cover now is dropped, never owed.
            int admitted = (int) Math.min(spans, Math.floor(tokens));
            tokens -= admitted;
            return new Decision(admitted, spans, null);
          }
          // May go below zero for a request larger than the bucket; later requests wait it out.
          tokens -= spans;
          return new Decision(spans, spans, null);
        }
        waitNanos = nanosFor(needed - tokens, l.rate);
        if (now + waitNanos - deadline > 0) {
          if (l.policy == Policy.DROP) {
            int admitted = (int) Math.min(spans, Math.max(0, Math.floor(tokens)));
            tokens -= admitted;
            return new Decision(admitted, spans, null);
          }
          return new Decision(0, spans, Duration.ofNanos(waitNanos));
        }
      }
      try {
        ticker.sleepNanos(waitNanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Decision(0, spans, Duration.ofNanos(waitNanos));
      }
      l = limits;
      if (l.rate <= 0) {
        return new Decision(spans, spans, null);
      }
    }
  }

  /** Tokens in the bucket now, for metrics and tests; negative while in debt. */
  public double tokens() {
    synchronized (lock) {
      refill(limits, ticker.nanoTime());
      return tokens;
    }
  }

  // Called with lock held.
  private void refill(Limits l, long now) {
    if (l != bucketLimits) {
      bucketLimits = l;
      tokens = Math.min(tokens, l.capacity);
    }
    long elapsed = now - lastRefill;
    if (elapsed > 0) {
      tokens = Math.min(l.capacity, tokens + elapsed / 1e9 * l.rate);
      lastRefill = now;
    }
  }

  private static long nanosFor(double missingTokens, double rate) {
    return Math.max(1, (long) Math.ceil(missingTokens * 1e9 / rate));
  }

  private static Limits limits(double spansPerSecond, Duration maxBlock, Policy policy) {
    Objects.requireNonNull(maxBlock, "maxBlock");
    Objects.requireNonNull(policy, "policy");
    if (Double.isNaN(spansPerSecond) || Double.isInfinite(spansPerSecond)) {
      throw new IllegalArgumentException(
          "rate_limiting.max_spans_per_second: " + spansPerSecond + " (expected: a finite number)");
    }
    if (maxBlock.isNegative()) {
      throw new IllegalArgumentException(
          "rate_limiting.max_block_ms: " + maxBlock.toMillis() + " (expected: >= 0)");
    }
    return new Limits(Math.max(0, spansPerSecond), maxBlock, policy);
  }

  private enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleepNanos(long nanos) throws InterruptedException {
      LockSupport.parkNanos(Math.min(nanos, TimeUnit.SECONDS.toNanos(1)));
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
  }
}
