/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OtlpHttpExporterTest extends ExporterContract {

  @Override
  protected Exporter newExporter() throws Exception {
    contractServer = server();
    return exporter(allSignals(contractServer));
  }

  @Override
  protected boolean decodesBodies() {
    return false;
  }

  @Override
  protected void assertDestinationHolds(List<ExportRequest> sent) {
    Map<String, Signal> signals =
        Map.of(
            "/v1/traces",
            Signal.TRACES,
            "/v1/metrics",
            Signal.METRICS,
            "/custom/logs",
            Signal.LOGS);
    List<ExportRequest> received = new ArrayList<>();
    for (HttpTestServer.Received r : contractServer.received) {
      assertThat(r.method).isEqualTo("POST");
      assertThat(signals).containsKey(r.path);
      received.add(ExportRequest.of(signals.get(r.path), r.body, 0));
    }
    assertSameRequests(received, sent);
  }

  private HttpTestServer contractServer;

  @TempDir static Path certificates;
  static TestCertificates tls;

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeAll
  static void generateCertificates() throws Exception {
    tls = TestCertificates.generate(certificates);
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
  }

  private HttpTestServer server() throws Exception {
    HttpTestServer server = HttpTestServer.start();
    closeables.add(server);
    return server;
  }

  private OtlpHttpExporter exporter(OtlpHttpExporter.Builder builder) {
    OtlpHttpExporter exporter = builder.build();
    closeables.add(() -> exporter.shutdown().get(10, TimeUnit.SECONDS));
    return exporter;
  }

  private static OtlpHttpExporter.Builder allSignals(HttpTestServer server) {
    return OtlpHttpExporter.builder()
        .setEndpoint(Signal.TRACES, server.url("/v1/traces"))
        .setEndpoint(Signal.METRICS, server.url("/v1/metrics"))
        .setEndpoint(Signal.LOGS, server.url("/custom/logs"));
  }

  private static ExportResult export(OtlpHttpExporter exporter, ExportRequest request)
      throws Exception {
    return exporter.export(request).get(20, TimeUnit.SECONDS);
  }

  @Test
  void export_postsTheBytesUnchangedToEachSignalsUrl() throws Exception {
    HttpTestServer server = server();
    OtlpHttpExporter exporter = exporter(allSignals(server));

    List<ExportRequest> requests =
        List.of(
            TestRequests.traceRequest("a", 3),
            TestRequests.metricsRequest(),
            TestRequests.logsRequest());
    List<String> paths = List.of("/v1/traces", "/v1/metrics", "/custom/logs");
    for (int i = 0; i < requests.size(); i++) {
      assertThat(export(exporter, requests.get(i))).isSameAs(ExportResult.success());
      HttpTestServer.Received received = server.take();
      assertThat(received.method).isEqualTo("POST");
      assertThat(received.path).isEqualTo(paths.get(i));
      assertThat(received.headers.getFirst("Content-Type")).isEqualTo("application/x-protobuf");
      assertThat(received.headers.getFirst("Content-Encoding")).isNull();
      assertThat(received.headers.getFirst("User-Agent")).isEqualTo("traccia-proxy");
      assertThat(received.rawBody).isEqualTo(requests.get(i).body());
    }
  }

  // Issue "Hostile input and exposure", case 8: a token in the endpoint's query was printed.
  @Test
  void export_tokenInTheUrl_neverInAMessageOrALogLine() throws Exception {
    String token = "sk-live-4b1d";
    HttpTestServer server = server();
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    server.replies =
        r -> {
          switch (n.getAndIncrement()) {
            case 0:
              return HttpTestServer.Reply.of(404);
            case 1:
              return HttpTestServer.Reply.of(
                  302,
                  Map.of("Location", "https://new.example.com/v1/traces?token=" + token),
                  new byte[0]);
            case 2:
              return HttpTestServer.Reply.of(503);
            case 3:
              return HttpTestServer.Reply.hang();
            default:
              return HttpTestServer.Reply.of(200);
          }
        };
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.classic.Level level = root.getLevel();
    root.setLevel(ch.qos.logback.classic.Level.DEBUG);
    // The test's backend (the JDK's HttpServer) logs what it receives; it is not the proxy.
    ch.qos.logback.classic.Logger backend =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("com.sun.net.httpserver");
    backend.setLevel(ch.qos.logback.classic.Level.INFO);
    List<String> messages = new ArrayList<>();
    try (LogCapture logs = new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME)) {
      OtlpHttpExporter exporter =
          exporter(
              OtlpHttpExporter.builder()
                  .setEndpoint(
                      Signal.TRACES,
                      URI.create(
                          "http://user:"
                              + token
                              + "@127.0.0.1:"
                              + server.port()
                              + "/v1/traces?token="
                              + token))
                  .setTimeout(Duration.ofMillis(300)));
      for (int i = 0; i < 5; i++) {
        messages.add(String.valueOf(export(exporter, TestRequests.traceRequest("a", 1)).message()));
      }
      messages.add(exporter.toString());
      OtlpHttpExporter refused =
          exporter(
              OtlpHttpExporter.builder()
                  .setEndpoint(
                      Signal.TRACES, URI.create("http://127.0.0.1:1/v1/traces?token=" + token)));
      messages.add(export(refused, TestRequests.traceRequest("a", 1)).message());

      assertThat(messages)
          .hasSize(7)
          .noneMatch(m -> m.contains(token))
          .anyMatch(m -> m.contains("HTTP 404 from http://****@127.0.0.1:"))
          .anyMatch(m -> m.contains("https://new.example.com/v1/traces?****"));
      assertThat(logs.lines()).noneMatch(line -> line.contains(token));
    } finally {
      root.setLevel(level);
      backend.setLevel(null);
    }
  }

  @Test
  void export_gzip() throws Exception {
    HttpTestServer server = server();
    OtlpHttpExporter exporter = exporter(allSignals(server).setCompression("gzip"));
    // A batch joined from requests is compressed part by part, without joining them first.
    ExportRequest request =
        ExportRequest.join(
            Signal.TRACES,
            List.of(
                TestRequests.traceRequest("compressed", 50), TestRequests.traceRequest("more", 5)));

    assertThat(export(exporter, request)).isSameAs(ExportResult.success());

    HttpTestServer.Received received = server.take();
    assertThat(received.headers.getFirst("Content-Encoding")).isEqualTo("gzip");
    assertThat(received.rawBody.length).isLessThan(request.body().length);
    assertThat(received.body).isEqualTo(request.body());
  }

  @Test
  void export_sendsHeadersAndTheApiKey() throws Exception {
    HttpTestServer server = server();
    OtlpHttpExporter exporter =
        exporter(
            allSignals(server)
                .addHeader("X-Scope-OrgID", "tenant-1")
                .setHeaders(Map.of("x-team", "agents"))
                .setApiKey("secret-key"));

    export(exporter, TestRequests.traceRequest("a", 1));

    HttpTestServer.Received received = server.take();
    assertThat(received.headers.getFirst("X-Scope-OrgID")).isEqualTo("tenant-1");
    assertThat(received.headers.getFirst("X-Team")).isEqualTo("agents");
    assertThat(received.headers.getFirst("Authorization")).isEqualTo("Bearer secret-key");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "429|RETRYABLE|HTTP 429 from {url}: the backend is limiting the request rate (busy)",
        "502|RETRYABLE|HTTP 502 from {url}: the backend, or a proxy in front of it, is"
            + " unavailable; make sure the backend is running (busy)",
        "503|RETRYABLE|HTTP 503 from {url}: the backend, or a proxy in front of it, is"
            + " unavailable; make sure the backend is running (busy)",
        "504|RETRYABLE|HTTP 504 from {url}: the backend, or a proxy in front of it, is"
            + " unavailable; make sure the backend is running (busy)",
        "400|PERMANENT|HTTP 400 from {url}: the backend refused the data as invalid (busy)",
        "401|PERMANENT|HTTP 401 from {url}: check the api key / headers (busy)",
        "403|PERMANENT|HTTP 403 from {url}: check the api key / headers (busy)",
        "404|PERMANENT|HTTP 404 from {url}: check the endpoint path (expected .../v1/traces)"
            + " (busy)",
        "405|PERMANENT|HTTP 405 from {url}: the URL does not accept POST; check the endpoint path"
            + " (expected .../v1/traces) (busy)",
        "413|PERMANENT|HTTP 413 from {url}: the request of {bytes} bytes is too large for the"
            + " backend; lower the export batch size (busy)",
        "415|PERMANENT|HTTP 415 from {url}: the backend does not take application/x-protobuf;"
            + " check that the endpoint is an OTLP/HTTP receiver (busy)",
        "409|PERMANENT|HTTP 409 from {url}: the backend refused the request (busy)",
        "500|PERMANENT|HTTP 500 from {url}: the backend failed to handle the request (busy)",
        "501|PERMANENT|HTTP 501 from {url}: the backend failed to handle the request (busy)",
      })
  void export_mapsStatusCodes(int status, ExportResult.Outcome outcome, String message)
      throws Exception {
    HttpTestServer server = server();
    server.replies =
        r ->
            HttpTestServer.Reply.of(
                status, Map.of("Content-Type", "text/plain"), "busy\n".getBytes(UTF_8));
    OtlpHttpExporter exporter = exporter(allSignals(server));
    ExportRequest request = TestRequests.traceRequest("a", 1);

    ExportResult result = export(exporter, request);

    assertThat(result.outcome()).isEqualTo(outcome);
    assertThat(result.message())
        .isEqualTo(
            message
                .replace("{url}", server.url("/v1/traces").toString())
                .replace("{bytes}", Integer.toString(request.body().length)));
    assertThat(result.retryAfter()).isNull();
  }

  @Test
  void export_redirect_namesTheTarget() throws Exception {
    HttpTestServer server = server();
    server.replies =
        r ->
            HttpTestServer.Reply.of(
                301, Map.of("Location", "https://new.example.com/v1/traces"), new byte[0]);
    OtlpHttpExporter exporter = exporter(allSignals(server));

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.PERMANENT);
    assertThat(result.message())
        .isEqualTo(
            "HTTP 301 from "
                + server.url("/v1/traces")
                + ": the backend redirects to https://new.example.com/v1/traces; set the endpoint"
                + " to the final URL");
  }

  @Test
  void export_errorDetail_fromAProtobufStatusBody() throws Exception {
    HttpTestServer server = server();
    byte[] status =
        com.google.rpc.Status.newBuilder()
            .setCode(3)
            .setMessage("span name must not be empty")
            .build()
            .toByteArray();
    server.replies =
        r -> HttpTestServer.Reply.of(400, Map.of("Content-Type", "application/x-protobuf"), status);
    OtlpHttpExporter exporter = exporter(allSignals(server));

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.message())
        .isEqualTo(
            "HTTP 400 from "
                + server.url("/v1/traces")
                + ": the backend refused the data as invalid (span name must not be empty)");
  }

  @Test
  void export_errorDetail_longTextIsCut() throws Exception {
    HttpTestServer server = server();
    String body = "<html>\n<body>" + "x".repeat(1000) + "</body></html>";
    server.replies =
        r ->
            HttpTestServer.Reply.of(500, Map.of("Content-Type", "text/html"), body.getBytes(UTF_8));
    OtlpHttpExporter exporter = exporter(allSignals(server));

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.message())
        .isEqualTo(
            "HTTP 500 from "
                + server.url("/v1/traces")
                + ": the backend failed to handle the request (<html> <body>"
                + "x".repeat(256 - "<html> <body>".length())
                + "...)");
  }

  @Test
  void export_retryAfterSeconds() throws Exception {
    HttpTestServer server = server();
    server.replies = r -> HttpTestServer.Reply.of(429, Map.of("Retry-After", "17"), new byte[0]);
    OtlpHttpExporter exporter = exporter(allSignals(server));

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(result.retryAfter()).isEqualTo(Duration.ofSeconds(17));
    assertThat(result.message())
        .isEqualTo(
            "HTTP 429 from "
                + server.url("/v1/traces")
                + ": the backend is limiting the request rate");
  }

  @Test
  void export_retryAfterHttpDate() throws Exception {
    HttpTestServer server = server();
    server.replies =
        r ->
            HttpTestServer.Reply.of(
                503, Map.of("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT"), new byte[0]);
    Clock clock = Clock.fixed(Instant.parse("2026-10-21T07:27:30Z"), ZoneOffset.UTC);
    OtlpHttpExporter exporter = exporter(allSignals(server).setClock(clock));

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(result.retryAfter()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void export_retryAfterInThePastOrUnreadable() throws Exception {
    HttpTestServer server = server();
    OtlpHttpExporter exporter =
        exporter(
            allSignals(server)
                .setClock(Clock.fixed(Instant.parse("2026-10-21T08:00:00Z"), ZoneOffset.UTC)));

    server.replies =
        r ->
            HttpTestServer.Reply.of(
                503, Map.of("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT"), new byte[0]);
    assertThat(export(exporter, TestRequests.traceRequest("a", 1)).retryAfter())
        .isEqualTo(Duration.ZERO);

    server.replies = r -> HttpTestServer.Reply.of(503, Map.of("Retry-After", "soon"), new byte[0]);
    assertThat(export(exporter, TestRequests.traceRequest("a", 1)).retryAfter()).isNull();
  }

  @Test
  void export_partialSuccess() throws Exception {
    HttpTestServer server = server();
    byte[] response =
        ExportTraceServiceResponse.newBuilder()
            .setPartialSuccess(
                ExportTracePartialSuccess.newBuilder()
                    .setRejectedSpans(1)
                    .setErrorMessage("span too large"))
            .build()
            .toByteArray();
    server.replies =
        r ->
            HttpTestServer.Reply.of(
                200, Map.of("Content-Type", "application/x-protobuf"), response);
    OtlpHttpExporter exporter = exporter(allSignals(server));

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 4));

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.SUCCESS);
    assertThat(result.rejectedItems()).isEqualTo(1);
    assertThat(result.message())
        .isEqualTo(server.url("/v1/traces") + " rejected 1 of 4 spans: span too large");
  }

  @Test
  void export_jsonSuccessBody_isAPlainSuccess() throws Exception {
    HttpTestServer server = server();
    server.replies =
        r ->
            HttpTestServer.Reply.of(
                200, Map.of("Content-Type", "application/json"), "{}".getBytes(UTF_8));
    OtlpHttpExporter exporter = exporter(allSignals(server));

    assertThat(export(exporter, TestRequests.traceRequest("a", 1)))
        .isSameAs(ExportResult.success());
  }

  @Test
  void export_signalWithoutUrl_isPermanent() throws Exception {
    HttpTestServer server = server();
    OtlpHttpExporter exporter =
        exporter(
            OtlpHttpExporter.builder()
                .setName("traccia")
                .setEndpoint(Signal.TRACES, server.url("/v2/traces")));

    ExportResult result = export(exporter, TestRequests.metricsRequest());

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.PERMANENT);
    assertThat(result.message())
        .isEqualTo(
            "no OTLP/HTTP endpoint for metrics is configured in exporter traccia: set its metrics"
                + " endpoint, or do not send metrics to it");
    assertThat(server.received).isEmpty();
  }

  @Test
  void export_connectionRefused_isRetryable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    OtlpHttpExporter exporter =
        exporter(
            OtlpHttpExporter.builder()
                .setEndpoint(Signal.TRACES, URI.create("http://127.0.0.1:" + port + "/v1/traces")));

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(result.message())
        .startsWith(
            "cannot connect to 127.0.0.1:"
                + port
                + ": make sure the backend is running and reachable from this network (");
  }

  @Test
  void export_diagnosis_carriesTheAnswerOrTheFailure() throws Exception {
    HttpTestServer server = server();
    server.replies =
        r ->
            HttpTestServer.Reply.of(
                302, Map.of("Location", "https://new.example.com/v1/traces"), new byte[0]);
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }

    ExportResult.Diagnosis redirected =
        export(exporter(allSignals(server)), TestRequests.traceRequest("a", 1))
            .diagnosis()
            .orElseThrow();
    ExportResult.Diagnosis refused =
        export(
                exporter(
                    OtlpHttpExporter.builder()
                        .setEndpoint(
                            Signal.TRACES,
                            URI.create("http://127.0.0.1:" + closed + "/v1/traces"))),
                TestRequests.traceRequest("a", 1))
            .diagnosis()
            .orElseThrow();

    assertThat(redirected.status()).isEqualTo(302);
    assertThat(redirected.description()).isEqualTo("https://new.example.com/v1/traces");
    assertThat(redirected.cause()).isNull();
    assertThat(refused.status()).isEqualTo(-1);
    assertThat(refused.cause()).hasStackTraceContaining("ConnectException");
  }

  @Test
  void export_timeout_isRetryable() throws Exception {
    HttpTestServer server = server();
    server.replies = r -> HttpTestServer.Reply.hang();
    OtlpHttpExporter exporter = exporter(allSignals(server).setTimeout(Duration.ofMillis(300)));

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(result.message())
        .isEqualTo(
            "no response from "
                + server.url("/v1/traces")
                + " within 300 ms: check that the backend is reachable and not overloaded, or"
                + " raise the export timeout");
  }

  private HttpTestServer tlsServer(boolean requireClient) throws Exception {
    HttpTestServer server =
        HttpTestServer.startTls(
            tls.server.serverContext(requireClient ? tls.client : null), requireClient);
    closeables.add(server);
    return server;
  }

  @Test
  void export_tlsWithCaFile_succeeds() throws Exception {
    HttpTestServer server = tlsServer(false);
    OtlpHttpExporter exporter = exporter(allSignals(server).setCaFile(tls.server.certificatePem));
    ExportRequest request = TestRequests.traceRequest("secure", 2);

    assertThat(export(exporter, request)).isSameAs(ExportResult.success());
    assertThat(server.take().rawBody).isEqualTo(request.body());
  }

  @Test
  void export_tlsWithoutCaFile_namesTheTlsProblem() throws Exception {
    HttpTestServer server = tlsServer(false);
    OtlpHttpExporter exporter = exporter(allSignals(server));

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(result.message())
        .startsWith(
            "TLS handshake with 127.0.0.1:"
                + server.port()
                + " failed: check that the backend serves TLS on this port and that its"
                + " certificate is trusted (set a CA file for a private CA) (")
        .endsWith("(unable to find valid certification path to requested target)");
  }

  @Test
  void export_mutualTls() throws Exception {
    HttpTestServer server = tlsServer(true);
    OtlpHttpExporter withCertificate =
        exporter(
            allSignals(server)
                .setCaFile(tls.server.certificatePem)
                .setClientCertificate(tls.client.certificatePem, tls.client.privateKeyPem));
    OtlpHttpExporter withoutCertificate =
        exporter(allSignals(server).setCaFile(tls.server.certificatePem));

    assertThat(export(withCertificate, TestRequests.traceRequest("a", 1)))
        .isSameAs(ExportResult.success());
    ExportResult refused = export(withoutCertificate, TestRequests.traceRequest("a", 1));
    assertThat(refused.outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    // Over TLS 1.3 the server refuses the missing certificate after the client's handshake ends.
    assertThat(refused.message())
        .startsWith("connection to 127.0.0.1:" + server.port() + " failed while sending traces: ")
        .endsWith(
            "; check the backend and any proxy in between, and, if the backend requires a client"
                + " certificate, that this exporter presents one it trusts");
  }

  @Test
  void shutdown_waitsForExportsInFlightAndRefusesNewOnes() throws Exception {
    HttpTestServer server = server();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    server.replies =
        r -> {
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return HttpTestServer.Reply.of(200);
        };
    OtlpHttpExporter exporter = exporter(allSignals(server));
    CompletableFuture<ExportResult> inFlight = exporter.export(TestRequests.traceRequest("a", 1));
    server.take();

    CompletableFuture<Void> shutdown = exporter.shutdown();
    ExportResult refused = export(exporter, TestRequests.traceRequest("b", 1));

    assertThat(shutdown).isNotDone();
    assertThat(refused.message())
        .isEqualTo("otlp-http exporter is shut down; the request was not sent");
    release.countDown();
    shutdown.get(10, TimeUnit.SECONDS);
    assertThat(inFlight).isCompletedWithValue(ExportResult.success());
    assertThat(exporter.shutdown()).succeedsWithin(Duration.ofSeconds(1));
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> OtlpHttpExporter.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "endpoints: none set (expected: the URL of at least one signal, such as"
                + " http://localhost:4318/v1/traces)");
    assertThatThrownBy(
            () -> OtlpHttpExporter.builder().setEndpoint(Signal.LOGS, URI.create("ftp://host/v1")))
        .hasMessage(
            "logs endpoint: ftp://host/v1 (expected: an http:// or https:// URL with a host, such"
                + " as https://collector.example.com:4318)");
    assertThatThrownBy(
            () ->
                OtlpHttpExporter.builder()
                    .setEndpoint(Signal.TRACES, URI.create("http://localhost:4318/v1/traces"))
                    .setClientCertificate(Path.of("client.crt"), Path.of("client.key"))
                    .build())
        .hasMessage(
            "endpoints: [http://localhost:4318/v1/traces] (plaintext) with a CA file or client"
                + " certificate set (expected: https:// URLs to use TLS)");
    assertThatThrownBy(() -> OtlpHttpExporter.builder().addHeader("Content-Length", "1"))
        .hasMessage(
            "header name: \"Content-Length\" (expected: a header the exporter does not set"
                + " itself)");
  }
}
