/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.codec.OtlpJson;
import ai.traccia.proxy.server.ProxyServer;
import ai.traccia.proxy.server.RecordingExporter;
import ai.traccia.proxy.server.TestData;
import ai.traccia.proxy.server.export.ExportResult;
import ai.traccia.proxy.server.export.Signal;
import com.google.rpc.Code;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpReceiverTest {

  private static final long LIMIT = 64 * 1024;

  private final HttpClient client = HttpClient.newHttpClient();
  private final RecordingExporter exporter = new RecordingExporter();
  private ProxyServer proxy;

  @BeforeEach
  void start() throws Exception {
    proxy = start(50_000);
  }

  private ProxyServer start(int queueSize) throws Exception {
    return ProxyServer.start(
        ProxyServer.options()
            .setGrpcPort(0)
            .setHttpPort(0)
            .setAdminPort(0)
            .setMaxRequestBytes(LIMIT)
            .setMaxQueueSize(queueSize)
            .setScheduleDelay(Duration.ofMillis(10))
            .addExporter(exporter)
            .build());
  }

  @AfterEach
  void stop() {
    proxy.close();
  }

  private HttpResponse<byte[]> post(String path, String type, byte[] body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + path))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (type != null) {
      b.header("Content-Type", type);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  private static com.google.rpc.Status status(HttpResponse<byte[]> response) throws Exception {
    return com.google.rpc.Status.parseFrom(response.body());
  }

  private double refused(String reason, Signal signal) {
    return proxy
        .metrics()
        .counterValue(
            "traccia_proxy_refused_requests",
            "signal",
            signal.label(),
            "transport",
            "http",
            "reason",
            reason);
  }

  @Test
  void protobufTraces_forwardedAsTheSameBytes() throws Exception {
    byte[] body = TestData.traces(3).toByteArray();

    HttpResponse<byte[]> response = post("/v1/traces", "application/x-protobuf", body);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
    assertThat(ExportTraceServiceResponse.parseFrom(response.body()).hasPartialSuccess()).isFalse();
    proxy.flush(Duration.ofSeconds(5));
    assertThat(exporter.requests(Signal.TRACES)).hasSize(1);
    assertThat(exporter.requests(Signal.TRACES).get(0).body()).isEqualTo(body);
    assertThat(exporter.requests(Signal.TRACES).get(0).itemCount()).isEqualTo(3);
  }

  @Test
  void jsonTraces_arriveAsTheSameRequest() throws Exception {
    ExportTraceServiceRequest request = TestData.traces(2);

    HttpResponse<byte[]> response =
        post(
            "/v1/traces",
            "application/json",
            OtlpJson.print(request).getBytes(StandardCharsets.UTF_8));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(text(response)).isEqualTo("{}");
    proxy.flush(Duration.ofSeconds(5));
    assertThat(RecordingExporter.traces(exporter.requests(Signal.TRACES).get(0)))
        .isEqualTo(request);
  }

  @Test
  void gzipBody_inflated() throws Exception {
    byte[] body = TestData.traces(5).toByteArray();

    HttpResponse<byte[]> response =
        post("/v1/traces", "application/x-protobuf", gzip(body), "Content-Encoding", "gzip");

    assertThat(response.statusCode()).isEqualTo(200);
    proxy.flush(Duration.ofSeconds(5));
    assertThat(exporter.requests(Signal.TRACES).get(0).body()).isEqualTo(body);
  }

  @Test
  void metricsAndLogs_passThroughUnchanged() throws Exception {
    byte[] metrics = TestData.metrics(4).toByteArray();
    byte[] logs = TestData.logs(3).toByteArray();

    assertThat(post("/v1/metrics", "application/x-protobuf", metrics).statusCode()).isEqualTo(200);
    assertThat(post("/v1/logs", "application/x-protobuf", logs).statusCode()).isEqualTo(200);

    proxy.flush(Duration.ofSeconds(5));
    assertThat(exporter.requests(Signal.METRICS).get(0).body()).isEqualTo(metrics);
    assertThat(exporter.requests(Signal.METRICS).get(0).itemCount()).isEqualTo(4);
    assertThat(exporter.requests(Signal.LOGS).get(0).body()).isEqualTo(logs);
    assertThat(exporter.requests(Signal.LOGS).get(0).itemCount()).isEqualTo(3);
  }

  @Test
  void truncatedProtobuf_badRequest() throws Exception {
    byte[] body = TestData.traces(3).toByteArray();

    HttpResponse<byte[]> response =
        post("/v1/traces", "application/x-protobuf", Arrays.copyOf(body, body.length - 7));

    assertThat(response.statusCode()).isEqualTo(400);
    com.google.rpc.Status status = status(response);
    assertThat(status.getCode()).isEqualTo(Code.INVALID_ARGUMENT_VALUE);
    assertThat(status.getMessage())
        .startsWith(
            "could not decode the request as an OTLP ExportTraceServiceRequest (protobuf): ");
    assertThat(refused("malformed", Signal.TRACES)).isEqualTo(1);
    assertHealthy();
  }

  @Test
  void garbageProtobuf_badRequest() throws Exception {
    byte[] garbage = "this is not protobuf at all".getBytes(StandardCharsets.UTF_8);

    HttpResponse<byte[]> response = post("/v1/logs", "application/x-protobuf", garbage);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(status(response).getMessage())
        .startsWith(
            "could not decode the request as an OTLP ExportLogsServiceRequest (protobuf): ");
    assertThat(refused("malformed", Signal.LOGS)).isEqualTo(1);
    assertHealthy();
  }

  @Test
  void invalidJson_badRequestInJson() throws Exception {
    HttpResponse<byte[]> response =
        post(
            "/v1/traces",
            "application/json",
            "{\"resourceSpans\": [".getBytes(StandardCharsets.UTF_8));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(text(response))
        .contains("\"code\":3")
        .contains("could not decode the request as an OTLP ExportTraceServiceRequest (JSON): ");
    assertHealthy();
  }

  @Test
  void emptyProtobufBody_isAnEmptyExport() throws Exception {
    HttpResponse<byte[]> response = post("/v1/traces", "application/x-protobuf", new byte[0]);

    assertThat(response.statusCode()).isEqualTo(200);
    proxy.flush(Duration.ofSeconds(5));
    assertThat(exporter.requests()).isEmpty();
  }

  @Test
  void emptyJsonBody_badRequest() throws Exception {
    HttpResponse<byte[]> response = post("/v1/traces", "application/json", new byte[0]);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(text(response)).contains("could not decode the request").contains("empty");
    assertThat(refused("malformed", Signal.TRACES)).isEqualTo(1);
  }

  @Test
  void wrongContentType_unsupportedMediaType() throws Exception {
    HttpResponse<byte[]> response = post("/v1/traces", "text/plain", new byte[] {1, 2});

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(text(response))
        .isEqualTo(
            "unsupported Content-Type 'text/plain'; send application/x-protobuf or"
                + " application/json\n");
    assertThat(refused("unsupported_media_type", Signal.TRACES)).isEqualTo(1);
    assertHealthy();
  }

  @Test
  void unknownContentEncoding_unsupportedMediaType() throws Exception {
    HttpResponse<byte[]> response =
        post("/v1/traces", "application/x-protobuf", new byte[] {1}, "Content-Encoding", "br");

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(text(response))
        .isEqualTo("unsupported Content-Encoding 'br'; send gzip, deflate or identity\n");
  }

  @Test
  void wrongMethod_methodNotAllowed() throws Exception {
    HttpResponse<byte[]> response =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + proxy.httpPort() + "/v1/traces"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("POST");
    assertThat(text(response)).isEqualTo("method GET is not allowed on /v1/traces; use POST\n");
    assertThat(refused("method_not_allowed", Signal.TRACES)).isEqualTo(1);
  }

  @Test
  void unknownPath_notFound() throws Exception {
    HttpResponse<byte[]> response = post("/v1/spans", "application/x-protobuf", new byte[0]);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(text(response))
        .isEqualTo(
            "no OTLP endpoint at /v1/spans; send traces to /v1/traces, metrics to /v1/metrics"
                + " and logs to /v1/logs\n");
    assertThat(refused("not_found", Signal.TRACES)).isEqualTo(1);
  }

  @Test
  void declaredLengthOverLimit_refusedBeforeTheBody() throws Exception {
    String head =
        "POST /v1/traces HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-protobuf\r\n"
            + "Content-Length: "
            + (LIMIT + 1)
            + "\r\n\r\n";
    String response;
    try (Socket socket = new Socket("127.0.0.1", proxy.httpPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      response = new String(readAll(socket.getInputStream()), StandardCharsets.ISO_8859_1);
    }

    assertThat(response).startsWith("HTTP/1.1 413 Request Entity Too Large");
    assertThat(response)
        .contains(
            "the request body of 65537 bytes is over the limit of 65536 bytes"
                + " (server.max_request_bytes); send smaller batches");
    assertThat(refused("too_large", Signal.TRACES)).isEqualTo(1);
    assertHealthy();
  }

  @Test
  void chunkedBodyOverLimit_tooLarge() throws Exception {
    byte[] big = new byte[(int) LIMIT + 10];
    HttpResponse<byte[]> response =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + proxy.httpPort() + "/v1/traces"))
                .header("Content-Type", "application/x-protobuf")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(big)))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(status(response).getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED_VALUE);
    assertHealthy();
  }

  @Test
  void gzipBomb_refusedWithoutInflatingItAll() throws Exception {
    // 64 MiB of zeros compress to about 64 KiB; the limit is 64 KiB inflated.
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(compressed)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 64; i++) {
        gz.write(zeros);
      }
    }
    assertThat(compressed.size()).isLessThan((int) LIMIT);

    HttpResponse<byte[]> response =
        post(
            "/v1/traces",
            "application/x-protobuf",
            compressed.toByteArray(),
            "Content-Encoding",
            "gzip");

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(status(response).getMessage())
        .isEqualTo("the request body inflates to more than the limit of 65536 bytes");
    assertThat(refused("too_large", Signal.TRACES)).isEqualTo(1);
    assertHealthy();
  }

  @Test
  void invalidGzip_badRequest() throws Exception {
    HttpResponse<byte[]> response =
        post(
            "/v1/traces",
            "application/x-protobuf",
            "not gzip".getBytes(StandardCharsets.UTF_8),
            "Content-Encoding",
            "gzip");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(status(response).getMessage()).startsWith("the body is not valid gzip: ");
  }

  @Test
  void queueFull_serviceUnavailableWithRetryAfter() throws Exception {
    proxy.close();
    proxy = start(5);
    CompletableFuture<ExportResult> never = new CompletableFuture<>();
    exporter.answerWith(r -> never);

    HttpResponse<byte[]> first =
        post("/v1/traces", "application/x-protobuf", TestData.traces(5).toByteArray());
    HttpResponse<byte[]> second =
        post("/v1/traces", "application/x-protobuf", TestData.traces(1).toByteArray());

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(second.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(status(second).getCode()).isEqualTo(Code.UNAVAILABLE_VALUE);
    assertThat(status(second).getMessage())
        .isEqualTo("the export queue of recording is full (5 items); retry later");
    assertThat(
            proxy
                .metrics()
                .counterValue(
                    "traccia_proxy_refused_items",
                    "signal",
                    "traces",
                    "transport",
                    "http",
                    "reason",
                    "queue_full"))
        .isEqualTo(1);
    never.complete(ExportResult.success());
  }

  @Test
  void overTheRateLimit_tooManyRequestsWithRetryAfter() throws Exception {
    proxy.close();
    proxy =
        ProxyServer.start(
            ProxyServer.options()
                .setGrpcPort(0)
                .setHttpPort(0)
                .setAdminPort(0)
                .setMaxSpansPerSecond(0.25)
                .setMaxBlock(Duration.ZERO)
                .addExporter(exporter)
                .build());

    HttpResponse<byte[]> first =
        post("/v1/traces", "application/x-protobuf", TestData.traces(1).toByteArray());
    HttpResponse<byte[]> second =
        post("/v1/traces", "application/x-protobuf", TestData.traces(1).toByteArray());

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(429);
    // One token at 0.25 per second is about 4 s away.
    assertThat(second.headers().firstValue("Retry-After")).hasValue("4");
    assertThat(status(second).getCode()).isEqualTo(Code.UNAVAILABLE_VALUE);
    assertThat(status(second).getMessage())
        .isEqualTo(
            "the proxy accepts at most 0.25 spans per second"
                + " (rate_limiting.max_spans_per_second); retry later");
    assertThat(refused("rate_limited", Signal.TRACES)).isEqualTo(1);
  }

  @Test
  void overTheMemoryBudget_serviceUnavailableBeforeTheBodyIsDecoded() throws Exception {
    proxy.close();
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
                .setScheduleDelay(Duration.ofMillis(10))
                .addExporter(exporter)
                .build());

    HttpResponse<byte[]> first = post("/v1/traces", "application/x-protobuf", body);
    // The first request's bytes are held by the queue until its export finishes.
    HttpResponse<byte[]> second = post("/v1/traces", "application/x-protobuf", body);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(second.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(status(second).getCode()).isEqualTo(Code.UNAVAILABLE_VALUE);
    assertThat(status(second).getMessage())
        .isEqualTo(
            "the proxy holds as many requests in memory as it may ("
                + 2 * body.length
                + " bytes, rate_limiting.max_buffer_bytes); retry later");
    assertThat(refused("memory_limit", Signal.TRACES)).isEqualTo(1);
    assertThat(proxy.memoryBudget().used()).isEqualTo(body.length);

    never.complete(ExportResult.success());
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.memoryBudget().used() == 0);
    assertThat(post("/v1/traces", "application/x-protobuf", body).statusCode()).isEqualTo(200);
  }

  private void assertHealthy() throws Exception {
    HttpResponse<String> health =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + "/healthz"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    HttpResponse<byte[]> good =
        post("/v1/traces", "application/x-protobuf", TestData.traces(1).toByteArray());
    assertThat(good.statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(exporter.spans()).isNotEmpty());
  }

  private static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  private static byte[] readAll(InputStream in) throws Exception {
    return in.readAllBytes();
  }
}
