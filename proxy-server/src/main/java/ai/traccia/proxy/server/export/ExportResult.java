/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one export attempt, as the OTLP specification classifies it.
 *
 * <p>{@link Outcome#RETRYABLE} carries the delay the backend asked for, if it named one (HTTP
 * {@code Retry-After}, gRPC {@code RetryInfo}). A backend's {@code partial_success} is a success
 * with {@link #rejectedItems()} above zero.
 */
public final class ExportResult {

  /** How an attempt ended. */
  public enum Outcome {
    /** Delivered; some items may have been refused by the backend (partial success). */
    SUCCESS,
    /** Not delivered, and the same request may succeed later. */
    RETRYABLE,
    /** Not delivered, and sending it again will not help. */
    PERMANENT
  }

  /**
   * What the transport saw, for a diagnosis beyond the retry decision ({@code traccia-proxy check}
   * reads it): the backend's answer, or the failure that left none. A plain success (HTTP 200, gRPC
   * OK) carries none: it is the shared {@link #success()}.
   *
   * @param status the HTTP status, or the gRPC status code's value; -1 when nothing answered
   * @param description the gRPC status description, or an HTTP redirect's {@code Location}; may be
   *     null
   * @param body the first bytes of an HTTP answer's body, or null
   * @param cause why nothing answered (connect, TLS, DNS, timeout), or null
   */
  public record Diagnosis(int status, String description, byte[] body, Throwable cause) {
    /** A failure with no answer. */
    public static Diagnosis failure(Throwable cause) {
      return new Diagnosis(-1, null, null, cause);
    }

    /** The status and the failure's type only: a description may hold a URL with a token. */
    @Override
    public String toString() {
      return "Diagnosis{status="
          + status
          + (cause == null ? "" : ", cause=" + cause.getClass().getSimpleName())
          + "}";
    }
  }

  private static final ExportResult SUCCESS = new ExportResult(Outcome.SUCCESS, "", null, 0, null);

  private final Outcome outcome;
  private final String message;
  private final Duration retryAfter;
  private final long rejectedItems;
  private final Diagnosis diagnosis;

  private ExportResult(
      Outcome outcome,
      String message,
      Duration retryAfter,
      long rejectedItems,
      Diagnosis diagnosis) {
    this.outcome = outcome;
    this.message = message;
    this.retryAfter = retryAfter;
    this.rejectedItems = rejectedItems;
    this.diagnosis = diagnosis;
  }

  /** This result with what the transport saw attached. */
  public ExportResult withDiagnosis(Diagnosis diagnosis) {
    return new ExportResult(outcome, message, retryAfter, rejectedItems, diagnosis);
  }

  /** What the transport saw, when the exporter recorded it. */
  public Optional<Diagnosis> diagnosis() {
    return Optional.ofNullable(diagnosis);
  }

  public static ExportResult success() {
    return SUCCESS;
  }

  /** Delivered, but the backend refused {@code rejectedItems} items, saying {@code message}. */
  public static ExportResult partialSuccess(long rejectedItems, String message) {
    if (rejectedItems == 0 && (message == null || message.isEmpty())) {
      return SUCCESS;
    }
    return new ExportResult(
        Outcome.SUCCESS, Objects.toString(message, ""), null, rejectedItems, null);
  }

  /**
   * Not delivered, worth retrying.
   *
   * @param retryAfter the delay the backend asked for, or {@code null} to use the backoff
   */
  public static ExportResult retryable(String message, Duration retryAfter) {
    return new ExportResult(
        Outcome.RETRYABLE, Objects.requireNonNull(message), retryAfter, 0, null);
  }

  /** Not delivered, and never will be. */
  public static ExportResult permanent(String message) {
    return new ExportResult(Outcome.PERMANENT, Objects.requireNonNull(message), null, 0, null);
  }

  public Outcome outcome() {
    return outcome;
  }

  public boolean isSuccess() {
    return outcome == Outcome.SUCCESS;
  }

  /** What went wrong and what to check next; empty on a plain success. */
  public String message() {
    return message;
  }

  /** The delay the backend asked for before a retry, or {@code null}. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** Items the backend refused in a partial success. */
  public long rejectedItems() {
    return rejectedItems;
  }

  @Override
  public String toString() {
    return outcome
        + (message.isEmpty() ? "" : ": " + message)
        + (retryAfter == null ? "" : " (retry after " + retryAfter.toMillis() + " ms)")
        + (rejectedItems == 0 ? "" : " (" + rejectedItems + " rejected)");
  }
}
