/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.server.ProxyServer;
import ai.traccia.proxy.server.RecordingExporter;
import ai.traccia.proxy.server.TestData;
import ai.traccia.proxy.server.export.ExportResult;
import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.ingest.Ingest;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.queue.MemoryBudget;
import com.google.rpc.RetryInfo;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GrpcReceiverTest {

  private final RecordingExporter exporter = new RecordingExporter();
  private ProxyServer proxy;
  private ManagedChannel channel;

  private void start(int queueSize, SpanPipeline pipeline) throws Exception {
    proxy =
        ProxyServer.start(
            ProxyServer.options()
                .setGrpcPort(0)
                .setHttpPort(0)
                .setAdminPort(0)
                .setMaxRequestBytes(64 * 1024)
                .setMaxQueueSize(queueSize)
                .setScheduleDelay(Duration.ofMillis(10))
                .setPipeline(pipeline)
                .addExporter(exporter)
                .build());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", proxy.grpcPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      channel = null;
    }
    if (proxy != null) {
      proxy.close();
      proxy = null;
    }
  }

  private byte[] call(Signal signal, byte[] body) {
    return ClientCalls.blockingUnaryCall(
        channel,
        GrpcReceiver.method(signal),
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        body);
  }

  @Test
  void export_forwardsEverySignalAsTheSameBytes() throws Exception {
    start(1000, SpanPipeline.empty());
    byte[] traces = TestData.traces(3).toByteArray();
    byte[] metrics = TestData.metrics(2).toByteArray();
    byte[] logs = TestData.logs(4).toByteArray();

    assertThat(
            ExportTraceServiceResponse.parseFrom(call(Signal.TRACES, traces)).hasPartialSuccess())
        .isFalse();
    call(Signal.METRICS, metrics);
    call(Signal.LOGS, logs);

    proxy.flush(Duration.ofSeconds(5));
    assertThat(exporter.requests(Signal.TRACES).get(0).body()).isEqualTo(traces);
    assertThat(exporter.requests(Signal.METRICS).get(0).body()).isEqualTo(metrics);
    assertThat(exporter.requests(Signal.LOGS).get(0).body()).isEqualTo(logs);
    assertThat(
            proxy
                .metrics()
                .counterValue(
                    "traccia_proxy_accepted_items", "signal", "logs", "transport", "grpc"))
        .isEqualTo(4);
  }

  /** Sends {@code body} and expects UNAVAILABLE with {@code description} and a 1 s RetryInfo. */
  private void assertRefusedForASecond(byte[] body, String description) throws Exception {
    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> call(Signal.TRACES, body));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).isEqualTo(description);
    RetryInfo retryInfo = StatusProto.fromThrowable(e).getDetails(0).unpack(RetryInfo.class);
    assertThat(retryInfo.getRetryDelay().getSeconds()).isEqualTo(1);
  }

  /** A processor that notes the thread it runs on and says whether it reads spans. */
  private static SpanBatchProcessor threadRecorder(boolean readsSpans, List<String> threads) {
    return new SpanBatchProcessor() {
      @Override
      public void process(SpanBatch batch) {
        threads.add(Thread.currentThread().getName());
      }

      @Override
      public boolean readsSpans() {
        return readsSpans;
      }
    };
  }

  @Test
  void calls_runOnAWorkerOnlyWhenAProcessorReadsSpans() throws Exception {
    List<String> threads = new CopyOnWriteArrayList<>();
    start(1000, SpanPipeline.builder().addProcessor(threadRecorder(true, threads)).build());
    call(Signal.TRACES, TestData.traces(2).toByteArray());
    stop();

    start(1000, SpanPipeline.builder().addProcessor(threadRecorder(false, threads)).build());
    call(Signal.TRACES, TestData.traces(2).toByteArray());

    assertThat(threads).hasSize(2);
    assertThat(threads.get(0)).startsWith("traccia-grpc-");
    // Nothing on the path blocks: the transport thread that read the call handles it.
    assertThat(threads.get(1)).doesNotStartWith("traccia-grpc-");
  }

  @Test
  void garbage_invalidArgument() throws Exception {
    start(1000, SpanPipeline.empty());

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> call(Signal.TRACES, new byte[] {(byte) 0xff, 1, 2}));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .startsWith(
            "could not decode the request as an OTLP ExportTraceServiceRequest (protobuf): ");
    assertThat(call(Signal.TRACES, TestData.traces(1).toByteArray())).isNotNull();
  }

  @Test
  void overLimit_resourceExhaustedAndCounted() throws Exception {
    start(1000, SpanPipeline.empty());

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> call(Signal.TRACES, TestData.traces(2000).toByteArray()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(
            proxy
                .metrics()
                .counterValue(
                    "traccia_proxy_refused_requests",
                    "signal",
                    "traces",
                    "transport",
                    "grpc",
                    "reason",
                    "too_large"))
        .isEqualTo(1);
    assertThat(call(Signal.TRACES, TestData.traces(1).toByteArray())).isNotNull();
  }

  @Test
  void queueFull_unavailableWithRetryInfo() throws Exception {
    start(3, SpanPipeline.empty());
    CompletableFuture<ExportResult> never = new CompletableFuture<>();
    exporter.answerWith(r -> never);
    call(Signal.TRACES, TestData.traces(3).toByteArray());

    assertRefusedForASecond(
        TestData.traces(1).toByteArray(),
        "the export queue of recording is full (3 items); retry later");
    never.complete(ExportResult.success());
  }

  @Test
  void workersRefuseTheCall_unavailableWithRetryInfo() throws Exception {
    ExecutorService stopped = Executors.newSingleThreadExecutor();
    stopped.shutdown();
    SelfMetrics metrics = new SelfMetrics();
    SpanPipeline reading =
        SpanPipeline.builder()
            .addProcessor(threadRecorder(true, new CopyOnWriteArrayList<>()))
            .build();
    Receivers receivers =
        new Receivers(
            64 * 1024,
            ReceiverLimits.DEFAULTS,
            new Ingest(reading, List.of(), metrics),
            metrics,
            MemoryBudget.of(1 << 20),
            null,
            BearerAuth.none());
    GrpcReceiver receiver = receivers.startGrpc("127.0.0.1", 0, stopped);
    try {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", receiver.port()).usePlaintext().build();

      assertRefusedForASecond(
          TestData.traces(1).toByteArray(),
          "the proxy's workers cannot take more calls now; retry later");
    } finally {
      receiver.stop(1000);
      receivers.close(1000);
    }
  }

  @Test
  void handleSafely_unexpectedFailureAnsweredInternal() {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    StreamObserver<byte[]> response =
        new StreamObserver<>() {
          @Override
          public void onNext(byte[] value) {}

          @Override
          public void onError(Throwable t) {
            errors.add(t);
          }

          @Override
          public void onCompleted() {}
        };

    GrpcReceiver.handleSafely(
        Signal.TRACES,
        new byte[0],
        response,
        (body, observer) -> {
          throw new IllegalStateException("a bug");
        });

    assertThat(errors).hasSize(1);
    Status status = Status.fromThrowable(errors.get(0));
    assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(status.getDescription())
        .isEqualTo("internal error: java.lang.IllegalStateException: a bug");
  }

  @Test
  void overTheRateLimit_unavailableWithRetryInfo() throws Exception {
    proxy =
        ProxyServer.start(
            ProxyServer.options()
                .setGrpcPort(0)
                .setHttpPort(0)
                .setAdminPort(0)
                .setMaxSpansPerSecond(2)
                .setMaxBlock(Duration.ZERO)
                .addExporter(exporter)
                .build());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", proxy.grpcPort()).usePlaintext().build();
    call(Signal.TRACES, TestData.traces(2).toByteArray());

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> call(Signal.TRACES, TestData.traces(2).toByteArray()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription())
        .isEqualTo(
            "the proxy accepts at most 2.0 spans per second"
                + " (rate_limiting.max_spans_per_second); retry later");
    RetryInfo retryInfo = StatusProto.fromThrowable(e).getDetails(0).unpack(RetryInfo.class);
    long delayMillis =
        retryInfo.getRetryDelay().getSeconds() * 1000
            + retryInfo.getRetryDelay().getNanos() / 1_000_000;
    // Two tokens at 2 per second: at most a second away.
    assertThat(delayMillis).isBetween(1L, 1000L);
  }

  @Test
  void overTheMemoryBudget_unavailableBeforeDecoding() throws Exception {
    CompletableFuture<ExportResult> never = new CompletableFuture<>();
    exporter.answerWith(r -> never);
    byte[] body = TestData.traces(5).toByteArray();
    proxy =
        ProxyServer.start(
            ProxyServer.options()
                .setGrpcPort(0)
                .setHttpPort(0)
                .setAdminPort(0)
                .setMaxBufferBytes(2L * body.length)
                .addExporter(exporter)
                .build());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", proxy.grpcPort()).usePlaintext().build();
    call(Signal.TRACES, body);

    assertRefusedForASecond(
        body,
        "the proxy holds as many requests in memory as it may ("
            + 2 * body.length
            + " bytes, rate_limiting.max_buffer_bytes); retry later");
    never.complete(ExportResult.success());
  }

  @Test
  void processorRejections_reportedAsPartialSuccess() throws Exception {
    start(
        1000,
        SpanPipeline.builder()
            .addProcessor(
                batch -> {
                  for (int i = 0; i < batch.size(); i += 2) {
                    batch.reject(i, RejectReason.RATE_LIMITED);
                  }
                })
            .build());

    ExportTraceServiceResponse response =
        ExportTraceServiceResponse.parseFrom(call(Signal.TRACES, TestData.traces(4).toByteArray()));

    assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(2);
    assertThat(response.getPartialSuccess().getErrorMessage())
        .isEqualTo("refused 2 of 4 spans: 2 rate_limited");
    proxy.flush(Duration.ofSeconds(5));
    assertThat(exporter.spans())
        .extracting(s -> s.getName())
        .containsExactly("chat gpt-4o 1", "chat gpt-4o 3");
  }
}
