/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.server.TestData;
import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.export.TestCertificates;
import ai.traccia.proxy.server.ingest.Ingest;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.queue.MemoryBudget;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiverTlsTest {

  @TempDir static Path certs;
  private static TestCertificates first;
  private static TestCertificates second;

  @TempDir Path live;
  private ReceiverTls tls;
  private Receivers receivers;
  private HttpReceiver http;
  private GrpcReceiver grpc;
  private final ExecutorService workers = Executors.newFixedThreadPool(2);

  @BeforeAll
  static void generate() throws Exception {
    first = TestCertificates.generate(Files.createDirectories(certs.resolve("first")));
    second = TestCertificates.generate(Files.createDirectories(certs.resolve("second")));
  }

  @AfterEach
  void stop() {
    if (http != null) {
      http.stop(1000);
    }
    if (grpc != null) {
      grpc.stop(1000);
    }
    if (receivers != null) {
      receivers.close(1000);
    }
    if (tls != null) {
      tls.close();
    }
    workers.shutdownNow();
  }

  private Path cert() {
    return live.resolve("tls.crt");
  }

  private Path key() {
    return live.resolve("tls.key");
  }

  private void install(TestCertificates.Identity identity) throws Exception {
    // Written beside and moved in, as a Kubernetes secret update swaps files.
    Files.copy(
        identity.certificatePem, live.resolve("tmp.crt"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        identity.privateKeyPem, live.resolve("tmp.key"), StandardCopyOption.REPLACE_EXISTING);
    Files.move(live.resolve("tmp.crt"), cert(), StandardCopyOption.REPLACE_EXISTING);
    Files.move(live.resolve("tmp.key"), key(), StandardCopyOption.REPLACE_EXISTING);
  }

  private void startReceivers(Duration reloadInterval) throws Exception {
    install(first.server);
    tls = ReceiverTls.start(cert(), key(), null, "1.2", reloadInterval);
    SelfMetrics metrics = new SelfMetrics();
    Ingest ingest = new Ingest(SpanPipeline.empty(), List.of(), metrics);
    MemoryBudget budget = MemoryBudget.of(64L << 20);
    receivers =
        new Receivers(
            1 << 20, ReceiverLimits.DEFAULTS, ingest, metrics, budget, tls, BearerAuth.none());
    http = receivers.startHttp("127.0.0.1", 0, workers);
    grpc = receivers.startGrpc("127.0.0.1", 0, workers);
  }

  /** The certificate a new TLS connection to {@code port} is shown. */
  private static X509Certificate presented(int port) throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("first", first.server.certificate);
    trusted.setCertificateEntry("second", second.server.certificate);
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    try (SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  /** An empty trace export over gRPC, trusting only {@code identity}'s certificate. */
  private void grpcExport(TestCertificates.Identity identity) throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("localhost", grpc.port())
            .sslContext(
                GrpcSslContexts.forClient().trustManager(identity.certificatePem.toFile()).build())
            .build();
    try {
      ClientCalls.blockingUnaryCall(
          channel,
          GrpcReceiver.method(Signal.TRACES),
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
          TestData.traces(1).toByteArray());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void reload_replacedFiles_newConnectionsSeeTheNewCertificate() throws Exception {
    startReceivers(Duration.ZERO);
    assertThat(presented(http.port())).isEqualTo(first.server.certificate);
    assertThat(presented(grpc.port())).isEqualTo(first.server.certificate);
    grpcExport(first.server);

    install(second.server);

    assertThat(tls.reload()).isTrue();
    assertThat(presented(http.port())).isEqualTo(second.server.certificate);
    assertThat(presented(grpc.port())).isEqualTo(second.server.certificate);
    grpcExport(second.server);
    assertThatThrownBy(() -> grpcExport(first.server)).isInstanceOf(StatusRuntimeException.class);
    // Unchanged files: nothing to do.
    assertThat(tls.reload()).isFalse();
  }

  @Test
  void reload_brokenOrMismatchedFiles_keepTheCertificateInUse() throws Exception {
    startReceivers(Duration.ZERO);

    Files.writeString(
        key(), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    assertThat(tls.reload()).isFalse();
    assertThat(presented(http.port())).isEqualTo(first.server.certificate);

    // A certificate whose key is another one's, as when only one of the two files was replaced.
    Files.copy(second.server.certificatePem, cert(), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(first.server.privateKeyPem, key(), StandardCopyOption.REPLACE_EXISTING);
    assertThat(tls.reload()).isFalse();
    assertThat(presented(grpc.port())).isEqualTo(first.server.certificate);

    Files.delete(cert());
    assertThat(tls.reload()).isFalse();
    assertThat(presented(http.port())).isEqualTo(first.server.certificate);

    install(second.server);
    assertThat(tls.reload()).isTrue();
    assertThat(presented(http.port())).isEqualTo(second.server.certificate);
  }

  @Test
  void reload_onItsInterval() throws Exception {
    startReceivers(Duration.ofMillis(50));

    install(second.server);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> presented(http.port()).equals(second.server.certificate));
    assertThat(presented(grpc.port())).isEqualTo(second.server.certificate);
  }

  @Test
  void start_unusableFiles_failNamingTheFile() throws Exception {
    install(first.server);
    Files.copy(second.server.privateKeyPem, key(), StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> ReceiverTls.start(cert(), key(), null, "1.2", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "server certificate "
                + cert()
                + ": its public key does not match the private key in "
                + key()
                + " (expected: the key the certificate was issued for)");

    Files.writeString(cert(), "not a certificate");
    assertThatThrownBy(() -> ReceiverTls.start(cert(), key(), null, "1.2", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "server certificate "
                + cert()
                + ": no certificate found (expected: PEM with -----BEGIN CERTIFICATE-----)");
  }

  @Test
  void minVersion13_refusesTls12Clients() throws Exception {
    install(first.server);
    tls = ReceiverTls.start(cert(), key(), null, "1.3", Duration.ZERO);
    SelfMetrics metrics = new SelfMetrics();
    receivers =
        new Receivers(
            1 << 20,
            ReceiverLimits.DEFAULTS,
            new Ingest(SpanPipeline.empty(), List.of(), metrics),
            metrics,
            MemoryBudget.of(1 << 20),
            tls,
            BearerAuth.none());
    http = receivers.startHttp("127.0.0.1", 0, workers);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, first.server.trustManagerFactory().getTrustManagers(), null);

    try (SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", http.port())) {
      socket.setSoTimeout(10_000);
      socket.setEnabledProtocols(new String[] {"TLSv1.2"});
      assertThatThrownBy(socket::startHandshake).isInstanceOf(javax.net.ssl.SSLException.class);
    }
    assertThat(presented(http.port())).isEqualTo(first.server.certificate);
  }
}
