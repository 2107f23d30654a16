/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the durable queue on, {@code kill -9} of the proxy under load, with a backlog queued for a
 * backend that is down, loses nothing that a client was told is accepted.
 */
class DurableQueueIT {

  private static final Duration WITHIN = Duration.ofSeconds(90);
  private static final int SPANS_PER_REQUEST = 10;
  private static final int SENDERS = 4;

  @TempDir Path work;
  private CollectorBackend collector;
  private ProxyProcess proxy;

  @BeforeEach
  void startCollector() {
    CollectorBackend.assumeAvailable();
    collector = CollectorBackend.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (collector != null) {
      collector.close();
    }
  }

  @Test
  void kill9UnderLoad_everyAcknowledgedSpanArrivesAfterRestart() throws Exception {
    Map<String, String> env =
        ProxyProcess.env(
            "TRACCIA_ENDPOINT", collector.grpcEndpoint(),
            "TRACCIA_EXPORTER_PROTOCOL", "grpc",
            "TRACCIA_SCHEDULE_DELAY_MILLIS", "50",
            "TRACCIA_RETRY_INITIAL_BACKOFF_MS", "200",
            "TRACCIA_RETRY_MAX_BACKOFF_MS", "1000",
            "TRACCIA_DURABLE_QUEUE", "true",
            "TRACCIA_DURABLE_QUEUE_DIR", work.resolve("queue").toString());
    proxy = ProxyProcess.start(work.resolve("proxy"), env);

    Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicLong refused = new AtomicLong();
    AtomicLong unanswered = new AtomicLong();
    AtomicLong next = new AtomicLong();
    AtomicBoolean sending = new AtomicBoolean(true);
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    URI traces = URI.create(proxy.httpEndpoint() + "/v1/traces");
    ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    for (int t = 0; t < SENDERS; t++) {
      senders.execute(
          () -> {
            while (sending.get()) {
              long first = next.getAndAdd(SPANS_PER_REQUEST);
              try {
                HttpResponse<Void> r =
                    client.send(
                        HttpRequest.newBuilder(traces)
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/x-protobuf")
                            .POST(
                                HttpRequest.BodyPublishers.ofByteArray(
                                    LoadSupport.request(first, SPANS_PER_REQUEST)))
                            .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                  for (int i = 0; i < SPANS_PER_REQUEST; i++) {
                    acknowledged.add(first + i);
                  }
                } else {
                  refused.addAndGet(SPANS_PER_REQUEST);
                }
              } catch (IOException e) {
                // The proxy was killed with this request in flight: its outcome is unknown, and
                // a client would send it again.
                unanswered.addAndGet(SPANS_PER_REQUEST);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
            }
          });
    }
    try {
      await().atMost(WITHIN).until(() -> acknowledged.size() >= 2_000);
      // A backlog builds up in the durable queue while the backend is down.
      collector.stop();
      int beforeKill = acknowledged.size();
      await().atMost(WITHIN).until(() -> acknowledged.size() >= beforeKill + 4_000);
      proxy.kill();
    } finally {
      sending.set(false);
      senders.shutdown();
      assertThat(senders.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    Set<Long> acked = new HashSet<>(acknowledged);

    collector.restart();
    proxy.restart();

    Set<Long> arrived = new HashSet<>();
    long[] received = {0};
    await()
        .atMost(WITHIN)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              List<Span> spans = collector.receivedSpans();
              arrived.clear();
              for (Span s : spans) {
                arrived.add(LoadSupport.spanNumber(s.getSpanId()));
              }
              received[0] = spans.size();
              return arrived.containsAll(acked);
            });
    Set<Long> lost = new HashSet<>(acked);
    lost.removeAll(arrived);
    assertThat(lost).isEmpty();
    assertThat(proxy.output()).contains("are sent again now");
    System.out.printf(
        "durable queue, kill -9: %d spans acknowledged, %d refused (retryable), %d unanswered at"
            + " the kill, %d spans received by the backend (%d unique, %d duplicates), 0"
            + " acknowledged spans lost%n",
        acked.size(),
        refused.get(),
        unanswered.get(),
        received[0],
        arrived.size(),
        received[0] - arrived.size());
  }
}
