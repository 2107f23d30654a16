/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import static ai.traccia.proxy.server.TestData.attr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.server.ProxyServer;
import ai.traccia.proxy.server.RecordingExporter;
import ai.traccia.proxy.server.TestData;
import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.export.TestCertificates;
import com.google.rpc.Code;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS, mutual TLS and bearer tokens on both receivers of a running proxy. */
class ReceiverAuthTest {

  @TempDir static Path dir;
  private static TestCertificates certs;

  private final RecordingExporter exporter = new RecordingExporter();
  private ProxyServer proxy;
  private ManagedChannel channel;

  @BeforeAll
  static void generate() throws Exception {
    certs = TestCertificates.generate(dir);
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  private void start(boolean mutualTls) throws Exception {
    proxy =
        ProxyServer.start(
            ProxyServer.options()
                .setGrpcPort(0)
                .setHttpPort(0)
                .setAdminPort(0)
                .setScheduleDelay(Duration.ofMillis(10))
                .setReceiverTls(
                    certs.server.certificatePem,
                    certs.server.privateKeyPem,
                    mutualTls ? certs.client.certificatePem : null,
                    "1.2",
                    Duration.ZERO)
                .setReceiverAuth(
                    BearerAuth.of(
                        List.of("tok-plain"), Map.of("team-a", List.of("tok-a")), "tenant.id"))
                .addExporter(exporter)
                .build());
  }

  private SSLContext clientContext(boolean withCertificate) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        withCertificate ? certs.client.keyManagerFactory().getKeyManagers() : null,
        certs.server.trustManagerFactory().getTrustManagers(),
        null);
    return context;
  }

  private HttpResponse<byte[]> post(SSLContext tls, byte[] body, String... headers)
      throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(tls).build();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("https://localhost:" + proxy.httpPort() + "/v1/traces"))
            .header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private double refused(String transport) {
    return proxy
        .metrics()
        .counterValue(
            "traccia_proxy_refused_requests",
            "signal",
            Signal.TRACES.label(),
            "transport",
            transport,
            "reason",
            "unauthenticated");
  }

  private static byte[] spoofedTraces() {
    ExportTraceServiceRequest request = TestData.traces(2);
    return request.toBuilder()
        .setResourceSpans(
            0,
            request.getResourceSpans(0).toBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(attr("service.name", "checkout"))
                        .addAttributes(attr("tenant.id", "team-b"))))
        .build()
        .toByteArray();
  }

  private Resource awaitResource() {
    await().atMost(Duration.ofSeconds(10)).until(() -> !exporter.requests().isEmpty());
    return RecordingExporter.traces(exporter.requests().get(0)).getResourceSpans(0).getResource();
  }

  @Test
  void http_tenantToken_acceptedAndTaggedWithItsTenant() throws Exception {
    start(false);

    HttpResponse<byte[]> response =
        post(clientContext(false), spoofedTraces(), "Authorization", "Bearer tok-a");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(awaitResource().getAttributesList())
        .containsExactly(attr("service.name", "checkout"), attr("tenant.id", "team-a"));
  }

  @Test
  void http_tokenWithoutTenant_forwardsTheRequestAsItCame() throws Exception {
    start(false);
    byte[] body = spoofedTraces();

    assertThat(post(clientContext(false), body, "Authorization", "Bearer tok-plain").statusCode())
        .isEqualTo(200);

    await().atMost(Duration.ofSeconds(10)).until(() -> !exporter.requests().isEmpty());
    assertThat(exporter.requests().get(0).body()).isEqualTo(body);
  }

  @Test
  void http_missingOrWrongToken_401() throws Exception {
    start(false);

    HttpResponse<byte[]> missing = post(clientContext(false), spoofedTraces());
    HttpResponse<byte[]> wrong =
        post(clientContext(false), spoofedTraces(), "Authorization", "Bearer tok-b");

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(com.google.rpc.Status.parseFrom(missing.body()).getCode())
        .isEqualTo(Code.UNAUTHENTICATED_VALUE);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("WWW-Authenticate"))
        .contains("Bearer error=\"invalid_token\"");
    assertThat(exporter.requests()).isEmpty();
    assertThat(refused("http")).isEqualTo(2);
  }

  @Test
  void http_wrongToken_answeredFromTheHeadBeforeAnyBody() throws Exception {
    start(false);
    SSLContext tls = clientContext(false);

    try (SSLSocket socket =
        (SSLSocket) tls.getSocketFactory().createSocket("localhost", proxy.httpPort())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      // A 1 GiB body is announced and never sent: the answer cannot wait for it.
      out.write(
          ("POST /v1/traces HTTP/1.1\r\nHost: localhost\r\n"
                  + "Content-Type: application/json\r\nContent-Length: 1073741824\r\n"
                  + "Authorization: Bearer not-a-token\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();

      String head = readHead(socket.getInputStream());

      assertThat(head)
          .startsWith("HTTP/1.1 401 Unauthorized\r\n")
          .containsIgnoringCase("www-authenticate: Bearer error=\"invalid_token\"")
          .containsIgnoringCase("connection: close")
          .containsIgnoringCase("content-type: application/json");
      // Closed after a short linger for the body that never comes.
      InputStream in = socket.getInputStream();
      byte[] rest = in.readNBytes(4096);
      assertThat(new String(rest, StandardCharsets.UTF_8))
          .contains("\"code\":16")
          .contains("the bearer token was not accepted");
    }
    assertThat(refused("http")).isEqualTo(1);
    assertThat(proxy.memoryBudget().used()).isZero();
  }

  private static String readHead(InputStream in) throws Exception {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      head.write(b);
      if (head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        break;
      }
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private byte[] grpcCall(boolean withCertificate, String token) throws Exception {
    io.netty.handler.ssl.SslContextBuilder tls =
        GrpcSslContexts.forClient().trustManager(certs.server.certificatePem.toFile());
    if (withCertificate) {
      tls.keyManager(certs.client.certificatePem.toFile(), certs.client.privateKeyPem.toFile());
    }
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress("localhost", proxy.grpcPort()).sslContext(tls.build());
    if (token != null) {
      Metadata headers = new Metadata();
      headers.put(GrpcAuthInterceptor.AUTHORIZATION, "Bearer " + token);
      builder.intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    channel = builder.build();
    try {
      return ClientCalls.blockingUnaryCall(
          channel,
          GrpcReceiver.method(Signal.TRACES),
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
          spoofedTraces());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void grpc_tenantToken_acceptedAndTagged() throws Exception {
    start(false);

    grpcCall(false, "tok-a");

    assertThat(awaitResource().getAttributesList())
        .containsExactly(attr("service.name", "checkout"), attr("tenant.id", "team-a"));
  }

  @Test
  void grpc_missingOrWrongToken_unauthenticated() throws Exception {
    start(false);

    assertThatThrownBy(() -> grpcCall(false, null))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThatThrownBy(() -> grpcCall(false, "tok-b"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      "the bearer token was not accepted; check the token the exporter sends");
            });
    assertThat(exporter.requests()).isEmpty();
    assertThat(refused("grpc")).isEqualTo(2);
  }

  @Test
  void mutualTls_clientWithoutCertificate_refusedInTheHandshake() throws Exception {
    start(true);

    assertThatThrownBy(
            () -> post(clientContext(false), spoofedTraces(), "Authorization", "Bearer tok-a"))
        .isInstanceOf(java.io.IOException.class);
    assertThatThrownBy(() -> grpcCall(false, "tok-a"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThat(exporter.requests()).isEmpty();

    assertThat(
            post(clientContext(true), spoofedTraces(), "Authorization", "Bearer tok-a")
                .statusCode())
        .isEqualTo(200);
    grpcCall(true, "tok-a");
    await().atMost(Duration.ofSeconds(10)).until(() -> exporter.requests().size() == 2);
  }

  @Test
  void plaintextClient_onTlsPort_getsNoAnswer() throws Exception {
    start(false);
    HttpClient plain = HttpClient.newHttpClient();

    assertThatThrownBy(
            () ->
                plain.send(
                    HttpRequest.newBuilder(
                            URI.create("http://localhost:" + proxy.httpPort() + "/v1/traces"))
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(spoofedTraces()))
                        .build(),
                    HttpResponse.BodyHandlers.ofByteArray()))
        .isInstanceOf(java.io.IOException.class);
    assertThat(exporter.requests()).isEmpty();
  }
}
