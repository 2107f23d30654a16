/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.server.export.HttpTestServer;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several OTLP backends at once, from {@code [exporters.otlp.<name>]} sections: each has its own
 * queue, gets only its signals, and fails or stalls without touching the others.
 */
class NamedExportersTest {

  private final HttpTestServer a = start();
  private final HttpTestServer b = start();
  private ProxyAssembly proxy;

  private static HttpTestServer start() {
    try {
      return HttpTestServer.start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    a.close();
    b.close();
  }

  private ProxyAssembly start(Map<String, String> aKeys, Map<String, String> bKeys)
      throws Exception {
    ProxyConfig config =
        ProxyConfig.builder()
            .setGrpcPort(0)
            .setHttpPort(0)
            .setAdminPort(0)
            .setScheduleDelay(Duration.ofMillis(10))
            .setGuardrailRootSpanWaitMs(0)
            .setShutdownTimeout(Duration.ofSeconds(1))
            .addOtlpExporter("a", with(aKeys, "endpoint", a.url("").toString()))
            .addOtlpExporter("b", with(bKeys, "endpoint", b.url("").toString()))
            .build();
    proxy = ProxyAssembly.start(config);
    return proxy;
  }

  private static Map<String, String> with(Map<String, String> keys, String key, String value) {
    Map<String, String> all = new java.util.LinkedHashMap<>(keys);
    all.put(key, value);
    all.put("compression", "none");
    return all;
  }

  @Test
  void permanentErrorOnOneBackend_theOtherGetsEverything() throws Exception {
    b.replies = r -> HttpTestServer.Reply.of(400);
    start(Map.of(), Map.of());

    for (int i = 1; i <= 3; i++) {
      assertThat(post("/v1/traces", trace(i).toByteArray())).isEqualTo(200);
    }

    SelfMetrics metrics = proxy.server().metrics();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                metrics.counterValue(
                        "traccia_proxy_exported_items", "signal", "traces", "exporter", "otlp/a")
                    == 3);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                metrics.counterValue(
                        "traccia_proxy_export_failed_items",
                        "signal",
                        "traces",
                        "exporter",
                        "otlp/b",
                        "reason",
                        "permanent")
                    == 3);
    List<String> paths = new ArrayList<>();
    a.received.forEach(r -> paths.add(r.path));
    assertThat(paths).isNotEmpty().allMatch("/v1/traces"::equals);
    assertThat(
            metrics.counterValue(
                "traccia_proxy_exported_items", "signal", "traces", "exporter", "otlp/b"))
        .isZero();
    // Queues are labelled by the configured names, each with its own capacity.
    assertThat(scrape())
        .contains("traccia_proxy_queue_capacity{exporter=\"otlp/a\"} 50000.0")
        .contains("traccia_proxy_queue_capacity{exporter=\"otlp/b\"} 50000.0");
  }

  @Test
  void signals_metricsGoOnlyToTheExporterThatTakesThem() throws Exception {
    start(Map.of("signals", "traces,metrics", "max_queue_size", "70"), Map.of("signals", "traces"));

    assertThat(post("/v1/metrics", metrics().toByteArray())).isEqualTo(200);
    assertThat(post("/v1/traces", trace(1).toByteArray())).isEqualTo(200);

    List<String> toA = new ArrayList<>();
    toA.add(a.take().path);
    toA.add(a.take().path);
    assertThat(toA).containsExactlyInAnyOrder("/v1/metrics", "/v1/traces");
    assertThat(b.take().path).isEqualTo("/v1/traces");
    proxy.server().flush(Duration.ofSeconds(5));
    assertThat(b.received).isEmpty(); // no metrics request ever reached b
    SelfMetrics metrics = proxy.server().metrics();
    assertThat(
            metrics.counterValue(
                "traccia_proxy_exported_items", "signal", "metrics", "exporter", "otlp/a"))
        .isEqualTo(1);
    assertThat(
            metrics.counterValue(
                "traccia_proxy_exported_items", "signal", "metrics", "exporter", "otlp/b"))
        .isZero();
    assertThat(scrape()).contains("traccia_proxy_queue_capacity{exporter=\"otlp/a\"} 70.0");
  }

  @Test
  void stalledBackend_doesNotHoldBackTheOther() throws Exception {
    b.replies = r -> HttpTestServer.Reply.hang();
    start(Map.of(), Map.of("timeout_ms", "60000"));

    for (int i = 1; i <= 10; i++) {
      assertThat(post("/v1/traces", trace(i).toByteArray())).isEqualTo(200);
    }

    SelfMetrics metrics = proxy.server().metrics();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                metrics.counterValue(
                        "traccia_proxy_exported_items", "signal", "traces", "exporter", "otlp/a")
                    == 10);
    assertThat(
            metrics.counterValue(
                "traccia_proxy_exported_items", "signal", "traces", "exporter", "otlp/b"))
        .isZero();
  }

  private int post(String path, byte[] body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + proxy.server().httpPort() + path))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private String scrape() throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + proxy.server().adminPort() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .body();
  }

  private static ExportTraceServiceRequest trace(int id) {
    Span span =
        Span.newBuilder()
            .setTraceId(
                ByteString.copyFrom(
                    new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, (byte) id}))
            .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) id}))
            .setName("span-" + id)
            .build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
        .build();
  }

  private static ExportMetricsServiceRequest metrics() {
    Metric metric =
        Metric.newBuilder()
            .setName("queue.depth")
            .setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder().setAsInt(3)))
            .build();
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(metric)))
        .build();
  }
}
