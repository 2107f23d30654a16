/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.traccia.proxy.codec.OtlpJson;
import ai.traccia.proxy.server.ProxyServer;
import ai.traccia.proxy.server.RecordingExporter;
import ai.traccia.proxy.server.TestData;
import ai.traccia.proxy.server.export.Signal;
import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests a strict backend would refuse, or that try the proxy's bounds, sent through the real
 * receivers between the requests of a well-behaved client: each is refused with the field that
 * broke the rule, and the other client's spans are all exported.
 */
class HostileInputTest {

  private static final String SPAN = "resource_spans[0].scope_spans[0].spans[0]";

  private final HttpClient client = HttpClient.newHttpClient();
  private final RecordingExporter exporter = new RecordingExporter();
  private ProxyServer proxy;
  private ManagedChannel channel;
  private int goodSpans;

  @BeforeEach
  void start() throws Exception {
    proxy =
        ProxyServer.start(
            ProxyServer.options()
                .setGrpcPort(0)
                .setHttpPort(0)
                .setAdminPort(0)
                .setScheduleDelay(Duration.ofMillis(10))
                .addExporter(exporter)
                .build());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", proxy.grpcPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    proxy.close();
  }

  @Test
  void badIds_refusedOnEveryPathWhileAnotherClientsSpansAreExported() throws Exception {
    for (int length = 0; length <= 100; length++) {
      if (length == 16) {
        continue;
      }
      Span bad = TestData.span(1, "bad").toBuilder().setTraceId(id(length)).build();
      String field =
          SPAN + ".trace_id: " + (length == 0 ? "missing" : length + " bytes") + " (expected: 16";

      sendGood();
      assertGrpcRefused(request(bad), field);
      sendGood();
      assertHttpRefused(request(bad).toByteArray(), field);
      sendGood();
      // JSON carries ids as hex; its reader names the field as JSON does.
      HttpResponse<String> json = postJson(OtlpJson.print(request(bad)));
      assertThat(json.statusCode()).isEqualTo(400);
      assertThat(json.body())
          .contains("\"code\":3")
          .contains("resourceSpans[0].scopeSpans[0].spans[0].traceId: ");
    }
    Span zeros =
        TestData.span(1, "bad").toBuilder().setSpanId(ByteString.copyFrom(new byte[8])).build();
    assertGrpcRefused(
        request(zeros), SPAN + ".span_id: all zeros (expected: 8 bytes, not all zeros)");
    assertHttpRefused(
        request(zeros).toByteArray(),
        SPAN + ".span_id: all zeros (expected: 8 bytes, not all zeros)");
    assertThat(postJson(OtlpJson.print(request(zeros))).body())
        .contains(
            "resourceSpans[0].scopeSpans[0].spans[0].spanId: \\\"0000000000000000\\\" is all zeros");

    proxy.flush(Duration.ofSeconds(10));
    assertThat(exporter.spans()).hasSize(goodSpans);
    assertThat(exporter.spans()).extracting(Span::getName).doesNotContain("bad");
  }

  @Test
  void hostileContent_refusedWithTheBoundThatWasBroken() throws Exception {
    Span.Builder many = TestData.span(1, "bad").toBuilder().clearAttributes();
    for (int i = 0; i < 100_000; i++) {
      many.addAttributes(kv("k" + i, AnyValue.newBuilder().setIntValue(i).build()));
    }
    sendGood();
    assertHttpRefused(
        request(many.build()).toByteArray(),
        SPAN + ".attributes[1024]: more than 1024 attributes (expected: at most 1024,");
    sendGood();
    assertGrpcRefused(request(many.build()), SPAN + ".attributes[1024]: more than 1024 attributes");
    // The same bound for JSON, which is checked once encoded: answered in JSON.
    sendGood();
    HttpResponse<String> json = postJson(OtlpJson.print(request(many.build())));
    assertThat(json.statusCode()).isEqualTo(400);
    assertThat(json.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(json.body()).contains("(JSON): " + SPAN + ".attributes[1024]: more than 1024");

    byte[] text = new byte[50 * 1024 * 1024];
    Arrays.fill(text, (byte) 'x');
    Span big =
        TestData.span(1, "bad").toBuilder()
            .addAttributes(
                kv(
                    "gen_ai.prompt",
                    AnyValue.newBuilder().setStringValueBytes(ByteString.copyFrom(text)).build()))
            .build();
    sendGood();
    assertHttpRefused(
        request(big).toByteArray(),
        SPAN
            + ".attributes[2].value.string_value: 52428800 bytes (expected: at most 1048576,"
            + " advanced.max_attribute_value_bytes)");

    sendGood();
    assertHttpRefused(
        request(nested(200)).toByteArray(), "Protocol message had too many levels of nesting.");
    sendGood();
    HttpResponse<byte[]> ten = post(request(nested(10)).toByteArray());
    assertThat(ten.statusCode()).isEqualTo(200);

    proxy.flush(Duration.ofSeconds(10));
    assertThat(exporter.spans()).hasSize(goodSpans + 1);
    assertThat(exporter.spans()).extracting(Span::getName).doesNotContain("bad");
  }

  /** A span whose attribute is {@code levels} key-value lists, one inside the other. */
  private static Span nested(int levels) {
    AnyValue value = AnyValue.newBuilder().setStringValue("leaf").build();
    for (int d = 0; d < levels; d++) {
      value =
          AnyValue.newBuilder()
              .setKvlistValue(KeyValueList.newBuilder().addValues(kv("k", value)))
              .build();
    }
    return TestData.span(2, "nested " + levels).toBuilder()
        .addAttributes(kv("deep", value))
        .build();
  }

  /** The well-behaved client: three spans, accepted. */
  private void sendGood() throws Exception {
    HttpResponse<byte[]> response = post(TestData.traces(3).toByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    goodSpans += 3;
  }

  private void assertGrpcRefused(ExportTraceServiceRequest request, String messagePart) {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    GrpcReceiver.method(Signal.TRACES),
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    request.toByteArray()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains(messagePart);
  }

  private void assertHttpRefused(byte[] body, String messagePart) throws Exception {
    HttpResponse<byte[]> response = post(body);
    assertThat(response.statusCode()).isEqualTo(400);
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(response.body());
    assertThat(status.getCode()).isEqualTo(Code.INVALID_ARGUMENT_VALUE);
    assertThat(status.getMessage()).contains(messagePart);
  }

  private HttpResponse<byte[]> post(byte[] body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/v1/traces"))
            .header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<String> postJson(String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/v1/traces"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static ExportTraceServiceRequest request(Span span) {
    ExportTraceServiceRequest one = TestData.traces(1);
    return one.toBuilder()
        .setResourceSpans(
            0,
            one.getResourceSpans(0).toBuilder()
                .setScopeSpans(
                    0, one.getResourceSpans(0).getScopeSpans(0).toBuilder().setSpans(0, span)))
        .build();
  }

  private static ByteString id(int length) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) 0xab);
    return ByteString.copyFrom(bytes);
  }

  private static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }
}
