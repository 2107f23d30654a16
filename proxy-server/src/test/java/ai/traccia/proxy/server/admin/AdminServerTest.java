/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
    assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  // --- Bounds: a slow or crowding client never holds up a probe ---------------------------------

  private final List<Socket> sockets = new ArrayList<>();
  private AdminServer custom;

  @AfterEach
  void closeSockets() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    if (custom != null) {
      custom.stop();
    }
  }

  private Socket connect(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    sockets.add(socket);
    return socket;
  }

  // A probe with a deadline: an answer later than this counts as blocked.
  private HttpResponse<String> probe(int port, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(2))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String exchange(Socket socket, String request) throws IOException {
    socket.setSoTimeout(5000);
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  // Reads a keep-alive response up to and including the end of its body, {@code last}.
  private static String readUntil(Socket socket, String last) throws IOException {
    socket.setSoTimeout(5000);
    StringBuilder read = new StringBuilder();
    InputStream in = socket.getInputStream();
    while (!read.toString().endsWith(last)) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      read.append((char) b);
    }
    return read.toString();
  }

  // True once the server has closed the connection: a read returns end of stream (or a reset).
  private static boolean closedByServer(Socket socket) throws IOException {
    socket.setSoTimeout(50);
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Test
  void slowClient_oneByteAndWait_probesAnswerMeanwhile() throws Exception {
    Socket slow = connect(admin.port());
    slow.getOutputStream().write('G');
    slow.getOutputStream().flush();
    ready.set(true);

    for (int i = 0; i < 50; i++) {
      long start = System.nanoTime();
      assertThat(probe(admin.port(), "/healthz").statusCode()).isEqualTo(200);
      assertThat(probe(admin.port(), "/readyz").statusCode()).isEqualTo(200);
      assertThat(probe(admin.port(), "/metrics").statusCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }
    assertThat(closedByServer(slow)).isFalse();
  }

  @Test
  void slowClient_closedAfterHeaderTimeout() throws Exception {
    custom =
        AdminServer.builder(metrics, ready::get)
            .setPort(0)
            .setHeaderTimeout(Duration.ofMillis(200))
            .start();
    Socket slow = connect(custom.port());
    slow.getOutputStream().write("GET /hea".getBytes(StandardCharsets.US_ASCII));
    slow.getOutputStream().flush();

    await().atMost(Duration.ofSeconds(5)).until(() -> closedByServer(slow));
    assertThat(probe(custom.port(), "/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void idleConnection_closedAfterIdleTimeout() throws Exception {
    custom =
        AdminServer.builder(metrics, ready::get)
            .setPort(0)
            .setIdleTimeout(Duration.ofMillis(200))
            .start();
    Socket idle = connect(custom.port());
    idle.getOutputStream()
        .write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    assertThat(readUntil(idle, "ok\n")).startsWith("HTTP/1.1 200 OK").endsWith("ok\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> closedByServer(idle));
  }

  @Test
  void twoHundredIdleConnections_probesAnswer() throws Exception {
    for (int i = 0; i < 200; i++) {
      connect(admin.port());
    }
    for (int i = 0; i < 20; i++) {
      assertThat(probe(admin.port(), "/healthz").statusCode()).isEqualTo(200);
      assertThat(probe(admin.port(), "/metrics").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void connectionCap_newConnectionClosesTheOldestIdleOne() throws Exception {
    custom = AdminServer.builder(metrics, ready::get).setPort(0).setMaxConnections(10).start();
    List<Socket> idle = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      idle.add(connect(custom.port()));
    }

    for (int i = 0; i < 20; i++) {
      assertThat(probe(custom.port(), "/healthz").statusCode()).isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> closedByServer(idle.get(0)));
  }

  @Test
  void prefixRoute_servesPathsUnderIt_exactAndLongerRoutesFirst() throws Exception {
    custom =
        AdminServer.builder(metrics, ready::get)
            .setPort(0)
            .addPage("/api/*", request -> AdminResponse.text(200, "api " + request.path() + "\n"))
            .addPage("/api/deep/*", request -> AdminResponse.text(200, "deep\n"))
            .addProbe("/api/exact", request -> AdminResponse.text(200, "exact\n"))
            .start();

    assertThat(probe(custom.port(), "/api/traces/abc").body()).isEqualTo("api /api/traces/abc\n");
    assertThat(probe(custom.port(), "/api/deep/x").body()).isEqualTo("deep\n");
    assertThat(probe(custom.port(), "/api/exact").body()).isEqualTo("exact\n");
    assertThat(probe(custom.port(), "/apix").statusCode()).isEqualTo(404);
    assertThat(probe(custom.port(), "/api").statusCode()).isEqualTo(404);
  }

  @Test
  void slowPage_probesAnswerMeanwhile() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    custom =
        AdminServer.builder(metrics, ready::get)
            .setPort(0)
            .addPage(
                "/slow",
                request -> {
                  try {
                    release.await(10, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return AdminResponse.text(200, "slow\n");
                })
            .start();
    var slow =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + custom.port() + "/slow"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    for (int i = 0; i < 20; i++) {
      assertThat(probe(custom.port(), "/healthz").statusCode()).isEqualTo(200);
      assertThat(probe(custom.port(), "/readyz").statusCode()).isEqualTo(503);
    }
    release.countDown();
    assertThat(slow.get(5, TimeUnit.SECONDS).body()).isEqualTo("slow\n");
  }

  @Test
  void pages_busyRenderer_serviceUnavailableWithRetryAfter() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    custom =
        AdminServer.builder(metrics, ready::get)
            .setPort(0)
            .addPage(
                "/slow",
                request -> {
                  try {
                    release.await(10, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return AdminResponse.text(200, "slow\n");
                })
            .start();
    List<Socket> waiting = new ArrayList<>();
    // One rendering and a full queue behind it.
    for (int i = 0; i < 1 + AdminServer.RENDER_QUEUE; i++) {
      Socket s = connect(custom.port());
      s.getOutputStream()
          .write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      waiting.add(s);
    }

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              HttpResponse<String> busy = probe(custom.port(), "/metrics");
              assertThat(busy.statusCode()).isEqualTo(503);
              assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
            });
    release.countDown();
    for (Socket s : waiting) {
      s.setSoTimeout(5000);
      InputStream in = s.getInputStream();
      assertThat(new String(in.readNBytes(15), StandardCharsets.ISO_8859_1))
          .isEqualTo("HTTP/1.1 200 OK");
    }
  }

  @Test
  void head_headersWithoutBody() throws Exception {
    Socket socket = connect(admin.port());

    String response =
        exchange(socket, "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(response)
        .startsWith("HTTP/1.1 200 OK\r\n")
        .containsIgnoringCase("content-length: 3\r\n")
        .endsWith("\r\n\r\n");
  }

  @Test
  void requestWithBody_refused() throws Exception {
    Socket socket = connect(admin.port());

    String response =
        exchange(
            socket,
            "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");

    assertThat(response).startsWith("HTTP/1.1 413 ");
  }

  @Test
  void longHeaders_refused() throws Exception {
    Socket socket = connect(admin.port());

    String response =
        exchange(
            socket,
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: "
                + "a".repeat(AdminServer.MAX_HEADER_BYTES + 1)
                + "\r\n\r\n");

    assertThat(response).startsWith("HTTP/1.1 431 ");
    assertThat(closedByServer(socket)).isTrue();
  }

  @Test
  void longRequestLine_refused() throws Exception {
    Socket socket = connect(admin.port());

    String response =
        exchange(
            socket,
            "GET /" + "a".repeat(AdminServer.MAX_INITIAL_LINE) + " HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(response).startsWith("HTTP/1.1 414 ");
  }

  @Test
  void keepAlive_pipelinedRequestsAnsweredInOrder() throws Exception {
    metrics.received(Signal.TRACES, "grpc", 7);
    Socket socket = connect(admin.port());

    String response =
        exchange(
            socket,
            "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(response.indexOf("# TYPE")).isPositive();
    assertThat(response.indexOf("not ready\n")).isGreaterThan(response.indexOf("# TYPE"));
    assertThat(response).endsWith("ok\n");
  }
}
