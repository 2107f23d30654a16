/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.server.ProxyServer;
import ai.traccia.proxy.server.RecordingExporter;
import ai.traccia.proxy.server.TestData;
import ai.traccia.proxy.server.export.ExportResult;
import ai.traccia.proxy.server.export.Signal;
import com.google.rpc.RetryInfo;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Codec;
import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Clients that try to hold the OTLP/gRPC receiver's memory, connections or time. */
class GrpcBoundsTest {

  private static final long MIB = 1024 * 1024;
  private static final long BUDGET = 8 * MIB;

  private final RecordingExporter exporter = new RecordingExporter();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private ProxyServer proxy;

  private void start(long maxRequestBytes, ReceiverLimits limits) throws Exception {
    proxy =
        ProxyServer.start(
            ProxyServer.options()
                .setGrpcPort(0)
                .setHttpPort(0)
                .setAdminPort(0)
                .setMaxRequestBytes(maxRequestBytes)
                .setMaxBufferBytes(BUDGET)
                .setScheduleDelay(Duration.ofMillis(10))
                .setReceiverLimits(limits)
                .addExporter(exporter)
                .build());
  }

  private void start(long maxRequestBytes) throws Exception {
    start(maxRequestBytes, ReceiverLimits.DEFAULTS);
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  private ManagedChannel channel() {
    return channel(NettyChannelBuilder.forAddress("127.0.0.1", proxy.grpcPort()));
  }

  private ManagedChannel channel(NettyChannelBuilder builder) {
    ManagedChannel c = builder.usePlaintext().maxInboundMessageSize(64 << 20).build();
    channels.add(c);
    return c;
  }

  static byte[] call(ManagedChannel channel, byte[] body, String compression) {
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
    if (compression != null) {
      options = options.withCompression(compression);
    }
    return ClientCalls.blockingUnaryCall(
        channel, GrpcReceiver.method(Signal.TRACES), options, body);
  }

  private double refused(String reason) {
    return proxy
        .metrics()
        .counterValue(
            "traccia_proxy_refused_requests",
            "signal",
            "traces",
            "transport",
            "grpc",
            "reason",
            reason);
  }

  static void assertRetryable(StatusRuntimeException e) {
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    assertThat(details).isNotNull();
    assertThat(details.getDetailsList()).anyMatch(any -> any.is(RetryInfo.class));
  }

  @Test
  void concurrentLargeExports_refusedWhileArrivingWithinTheBudget() throws Exception {
    start(16 * MIB);
    CompletableFuture<ExportResult> never = new CompletableFuture<>();
    exporter.answerWith(r -> never);
    byte[] large = TestData.traces(16_000).toByteArray();
    assertThat((long) large.length).isBetween(2 * MIB, 4 * MIB);
    ManagedChannel channel = channel();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    PeakWatcher peak = PeakWatcher.start(proxy.memoryBudget());
    int accepted = 0;
    int retryable = 0;
    try {
      List<Future<byte[]>> calls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        calls.add(clients.submit(() -> call(channel, large, null)));
      }
      for (Future<byte[]> f : calls) {
        try {
          f.get();
          accepted++;
        } catch (java.util.concurrent.ExecutionException e) {
          assertRetryable((StatusRuntimeException) e.getCause());
          retryable++;
        }
      }
    } finally {
      clients.shutdownNow();
      peak.stop();
    }

    // 2 x 3 MiB per message in an 8 MiB budget: the first fits, the others are refused.
    assertThat(accepted).isGreaterThanOrEqualTo(1);
    assertThat(retryable).isGreaterThanOrEqualTo(2);
    assertThat(refused("memory_limit")).isEqualTo(retryable);
    assertThat(peak.max()).isLessThanOrEqualTo(BUDGET + 2L * large.length);
    never.complete(ExportResult.success());
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.memoryBudget().used() == 0);
    assertThat(call(channel, TestData.traces(1).toByteArray(), null)).isNotNull();
  }

  @Test
  void messageThatNeverArrives_deadlineExceededAfterTheBodyTimeout() throws Exception {
    start(
        64 * 1024,
        new ReceiverLimits(
            4096,
            Duration.ofSeconds(10),
            Duration.ofMillis(300),
            Duration.ofMinutes(2),
            16384,
            100));
    ManagedChannel channel = channel();
    // Not declared unary, or grpc-java would hold the headers back until the message.
    ClientCall<byte[], byte[]> call =
        channel.newCall(
            GrpcReceiver.method(Signal.TRACES).toBuilder()
                .setType(MethodDescriptor.MethodType.CLIENT_STREAMING)
                .build(),
            CallOptions.DEFAULT);
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
          }
        },
        new Metadata());
    call.request(1);
    // Headers only: the message never comes.

    Status status = closed.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(status.getDescription())
        .isEqualTo(
            "the request message did not arrive within 300 ms (server.body_timeout_ms);"
                + " send it faster or retry");
    assertThat(refused("timeout")).isEqualTo(1);
    assertThat(proxy.memoryBudget().used()).isZero();
    assertThat(call(channel, TestData.traces(1).toByteArray(), null)).isNotNull();
  }

  /** Claims to be gzip and writes bytes that are not. */
  private enum NotGzip implements Compressor {
    INSTANCE;

    @Override
    public String getMessageEncoding() {
      return "gzip";
    }

    @Override
    public OutputStream compress(OutputStream os) {
      return new OutputStream() {
        @Override
        public void write(int b) throws java.io.IOException {
          os.write(b ^ 0x5a);
        }

        @Override
        public void close() throws java.io.IOException {
          os.close();
        }
      };
    }
  }

  @Test
  void invalidGzip_invalidArgumentCounted() throws Exception {
    start(64 * 1024);
    CompressorRegistry broken = CompressorRegistry.newEmptyInstance();
    broken.register(NotGzip.INSTANCE);
    broken.register(Codec.Identity.NONE);
    ManagedChannel channel =
        channel(
            NettyChannelBuilder.forAddress("127.0.0.1", proxy.grpcPort())
                .compressorRegistry(broken));

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> call(channel, TestData.traces(3).toByteArray(), "gzip"));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("the message is not valid gzip: ");
    assertThat(refused("malformed")).isEqualTo(1);
    // The client may see the answer before the call's reservation is given back.
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.memoryBudget().used() == 0);
  }

  @Test
  void gzipBombOverTheLimit_resourceExhaustedCounted() throws Exception {
    start(64 * 1024);
    ManagedChannel channel = channel();

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> call(channel, new byte[(int) MIB], "gzip"));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription())
        .isEqualTo(
            "the message inflates to more than the limit of 65536 bytes"
                + " (server.max_request_bytes); send smaller batches");
    assertThat(refused("too_large")).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.memoryBudget().used() == 0);
    byte[] traces = TestData.traces(3).toByteArray();
    assertThat(call(channel, traces, "gzip")).isNotNull();
  }

  @Test
  void concurrentGzipBombs_neverTakeMoreThanTheBudget() throws Exception {
    start(16 * MIB);
    ManagedChannel channel = channel();
    byte[] zeros = new byte[(int) (6 * MIB)];
    ExecutorService clients = Executors.newFixedThreadPool(8);
    PeakWatcher peak = PeakWatcher.start(proxy.memoryBudget());
    try {
      List<Future<byte[]>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(clients.submit(() -> call(channel, zeros, "gzip")));
      }
      for (Future<byte[]> f : calls) {
        StatusRuntimeException e =
            catchThrowableOfType(StatusRuntimeException.class, () -> getCause(f));
        // Zeros are not a valid request once inflated; or there was no room to inflate them.
        if (e.getStatus().getCode() != Status.Code.INVALID_ARGUMENT) {
          assertRetryable(e);
        }
      }
    } finally {
      clients.shutdownNow();
      peak.stop();
    }

    assertThat(peak.max()).isLessThanOrEqualTo(BUDGET + 2 * 8 * MIB);
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.memoryBudget().used() == 0);
    assertThat(call(channel, TestData.traces(1).toByteArray(), "gzip")).isNotNull();
  }

  private static byte[] getCause(Future<byte[]> f) throws Throwable {
    try {
      return f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause();
    }
  }

  @Test
  void connectionsOverTheLimit_closedAndCounted() throws Exception {
    start(
        64 * 1024,
        new ReceiverLimits(
            2, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(2), 16384, 100));
    byte[] body = TestData.traces(1).toByteArray();
    ManagedChannel first = channel();
    ManagedChannel second = channel();
    call(first, body, null);
    call(second, body, null);

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> call(channel(), body, null));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(
            proxy
                .metrics()
                .counterValue(
                    "traccia_proxy_closed_connections",
                    "transport",
                    "grpc",
                    "reason",
                    "connection_limit"))
        .isGreaterThanOrEqualTo(1);
    first.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(call(channel(), body, null)).isNotNull());
  }

  @Test
  void silentConnection_closedAfterTheHandshakeTimeout() throws Exception {
    start(
        64 * 1024,
        new ReceiverLimits(
            4096,
            Duration.ofMillis(300),
            Duration.ofSeconds(30),
            Duration.ofMinutes(2),
            16384,
            100));

    try (java.net.Socket silent = new java.net.Socket("127.0.0.1", proxy.grpcPort())) {
      silent.setSoTimeout(10_000);
      assertThat(HttpBoundsTest.closedByServer(silent)).isTrue();
    }
  }

  @Test
  void metadataOverTheLimit_refusedAndTheServerStillServes() throws Exception {
    start(
        64 * 1024,
        new ReceiverLimits(
            4096,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofMinutes(2),
            1024,
            100));
    ManagedChannel channel = channel();
    Metadata large = new Metadata();
    large.put(Metadata.Key.of("x-padding", Metadata.ASCII_STRING_MARSHALLER), "a".repeat(4000));

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    io.grpc.ClientInterceptors.intercept(
                        channel, io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(large)),
                    GrpcReceiver.method(Signal.TRACES),
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    TestData.traces(1).toByteArray()));

    assertThat(e).isNotNull();
    assertThat(e.getStatus().getCode()).isNotEqualTo(Status.Code.OK);
    assertThat(call(channel(), TestData.traces(1).toByteArray(), null)).isNotNull();
  }
}
