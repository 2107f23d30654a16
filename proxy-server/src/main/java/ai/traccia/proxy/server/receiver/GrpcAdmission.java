/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.export.ThrottlingLogger;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.metrics.SelfMetrics.RefuseReason;
import ai.traccia.proxy.server.queue.MemoryBudget;
import io.grpc.Codec;
import io.grpc.Context;
import io.grpc.Decompressor;
import io.grpc.DecompressorRegistry;
import io.grpc.ForwardingServerCallListener;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.slf4j.LoggerFactory;

/**
 * Admits OTLP/gRPC messages against the memory budget while they arrive, and bounds the time a
 * call's message may take to arrive.
 *
 * <p>grpc-java collects a whole message before any handler sees it, so taking its size from the
 * budget in the handler is too late: concurrent large exports would already be on the heap. Here a
 * {@link ServerStreamTracer} per call grows a reservation with every chunk of the message as the
 * transport reads it ({@code inboundWireSize}) and, when the budget has no room, closes the call
 * with a retryable {@code UNAVAILABLE} and {@code RetryInfo}; grpc-java then drops what it
 * collected and stops reading the stream. The tracer cannot reach the call by itself: it puts
 * itself in the call's {@link Context}, where the {@link #interceptor} finds it and hands it the
 * call. The same per-call state closes a call whose message did not arrive within {@code
 * server.body_timeout_ms} ({@code DEADLINE_EXCEEDED}, retryable).
 *
 * <p>Compressed messages: the gzip {@link #decompressors} inflate lazily, in the request
 * marshaller, which takes the inflated bytes from the same reservation as they grow and turns every
 * failure into a {@link Request} carrying the status to answer ({@code INVALID_ARGUMENT} for
 * invalid gzip, {@code RESOURCE_EXHAUSTED} over {@code server.max_request_bytes}), instead of an
 * exception grpc-java would answer {@code UNKNOWN} and log with its stack trace.
 *
 * <p>All of a call's state is guarded by its tracer's lock: the transport thread, the timer and the
 * marshaller touch it.
 */
final class GrpcAdmission {

  /**
   * Bytes counted per byte of message: the bytes grpc-java collects and their copy handed to the
   * decoder (or the decoded form).
   */
  static final long MEMORY_FACTOR = 2;

  private static final Context.Key<CallState> STATE = Context.key("traccia-call-state");
  private static final ThrottlingLogger log =
      ThrottlingLogger.create(LoggerFactory.getLogger(GrpcAdmission.class), 10);

  private final long maxRequestBytes;
  private final long bodyTimeoutNanos;
  private final MemoryBudget budget;
  private final SelfMetrics metrics;
  private final ScheduledExecutorService timer;

  GrpcAdmission(
      long maxRequestBytes,
      Duration bodyTimeout,
      MemoryBudget budget,
      SelfMetrics metrics,
      ScheduledExecutorService timer) {
    this.maxRequestBytes = maxRequestBytes;
    this.bodyTimeoutNanos = bodyTimeout.toNanos();
    this.budget = budget;
    this.metrics = metrics;
    this.timer = timer;
  }

  /** A request message, or why it could not be read; what the request marshaller yields. */
  static final class Request {
    final byte[] body;
    final Status failure;
    final Metadata trailers;
    final RefuseReason reason;

    private Request(byte[] body, Status failure, Metadata trailers, RefuseReason reason) {
      this.body = body;
      this.failure = failure;
      this.trailers = trailers;
      this.reason = reason;
    }

    static Request of(byte[] body) {
      return new Request(body, null, null, null);
    }

    static Request failed(Status failure, RefuseReason reason) {
      return new Request(null, failure, new Metadata(), reason);
    }

    static Request failed(StatusRuntimeException failure, RefuseReason reason) {
      Metadata trailers = failure.getTrailers();
      return new Request(
          null, failure.getStatus(), trailers == null ? new Metadata() : trailers, reason);
    }
  }

  /** Creates the per-call state when grpc-java creates a stream. */
  ServerStreamTracer.Factory tracerFactory() {
    return new ServerStreamTracer.Factory() {
      @Override
      public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        return new CallState(GrpcReceiver.signalOf(fullMethodName));
      }
    };
  }

  /** Hands each call to its state, and keeps a call the state closed from its handler. */
  ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        CallState state = STATE.get();
        if (state == null) {
          return next.startCall(call, headers);
        }
        ServerCall.Listener<ReqT> listener = next.startCall(call, headers);
        state.attach(call);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT>(listener) {
          @Override
          public void onMessage(ReqT message) {
            if (state.received()) {
              super.onMessage(message);
            }
          }

          @Override
          public void onHalfClose() {
            if (!state.isClosed()) {
              super.onHalfClose();
            }
          }
        };
      }
    };
  }

  /**
   * The message encodings accepted: identity, and gzip inflated lazily so that invalid gzip is
   * found by the marshaller rather than by grpc-java's deframer.
   */
  static DecompressorRegistry decompressors() {
    return DecompressorRegistry.emptyInstance()
        .with(Codec.Identity.NONE, false)
        .with(LazyGzip.INSTANCE, true);
  }

  /** The marshaller of requests: reads a message, charged to its call's reservation. */
  MethodDescriptor.Marshaller<Request> requestMarshaller() {
    return new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(Request value) {
        return new ByteArrayInputStream(value.body);
      }

      @Override
      public Request parse(InputStream stream) {
        CallState state = STATE.get();
        return state == null ? read(stream, null) : state.read(stream);
      }
    };
  }

  /** Logs a request the marshaller could not read in one throttled line, without a trace. */
  void logRefusal(Signal signal, Request request) {
    if (request.reason == RefuseReason.MALFORMED || request.reason == RefuseReason.TOO_LARGE) {
      log.warn(
          "Refused an OTLP/gRPC {} request: {}", signal.label(), request.failure.getDescription());
    }
  }

  private Request read(InputStream stream, MemoryBudget.Reservation reservation) {
    try {
      if (stream instanceof KnownLength) {
        // Not compressed: the bytes were counted as they arrived. One exact copy.
        byte[] body = new byte[stream.available()];
        int read = stream.readNBytes(body, 0, body.length);
        if (read == body.length && stream.read() == -1) {
          return Request.of(body);
        }
        throw new IOException("the message was not the length it announced");
      }
      return Request.of(Decompression.readCharged(stream, maxRequestBytes, reservation));
    } catch (Decompression.OverBudgetException e) {
      return Request.failed(overBudget(), RefuseReason.MEMORY_LIMIT);
    } catch (Decompression.TooLargeException e) {
      return tooLarge();
    } catch (StatusRuntimeException e) {
      // grpc-java's own limit on the inflated size.
      if (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
        return tooLarge();
      }
      return Request.failed(e, RefuseReason.MALFORMED);
    } catch (IOException e) {
      return Request.failed(
          Status.INVALID_ARGUMENT.withDescription(
              "the message is not valid gzip: " + e.getMessage()),
          RefuseReason.MALFORMED);
    }
  }

  private Request tooLarge() {
    return Request.failed(
        Status.RESOURCE_EXHAUSTED.withDescription(
            "the message inflates to more than the limit of "
                + maxRequestBytes
                + " bytes (server.max_request_bytes); send smaller batches"),
        RefuseReason.TOO_LARGE);
  }

  private StatusRuntimeException overBudget() {
    return ExportReply.overMemory(budget.limit()).grpcError();
  }

  /** One call: its reservation, its call once started, and whether it was closed here. */
  private final class CallState extends ServerStreamTracer {
    private final Signal signal;
    private final MemoryBudget.Reservation reservation = budget.reservation();
    // Guarded by this.
    private ServerCall<?, ?> call;
    private long wireBytes;
    private boolean received;
    private boolean closed;
    private boolean streamClosed;
    private ScheduledFuture<?> deadline;

    CallState(Signal signal) {
      this.signal = signal;
    }

    @Override
    public Context filterContext(Context context) {
      return context.withValue(STATE, this);
    }

    synchronized void attach(ServerCall<?, ?> call) {
      this.call = call;
      if (!received && !closed && !streamClosed) {
        deadline = timer.schedule(this::expired, bodyTimeoutNanos, TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public synchronized void inboundWireSize(long bytes) {
      wireBytes += bytes;
      if (closed || streamClosed) {
        return;
      }
      if (!reservation.tryGrowTo(MEMORY_FACTOR * wireBytes)) {
        close(
            Request.failed(overBudget(), RefuseReason.MEMORY_LIMIT),
            "the memory budget is used up");
      }
    }

    synchronized Request read(InputStream stream) {
      if (closed) {
        return Request.failed(Status.CANCELLED, RefuseReason.MEMORY_LIMIT);
      }
      return GrpcAdmission.this.read(stream, reservation);
    }

    /** The message is complete; whether it goes on to the handler. */
    synchronized boolean received() {
      received = true;
      cancelDeadline();
      return !closed;
    }

    synchronized boolean isClosed() {
      return closed;
    }

    private synchronized void expired() {
      deadline = null;
      if (received || closed || streamClosed) {
        return;
      }
      close(
          Request.failed(
              Status.DEADLINE_EXCEEDED.withDescription(
                  "the request message did not arrive within "
                      + TimeUnit.NANOSECONDS.toMillis(bodyTimeoutNanos)
                      + " ms (server.body_timeout_ms); send it faster or retry"),
              RefuseReason.TIMEOUT),
          null);
    }

    // Holding the lock: every other use of the call before its message is complete is the
    // transport's own, and grpc-java's stream commands are thread-safe.
    private void close(Request refusal, String why) {
      closed = true;
      cancelDeadline();
      if (signal != null) {
        metrics.refused(signal, GrpcReceiver.TRANSPORT, refusal.reason, 0);
      }
      if (call != null) {
        try {
          call.close(refusal.failure, refusal.trailers);
        } catch (IllegalStateException alreadyClosed) {
          // Answered in the meantime.
        }
      }
      reservation.close();
    }

    private void cancelDeadline() {
      if (deadline != null) {
        deadline.cancel(false);
        deadline = null;
      }
    }

    @Override
    public synchronized void streamClosed(Status status) {
      streamClosed = true;
      cancelDeadline();
      reservation.close();
      if (!closed
          && signal != null
          && status.getCode() == Status.Code.RESOURCE_EXHAUSTED
          && !received) {
        // grpc-java refused a message whose announced length is over the limit.
        metrics.refused(signal, GrpcReceiver.TRANSPORT, RefuseReason.TOO_LARGE, 0);
        log.warn("Refused an OTLP/gRPC {} request: {}", signal.label(), status.getDescription());
      }
    }
  }

  /**
   * gzip, inflated only when the message is read: grpc-java would otherwise read the gzip header
   * when the message arrives and answer an invalid one {@code UNKNOWN}.
   */
  private enum LazyGzip implements Decompressor {
    INSTANCE;

    @Override
    public String getMessageEncoding() {
      return "gzip";
    }

    @Override
    public InputStream decompress(InputStream compressed) {
      return new InputStream() {
        private InputStream inflating;

        private InputStream inflating() throws IOException {
          if (inflating == null) {
            inflating = new GZIPInputStream(compressed, 8192);
          }
          return inflating;
        }

        @Override
        public int read() throws IOException {
          return inflating().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          return inflating().read(b, off, len);
        }

        @Override
        public void close() throws IOException {
          // Ends the inflater now rather than when it is collected: its memory is native.
          if (inflating != null) {
            inflating.close();
          } else {
            compressed.close();
          }
        }
      };
    }
  }
}
