/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real Collectors behind two named exporters with durable queues: while one is down, the other
 * receives every span at once; when the first comes back on the same port, it receives every span
 * of the outage from its own queue.
 */
class NamedExportersIT {

  /** How long the second Collector is down while spans keep arriving. */
  static final Duration OUTAGE = Duration.ofSeconds(60);

  private static final Duration WITHIN = Duration.ofSeconds(60);
  private static final Duration SEND_EVERY = Duration.ofMillis(250);
  private static final int SPANS_PER_REQUEST = 10;

  @TempDir Path work;
  private CollectorBackend always;
  private CollectorBackend flaky;
  private ProxyProcess proxy;
  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicLong next = new AtomicLong();
  private final Set<Long> acknowledged = new HashSet<>();

  @BeforeEach
  void startCollectors() {
    CollectorBackend.assumeAvailable();
    always = CollectorBackend.start();
    flaky = CollectorBackend.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (always != null) {
      always.close();
    }
    if (flaky != null) {
      flaky.close();
    }
  }

  @Test
  void oneBackendDown_theOtherGetsEverything_andTheFirstCatchesUpFromItsDurableQueue()
      throws Exception {
    Path config = work.resolve("traccia.toml");
    Files.writeString(
        config,
        "[exporters]\n"
            + "durable_queue_dir = \""
            + work.resolve("queue")
            + "\"\n"
            + "retry_initial_backoff_ms = 200\n"
            + "retry_max_backoff_ms = 1000\n"
            + "[rate_limiting]\n"
            + "schedule_delay_millis = 50\n"
            + "[guardrails]\n"
            + "root_span_wait_ms = 0\n"
            + "[exporters.otlp.always]\n"
            + "endpoint = \""
            + always.grpcEndpoint()
            + "\"\n"
            + "protocol = \"grpc\"\n"
            + "durable_queue = true\n"
            + "[exporters.otlp.flaky]\n"
            + "endpoint = \""
            + flaky.httpEndpoint()
            + "\"\n"
            + "protocol = \"http/protobuf\"\n"
            + "durable_queue = true\n",
        StandardCharsets.UTF_8);
    proxy = ProxyProcess.start(work.resolve("proxy"), Map.of(), "--config", config.toString());
    assertThat(proxy.output())
        .contains("otlp/always: OTLP/gRPC " + always.grpcEndpoint())
        .contains("otlp/flaky: OTLP/HTTP " + flaky.httpEndpoint() + "/v1/traces");

    for (int i = 0; i < 10; i++) {
      send();
    }
    awaitAll(always);
    awaitAll(flaky);

    flaky.stop();
    long outageStart = System.nanoTime();
    // Keep sending through the outage, one request every SEND_EVERY.
    await()
        .atMost(OUTAGE.plusSeconds(30))
        .pollDelay(Duration.ZERO)
        .pollInterval(SEND_EVERY)
        .until(
            () -> {
              send();
              return System.nanoTime() - outageStart >= OUTAGE.toNanos();
            });
    // The backend that stayed up was never held back: it has every span of the outage already.
    awaitAll(always);
    assertThat(numbers(flaky)).hasSizeLessThan(acknowledged.size());
    assertThat(work.resolve("queue").resolve("otlp_always")).isDirectory();
    assertThat(work.resolve("queue").resolve("otlp_flaky")).isDirectory();

    flaky.restart();
    awaitAll(flaky);

    String metrics = proxy.metrics();
    assertThat(metrics)
        .contains("traccia_proxy_queue_capacity{exporter=\"otlp/always\"}")
        .contains("traccia_proxy_queue_capacity{exporter=\"otlp/flaky\"}")
        .containsPattern("traccia_proxy_exported_items_total\\{[^}]*exporter=\"otlp/flaky\"");
    System.out.printf(
        "named exporters: %d spans acknowledged; %s outage of one Collector; the other had them"
            + " all before it ended, and the stopped one had them all %d s after the outage ended%n",
        acknowledged.size(),
        OUTAGE,
        Duration.ofNanos(System.nanoTime() - outageStart).minus(OUTAGE).toSeconds());
  }

  /** Sends one request of {@link #SPANS_PER_REQUEST} new spans; remembers them if accepted. */
  private boolean send() throws Exception {
    long first = next.getAndAdd(SPANS_PER_REQUEST);
    HttpResponse<Void> response =
        client.send(
            HttpRequest.newBuilder(URI.create(proxy.httpEndpoint() + "/v1/traces"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-protobuf")
                .POST(
                    HttpRequest.BodyPublishers.ofByteArray(
                        LoadSupport.request(first, SPANS_PER_REQUEST)))
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(response.statusCode()).isEqualTo(200);
    for (int i = 0; i < SPANS_PER_REQUEST; i++) {
      acknowledged.add(first + i);
    }
    return true;
  }

  private void awaitAll(CollectorBackend collector) {
    Set<Long> expected = new HashSet<>(acknowledged);
    await()
        .atMost(WITHIN)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> numbers(collector).containsAll(expected));
  }

  private static Set<Long> numbers(CollectorBackend collector) {
    Set<Long> numbers = new HashSet<>();
    for (Span s : collector.receivedSpans()) {
      numbers.add(LoadSupport.spanNumber(s.getSpanId()));
    }
    return numbers;
  }
}
