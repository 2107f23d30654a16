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
import ai.traccia.proxy.server.export.Signal;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every attack on the receivers at once, against one proxy with a small memory budget: slow
 * requests, gzip bombs on both transports, large concurrent gRPC exports, invalid gzip and
 * oversized headers. Afterwards well-behaved clients are served and nothing is left held.
 */
class HostileClientsTest {

  private static final long MIB = 1024 * 1024;
  private static final long BUDGET = 8 * MIB;

  private final RecordingExporter exporter = new RecordingExporter();
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Socket> sockets = new ArrayList<>();
  private ProxyServer proxy;
  private ManagedChannel grpc;

  @AfterEach
  void stop() throws Exception {
    for (Socket s : sockets) {
      s.close();
    }
    if (grpc != null) {
      grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  private int post(byte[] body, boolean gzip) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/v1/traces"))
            .header("Content-Type", "application/x-protobuf")
            .timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (gzip) {
      b.header("Content-Encoding", "gzip");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private Socket slowRequest() throws Exception {
    Socket s = new Socket("127.0.0.1", proxy.httpPort());
    s.setSoTimeout(10_000);
    sockets.add(s);
    HttpBoundsTest.write(
        s,
        "POST /v1/traces HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/x-protobuf\r\n"
            + "Content-Length: 4194304\r\n\r\n");
    return s;
  }

  @Test
  void allAttacksAtOnce_wellBehavedClientsServedAndNothingLeftHeld() throws Exception {
    proxy =
        ProxyServer.start(
            ProxyServer.options()
                .setGrpcPort(0)
                .setHttpPort(0)
                .setAdminPort(0)
                .setMaxRequestBytes(16 * MIB)
                .setMaxBufferBytes(BUDGET)
                .setScheduleDelay(Duration.ofMillis(10))
                .setReceiverLimits(
                    new ReceiverLimits(
                        128,
                        Duration.ofMillis(500),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        4096,
                        100))
                .addExporter(exporter)
                .build());
    grpc =
        NettyChannelBuilder.forAddress("127.0.0.1", proxy.grpcPort())
            .usePlaintext()
            .maxInboundMessageSize(64 << 20)
            .build();
    byte[] httpBomb = HttpBoundsTest.gzipBomb((int) (6 * MIB));
    byte[] zeros = new byte[(int) (6 * MIB)];
    byte[] large = TestData.traces(16_000).toByteArray();
    byte[] good = TestData.traces(2).toByteArray();
    ExecutorService attackers = Executors.newFixedThreadPool(24);
    PeakWatcher peak = PeakWatcher.start(proxy.memoryBudget());
    List<Socket> slow = new ArrayList<>();
    List<Future<?>> attacks = new ArrayList<>();
    try {
      for (int i = 0; i < 32; i++) {
        slow.add(slowRequest());
      }
      for (int i = 0; i < 8; i++) {
        attacks.add(attackers.submit(() -> post(httpBomb, true)));
      }
      for (int i = 0; i < 4; i++) {
        attacks.add(attackers.submit(() -> quietly(() -> GrpcBoundsTest.call(grpc, large, null))));
        attacks.add(
            attackers.submit(() -> quietly(() -> GrpcBoundsTest.call(grpc, zeros, "gzip"))));
      }
      attacks.add(
          attackers.submit(
              () -> {
                Socket s = new Socket("127.0.0.1", proxy.httpPort());
                sockets.add(s);
                HttpBoundsTest.write(
                    s, "POST /v1/traces HTTP/1.1\r\nX-Padding: " + "a".repeat(8000) + "\r\n\r\n");
                return HttpBoundsTest.status(s);
              }));
      for (Future<?> attack : attacks) {
        attack.get(30, TimeUnit.SECONDS);
      }
      for (Socket s : slow) {
        assertThat(HttpBoundsTest.status(s)).isEqualTo(408);
      }
    } finally {
      attackers.shutdownNow();
      peak.stop();
    }

    assertThat(post(good, false)).isEqualTo(200);
    assertThat(GrpcBoundsTest.call(grpc, good, null)).isNotNull();
    proxy.flush(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(5)).until(() -> proxy.memoryBudget().used() == 0);
    // Past the budget only by what one request alone may take.
    assertThat(peak.max()).isLessThanOrEqualTo(BUDGET + 2 * 8 * MIB);
    assertThat(exporter.requests(Signal.TRACES)).isNotEmpty();
  }

  private static Object quietly(java.util.concurrent.Callable<?> call) {
    try {
      return call.call();
    } catch (Exception e) {
      return e;
    }
  }
}
