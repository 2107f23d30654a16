/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.export.Signal;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {

  private final HttpClient client = HttpClient.newHttpClient();
  private final SelfMetrics metrics = new SelfMetrics();
  private final AtomicBoolean ready = new AtomicBoolean();
  private AdminServer admin;

  @BeforeEach
  void start() throws Exception {
    admin = AdminServer.start("127.0.0.1", 0, metrics, ready::get);
  }

  @AfterEach
  void stop() {
    admin.stop();
    admin.stop();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthz_alwaysOk() throws Exception {
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(get("/healthz").body()).isEqualTo("ok\n");
  }

  @Test
  void readyz_followsReadiness() throws Exception {
    assertThat(get("/readyz").statusCode()).isEqualTo(503);

    ready.set(true);

    assertThat(get("/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void metrics_prometheusText() throws Exception {
    metrics.received(Signal.TRACES, "grpc", 7);
    metrics.registerQueue("otlp-grpc", () -> 3, 100);

    HttpResponse<String> response = get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body())
        .contains("# TYPE traccia_proxy_received_items_total counter")
        .contains("traccia_proxy_received_items_total{signal=\"traces\",transport=\"grpc\"} 7.0")
        .contains("traccia_proxy_queue_size{exporter=\"otlp-grpc\"} 3.0")
        .contains("traccia_proxy_queue_capacity{exporter=\"otlp-grpc\"} 100.0");
  }

  @Test
  void unknownPath_notFound() throws Exception {
    assertThat(get("/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void post_methodNotAllowed() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/healthz"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(405);
  }
}
