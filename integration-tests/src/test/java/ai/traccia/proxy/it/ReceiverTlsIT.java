/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.codec.OtlpJson;
import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy jar with TLS, mutual TLS and bearer tokens on its receivers, against the exporters of
 * the OpenTelemetry Java SDK (gRPC and HTTP) and of the OpenTelemetry Python SDK (configured only
 * through {@code OTEL_EXPORTER_OTLP_*} variables). Spans go to the proxy's file exporter, where the
 * test reads which tenant each resource was tagged with.
 */
class ReceiverTlsIT {

  private static final String JAVA_TOKEN = "tok-java-4f1c2a";
  private static final String PYTHON_TOKEN = "tok-python-9b7e3d";

  @TempDir static Path certs;
  private static Pem server;
  private static Pem client;

  @TempDir Path work;
  private ProxyProcess proxy;

  @BeforeAll
  static void generate() throws Exception {
    server = Pem.generate(certs, "server", "EC", "SAN=ip:127.0.0.1,dns:localhost");
    client = Pem.generate(certs, "client", "RSA", null);
  }

  @BeforeEach
  void startProxy() {
    proxy =
        ProxyProcess.start(
            work.resolve("proxy"),
            ProxyProcess.env(
                "TRACCIA_TLS_CERT_FILE", server.certificate.toString(),
                "TRACCIA_TLS_KEY_FILE", server.key.toString(),
                "TRACCIA_TLS_CLIENT_CA_FILE", client.certificate.toString(),
                "TRACCIA_AUTH_TENANTS", "team-java=" + JAVA_TOKEN + ",team-python=" + PYTHON_TOKEN,
                "TRACCIA_SCHEDULE_DELAY_MILLIS", "50"));
  }

  @AfterEach
  void stopProxy() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
  }

  private String https(String endpoint) {
    return endpoint.replace("http://127.0.0.1", "https://localhost");
  }

  private SpanExporter grpcExporter(String token, boolean clientCertificate) throws IOException {
    var b =
        OtlpGrpcSpanExporter.builder()
            .setEndpoint(https(proxy.grpcEndpoint()))
            .setTimeout(Duration.ofSeconds(10))
            .setTrustedCertificates(Files.readAllBytes(server.certificate))
            .addHeader("Authorization", "Bearer " + token);
    if (clientCertificate) {
      b.setClientTls(Files.readAllBytes(client.key), Files.readAllBytes(client.certificate));
    }
    return b.build();
  }

  private SpanExporter httpExporter(String token, boolean clientCertificate) throws IOException {
    var b =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(https(proxy.httpEndpoint()) + "/v1/traces")
            .setTimeout(Duration.ofSeconds(10))
            .setTrustedCertificates(Files.readAllBytes(server.certificate))
            .addHeader("Authorization", "Bearer " + token);
    if (clientCertificate) {
      b.setClientTls(Files.readAllBytes(client.key), Files.readAllBytes(client.certificate));
    }
    return b.build();
  }

  /**
   * Records one span and exports it with {@code exporter}; returns whether the export succeeded.
   */
  private static boolean export(SpanExporter exporter, String name) {
    InMemorySpanExporter memory = InMemorySpanExporter.create();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.create(
                    Attributes.of(
                        AttributeKey.stringKey("service.name"), "java-tls-peer",
                        AttributeKey.stringKey("tenant.id"), "spoofed")))
            .addSpanProcessor(SimpleSpanProcessor.create(memory))
            .build();
    provider.get("traccia-it").spanBuilder(name).startSpan().end();
    List<SpanData> spans = memory.getFinishedSpanItems();
    CompletableResultCode result = exporter.export(spans).join(20, TimeUnit.SECONDS);
    exporter.shutdown().join(10, TimeUnit.SECONDS);
    provider.shutdown();
    return result.isSuccess();
  }

  /** Span name to the tenant its resource carries, from the proxy's file exporter. */
  private Map<String, String> tenantsBySpan() throws Exception {
    Map<String, String> tenants = new HashMap<>();
    Path file = work.resolve("proxy").resolve("traces.jsonl");
    if (!Files.exists(file)) {
      return tenants;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      ExportTraceServiceRequest request =
          OtlpJson.parseTraces(line.getBytes(StandardCharsets.UTF_8));
      for (ResourceSpans rs : request.getResourceSpansList()) {
        List<String> values = new ArrayList<>();
        rs.getResource().getAttributesList().stream()
            .filter(a -> a.getKey().equals("tenant.id"))
            .forEach(a -> values.add(a.getValue().getStringValue()));
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span span : ss.getSpansList()) {
            tenants.put(span.getName(), String.join(",", values));
          }
        }
      }
    }
    return tenants;
  }

  @Test
  void javaSdk_grpcAndHttp_withTlsClientCertificateAndToken() throws Exception {
    assertThat(export(grpcExporter(JAVA_TOKEN, true), "java over grpc")).isTrue();
    assertThat(export(httpExporter(JAVA_TOKEN, true), "java over http")).isTrue();
    // Refused: a wrong token, and the right token without a client certificate.
    assertThat(export(grpcExporter("tok-wrong", true), "wrong token grpc")).isFalse();
    assertThat(export(httpExporter("tok-wrong", true), "wrong token http")).isFalse();
    assertThat(export(grpcExporter(JAVA_TOKEN, false), "no certificate grpc")).isFalse();
    assertThat(export(httpExporter(JAVA_TOKEN, false), "no certificate http")).isFalse();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(tenantsBySpan())
                    .containsEntry("java over grpc", "team-java")
                    .containsEntry("java over http", "team-java"));
    assertThat(tenantsBySpan()).hasSize(2);
    String metrics = proxy.metrics();
    assertThat(metrics)
        .contains(
            "traccia_proxy_refused_requests_total{reason=\"unauthenticated\",signal=\"traces\","
                + "transport=\"grpc\"} 1.0")
        .contains(
            "traccia_proxy_refused_requests_total{reason=\"unauthenticated\",signal=\"traces\","
                + "transport=\"http\"} 1.0");
  }

  @Test
  void pythonSdk_grpcAndHttp_configuredByOtelEnvironmentVariables() throws Exception {
    PeerRuntime peers = PeerRuntime.assumeInstalled();

    Map<String, String> env = new HashMap<>();
    env.put("OTEL_EXPORTER_OTLP_CERTIFICATE", server.certificate.toString());
    env.put("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", client.certificate.toString());
    env.put("OTEL_EXPORTER_OTLP_CLIENT_KEY", client.key.toString());
    env.put("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20" + PYTHON_TOKEN);
    // requests lets REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE, which some machines set to the system
    // bundle, override the CA file an HTTP exporter was given; empty, they leave it alone.
    env.put("REQUESTS_CA_BUNDLE", "");
    env.put("CURL_CA_BUNDLE", "");
    JsonNode run =
        peers.runPython(
            work.resolve("peer"),
            env,
            "otel_tls.py",
            https(proxy.httpEndpoint()),
            https(proxy.grpcEndpoint()));

    assertThat(run.get("http_ok").asBoolean()).as(run.toString()).isTrue();
    assertThat(run.get("grpc_ok").asBoolean()).as(run.toString()).isTrue();
    assertThat(run.get("http_wrong_token_ok").asBoolean()).as(run.toString()).isFalse();
    assertThat(run.get("grpc_wrong_token_ok").asBoolean()).as(run.toString()).isFalse();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(tenantsBySpan())
                    .containsEntry("python over http", "team-python")
                    .containsEntry("python over grpc", "team-python"));
    assertThat(tenantsBySpan()).hasSize(2);
  }

  /** A self-signed certificate and its key as PEM files, made with the JDK's keytool. */
  private static final class Pem {
    final Path certificate;
    final Path key;

    private Pem(Path certificate, Path key) {
      this.certificate = certificate;
      this.key = key;
    }

    static Pem generate(Path dir, String name, String algorithm, String san) throws Exception {
      Path store = dir.resolve(name + ".p12");
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                  "-genkeypair",
                  "-alias",
                  name,
                  "-dname",
                  "CN=" + (name.equals("server") ? "localhost" : "traccia-it-client"),
                  "-validity",
                  "2",
                  "-keystore",
                  store.toString(),
                  "-storetype",
                  "PKCS12",
                  "-storepass",
                  "changeit",
                  "-keyalg",
                  algorithm));
      if (algorithm.equals("EC")) {
        command.addAll(List.of("-groupname", "secp256r1"));
      } else {
        command.addAll(List.of("-keysize", "2048"));
      }
      if (san != null) {
        command.addAll(List.of("-ext", san));
      }
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException("keytool failed: " + output);
      }
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        keyStore.load(in, "changeit".toCharArray());
      }
      PrivateKey key = (PrivateKey) keyStore.getKey(name, "changeit".toCharArray());
      X509Certificate certificate = (X509Certificate) keyStore.getCertificate(name);
      Path certificatePem = dir.resolve(name + ".crt");
      Path keyPem = dir.resolve(name + ".key");
      Files.writeString(certificatePem, pem("CERTIFICATE", certificate.getEncoded()));
      Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
      return new Pem(certificatePem, keyPem);
    }

    private static String pem(String type, byte[] der) {
      return "-----BEGIN "
          + type
          + "-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
          + "\n-----END "
          + type
          + "-----\n";
    }
  }
}
