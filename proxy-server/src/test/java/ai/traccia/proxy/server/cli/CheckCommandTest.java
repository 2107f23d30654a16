/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.config.ExporterProtocol;
import ai.traccia.proxy.config.ExporterSpec;
import ai.traccia.proxy.config.ProxyConfig;
import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

  /** One request as the fake backend saw it. */
  record Seen(String method, String path, Map<String, List<String>> headers, byte[] body) {}

  @TempDir Path dir;
  private HttpServer http;
  private Server grpc;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void tearDown() throws InterruptedException {
    release.countDown();
    if (http != null) {
      http.stop(0);
    }
    if (grpc != null) {
      grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** An OTLP/HTTP backend on 127.0.0.1 that answers every request with {@code status}. */
  private int httpBackend(int status) throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            seen.add(
                new Seen(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    new HashMap<>(exchange.getRequestHeaders()),
                    in.readAllBytes()));
          }
          byte[] body =
              status == 200
                  ? ExportTraceServiceResponse.getDefaultInstance().toByteArray()
                  : "denied".getBytes();
          exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
          if (body.length > 0) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    http.start();
    return http.getAddress().getPort();
  }

  private CheckCommand command(Map<String, String> env) {
    CheckCommand command = new CheckCommand();
    command
        .configOptions()
        .setEnvironment(env)
        .setWorkingDirectory(dir)
        .setHomeDirectory(dir.resolve("home"));
    return command;
  }

  @Test
  void check_reachableHttpEndpoint() throws Exception {
    int port = httpBackend(200);
    String endpoint = "http://127.0.0.1:" + port + "/v1/traces";

    CliRun run =
        CliRun.run(
            command(
                Map.of(
                    "TRACCIA_ENDPOINT", endpoint,
                    "TRACCIA_API_KEY", "sk-live-secret",
                    "TRACCIA_EXPORTER_HEADERS", "x-team=ml")));

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .isEqualTo(
            "Checking "
                + endpoint
                + " (tracing.endpoint from env TRACCIA_ENDPOINT) with an empty http/protobuf"
                + " export, timeout 10000 ms...\n"
                + "[ok] Reachable: HTTP 200 from "
                + endpoint
                + ". The backend accepted the export.\n");
    assertThat(run.err()).isEmpty();
    assertThat(run.all()).doesNotContain("sk-live-secret");
    Seen request = seen.get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1/traces");
    assertThat(request.headers().get("Content-type")).containsExactly("application/x-protobuf");
    assertThat(request.headers().get("Content-encoding")).containsExactly("gzip");
    assertThat(request.headers().get("Authorization")).containsExactly("Bearer sk-live-secret");
    assertThat(request.headers().get("X-team")).containsExactly("ml");
    // Sent by the exporter serve builds, not by a client of the check's own.
    assertThat(request.headers().get("User-agent").get(0)).matches("traccia-proxy(/.+)?");
    byte[] body = new GZIPInputStream(new ByteArrayInputStream(request.body())).readAllBytes();
    assertThat(ExportTraceServiceRequest.parseFrom(body))
        .isEqualTo(ExportTraceServiceRequest.getDefaultInstance());
  }

  @Test
  void check_endpointOptionWinsAndRootPathGetsV1Traces() throws Exception {
    int port = httpBackend(200);

    CliRun run =
        CliRun.run(
            command(
                Map.of(
                    "TRACCIA_ENDPOINT",
                    "http://127.0.0.1:1/v1/traces",
                    "TRACCIA_EXPORTER_COMPRESSION",
                    "none")),
            "--endpoint",
            "http://127.0.0.1:" + port);

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("(tracing.endpoint from --endpoint)");
    assertThat(seen.get(0).path()).isEqualTo("/v1/traces");
    assertThat(seen.get(0).headers()).doesNotContainKey("Content-encoding");
    assertThat(seen.get(0).body()).isEmpty();
  }

  @Test
  void check_everyExporterGetsOneLine() throws Exception {
    int port = httpBackend(200);
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    Files.writeString(
        dir.resolve("traccia.toml"),
        "[exporters.otlp.good]\n"
            + "endpoint = \"http://127.0.0.1:"
            + port
            + "/base\"\n"
            + "signals = [\"metrics\"]\n"
            + "api_key = \"sk-good\"\n"
            + "[exporters.otlp.down]\n"
            + "endpoint = \"http://127.0.0.1:"
            + closed
            + "\"\n"
            + "timeout_ms = 3000\n");

    CliRun run = CliRun.run(command(Map.of()));

    String good = "http://127.0.0.1:" + port + "/base/v1/metrics";
    String down = "http://127.0.0.1:" + closed + "/v1/traces";
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .isEqualTo(
            "Checking otlp/good: "
                + good
                + " ([exporters.otlp.good]) with an empty http/protobuf export, timeout 10000"
                + " ms...\n"
                + "[ok] otlp/good: Reachable: HTTP 200 from "
                + good
                + ". The backend accepted the export.\n"
                + "Checking otlp/down: "
                + down
                + " ([exporters.otlp.down]) with an empty http/protobuf export, timeout 3000"
                + " ms...\n");
    assertThat(run.err())
        .isEqualTo(
            "[x] otlp/down: Connection refused: nothing accepted a connection on 127.0.0.1:"
                + closed
                + ". Make sure the collector is running and reachable from this network.\n"
                + "1 of 2 exporters accepted the export.\n");
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).headers().get("Authorization")).containsExactly("Bearer sk-good");
    assertThat(run.all()).doesNotContain("sk-good");
  }

  @Test
  void check_authRefused() throws Exception {
    int port = httpBackend(401);
    String endpoint = "http://127.0.0.1:" + port + "/v1/traces";

    CliRun run = CliRun.run(command(Map.of("TRACCIA_ENDPOINT", endpoint)));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "[x] Auth refused: HTTP 401 from "
                + endpoint
                + ". No credentials were sent: set tracing.api_key (TRACCIA_API_KEY) or an"
                + " authorization header in exporters.headers.\n");
  }

  @Test
  void check_authRefusedWithKey() throws Exception {
    int port = httpBackend(403);
    String endpoint = "http://127.0.0.1:" + port + "/v1/traces";

    CliRun run =
        CliRun.run(command(Map.of("TRACCIA_ENDPOINT", endpoint, "TRACCIA_API_KEY", "sk-1")));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "[x] Auth refused: HTTP 403 from "
                + endpoint
                + ". The credentials were not accepted: check tracing.api_key (TRACCIA_API_KEY)"
                + " and the headers in exporters.headers.\n");
  }

  @Test
  void check_wrongPath() throws Exception {
    int port = httpBackend(404);
    String endpoint = "http://127.0.0.1:" + port + "/otlp";

    CliRun run = CliRun.run(command(Map.of("TRACCIA_ENDPOINT", endpoint)));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "[x] Wrong path: HTTP 404 from "
                + endpoint
                + ". The server answers but takes no OTLP traces at this path; OTLP/HTTP"
                + " endpoints usually end in /v1/traces.\n");
  }

  @Test
  void check_otherStatus() throws Exception {
    int port = httpBackend(503);
    String endpoint = "http://127.0.0.1:" + port + "/v1/traces";

    CliRun run = CliRun.run(command(Map.of("TRACCIA_ENDPOINT", endpoint)));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "[x] Unexpected answer: HTTP 503 from " + endpoint + ". The server said: denied\n");
  }

  @Test
  void check_connectionRefused() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }

    CliRun run =
        CliRun.run(command(Map.of("TRACCIA_ENDPOINT", "http://127.0.0.1:" + port + "/v1/traces")));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "[x] Connection refused: nothing accepted a connection on 127.0.0.1:"
                + port
                + ". Make sure the collector is running and reachable from this network.\n");
  }

  @Test
  void check_timeout() throws Exception {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/",
        exchange -> {
          try {
            release.await(); // never answers while the check waits
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    http.start();
    int port = http.getAddress().getPort();

    CliRun run =
        CliRun.run(
            command(
                Map.of(
                    "TRACCIA_ENDPOINT",
                    "http://127.0.0.1:" + port + "/v1/traces",
                    "TRACCIA_EXPORTER_TIMEOUT_MS",
                    "300")));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "[x] Timeout: no answer from 127.0.0.1:"
                + port
                + " within 300 ms. Check that it is reachable from this network (firewall,"
                + " proxy), or raise exporters.timeout_ms.\n");
  }

  @Test
  void check_tlsToPlainTextServer() throws Exception {
    // A plain-text server that answers whatever arrives, as an HTTP server on a TLS port would.
    try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread server =
          new Thread(
              () -> {
                try (Socket socket = plain.accept()) {
                  socket
                      .getOutputStream()
                      .write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes());
                  socket.getOutputStream().flush();
                  socket.getInputStream().read(new byte[512]);
                } catch (IOException e) {
                  // the client hung up first
                }
              },
              "plain-text-server");
      server.setDaemon(true);
      server.start();
      int port = plain.getLocalPort();

      CliRun run =
          CliRun.run(
              command(Map.of("TRACCIA_ENDPOINT", "https://127.0.0.1:" + port + "/v1/traces")));

      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.err())
          .isEqualTo(
              "[x] TLS problem: the server at 127.0.0.1:"
                  + port
                  + " did not answer with TLS. If it is a plain-text endpoint, use http:// instead"
                  + " of https://.\n");
    }
  }

  /** A real CA certificate as PEM, taken from the JDK's trust store. */
  private Path pemCertificate() throws Exception {
    // getInstance(File, ...) detects the store type, which differs between JDK distributions.
    KeyStore cacerts =
        KeyStore.getInstance(
            Path.of(System.getProperty("java.home"), "lib", "security", "cacerts").toFile(),
            (char[]) null);
    String alias = cacerts.aliases().nextElement();
    String pem =
        "-----BEGIN CERTIFICATE-----\n"
            + Base64.getMimeEncoder().encodeToString(cacerts.getCertificate(alias).getEncoded())
            + "\n-----END CERTIFICATE-----\n";
    return Files.writeString(dir.resolve("ca.pem"), pem);
  }

  @Test
  void check_unreadableCaFileIsATlsProblem() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), "not a certificate");

    CliRun run =
        CliRun.run(
            command(
                Map.of(
                    "TRACCIA_ENDPOINT", "https://127.0.0.1:1/v1/traces",
                    "TRACCIA_EXPORTER_CA_FILE", "ca.pem")));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "[x] TLS problem: could not load the TLS files (IllegalArgumentException: CA file "
                + dir.resolve("ca.pem")
                + ": no certificate found (expected: PEM with -----BEGIN CERTIFICATE-----))."
                + " Check exporters.ca_file, exporters.client_cert_file and"
                + " exporters.client_key_file.\n");
  }

  @Test
  void check_unreadableClientKeyIsATlsProblem_namedAsTheExportersNameIt() throws Exception {
    Path cert = pemCertificate();
    Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n");

    CliRun run =
        CliRun.run(
            command(
                Map.of(
                    "TRACCIA_ENDPOINT", "https://127.0.0.1:1/v1/traces",
                    "TRACCIA_EXPORTER_CA_FILE", "ca.pem",
                    "TRACCIA_EXPORTER_CLIENT_CERT_FILE", cert.toString(),
                    "TRACCIA_EXPORTER_CLIENT_KEY_FILE", "key.pem")));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "[x] TLS problem: could not load the TLS files (IllegalArgumentException: private key "
                + key
                + ": no private key found (expected: PEM with -----BEGIN PRIVATE KEY-----,"
                + " -----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----))."
                + " Check exporters.ca_file, exporters.client_cert_file and"
                + " exporters.client_key_file.\n");
  }

  @Test
  void check_caFileIsUsedForTheHandshake() throws Exception {
    pemCertificate();
    try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread server =
          new Thread(
              () -> {
                try (Socket socket = plain.accept()) {
                  socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
                  socket.getInputStream().read(new byte[512]);
                } catch (IOException e) {
                  // the client hung up first
                }
              },
              "plain-text-server");
      server.setDaemon(true);
      server.start();

      CliRun run =
          CliRun.run(
              command(
                  Map.of(
                      "TRACCIA_ENDPOINT",
                      "https://127.0.0.1:" + plain.getLocalPort() + "/v1/traces",
                      "TRACCIA_EXPORTER_CA_FILE",
                      "ca.pem")));

      // The CA file loaded, so the check got as far as the handshake.
      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.err()).contains("did not answer with TLS");
    }
  }

  @Test
  void check_noEndpoint() {
    CliRun run = CliRun.run(command(Map.of()));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "[x] There is no OTLP endpoint to check. Set tracing.endpoint (TRACCIA_ENDPOINT) or"
                + " tracing.api_key (TRACCIA_API_KEY), add an [exporters.otlp.<name>] section, or pass --endpoint URL.\n");
  }

  @Test
  void check_invalidConfiguration() {
    CliRun run = CliRun.run(command(Map.of("TRACCIA_SAMPLE_RATE", "2")), "--endpoint", "nope");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "[x] The configuration is invalid, so the check cannot run:\n"
                + "      tracing.sample_rate: 2 (expected: a number from 0 to 1) [env"
                + " TRACCIA_SAMPLE_RATE]\n"
                + "      tracing.endpoint: nope (expected: an http or https URL with a host)"
                + " [--endpoint]\n"
                + "    Run `traccia-proxy doctor` for details.\n");
  }

  // --- gRPC -----------------------------------------------------------------------------------

  private int grpcBackend(Status failure) throws IOException {
    grpc =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(
                new TraceServiceGrpc.TraceServiceImplBase() {
                  @Override
                  public void export(
                      ExportTraceServiceRequest request,
                      StreamObserver<ExportTraceServiceResponse> response) {
                    if (failure != null) {
                      response.onError(failure.asRuntimeException());
                      return;
                    }
                    response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                    response.onCompleted();
                  }
                })
            .build()
            .start();
    return grpc.getPort();
  }

  @Test
  void check_reachableGrpcEndpoint() throws Exception {
    int port = grpcBackend(null);
    String endpoint = "http://127.0.0.1:" + port;

    CliRun run =
        CliRun.run(
            command(Map.of("TRACCIA_ENDPOINT", endpoint, "TRACCIA_EXPORTER_PROTOCOL", "grpc")));

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .endsWith(
            "[ok] Reachable: gRPC OK from " + endpoint + ". The backend accepted the export.\n");
  }

  @Test
  void check_grpcUnauthenticated() throws Exception {
    int port = grpcBackend(Status.UNAUTHENTICATED.withDescription("bad key"));
    String endpoint = "http://127.0.0.1:" + port;

    CliRun run =
        CliRun.run(
            command(
                Map.of(
                    "TRACCIA_ENDPOINT", endpoint,
                    "TRACCIA_EXPORTER_PROTOCOL", "grpc",
                    "TRACCIA_API_KEY", "sk-1")));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "[x] Auth refused: gRPC UNAUTHENTICATED from "
                + endpoint
                + ". The credentials were not accepted: check tracing.api_key (TRACCIA_API_KEY)"
                + " and the headers in exporters.headers.\n");
  }

  @Test
  void check_grpcConnectionRefused() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }

    CliRun run =
        CliRun.run(
            command(
                Map.of(
                    "TRACCIA_ENDPOINT",
                    "http://127.0.0.1:" + port,
                    "TRACCIA_EXPORTER_PROTOCOL",
                    "grpc")));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("[x] Connection refused: nothing accepted a connection on 127.0.0.1:" + port);
  }

  // --- Classification of failures -------------------------------------------------------------

  private static final URI TARGET = URI.create("https://collector.example.com/v1/traces");

  @Test
  void classify_tlsFailures() {
    SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
    untrusted.initCause(new CertPathValidatorException("signature check failed"));
    SSLHandshakeException hostname = new SSLHandshakeException("handshake failed");
    hostname.initCause(new CertificateException("No subject alternative DNS name matching x"));
    SSLException plain = new SSLException("Unsupported or unrecognized SSL message");

    assertThat(CheckCommand.classify(untrusted, TARGET, Duration.ofSeconds(1)).message())
        .isEqualTo(
            "TLS problem: the server's certificate is not trusted (CertPathValidatorException:"
                + " signature check failed). Set exporters.ca_file to the CA certificate that"
                + " signed it.");
    assertThat(CheckCommand.classify(hostname, TARGET, Duration.ofSeconds(1)).message())
        .isEqualTo(
            "TLS problem: the server's certificate does not match the host name"
                + " collector.example.com (CertificateException: No subject alternative DNS name"
                + " matching x). Use the host name the certificate was issued for.");
    assertThat(CheckCommand.classify(plain, TARGET, Duration.ofSeconds(1)).message())
        .isEqualTo(
            "TLS problem: the server at collector.example.com:443 did not answer with TLS. If it"
                + " is a plain-text endpoint, use http:// instead of https://.");
  }

  @Test
  void classify_unknownHostAndOthers() {
    ConnectException wrapped = new ConnectException();
    wrapped.initCause(new UnresolvedAddressException());

    assertThat(CheckCommand.classify(wrapped, TARGET, Duration.ofSeconds(1)))
        .isEqualTo(
            new CheckCommand.Result(
                CheckCommand.Outcome.UNKNOWN_HOST,
                "Unknown host: collector.example.com could not be resolved (port 443). Check the"
                    + " host name in tracing.endpoint and this machine's DNS."));
    assertThat(
            CheckCommand.classify(new UnknownHostException("x"), TARGET, Duration.ZERO).outcome())
        .isEqualTo(CheckCommand.Outcome.UNKNOWN_HOST);
    assertThat(CheckCommand.classify(new IOException("reset"), TARGET, Duration.ZERO))
        .isEqualTo(
            new CheckCommand.Result(CheckCommand.Outcome.FAILED, "Failed: IOException: reset."));
  }

  @Test
  void grpcStatus_mapping() {
    ExporterSpec config =
        ProxyConfig.builder()
            .setExporterProtocol(ExporterProtocol.GRPC)
            .setEndpoint(URI.create("http://collector:4317"))
            .build()
            .otlpExporters()
            .get(0);
    URI target = URI.create("http://collector:4317");

    assertThat(
            CheckCommand.grpcStatus(config, target, Status.UNIMPLEMENTED, Duration.ZERO).message())
        .isEqualTo(
            "Wrong path: gRPC UNIMPLEMENTED from http://collector:4317. The server does not serve"
                + " the OTLP trace service; is this an OTLP/gRPC port (usually 4317)?");
    assertThat(
            CheckCommand.grpcStatus(config, target, Status.DEADLINE_EXCEEDED, Duration.ofMillis(5))
                .outcome())
        .isEqualTo(CheckCommand.Outcome.TIMEOUT);
    assertThat(
            CheckCommand.grpcStatus(
                    config, target, Status.INTERNAL.withDescription("boom"), Duration.ZERO)
                .message())
        .isEqualTo("Unexpected answer: gRPC INTERNAL from http://collector:4317: boom");
    assertThat(
            CheckCommand.grpcStatus(
                    config,
                    target,
                    Status.UNAVAILABLE.withCause(new UnknownHostException("collector")),
                    Duration.ZERO)
                .outcome())
        .isEqualTo(CheckCommand.Outcome.UNKNOWN_HOST);
  }

  @Test
  void hostPort_defaultsAndIpv6() {
    assertThat(CheckCommand.hostPort(URI.create("https://h/x"))).isEqualTo("h:443");
    assertThat(CheckCommand.hostPort(URI.create("http://h/x"))).isEqualTo("h:80");
    assertThat(CheckCommand.hostPort(URI.create("http://[::1]:4318/x"))).isEqualTo("[::1]:4318");
  }
}
