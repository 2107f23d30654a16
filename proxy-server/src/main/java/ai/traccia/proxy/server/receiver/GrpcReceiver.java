/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.export.Signal;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.metrics.SelfMetrics.RefuseReason;
import ai.traccia.proxy.server.queue.MemoryBudget;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.Context;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OTLP/gRPC receiver: the trace, metrics and logs {@code Export} services on one port.
 *
 * <p>Messages are taken off the wire as bytes and decoded here, so that a trace request no
 * processor changes can be forwarded as the bytes that arrived. Calls that may block or do real
 * work run on a dedicated worker executor; the rest run on the transport thread that read them. The
 * size limit is grpc-java's inbound message limit, which applies to the decompressed message, so a
 * small gzip bomb is refused with {@code RESOURCE_EXHAUSTED} before it is inflated in full.
 */
public final class GrpcReceiver {

  static final String TRANSPORT = "grpc";

  private static final Logger logger = LoggerFactory.getLogger(GrpcReceiver.class);

  private final Server server;

  private GrpcReceiver(Server server) {
    this.server = server;
  }

  /**
   * Binds and starts the receiver.
   *
   * @param budget the memory budget a message's size is taken from before it is decoded
   * @param executor runs the calls that block or read spans; owned by the caller, who shuts it down
   *     after {@link #stop}
   */
  public static GrpcReceiver start(
      String bindAddress,
      int port,
      long maxRequestBytes,
      Ingest ingest,
      SelfMetrics metrics,
      MemoryBudget budget,
      ExecutorService executor)
      throws IOException {
    return start(
        bindAddress,
        port,
        maxRequestBytes,
        ingest,
        metrics,
        budget,
        executor,
        null,
        BearerAuth.none());
  }

  /**
   * Binds and starts the receiver, with TLS when {@code tls} is not null and requiring a bearer
   * token when {@code auth} is enabled.
   *
   * @param budget the memory budget a message's size is taken from before it is decoded
   * @param executor runs the calls that block or read spans; owned by the caller, who shuts it down
   *     after {@link #stop}
   * @param tls the server certificate, or null for plaintext; owned by the caller
   */
  public static GrpcReceiver start(
      String bindAddress,
      int port,
      long maxRequestBytes,
      Ingest ingest,
      SelfMetrics metrics,
      MemoryBudget budget,
      ExecutorService executor,
      ReceiverTls tls,
      BearerAuth auth)
      throws IOException {
    // Calls handed to the workers keep their gRPC context, which holds the caller's tenant.
    Services services =
        new Services(ingest, metrics, budget, Context.currentContextExecutor(executor));
    ServerServiceDefinition traces =
        ServerServiceDefinition.builder(Signal.TRACES.grpcService())
            .addMethod(method(Signal.TRACES), ServerCalls.asyncUnaryCall(services::traces))
            .build();
    ServerServiceDefinition metricsService =
        ServerServiceDefinition.builder(Signal.METRICS.grpcService())
            .addMethod(method(Signal.METRICS), ServerCalls.asyncUnaryCall(services::metrics))
            .build();
    ServerServiceDefinition logs =
        ServerServiceDefinition.builder(Signal.LOGS.grpcService())
            .addMethod(method(Signal.LOGS), ServerCalls.asyncUnaryCall(services::logs))
            .build();
    SizeLimitCounter sizeLimitCounter = new SizeLimitCounter(metrics);
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(bindAddress, port));
    if (tls != null) {
      builder.sslContext(tls.grpcContext());
    }
    if (auth.isEnabled()) {
      builder.intercept(new GrpcAuthInterceptor(auth, metrics));
    }
    Server server =
        builder
            // Every callback on the transport thread; Services hands work that blocks or reads
            // spans to the workers itself, so a call that does neither never changes threads.
            .directExecutor()
            .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, maxRequestBytes))
            .addStreamTracerFactory(sizeLimitCounter)
            .addService(traces)
            .addService(metricsService)
            .addService(logs)
            .build()
            .start();
    return new GrpcReceiver(server);
  }

  /** The port the receiver is bound to; useful when it was started on port 0. */
  public int port() {
    return server.getPort();
  }

  /** Stops accepting calls and waits up to {@code timeoutMillis} for running calls. */
  public void stop(long timeoutMillis) {
    server.shutdown();
    try {
      if (!server.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  static MethodDescriptor<byte[], byte[]> method(Signal signal) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(signal.grpcExportMethod())
        .setRequestMarshaller(BytesMarshaller.INSTANCE)
        .setResponseMarshaller(BytesMarshaller.INSTANCE)
        .build();
  }

  /** Passes messages through as bytes. */
  enum BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    INSTANCE;

    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        if (stream instanceof KnownLength) {
          // grpc-java's message streams know their length: one exact copy instead of a list of
          // chunks joined at the end.
          byte[] body = new byte[stream.available()];
          int read = stream.readNBytes(body, 0, body.length);
          if (read == body.length && stream.read() == -1) {
            return body;
          }
          throw new IOException("the message was not the length it announced");
        }
        return stream.readAllBytes();
      } catch (IOException e) {
        throw Status.INTERNAL
            .withDescription("could not read the request: " + e.getMessage())
            .withCause(e)
            .asRuntimeException();
      }
    }
  }

  /** The three Export handlers. Stateless apart from the shared ingest and budget. */
  private static final class Services {
    private final Ingest ingest;
    private final SelfMetrics metrics;
    private final MemoryBudget budget;
    private final Executor workers;

    Services(Ingest ingest, SelfMetrics metrics, MemoryBudget budget, Executor workers) {
      this.ingest = ingest;
      this.metrics = metrics;
      this.budget = budget;
      this.workers = workers;
    }

    void traces(byte[] body, StreamObserver<byte[]> response) {
      serve(Signal.TRACES, body, response, this::handleTraces);
    }

    void metrics(byte[] body, StreamObserver<byte[]> response) {
      serve(Signal.METRICS, body, response, this::handleMetrics);
    }

    void logs(byte[] body, StreamObserver<byte[]> response) {
      serve(Signal.LOGS, body, response, this::handleLogs);
    }

    /**
     * Runs on the transport thread that read the call. Takes the message's size from the budget,
     * then handles it right here when nothing on its path blocks or reads spans ({@link
     * Ingest#isNonBlocking}: a wire check and a queue entry cost less than a hand-off to another
     * thread), or on a worker otherwise; the reservation is held until the call is answered.
     */
    private void serve(
        Signal signal,
        byte[] body,
        StreamObserver<byte[]> response,
        BiConsumer<byte[], StreamObserver<byte[]>> handler) {
      MemoryBudget.Reservation held = budget.reservation();
      boolean handedOff = false;
      try {
        if (!admit(signal, held, body, response)) {
          return;
        }
        if (ingest.isNonBlocking(signal)) {
          handleSafely(signal, body, response, handler);
          return;
        }
        workers.execute(
            () -> {
              try (held) {
                handleSafely(signal, body, response, handler);
              }
            });
        handedOff = true;
      } catch (RejectedExecutionException e) {
        metrics.refused(signal, TRANSPORT, RefuseReason.QUEUE_FULL, 0);
        answerRefusal(
            IngestResult.retryLater(
                "the proxy's workers cannot take more calls now; retry later",
                Ingest.QUEUE_FULL_RETRY_AFTER),
            response);
      } finally {
        if (!handedOff) {
          held.close();
        }
      }
    }

    /**
     * Takes the message's size from the memory budget before it is decoded (decoding takes about as
     * much again); answers a retryable refusal and returns false when it does not fit.
     */
    private boolean admit(
        Signal signal,
        MemoryBudget.Reservation held,
        byte[] body,
        StreamObserver<byte[]> response) {
      if (held.tryGrowTo(2L * body.length)) {
        return true;
      }
      metrics.refused(signal, TRANSPORT, RefuseReason.MEMORY_LIMIT, 0);
      answerRefusal(
          IngestResult.retryLater(
              "the proxy holds as many requests in memory as it may ("
                  + budget.limit()
                  + " bytes, rate_limiting.max_buffer_bytes); retry later",
              Ingest.QUEUE_FULL_RETRY_AFTER),
          response);
      return false;
    }

    private void handleTraces(byte[] body, StreamObserver<byte[]> response) {
      IngestResult result;
      try {
        result = ingest.traces(Tenant.tag(GrpcAuthInterceptor.TENANT.get(), body), TRANSPORT);
      } catch (InvalidProtocolBufferException e) {
        malformed(Signal.TRACES, "ExportTraceServiceRequest", e, response);
        return;
      }
      if (answerRefusal(result, response)) {
        return;
      }
      ExportTraceServiceResponse.Builder out = ExportTraceServiceResponse.newBuilder();
      if (result.rejectedItems() > 0) {
        out.setPartialSuccess(
            ExportTracePartialSuccess.newBuilder()
                .setRejectedSpans(result.rejectedItems())
                .setErrorMessage(result.message()));
      }
      response.onNext(out.build().toByteArray());
      response.onCompleted();
    }

    private void handleMetrics(byte[] body, StreamObserver<byte[]> response) {
      IngestResult result;
      try {
        result = ingest.metrics(Tenant.tag(GrpcAuthInterceptor.TENANT.get(), body), TRANSPORT);
      } catch (InvalidProtocolBufferException e) {
        malformed(Signal.METRICS, "ExportMetricsServiceRequest", e, response);
        return;
      }
      if (answerRefusal(result, response)) {
        return;
      }
      response.onNext(ExportMetricsServiceResponse.getDefaultInstance().toByteArray());
      response.onCompleted();
    }

    private void handleLogs(byte[] body, StreamObserver<byte[]> response) {
      IngestResult result;
      try {
        result = ingest.logs(Tenant.tag(GrpcAuthInterceptor.TENANT.get(), body), TRANSPORT);
      } catch (InvalidProtocolBufferException e) {
        malformed(Signal.LOGS, "ExportLogsServiceRequest", e, response);
        return;
      }
      if (answerRefusal(result, response)) {
        return;
      }
      ExportLogsServiceResponse.Builder out = ExportLogsServiceResponse.newBuilder();
      if (result.rejectedItems() > 0) {
        out.setPartialSuccess(
            ExportLogsPartialSuccess.newBuilder()
                .setRejectedLogRecords(result.rejectedItems())
                .setErrorMessage(result.message()));
      }
      response.onNext(out.build().toByteArray());
      response.onCompleted();
    }

    private void malformed(
        Signal signal,
        String type,
        InvalidProtocolBufferException e,
        StreamObserver<byte[]> response) {
      metrics.refused(signal, TRANSPORT, RefuseReason.MALFORMED, 0);
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription(
                  "could not decode the request as an OTLP " + type + ": " + e.getMessage())
              .asRuntimeException());
    }

    /** Answers a retryable refusal; returns whether it did. */
    private static boolean answerRefusal(IngestResult result, StreamObserver<byte[]> response) {
      if (!result.isRetryable()) {
        return false;
      }
      // UNAVAILABLE with RetryInfo: OTLP clients retry it, honouring the delay. Overload must
      // never be RESOURCE_EXHAUSTED without RetryInfo, which clients treat as permanent.
      long delayMillis = result.retryAfter().toMillis();
      com.google.rpc.Status status =
          com.google.rpc.Status.newBuilder()
              .setCode(Code.UNAVAILABLE_VALUE)
              .setMessage(result.message())
              .addDetails(
                  Any.pack(
                      RetryInfo.newBuilder()
                          .setRetryDelay(
                              com.google.protobuf.Duration.newBuilder()
                                  .setSeconds(delayMillis / 1000)
                                  .setNanos((int) (delayMillis % 1000) * 1_000_000))
                          .build()))
              .build();
      response.onError(StatusProto.toStatusRuntimeException(status));
      return true;
    }
  }

  /**
   * Runs {@code handler}; a failure it did not expect is logged and answered {@code INTERNAL}, so
   * that no call is left without an answer (on a worker, nothing else would answer it).
   */
  static void handleSafely(
      Signal signal,
      byte[] body,
      StreamObserver<byte[]> response,
      BiConsumer<byte[], StreamObserver<byte[]>> handler) {
    try {
      handler.accept(body, response);
    } catch (RuntimeException e) {
      logger.warn("Unexpected failure handling an OTLP/gRPC {} request", signal, e);
      try {
        response.onError(
            Status.INTERNAL.withDescription("internal error: " + e).asRuntimeException());
      } catch (IllegalStateException answered) {
        // The call was answered before the failure.
      }
    }
  }

  static Signal signalOf(String fullMethodName) {
    for (Signal s : Signal.values()) {
      if (s.grpcExportMethod().equals(fullMethodName)) {
        return s;
      }
    }
    return null;
  }

  /**
   * Counts calls grpc-java refused because the message was over the size limit; that check runs in
   * the transport, before any handler sees the message, so only a stream tracer observes it.
   */
  private static final class SizeLimitCounter extends ServerStreamTracer.Factory {
    private final SelfMetrics metrics;

    SizeLimitCounter(SelfMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
      Signal signal = signalOf(fullMethodName);
      return new ServerStreamTracer() {
        @Override
        public void streamClosed(Status status) {
          if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED && signal != null) {
            metrics.refused(signal, TRANSPORT, RefuseReason.TOO_LARGE, 0);
          }
        }
      };
    }
  }
}
