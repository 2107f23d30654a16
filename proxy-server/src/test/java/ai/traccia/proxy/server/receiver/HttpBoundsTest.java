/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.server.ProxyServer;
import ai.traccia.proxy.server.RecordingExporter;
import ai.traccia.proxy.server.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Clients that try to hold the OTLP/HTTP receiver's memory, connections or time. */
class HttpBoundsTest {

  static final long BUDGET = 8L * 1024 * 1024;

  private final RecordingExporter exporter = new RecordingExporter();
  private final HttpClient client = HttpClient.newHttpClient();
  private final List<Socket> sockets = new ArrayList<>();
  private ProxyServer proxy;

  private void start(long maxRequestBytes, ReceiverLimits limits) throws Exception {
    proxy =
        ProxyServer.start(
            ProxyServer.options()
                .setGrpcPort(0)
                .setHttpPort(0)
                .setAdminPort(0)
                .setMaxRequestBytes(maxRequestBytes)
                .setMaxBufferBytes(BUDGET)
                .setScheduleDelay(Duration.ofMillis(10))
                .setReceiverLimits(limits)
                .addExporter(exporter)
                .build());
  }

  static ReceiverLimits limits(
      int maxConnections, Duration header, Duration body, Duration idle, int maxHeaderBytes) {
    return new ReceiverLimits(maxConnections, header, body, idle, maxHeaderBytes, 100);
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", proxy.httpPort());
    s.setSoTimeout(10_000);
    sockets.add(s);
    return s;
  }

  /** Sends a request head that announces {@code length} bytes of body. */
  private Socket head(long length) throws IOException {
    Socket s = connect();
    write(
        s,
        "POST /v1/traces HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/x-protobuf\r\n"
            + "Content-Length: "
            + length
            + "\r\n\r\n");
    return s;
  }

  static void write(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** The status code of the next response, or -1 when the connection is closed without one. */
  static int status(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = in.read()) != -1 && b != '\n') {
        line.write(b);
      }
    } catch (SocketException reset) {
      return -1;
    }
    String text = line.toString(StandardCharsets.ISO_8859_1);
    return text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
  }

  /** Whether the server closed {@code s}; reads and drops what it answered before. */
  static boolean closedByServer(Socket s) {
    try {
      InputStream in = s.getInputStream();
      while (in.read() != -1) {
        // Drain.
      }
      return true;
    } catch (IOException e) {
      return e instanceof SocketException;
    }
  }

  private HttpResponse<byte[]> post(byte[] body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/v1/traces"))
            .header("Content-Type", "application/x-protobuf")
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private double closed(String reason) {
    return proxy
        .metrics()
        .counterValue("traccia_proxy_closed_connections", "transport", "http", "reason", reason);
  }

  @Test
  void declaredLengthWithoutBody_holdsNoMemoryAndTimesOut() throws Exception {
    start(
        64L * 1024 * 1024,
        limits(4096, Duration.ofSeconds(10), Duration.ofMillis(500), Duration.ofMinutes(2), 16384));
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      // 32 x 2 x 4 MiB would be 32 times the budget if the declared length were reserved.
      slow.add(head(4L * 1024 * 1024));
    }
    byte[] good = TestData.traces(3).toByteArray();

    assertThat(post(good).statusCode()).isEqualTo(200);
    assertThat(proxy.memoryBudget().used()).isLessThanOrEqualTo(good.length);

    for (Socket s : slow) {
      assertThat(status(s)).isEqualTo(408);
      assertThat(closedByServer(s)).isTrue();
    }
    assertThat(closed("body_timeout")).isEqualTo(32);
    proxy.flush(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.memoryBudget().used() == 0);
  }

  @Test
  void slowBody_releasesWhatItHeldWhenTimedOut() throws Exception {
    start(
        64L * 1024 * 1024,
        limits(4096, Duration.ofSeconds(10), Duration.ofMillis(500), Duration.ofMinutes(2), 16384));
    Socket s = head(1024 * 1024);
    s.getOutputStream().write(new byte[256 * 1024]);
    s.getOutputStream().flush();
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.memoryBudget().used() > 0);

    assertThat(status(s)).isEqualTo(408);
    assertThat(closedByServer(s)).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.memoryBudget().used() == 0);
  }

  @Test
  void partialHead_answered408AfterTheHeaderTimeout() throws Exception {
    start(
        64 * 1024,
        limits(4096, Duration.ofMillis(300), Duration.ofSeconds(30), Duration.ofMinutes(2), 16384));
    Socket partial = connect();
    write(partial, "POST /v1/traces HTTP/1.1\r\nHost: proxy\r\n");
    Socket silent = connect();

    assertThat(status(partial)).isEqualTo(408);
    assertThat(closedByServer(partial)).isTrue();
    assertThat(status(silent)).isEqualTo(-1);
    assertThat(closed("header_timeout")).isEqualTo(2);
  }

  @Test
  void idleKeepAliveConnection_closedAfterTheIdleTimeout() throws Exception {
    start(
        64 * 1024,
        limits(
            4096, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMillis(300), 16384));
    Socket s = connect();
    byte[] body = TestData.traces(1).toByteArray();
    write(
        s,
        "POST /v1/traces HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/x-protobuf\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n\r\n");
    s.getOutputStream().write(body);
    s.getOutputStream().flush();

    assertThat(status(s)).isEqualTo(200);
    assertThat(closedByServer(s)).isTrue();
    assertThat(closed("idle_timeout")).isEqualTo(1);
  }

  @Test
  void connectionsOverTheLimit_closedAndCounted() throws Exception {
    start(
        64 * 1024,
        limits(4, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(2), 16384));
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(connect());
    }
    Socket extra = connect();

    assertThat(closedByServer(extra)).isTrue();
    assertThat(closed("connection_limit")).isEqualTo(1);

    held.get(0).close();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(post(TestData.traces(1).toByteArray()).statusCode()).isEqualTo(200));
  }

  @Test
  void headersOverTheLimit_431AndLongRequestLine_414() throws Exception {
    start(
        64 * 1024,
        limits(4096, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(2), 1024));
    Socket headers = connect();
    write(
        headers,
        "POST /v1/traces HTTP/1.1\r\nHost: proxy\r\nX-Padding: " + "a".repeat(2000) + "\r\n\r\n");
    Socket line = connect();
    write(line, "POST /v1/traces?" + "a".repeat(2000) + " HTTP/1.1\r\nHost: proxy\r\n\r\n");

    assertThat(status(headers)).isEqualTo(431);
    assertThat(status(line)).isEqualTo(414);
    assertThat(closed("header_too_large")).isEqualTo(2);
    assertThat(post(TestData.traces(1).toByteArray()).statusCode()).isEqualTo(200);
  }

  /** A body of {@code size} zero bytes, gzip-compressed: about a thousandth of its size. */
  static byte[] gzipBomb(int size) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      byte[] zeros = new byte[64 * 1024];
      for (int written = 0; written < size; written += zeros.length) {
        gzip.write(zeros, 0, Math.min(zeros.length, size - written));
      }
    }
    return out.toByteArray();
  }

  @Test
  void concurrentGzipBombs_neverTakeMoreThanTheBudget() throws Exception {
    // Each inflates to 6 MiB, under the request limit: alone each would be inflated in full.
    start(
        16L * 1024 * 1024,
        limits(4096, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(2), 16384));
    byte[] bomb = gzipBomb(6 * 1024 * 1024);
    ExecutorService clients = Executors.newFixedThreadPool(16);
    PeakWatcher peak = PeakWatcher.start(proxy.memoryBudget());
    try {
      List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        answers.add(clients.submit(() -> post(bomb, "Content-Encoding", "gzip")));
      }
      for (Future<HttpResponse<byte[]>> answer : answers) {
        // Zeros are not a valid request: 400 once inflated, or 503 while the budget is used up.
        HttpResponse<byte[]> response = answer.get();
        assertThat(response.statusCode()).isIn(400, 503);
        if (response.statusCode() == 503) {
          assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        }
      }
    } finally {
      clients.shutdownNow();
      peak.stop();
    }
    // One request alone may go past the budget; two or more never do.
    assertThat(peak.max()).isLessThanOrEqualTo(BUDGET + 2 * 6 * 1024 * 1024 + 2 * 8 * 1024);
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.memoryBudget().used() == 0);
    assertThat(post(TestData.traces(1).toByteArray()).statusCode()).isEqualTo(200);
  }

  @Test
  void gzipBombOverTheRequestLimit_413() throws Exception {
    start(
        1024 * 1024,
        limits(4096, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(2), 16384));

    HttpResponse<byte[]> response = post(gzipBomb(4 * 1024 * 1024), "Content-Encoding", "gzip");

    assertThat(response.statusCode()).isEqualTo(413);
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.memoryBudget().used() == 0);
  }
}
