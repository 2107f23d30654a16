/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.server.ProxyServer;
import ai.traccia.proxy.server.RecordingExporter;
import ai.traccia.proxy.server.TestData;
import ai.traccia.proxy.server.export.ExportResult;
import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.ingest.IngestResult;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The receivers answer the same outcome with the same counts, codes, messages and delays. */
class ExportReplyTest {

  /** What a client learns from an answer, whichever transport carried it. */
  private record Answer(int code, String message, long rejected, Long retrySeconds) {}

  /** {@code reply} as the HTTP receiver writes it (protobuf), read back as a client reads it. */
  private static Answer overHttp(Signal signal, ExportReply reply) throws Exception {
    FullHttpResponse response = OtlpHttpHandler.reply(signal, false, reply);
    try {
      byte[] body = ByteBufUtil.getBytes(response.content());
      String retryAfter = response.headers().get(HttpHeaderNames.RETRY_AFTER);
      Long seconds = retryAfter == null ? null : Long.parseLong(retryAfter);
      if (response.status().code() == 200) {
        return accepted(signal, body);
      }
      assertThat(response.status().code()).isEqualTo(reply.httpStatus());
      com.google.rpc.Status status = com.google.rpc.Status.parseFrom(body);
      return new Answer(status.getCode(), status.getMessage(), 0, seconds);
    } finally {
      response.release();
    }
  }

  /** {@code reply} as the gRPC receiver sends it, read back as a client reads it. */
  private static Answer overGrpc(Signal signal, ExportReply reply) throws Exception {
    if (reply.kind() == ExportReply.Kind.ACCEPTED) {
      return accepted(signal, reply.exportResponse(signal).toByteArray());
    }
    return grpcError(reply.grpcError());
  }

  private static Answer grpcError(StatusRuntimeException e) throws Exception {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    Long seconds = null;
    if (status != null && status.getDetailsCount() > 0) {
      com.google.protobuf.Duration delay =
          status.getDetails(0).unpack(RetryInfo.class).getRetryDelay();
      // A client rounds a RetryInfo delay as Retry-After does: whole seconds, at least one.
      seconds = Math.max(1, delay.getSeconds() + (delay.getNanos() > 0 ? 1 : 0));
    }
    return new Answer(e.getStatus().getCode().value(), e.getStatus().getDescription(), 0, seconds);
  }

  private static Answer accepted(Signal signal, byte[] body) throws Exception {
    if (signal == Signal.LOGS) {
      var partial = ExportLogsServiceResponse.parseFrom(body).getPartialSuccess();
      return new Answer(0, partial.getErrorMessage(), partial.getRejectedLogRecords(), null);
    }
    var partial = ExportTraceServiceResponse.parseFrom(body).getPartialSuccess();
    return new Answer(0, partial.getErrorMessage(), partial.getRejectedSpans(), null);
  }

  @Test
  void everyOutcome_sameAnswerOnBothTransports() throws Exception {
    List<ExportReply> outcomes =
        List.of(
            ExportReply.of(
                IngestResult.retryLater("queue full; retry later", Duration.ofSeconds(1))),
            ExportReply.of(IngestResult.retryLater("shutting down", Duration.ofMillis(2500))),
            ExportReply.busy(),
            ExportReply.overMemory(1024),
            ExportReply.malformed(Signal.TRACES, "protobuf", "truncated"),
            ExportReply.internal(new IllegalStateException("boom")));
    for (ExportReply reply : outcomes) {
      assertThat(overHttp(Signal.TRACES, reply))
          .as(reply.message())
          .isEqualTo(overGrpc(Signal.TRACES, reply));
    }
  }

  @Test
  void refusals_pinCodesAndDelays() throws Exception {
    assertThat(overGrpc(Signal.TRACES, ExportReply.busy()))
        .isEqualTo(
            new Answer(
                Code.UNAVAILABLE_VALUE,
                "the proxy's workers cannot take more calls now; retry later",
                0,
                1L));
    assertThat(overHttp(Signal.LOGS, ExportReply.overMemory(1024)))
        .isEqualTo(
            new Answer(
                Code.UNAVAILABLE_VALUE,
                "the proxy holds as many requests in memory as it may (1024 bytes,"
                    + " rate_limiting.max_buffer_bytes); retry later",
                0,
                1L));
    assertThat(overHttp(Signal.METRICS, ExportReply.malformed(Signal.METRICS, "JSON", "bad")))
        .isEqualTo(
            new Answer(
                Code.INVALID_ARGUMENT_VALUE,
                "could not decode the request as an OTLP ExportMetricsServiceRequest (JSON): bad",
                0,
                null));
    assertThat(ExportReply.internal(new IllegalStateException("x")).httpStatus()).isEqualTo(500);
    assertThat(ExportReply.busy().httpStatus()).isEqualTo(503);
    assertThat(
            ExportReply.of(IngestResult.retryLater("x", Duration.ofMillis(2500)))
                .retryAfterSeconds())
        .isEqualTo(3);
  }

  // --- both receivers of one proxy, over the network ------------------------------------------

  private final RecordingExporter exporter = new RecordingExporter();
  private ProxyServer proxy;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  private void start(int queueSize) throws Exception {
    proxy =
        ProxyServer.start(
            ProxyServer.options()
                .setBindAddress("127.0.0.1")
                .setGrpcPort(0)
                .setHttpPort(0)
                .setAdminPort(0)
                .setMaxQueueSize(queueSize)
                .setScheduleDelay(Duration.ofMillis(10))
                .setShutdownTimeout(Duration.ofMillis(200))
                .setPipeline(
                    SpanPipeline.builder()
                        .addProcessor(
                            b -> {
                              for (int i = 1; i < b.size(); i += 2) {
                                b.reject(i, RejectReason.INVALID);
                              }
                            })
                        .build())
                .addExporter(exporter)
                .build());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", proxy.grpcPort()).usePlaintext().build();
  }

  private Answer sendHttp(Signal signal, byte[] body) throws Exception {
    HttpResponse<byte[]> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + proxy.httpPort() + signal.httpPath()))
                    .header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    Long seconds = response.headers().firstValue("Retry-After").map(Long::parseLong).orElse(null);
    if (response.statusCode() == 200) {
      return accepted(signal, response.body());
    }
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(response.body());
    return new Answer(status.getCode(), status.getMessage(), 0, seconds);
  }

  private Answer sendGrpc(Signal signal, byte[] body) throws Exception {
    try {
      return accepted(
          signal,
          ClientCalls.blockingUnaryCall(
              channel,
              GrpcReceiver.method(signal),
              CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
              body));
    } catch (StatusRuntimeException e) {
      return grpcError(e);
    }
  }

  @Test
  void receivers_partialSuccessAndMalformed_sameAnswer() throws Exception {
    start(1000);
    byte[] traces = TestData.traces(10).toByteArray();

    Answer http = sendHttp(Signal.TRACES, traces);
    Answer grpc = sendGrpc(Signal.TRACES, traces);

    assertThat(http).isEqualTo(grpc);
    assertThat(http.rejected()).isEqualTo(5);
    assertThat(http.message()).isEqualTo("refused 5 of 10 spans: 5 invalid");

    byte[] garbage = {(byte) 0xff, 0x01, 0x02};
    Answer badHttp = sendHttp(Signal.LOGS, garbage);
    assertThat(badHttp).isEqualTo(sendGrpc(Signal.LOGS, garbage));
    assertThat(badHttp.code()).isEqualTo(Code.INVALID_ARGUMENT_VALUE);
    assertThat(badHttp.message())
        .startsWith(
            "could not decode the request as an OTLP ExportLogsServiceRequest (protobuf): ");
  }

  @Test
  void receivers_queueFull_sameAnswer() throws Exception {
    start(1);
    exporter.answerWith(r -> new CompletableFuture<ExportResult>()); // holds its room
    byte[] logs = TestData.logs(1).toByteArray();
    assertThat(sendGrpc(Signal.LOGS, logs).code()).isZero(); // takes the only room

    Answer http = sendHttp(Signal.LOGS, logs);
    Answer grpc = sendGrpc(Signal.LOGS, logs);

    assertThat(http).isEqualTo(grpc);
    assertThat(http.code()).isEqualTo(Code.UNAVAILABLE_VALUE);
    assertThat(http.retrySeconds()).isEqualTo(1);
    assertThat(http.message()).startsWith("the export queue of recording is full (");
  }
}
