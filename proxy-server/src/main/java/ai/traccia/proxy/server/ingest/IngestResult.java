/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ingest;

import java.time.Duration;

/**
 * What the proxy answers a client for one export request: accepted (perhaps in part), or refused
 * for now with a delay after which the client should retry.
 */
public final class IngestResult {

  /** The kinds of answer. */
  public enum Status {
    /** Accepted; {@link #rejectedItems()} may be above zero (OTLP partial success). */
    ACCEPTED,
    /** Nothing was accepted; the client should retry after {@link #retryAfter()}. */
    RETRY_LATER,
    /**
     * Nothing was accepted because of the rate limit; the client should retry after {@link
     * #retryAfter()} (HTTP 429).
     */
    RATE_LIMITED
  }

  private static final IngestResult ACCEPTED_ALL = new IngestResult(Status.ACCEPTED, 0, "", null);

  private final Status status;
  private final long rejectedItems;
  private final String message;
  private final Duration retryAfter;

  private IngestResult(Status status, long rejectedItems, String message, Duration retryAfter) {
    this.status = status;
    this.rejectedItems = rejectedItems;
    this.message = message;
    this.retryAfter = retryAfter;
  }

  /** Everything accepted. */
  public static IngestResult accepted() {
    return ACCEPTED_ALL;
  }

  static IngestResult partiallyAccepted(long rejectedItems, String message) {
    return rejectedItems == 0
        ? ACCEPTED_ALL
        : new IngestResult(Status.ACCEPTED, rejectedItems, message, null);
  }

  /** Nothing accepted; the client should retry after {@code retryAfter}. */
  public static IngestResult retryLater(String message, Duration retryAfter) {
    return new IngestResult(Status.RETRY_LATER, 0, message, retryAfter);
  }

  static IngestResult rateLimited(String message, Duration retryAfter) {
    return new IngestResult(Status.RATE_LIMITED, 0, message, retryAfter);
  }

  /** Whether nothing was accepted and the client should retry after {@link #retryAfter()}. */
  public boolean isRetryable() {
    return status != Status.ACCEPTED;
  }

  /** What kind of answer this is. */
  public Status status() {
    return status;
  }

  /** Items refused within an accepted request, reported as OTLP {@code partial_success}. */
  public long rejectedItems() {
    return rejectedItems;
  }

  /** Why items were refused, or why the client should retry; empty for a full acceptance. */
  public String message() {
    return message;
  }

  /** How long the client should wait before retrying; null when accepted. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
