/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.export.ByteArrayMarshaller;
import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.ingest.Ingest;
import ai.traccia.proxy.server.ingest.IngestResult;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.metrics.SelfMetrics.RefuseReason;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
 * size limit is grpc-java's inbound message limit, which applies to the decompressed message too;
 * {@link GrpcAdmission} takes a message from the memory budget while it arrives and inflates, and
 * bounds the time it may take to arrive.
 */
public final class GrpcReceiver {

  static final String TRANSPORT = "grpc";

  private static final Logger logger = LoggerFactory.getLogger(GrpcReceiver.class);

  /**
   * grpc-java logs every message its deframer refuses (announced length over the limit, broken
   * framing) with a stack trace, one per request a client chooses to send. Those refusals are
   * counted and logged in a throttled line by {@link GrpcAdmission}; this logger is silenced. Held
   * here so that the setting is not lost with a collected logger.
   */
  private static final java.util.logging.Logger DEFRAMER_LOGGER =
      java.util.logging.Logger.getLogger("io.grpc.netty.NettyServerStream");

  static {
    DEFRAMER_LOGGER.setLevel(java.util.logging.Level.OFF);
  }

  private final Server server;
  private final ScheduledExecutorService timer;

  private GrpcReceiver(Server server, ScheduledExecutorService timer) {
    this.server = server;
    this.timer = timer;
  }

  /**
   * Binds and starts the receiver on the shared event loops, with TLS when {@code shared} has a
   * certificate and requiring a bearer token when its authentication is enabled.
   *
   * @param executor runs the calls that block or read spans; owned by the caller, who shuts it down
   *     after {@link #stop}
   */
  static GrpcReceiver start(
      Receivers shared, String bindAddress, int port, ExecutorService executor) throws IOException {
    ReceiverLimits limits = shared.limits;
    SelfMetrics metrics = shared.metrics;
    long maxRequestBytes = shared.maxRequestBytes;
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "grpc-receiver-timer");
              t.setDaemon(true);
              return t;
            });
    // Most deadlines are cancelled when the message arrives; don't keep them queued.
    timer.setRemoveOnCancelPolicy(true);
    GrpcAdmission admission =
        new GrpcAdmission(maxRequestBytes, limits.bodyTimeout(), shared.budget, metrics, timer);
    // Calls handed to the workers keep their gRPC context, which holds the caller's tenant.
    Services services =
        new Services(shared.ingest, metrics, admission, Context.currentContextExecutor(executor));
    ServerServiceDefinition traces =
        ServerServiceDefinition.builder(Signal.TRACES.grpcService())
            .addMethod(
                serverMethod(Signal.TRACES, admission),
                ServerCalls.asyncUnaryCall(services::traces))
            .build();
    ServerServiceDefinition metricsService =
        ServerServiceDefinition.builder(Signal.METRICS.grpcService())
            .addMethod(
                serverMethod(Signal.METRICS, admission),
                ServerCalls.asyncUnaryCall(services::metrics))
            .build();
    ServerServiceDefinition logs =
        ServerServiceDefinition.builder(Signal.LOGS.grpcService())
            .addMethod(
                serverMethod(Signal.LOGS, admission), ServerCalls.asyncUnaryCall(services::logs))
            .build();
    try {
      NettyServerBuilder builder =
          NettyServerBuilder.forAddress(new InetSocketAddress(bindAddress, port));
      if (shared.tls != null) {
        builder.sslContext(shared.tls.grpcContext());
      }
      // Interceptors run in the reverse order of their adding: the token is checked first, before
      // the admission takes the call and before any of its message is read.
      builder.intercept(admission.interceptor());
      if (shared.auth.isEnabled()) {
        builder.intercept(new GrpcAuthInterceptor(shared.auth, metrics));
      }
      Server server =
          builder
              // Every callback on the transport thread; Services hands work that blocks or reads
              // spans to the workers itself, so a call that does neither never changes threads.
              .directExecutor()
              .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, maxRequestBytes))
              // The shared event loops; the connection limit needs its own server channel type.
              .channelFactory(
                  new ConnectionLimit(limits.maxConnections(), metrics, TRANSPORT).serverChannels())
              .bossEventLoopGroup(shared.boss)
              .workerEventLoopGroup(shared.workers)
              .maxConcurrentCallsPerConnection(limits.maxConcurrentStreams())
              .maxInboundMetadataSize(limits.maxHeaderBytes())
              .handshakeTimeout(limits.headerTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .maxConnectionIdle(limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .decompressorRegistry(GrpcAdmission.decompressors())
              .addStreamTracerFactory(admission.tracerFactory())
              .addService(traces)
              .addService(metricsService)
              .addService(logs)
              .build()
              .start();
      return new GrpcReceiver(server, timer);
    } catch (IOException | RuntimeException e) {
      timer.shutdownNow();
      throw e;
    }
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
    } finally {
      timer.shutdownNow();
    }
  }

  /** The server's side of {@code signal}'s Export method: requests read by {@code admission}. */
  private static MethodDescriptor<GrpcAdmission.Request, byte[]> serverMethod(
      Signal signal, GrpcAdmission admission) {
    return MethodDescriptor.<GrpcAdmission.Request, byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(signal.grpcExportMethod())
        .setRequestMarshaller(admission.requestMarshaller())
        .setResponseMarshaller(ByteArrayMarshaller.INSTANCE)
        .build();
  }

  /** {@code signal}'s Export method as bytes both ways, as a client calls it. */
  static MethodDescriptor<byte[], byte[]> method(Signal signal) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(signal.grpcExportMethod())
        .setRequestMarshaller(ByteArrayMarshaller.INSTANCE)
        .setResponseMarshaller(ByteArrayMarshaller.INSTANCE)
        .build();
  }

  /** The three Export handlers. Stateless apart from the shared ingest. */
  private static final class Services {
    private final Ingest ingest;
    private final SelfMetrics metrics;
    private final GrpcAdmission admission;
    private final Executor workers;

    Services(Ingest ingest, SelfMetrics metrics, GrpcAdmission admission, Executor workers) {
      this.ingest = ingest;
      this.metrics = metrics;
      this.admission = admission;
      this.workers = workers;
    }

    void traces(GrpcAdmission.Request request, StreamObserver<byte[]> response) {
      serve(Signal.TRACES, request, response, this::handleTraces);
    }

    void metrics(GrpcAdmission.Request request, StreamObserver<byte[]> response) {
      serve(Signal.METRICS, request, response, this::handleMetrics);
    }

    void logs(GrpcAdmission.Request request, StreamObserver<byte[]> response) {
      serve(Signal.LOGS, request, response, this::handleLogs);
    }

    /**
     * Runs on the transport thread that read the call; its message was taken from the memory budget
     * as it arrived ({@link GrpcAdmission}), and is held until the call is closed. Handles it right
     * here when nothing on its path blocks or reads spans ({@link Ingest#isNonBlocking}: a wire
     * check and a queue entry cost less than a hand-off to another thread), or on a worker.
     */
    private void serve(
        Signal signal,
        GrpcAdmission.Request request,
        StreamObserver<byte[]> response,
        BiConsumer<byte[], StreamObserver<byte[]>> handler) {
      if (request.failure != null) {
        metrics.refused(signal, TRANSPORT, request.reason, 0);
        admission.logRefusal(signal, request);
        response.onError(new StatusRuntimeException(request.failure, request.trailers));
        return;
      }
      byte[] body = request.body;
      try {
        if (ingest.isNonBlocking(signal)) {
          handleSafely(signal, body, response, handler);
          return;
        }
        workers.execute(() -> handleSafely(signal, body, response, handler));
      } catch (RejectedExecutionException e) {
        metrics.refused(signal, TRANSPORT, RefuseReason.QUEUE_FULL, 0);
        response.onError(ExportReply.busy().grpcError());
      }
    }

    private void handleTraces(byte[] body, StreamObserver<byte[]> response) {
      handle(Signal.TRACES, body, response, ingest::traces);
    }

    private void handleMetrics(byte[] body, StreamObserver<byte[]> response) {
      handle(Signal.METRICS, body, response, ingest::metrics);
    }

    private void handleLogs(byte[] body, StreamObserver<byte[]> response) {
      handle(Signal.LOGS, body, response, ingest::logs);
    }

    /**
     * Ingests {@code body}, tagged with the caller's tenant, and answers as {@link ExportReply}.
     */
    private void handle(
        Signal signal, byte[] body, StreamObserver<byte[]> response, IngestCall ingestCall) {
      ExportReply reply;
      try {
        reply =
            ExportReply.of(
                ingestCall.ingest(Tenant.tag(GrpcAuthInterceptor.TENANT.get(), body), TRANSPORT));
      } catch (InvalidProtocolBufferException e) {
        metrics.refused(signal, TRANSPORT, RefuseReason.MALFORMED, 0);
        response.onError(ExportReply.malformed(signal, "protobuf", e.getMessage()).grpcError());
        return;
      }
      if (reply.kind() != ExportReply.Kind.ACCEPTED) {
        response.onError(reply.grpcError());
        return;
      }
      response.onNext(reply.exportResponse(signal).toByteArray());
      response.onCompleted();
    }
  }

  /** One of {@link Ingest}'s entry points for a signal. */
  @FunctionalInterface
  private interface IngestCall {
    IngestResult ingest(byte[] body, String transport) throws InvalidProtocolBufferException;
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
        response.onError(ExportReply.internal(e).grpcError());
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
}
