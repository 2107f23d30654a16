/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OtlpGrpcExporterTest extends ExporterContract {

  @Override
  protected Exporter newExporter() throws Exception {
    contractServer = server();
    return exporter(contractServer);
  }

  @Override
  protected boolean decodesBodies() {
    return false;
  }

  @Override
  protected void assertDestinationHolds(List<ExportRequest> sent) {
    List<ExportRequest> received = new ArrayList<>();
    for (GrpcTestServer.Received r : contractServer.received) {
      received.add(ExportRequest.of(r.signal, r.body, 0));
    }
    assertSameRequests(received, sent);
  }

  private GrpcTestServer contractServer;

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

  private GrpcTestServer server() throws Exception {
    GrpcTestServer server = GrpcTestServer.start();
    closeables.add(server);
    return server;
  }

  private OtlpGrpcExporter exporter(OtlpGrpcExporter.Builder builder) {
    OtlpGrpcExporter exporter = builder.build();
    closeables.add(() -> exporter.shutdown().get(10, TimeUnit.SECONDS));
    return exporter;
  }

  private OtlpGrpcExporter exporter(GrpcTestServer server) {
    return exporter(OtlpGrpcExporter.builder().setEndpoint(endpoint(server)));
  }

  private static URI endpoint(GrpcTestServer server) {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  private static ExportResult export(OtlpGrpcExporter exporter, ExportRequest request)
      throws Exception {
    return exporter.export(request).get(20, TimeUnit.SECONDS);
  }

  @Test
  void export_sendsTheBytesUnchangedForEverySignal() throws Exception {
    GrpcTestServer server = server();
    OtlpGrpcExporter exporter = exporter(server);

    for (ExportRequest request :
        List.of(
            TestRequests.traceRequest("a", 3),
            TestRequests.metricsRequest(),
            TestRequests.logsRequest())) {
      assertThat(export(exporter, request)).isSameAs(ExportResult.success());
      GrpcTestServer.Received received = server.take();
      assertThat(received.signal).isEqualTo(request.signal());
      assertThat(received.body).isEqualTo(request.body());
      assertThat(received.header("user-agent")).startsWith("traccia-proxy grpc-java-netty/");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "gzip"})
  void export_joinedRequestsArriveAsOne(String compression) throws Exception {
    // Batching joins encoded requests without copying them; they go out as one message.
    GrpcTestServer server = server();
    OtlpGrpcExporter exporter =
        exporter(
            OtlpGrpcExporter.builder().setEndpoint(endpoint(server)).setCompression(compression));
    ExportRequest a = TestRequests.traceRequest("a", 2);
    ExportRequest b = TestRequests.traceRequest("b", 1);
    ExportRequest joined = ExportRequest.join(Signal.TRACES, List.of(a, b, a));

    assertThat(export(exporter, joined)).isSameAs(ExportResult.success());

    byte[] body = server.take().body;
    assertThat(body).isEqualTo(joined.body());
    assertThat(ExportTraceServiceRequest.parseFrom(body).getResourceSpansList())
        .extracting(r -> r.getScopeSpans(0).getSpansCount())
        .containsExactly(2, 1, 2);
  }

  @Test
  void export_sendsHeadersAndTheApiKey() throws Exception {
    GrpcTestServer server = server();
    OtlpGrpcExporter exporter =
        exporter(
            OtlpGrpcExporter.builder()
                .setEndpoint(endpoint(server))
                .addHeader("X-Scope-OrgID", "tenant-1")
                .setHeaders(Map.of("x-team", "agents"))
                .setApiKey("secret-key"));

    export(exporter, TestRequests.traceRequest("a", 1));

    GrpcTestServer.Received received = server.take();
    assertThat(received.header("x-scope-orgid")).isEqualTo("tenant-1");
    assertThat(received.header("x-team")).isEqualTo("agents");
    assertThat(received.header("authorization")).isEqualTo("Bearer secret-key");
  }

  @Test
  void export_gzip() throws Exception {
    GrpcTestServer server = server();
    OtlpGrpcExporter exporter =
        exporter(OtlpGrpcExporter.builder().setEndpoint(endpoint(server)).setCompression("gzip"));
    ExportRequest request = TestRequests.traceRequest("compressed", 20);

    assertThat(export(exporter, request)).isSameAs(ExportResult.success());

    GrpcTestServer.Received received = server.take();
    assertThat(received.header("grpc-encoding")).isEqualTo("gzip");
    assertThat(received.body).isEqualTo(request.body());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "CANCELLED|RETRYABLE|CANCELLED from {endpoint} (backend says no)",
        "DEADLINE_EXCEEDED|RETRYABLE|DEADLINE_EXCEEDED from {endpoint}: no answer within 10000 ms;"
            + " check that the backend is reachable and not overloaded, or raise the export"
            + " timeout (backend says no)",
        "ABORTED|RETRYABLE|ABORTED from {endpoint} (backend says no)",
        "OUT_OF_RANGE|RETRYABLE|OUT_OF_RANGE from {endpoint} (backend says no)",
        "UNAVAILABLE|RETRYABLE|UNAVAILABLE from {endpoint}: make sure the backend is running and"
            + " reachable from this network (backend says no)",
        "DATA_LOSS|RETRYABLE|DATA_LOSS from {endpoint} (backend says no)",
        "RESOURCE_EXHAUSTED|PERMANENT|RESOURCE_EXHAUSTED from {endpoint}: the backend refused the"
            + " request and did not ask for a retry (no RetryInfo); check its quotas and maximum"
            + " message size (backend says no)",
        "UNKNOWN|PERMANENT|UNKNOWN from {endpoint} (backend says no)",
        "INVALID_ARGUMENT|PERMANENT|INVALID_ARGUMENT from {endpoint}: the backend refused the data"
            + " as invalid (backend says no)",
        "NOT_FOUND|PERMANENT|NOT_FOUND from {endpoint} (backend says no)",
        "ALREADY_EXISTS|PERMANENT|ALREADY_EXISTS from {endpoint} (backend says no)",
        "PERMISSION_DENIED|PERMANENT|PERMISSION_DENIED from {endpoint}: check the api key / headers"
            + " (backend says no)",
        "FAILED_PRECONDITION|PERMANENT|FAILED_PRECONDITION from {endpoint} (backend says no)",
        "UNIMPLEMENTED|PERMANENT|UNIMPLEMENTED from {endpoint}: the backend does not serve"
            + " opentelemetry.proto.collector.trace.v1.TraceService/Export; check that the endpoint"
            + " is an OTLP/gRPC receiver (usually port 4317; 4318 is OTLP/HTTP) (backend says no)",
        "INTERNAL|PERMANENT|INTERNAL from {endpoint} (backend says no)",
        "UNAUTHENTICATED|PERMANENT|UNAUTHENTICATED from {endpoint}: check the api key / headers"
            + " (backend says no)",
      })
  void export_mapsStatusCodes(Status.Code code, ExportResult.Outcome outcome, String message)
      throws Exception {
    GrpcTestServer server = server();
    server.replies =
        r ->
            GrpcTestServer.Reply.error(
                Status.fromCode(code).withDescription("backend says no").asRuntimeException());
    OtlpGrpcExporter exporter = exporter(server);

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.outcome()).isEqualTo(outcome);
    assertThat(result.message())
        .isEqualTo(message.replace("{endpoint}", endpoint(server).toString()));
    assertThat(result.retryAfter()).isNull();
  }

  private static GrpcTestServer.Reply withRetryInfo(Status.Code code, Duration delay) {
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(code.value())
            .setMessage("slow down")
            .addDetails(
                Any.pack(
                    RetryInfo.newBuilder()
                        .setRetryDelay(
                            com.google.protobuf.Duration.newBuilder()
                                .setSeconds(delay.getSeconds())
                                .setNanos(delay.getNano()))
                        .build()))
            .build();
    return GrpcTestServer.Reply.error(StatusProto.toStatusRuntimeException(status));
  }

  @Test
  void export_resourceExhaustedWithRetryInfo_isRetryableAfterTheDelay() throws Exception {
    GrpcTestServer server = server();
    server.replies = r -> withRetryInfo(Status.Code.RESOURCE_EXHAUSTED, Duration.ofMillis(2500));
    OtlpGrpcExporter exporter = exporter(server);

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(result.retryAfter()).isEqualTo(Duration.ofMillis(2500));
    assertThat(result.message())
        .isEqualTo(
            "RESOURCE_EXHAUSTED from "
                + endpoint(server)
                + ": the backend asked to retry later (slow down)");
  }

  @Test
  void export_unavailableWithRetryInfo_carriesTheDelay() throws Exception {
    GrpcTestServer server = server();
    server.replies = r -> withRetryInfo(Status.Code.UNAVAILABLE, Duration.ofSeconds(7));
    OtlpGrpcExporter exporter = exporter(server);

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(result.retryAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void export_partialSuccess() throws Exception {
    GrpcTestServer server = server();
    server.replies =
        r -> {
          switch (r.signal) {
            case TRACES:
              return GrpcTestServer.Reply.ok(
                  ExportTraceServiceResponse.newBuilder()
                      .setPartialSuccess(
                          ExportTracePartialSuccess.newBuilder()
                              .setRejectedSpans(2)
                              .setErrorMessage("spans too old"))
                      .build()
                      .toByteArray());
            case METRICS:
              return GrpcTestServer.Reply.ok(
                  ExportMetricsServiceResponse.newBuilder()
                      .setPartialSuccess(
                          ExportMetricsPartialSuccess.newBuilder().setRejectedDataPoints(1))
                      .build()
                      .toByteArray());
            default:
              return GrpcTestServer.Reply.ok(
                  ExportLogsServiceResponse.newBuilder()
                      .setPartialSuccess(
                          ExportLogsPartialSuccess.newBuilder().setErrorMessage("body truncated"))
                      .build()
                      .toByteArray());
          }
        };
    OtlpGrpcExporter exporter = exporter(server);
    String endpoint = endpoint(server).toString();

    ExportResult traces = export(exporter, TestRequests.traceRequest("a", 3));
    ExportResult metrics = export(exporter, TestRequests.metricsRequest());
    ExportResult logs = export(exporter, TestRequests.logsRequest());

    assertThat(traces.outcome()).isEqualTo(ExportResult.Outcome.SUCCESS);
    assertThat(traces.rejectedItems()).isEqualTo(2);
    assertThat(traces.message()).isEqualTo(endpoint + " rejected 2 of 3 spans: spans too old");
    assertThat(metrics.rejectedItems()).isEqualTo(1);
    assertThat(metrics.message())
        .isEqualTo(endpoint + " rejected 1 of 2 metric points: no reason given");
    assertThat(logs.outcome()).isEqualTo(ExportResult.Outcome.SUCCESS);
    assertThat(logs.rejectedItems()).isZero();
    assertThat(logs.message())
        .isEqualTo(endpoint + " accepted all 1 log records with a warning: body truncated");
  }

  @Test
  void export_unimplementedSignal_namesTheMissingService() throws Exception {
    GrpcTestServer server =
        GrpcTestServer.start(io.grpc.InsecureServerCredentials.create(), List.of(Signal.TRACES));
    closeables.add(server);
    OtlpGrpcExporter exporter = exporter(server);

    ExportResult result = export(exporter, TestRequests.logsRequest());

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.PERMANENT);
    assertThat(result.message())
        .isEqualTo(
            "UNIMPLEMENTED from "
                + endpoint(server)
                + ": the backend does not serve"
                + " opentelemetry.proto.collector.logs.v1.LogsService/Export; check that the"
                + " endpoint is an OTLP/gRPC receiver (usually port 4317; 4318 is OTLP/HTTP)"
                + " (Method not found: opentelemetry.proto.collector.logs.v1.LogsService/Export)");
  }

  @Test
  void export_connectionRefused_isRetryable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    OtlpGrpcExporter exporter =
        exporter(OtlpGrpcExporter.builder().setEndpoint(URI.create("http://127.0.0.1:" + port)));

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(result.message())
        .startsWith(
            "UNAVAILABLE from http://127.0.0.1:"
                + port
                + ": make sure the backend is running and reachable from this network (")
        .contains("Connection refused");
  }

  @Test
  void export_timeout_isRetryable() throws Exception {
    GrpcTestServer server = server();
    server.replies = r -> GrpcTestServer.Reply.never();
    OtlpGrpcExporter exporter =
        exporter(
            OtlpGrpcExporter.builder()
                .setEndpoint(endpoint(server))
                .setTimeout(Duration.ofMillis(300)));

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(result.message())
        .startsWith(
            "DEADLINE_EXCEEDED from "
                + endpoint(server)
                + ": no answer within 300 ms; check that the backend is reachable and not"
                + " overloaded, or raise the export timeout (");
  }

  private GrpcTestServer tlsServer(boolean requireClient) throws Exception {
    TlsServerCredentials.Builder credentials =
        TlsServerCredentials.newBuilder()
            .keyManager(tls.server.keyManagerFactory().getKeyManagers());
    if (requireClient) {
      credentials
          .trustManager(tls.client.trustManagerFactory().getTrustManagers())
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    GrpcTestServer server = GrpcTestServer.start(credentials.build(), List.of(Signal.values()));
    closeables.add(server);
    return server;
  }

  @Test
  void export_tlsWithCaFile_succeeds() throws Exception {
    GrpcTestServer server = tlsServer(false);
    OtlpGrpcExporter exporter =
        exporter(
            OtlpGrpcExporter.builder()
                .setEndpoint(URI.create("https://127.0.0.1:" + server.port()))
                .setCaFile(tls.server.certificatePem));
    ExportRequest request = TestRequests.traceRequest("secure", 2);

    assertThat(export(exporter, request)).isSameAs(ExportResult.success());
    assertThat(server.take().body).isEqualTo(request.body());
  }

  @Test
  void export_tlsWithoutCaFile_namesTheTlsProblem() throws Exception {
    GrpcTestServer server = tlsServer(false);
    OtlpGrpcExporter exporter =
        exporter(
            OtlpGrpcExporter.builder()
                .setEndpoint(URI.create("https://127.0.0.1:" + server.port())));

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(result.message())
        .startsWith(
            "TLS handshake with https://127.0.0.1:"
                + server.port()
                + " failed: check that the backend serves TLS on this port and that its"
                + " certificate is trusted (set a CA file for a private CA) (");
  }

  @Test
  void export_mutualTls() throws Exception {
    GrpcTestServer server = tlsServer(true);
    URI endpoint = URI.create("https://127.0.0.1:" + server.port());
    OtlpGrpcExporter withCertificate =
        exporter(
            OtlpGrpcExporter.builder()
                .setEndpoint(endpoint)
                .setCaFile(tls.server.certificatePem)
                .setClientCertificate(tls.client.certificatePem, tls.client.privateKeyPem));
    OtlpGrpcExporter withoutCertificate =
        exporter(
            OtlpGrpcExporter.builder().setEndpoint(endpoint).setCaFile(tls.server.certificatePem));

    assertThat(export(withCertificate, TestRequests.traceRequest("a", 1)))
        .isSameAs(ExportResult.success());
    assertThat(export(withoutCertificate, TestRequests.traceRequest("a", 1)).outcome())
        .isEqualTo(ExportResult.Outcome.RETRYABLE);
  }

  @Test
  void shutdown_isIdempotentAndRefusesLaterExports() throws Exception {
    GrpcTestServer server = server();
    OtlpGrpcExporter exporter = exporter(server);
    assertThat(export(exporter, TestRequests.traceRequest("a", 1)))
        .isSameAs(ExportResult.success());

    exporter.shutdown().get(10, TimeUnit.SECONDS);
    exporter.shutdown().get(10, TimeUnit.SECONDS);

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));
    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.PERMANENT);
    assertThat(result.message())
        .isEqualTo(
            "otlp-grpc exporter to "
                + endpoint(server)
                + " is shut down; the request was not sent");
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> OtlpGrpcExporter.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "endpoint: not set (expected: the backend's OTLP/gRPC address, such as"
                + " http://localhost:4317)");
    assertThatThrownBy(
            () -> OtlpGrpcExporter.builder().setEndpoint(URI.create("http://host:4317/v1/traces")))
        .hasMessage(
            "endpoint: http://host:4317/v1/traces (expected: scheme://host:port without a path,"
                + " such as http://localhost:4317; OTLP/gRPC has no URL path)");
    assertThatThrownBy(() -> OtlpGrpcExporter.builder().setEndpoint(URI.create("localhost:4317")))
        .hasMessage(
            "endpoint: localhost:4317 (expected: an http:// or https:// URL with a host, such as"
                + " https://collector.example.com:4318)");
    assertThatThrownBy(
            () ->
                OtlpGrpcExporter.builder()
                    .setEndpoint(URI.create("http://localhost:4317"))
                    .setCaFile(Path.of("ca.pem"))
                    .build())
        .hasMessage(
            "endpoint: http://localhost:4317 is plaintext but a CA file or client certificate is"
                + " set (expected: an https:// endpoint to use TLS)");
    assertThatThrownBy(
            () ->
                OtlpGrpcExporter.builder()
                    .setEndpoint(URI.create("https://localhost:4317"))
                    .setCaFile(certificates.resolve("missing.pem"))
                    .build())
        .hasMessage(
            "CA file "
                + certificates.resolve("missing.pem")
                + ": no such file (expected: a readable PEM file)");
    assertThatThrownBy(() -> OtlpGrpcExporter.builder().setCompression("zstd"))
        .hasMessage("compression: \"zstd\" (expected: gzip or none)");
    assertThatThrownBy(() -> OtlpGrpcExporter.builder().setTimeout(Duration.ZERO))
        .hasMessage("timeout: 0 ms (expected: > 0)");
    assertThatThrownBy(() -> OtlpGrpcExporter.builder().addHeader("x trace", "1"))
        .hasMessage(
            "header name: \"x trace\" (expected: letters, digits, '-', '_' or '.', such as"
                + " x-api-key)");
    assertThatThrownBy(() -> OtlpGrpcExporter.builder().addHeader("grpc-timeout", "1"))
        .hasMessage(
            "header name: \"grpc-timeout\" (expected: a header the exporter does not set itself)");
    assertThatThrownBy(() -> OtlpGrpcExporter.builder().addHeader("x-tenant", "a\r\nb"))
        .hasMessage(
            "header x-tenant: the value has a line break or a non-ASCII character (expected:"
                + " printable ASCII)");
    assertThatThrownBy(() -> OtlpGrpcExporter.builder().setApiKey(" "))
        .hasMessage("apiKey: empty (expected: the key the backend issued, printable ASCII)");
    assertThatThrownBy(
            () ->
                OtlpGrpcExporter.builder()
                    .setEndpoint(URI.create("http://localhost:4317"))
                    .addHeader("Authorization", "Basic abc")
                    .setApiKey("key")
                    .build())
        .hasMessage(
            "apiKey: set together with an authorization header (expected: one of them; the api"
                + " key is sent as authorization: Bearer <apiKey>)");
  }
}
