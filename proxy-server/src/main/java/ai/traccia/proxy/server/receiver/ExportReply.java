/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.ingest.Ingest;
import ai.traccia.proxy.server.ingest.IngestResult;
import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * What the proxy answers one OTLP export, decided once for both receivers: accepted (perhaps with a
 * {@code partial_success}), refused for now with a delay, or refused as malformed or by an internal
 * error. Each transport maps it the same way:
 *
 * <ul>
 *   <li>accepted: HTTP 200 / gRPC OK, with the signal's {@code Export*ServiceResponse} ({@link
 *       #exportResponse}), whose {@code partial_success} carries the rejected items and why;
 *   <li>retry later: HTTP 503 (429 for the rate limit) with {@code Retry-After} in whole seconds /
 *       gRPC {@code UNAVAILABLE} with {@code RetryInfo}, which OTLP clients retry after the delay;
 *   <li>malformed: HTTP 400 / gRPC {@code INVALID_ARGUMENT}; internal: HTTP 500 / gRPC {@code
 *       INTERNAL}; neither is retried.
 * </ul>
 *
 * <p>The HTTP body of a refusal is a {@code google.rpc.Status} with the same code and message as
 * the gRPC status ({@link #status}). Immutable.
 */
final class ExportReply {

  /** The kinds of answer. */
  enum Kind {
    ACCEPTED(200, Code.OK),
    RETRY_LATER(503, Code.UNAVAILABLE),
    RATE_LIMITED(429, Code.UNAVAILABLE),
    MALFORMED(400, Code.INVALID_ARGUMENT),
    INTERNAL(500, Code.INTERNAL);

    final int httpStatus;
    final Code code;

    Kind(int httpStatus, Code code) {
      this.httpStatus = httpStatus;
      this.code = code;
    }
  }

  private final Kind kind;
  private final long rejectedItems;
  private final String message;
  private final Duration retryAfter; // null unless retryable

  private ExportReply(Kind kind, long rejectedItems, String message, Duration retryAfter) {
    this.kind = kind;
    this.rejectedItems = rejectedItems;
    this.message = message;
    this.retryAfter = retryAfter;
  }

  /** The answer to a request that {@link Ingest} decided on. */
  static ExportReply of(IngestResult result) {
    Objects.requireNonNull(result, "result");
    switch (result.status()) {
      case ACCEPTED:
        return new ExportReply(Kind.ACCEPTED, result.rejectedItems(), result.message(), null);
      case RATE_LIMITED:
        return new ExportReply(Kind.RATE_LIMITED, 0, result.message(), result.retryAfter());
      default:
        return new ExportReply(Kind.RETRY_LATER, 0, result.message(), result.retryAfter());
    }
  }

  /** The receiver's workers cannot take the request now. */
  static ExportReply busy() {
    return new ExportReply(
        Kind.RETRY_LATER,
        0,
        "the proxy's workers cannot take more calls now; retry later",
        Ingest.QUEUE_FULL_RETRY_AFTER);
  }

  /** The memory budget of requests held, {@code limit} bytes, has no room for this one. */
  static ExportReply overMemory(long limit) {
    return new ExportReply(
        Kind.RETRY_LATER,
        0,
        "the proxy holds as many requests in memory as it may ("
            + limit
            + " bytes, rate_limiting.max_buffer_bytes); retry later",
        Ingest.QUEUE_FULL_RETRY_AFTER);
  }

  /**
   * The request is not an OTLP export of {@code signal} in {@code encoding} ({@code "protobuf"} or
   * {@code "JSON"}); {@code detail} says why.
   */
  static ExportReply malformed(Signal signal, String encoding, String detail) {
    return new ExportReply(
        Kind.MALFORMED,
        0,
        "could not decode the request as an OTLP "
            + requestType(signal)
            + " ("
            + encoding
            + "): "
            + detail,
        null);
  }

  /** Handling the request failed in a way the proxy did not expect. */
  static ExportReply internal(RuntimeException error) {
    return new ExportReply(Kind.INTERNAL, 0, "internal error: " + error, null);
  }

  Kind kind() {
    return kind;
  }

  /** Whether the client should send the request again after {@link #retryAfter()}. */
  boolean isRetryable() {
    return retryAfter != null;
  }

  /** Items refused within an accepted request; 0 otherwise. */
  long rejectedItems() {
    return rejectedItems;
  }

  /** Why items or the request were refused; empty when everything was accepted. */
  String message() {
    return message;
  }

  /** The delay before a retry; null unless {@link #isRetryable()}. */
  Duration retryAfter() {
    return retryAfter;
  }

  /** The HTTP status code. */
  int httpStatus() {
    return kind.httpStatus;
  }

  /** {@code Retry-After} in whole seconds, rounded up and at least 1; only when retryable. */
  long retryAfterSeconds() {
    return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
  }

  /**
   * {@code signal}'s {@code Export*ServiceResponse} for an accepted request: with {@code
   * partial_success} when items were refused (metrics have none: the proxy refuses no single
   * point).
   */
  Message exportResponse(Signal signal) {
    switch (signal) {
      case TRACES:
        {
          ExportTraceServiceResponse.Builder out = ExportTraceServiceResponse.newBuilder();
          if (rejectedItems > 0) {
            out.setPartialSuccess(
                ExportTracePartialSuccess.newBuilder()
                    .setRejectedSpans(rejectedItems)
                    .setErrorMessage(message));
          }
          return out.build();
        }
      case METRICS:
        return ExportMetricsServiceResponse.getDefaultInstance();
      default:
        {
          ExportLogsServiceResponse.Builder out = ExportLogsServiceResponse.newBuilder();
          if (rejectedItems > 0) {
            out.setPartialSuccess(
                ExportLogsPartialSuccess.newBuilder()
                    .setRejectedLogRecords(rejectedItems)
                    .setErrorMessage(message));
          }
          return out.build();
        }
    }
  }

  /**
   * A refusal as a {@code google.rpc.Status}: the body of an HTTP error. The HTTP answer says the
   * delay in its {@code Retry-After} header, not here.
   */
  com.google.rpc.Status status() {
    return com.google.rpc.Status.newBuilder()
        .setCode(kind.code.getNumber())
        .setMessage(message)
        .build();
  }

  /**
   * A refusal as a gRPC error: the same code and message, with {@code RetryInfo} when retryable.
   * Overload is {@code UNAVAILABLE}, never {@code RESOURCE_EXHAUSTED} without {@code RetryInfo},
   * which clients treat as permanent.
   */
  StatusRuntimeException grpcError() {
    if (kind == Kind.ACCEPTED) {
      throw new IllegalStateException("an accepted request has no error");
    }
    return isRetryable()
        ? retryable(kind.code, message, retryAfter)
        : io.grpc.Status.fromCodeValue(kind.code.getNumber())
            .withDescription(message)
            .asRuntimeException();
  }

  /**
   * A gRPC status with {@code RetryInfo}, which OTLP clients honour as the delay before a retry.
   */
  static StatusRuntimeException retryable(Code code, String message, Duration delay) {
    long delayMillis = delay.toMillis();
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(code.getNumber())
            .setMessage(message)
            .addDetails(
                Any.pack(
                    RetryInfo.newBuilder()
                        .setRetryDelay(
                            com.google.protobuf.Duration.newBuilder()
                                .setSeconds(delayMillis / 1000)
                                .setNanos((int) (delayMillis % 1000) * 1_000_000))
                        .build()))
            .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  /** The request message's name for {@code signal}, as in error messages. */
  static String requestType(Signal signal) {
    switch (signal) {
      case TRACES:
        return "ExportTraceServiceRequest";
      case METRICS:
        return "ExportMetricsServiceRequest";
      default:
        return "ExportLogsServiceRequest";
    }
  }
}
