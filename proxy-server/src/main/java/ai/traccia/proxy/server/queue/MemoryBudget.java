/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.queue;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A cap on the bytes of requests held in memory: being received, decoded and processed, and queued
 * for export ({@code rate_limiting.max_buffer_bytes}).
 *
 * <p>Receivers take room for a request as its bytes arrive and as it is inflated, and refuse it
 * with a retryable answer when there is none; the in-memory queues add what they hold until it is
 * exported. A request larger than the whole budget is still let in when nothing else is held, or it
 * could never be accepted. Thread-safe and lock-free.
 */
public final class MemoryBudget {

  /** The share of the maximum heap used when no limit is configured. */
  public static final double DEFAULT_HEAP_FRACTION = 0.4;

  private final long limit;
  private final AtomicLong used = new AtomicLong();

  private MemoryBudget(long limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException(
          "rate_limiting.max_buffer_bytes: " + limit + " (expected: > 0)");
    }
    this.limit = limit;
  }

  /** A budget of {@code limitBytes}. */
  public static MemoryBudget of(long limitBytes) {
    return new MemoryBudget(limitBytes);
  }

  /** A budget of {@value #DEFAULT_HEAP_FRACTION} of {@link Runtime#maxMemory()}. */
  public static MemoryBudget fromHeap() {
    return new MemoryBudget(defaultLimit());
  }

  /** {@value #DEFAULT_HEAP_FRACTION} of this JVM's maximum heap, in bytes. */
  public static long defaultLimit() {
    return Math.max(1, (long) (Runtime.getRuntime().maxMemory() * DEFAULT_HEAP_FRACTION));
  }

  /** Takes {@code bytes} if they fit (or nothing is held); returns whether it did. */
  public boolean tryAcquire(long bytes) {
    return tryAcquire(bytes, 0);
  }

  /** Takes {@code bytes} if they fit or nothing but {@code own}, held by the caller, is held. */
  private boolean tryAcquire(long bytes, long own) {
    while (true) {
      long current = used.get();
      if (current > own && current + bytes > limit) {
        return false;
      }
      if (used.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
  }

  /**
   * Takes {@code bytes} whether or not they fit: for data already admitted by its size, such as a
   * request that moves into a queue. Later {@link #tryAcquire} calls see it.
   */
  public void acquire(long bytes) {
    used.addAndGet(bytes);
  }

  /** Gives back {@code bytes} taken before. */
  public void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Bytes held now. */
  public long used() {
    return used.get();
  }

  /** The limit in bytes. */
  public long limit() {
    return limit;
  }

  /** A new, empty reservation against this budget, for one request. */
  public Reservation reservation() {
    return new Reservation(this);
  }

  /**
   * The bytes one request holds. Not thread-safe: used by one thread at a time, and handed from the
   * receiving thread to a worker through an executor, which orders the two.
   */
  public static final class Reservation implements AutoCloseable {
    private final MemoryBudget budget;
    private long held;

    private Reservation(MemoryBudget budget) {
      this.budget = budget;
    }

    /**
     * Grows the reservation to at least {@code total} bytes; false, unchanged, if they don't fit.
     */
    public boolean tryGrowTo(long total) {
      if (total <= held) {
        return true;
      }
      // Grown as a request's bytes arrive: a request alone may still grow past the limit, as it
      // could when it was taken at once.
      if (!budget.tryAcquire(total - held, held)) {
        return false;
      }
      held = total;
      return true;
    }

    /** Bytes held. */
    public long held() {
      return held;
    }

    /** Gives every held byte back. Idempotent. */
    @Override
    public void close() {
      if (held > 0) {
        budget.release(held);
        held = 0;
      }
    }
  }
}
