/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload from real OpenTelemetry SDK exporters: over the rate limit they are asked to retry and
 * nothing they were told is accepted gets lost; a backend that is down for a while loses nothing.
 */
class OverloadIT {

  private static final Duration ARRIVAL = Duration.ofSeconds(60);
  private static final int RATE = 1000;
  private static final int BATCH = 200;
  private static final int BATCHES = 30;
  private static final int CLIENTS = 2;

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

  private void startProxy(String... extraEnv) {
    Map<String, String> env =
        ProxyProcess.env(
            "TRACCIA_ENDPOINT",
            collector.grpcEndpoint(),
            "TRACCIA_EXPORTER_PROTOCOL",
            "grpc",
            "TRACCIA_SCHEDULE_DELAY_MILLIS",
            "50");
    env.putAll(ProxyProcess.env(extraEnv));
    proxy = ProxyProcess.start(work.resolve("proxy"), env);
  }

  private static RetryPolicy patientRetries() {
    return RetryPolicy.builder()
        .setMaxAttempts(5)
        .setInitialBackoff(Duration.ofMillis(500))
        .setMaxBackoff(Duration.ofSeconds(5))
        .setBackoffMultiplier(2)
        .build();
  }

  @Test
  void rateLimit_httpSdkAtTwiceTheLimitIsAskedToRetryAndEverySpanArrives() throws Exception {
    startProxy("TRACCIA_MAX_SPANS_PER_SECOND", Integer.toString(RATE), "TRACCIA_MAX_BLOCK_MS", "0");

    sendAtTwiceTheLimitAndVerify(
        () ->
            OtlpHttpSpanExporter.builder()
                .setEndpoint(proxy.httpEndpoint() + "/v1/traces")
                .setRetryPolicy(patientRetries())
                .build());
  }

  @Test
  void rateLimit_grpcSdkAtTwiceTheLimitIsAskedToRetryAndEverySpanArrives() throws Exception {
    startProxy("TRACCIA_MAX_SPANS_PER_SECOND", Integer.toString(RATE), "TRACCIA_MAX_BLOCK_MS", "0");

    sendAtTwiceTheLimitAndVerify(
        () ->
            OtlpGrpcSpanExporter.builder()
                .setEndpoint(proxy.grpcEndpoint())
                .setRetryPolicy(patientRetries())
                .build());
  }

  /**
   * {@value #CLIENTS} clients, each one SDK exporter sending one batch at a time as the SDK's batch
   * processor does, together offer twice {@value #RATE} spans per second: {@value #BATCHES} batches
   * of {@value #BATCH} spans each. A batch waits for its export, the SDK's retries included; one
   * whose time has come while the previous is still retrying goes right after it.
   */
  private void sendAtTwiceTheLimitAndVerify(Supplier<SpanExporter> exporters) throws Exception {
    List<SpanExporter> clients = new ArrayList<>();
    List<ScheduledExecutorService> threads = new ArrayList<>();
    List<Future<Boolean>> results = new ArrayList<>();
    long intervalMillis = 1000L * BATCH * CLIENTS / (2 * RATE);
    try {
      for (int c = 0; c < CLIENTS; c++) {
        SpanExporter exporter = exporters.get();
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        clients.add(exporter);
        threads.add(thread);
        for (int i = 0; i < BATCHES / CLIENTS; i++) {
          long first = (long) (c * (BATCHES / CLIENTS) + i) * BATCH;
          results.add(
              thread.schedule(
                  () ->
                      exporter
                          .export(LoadSupport.sdkSpans(first, BATCH))
                          .join(120, TimeUnit.SECONDS)
                          .isSuccess(),
                  i * intervalMillis,
                  TimeUnit.MILLISECONDS));
        }
      }
      int failed = 0;
      for (Future<Boolean> r : results) {
        if (!r.get(300, TimeUnit.SECONDS)) {
          failed++;
        }
      }
      assertThat(failed).as("exports the SDK gave up on").isZero();
    } finally {
      for (ScheduledExecutorService t : threads) {
        t.shutdownNow();
      }
      for (SpanExporter e : clients) {
        e.shutdown().join(10, TimeUnit.SECONDS);
      }
    }

    String metrics = proxy.metrics();
    double refused =
        LoadSupport.counter(metrics, "traccia_proxy_refused_requests", "reason=\"rate_limited\"");
    assertThat(refused).as("rate-limited refusals").isPositive();
    Set<Long> arrived = awaitUniqueSpans(BATCHES * BATCH);
    assertThat(arrived).hasSize(BATCHES * BATCH);
    System.out.printf(
        "rate limit: %d spans sent at 2 x %d/s; %.0f requests refused (retryable), %d spans"
            + " arrived, 0 lost%n",
        BATCHES * BATCH, RATE, refused, arrived.size());
  }

  @Test
  void backendDown_everyAcceptedSpanArrivesWhenItReturns() throws Exception {
    startProxy("TRACCIA_RETRY_INITIAL_BACKOFF_MS", "200", "TRACCIA_RETRY_MAX_BACKOFF_MS", "1000");
    collector.stop();
    SpanExporter exporter =
        OtlpGrpcSpanExporter.builder()
            .setEndpoint(proxy.grpcEndpoint())
            .setRetryPolicy(patientRetries())
            .build();
    try {
      for (int i = 0; i < 10; i++) {
        assertThat(
                exporter
                    .export(LoadSupport.sdkSpans(i * 100L, 100))
                    .join(30, TimeUnit.SECONDS)
                    .isSuccess())
            .isTrue();
      }
    } finally {
      exporter.shutdown().join(10, TimeUnit.SECONDS);
    }
    // The proxy is retrying against the stopped backend before it comes back.
    await()
        .atMost(ARRIVAL)
        .until(() -> LoadSupport.counter(proxy.metrics(), "traccia_proxy_export_retries", "") >= 2);

    collector.restart();

    assertThat(awaitUniqueSpans(1000)).hasSize(1000);
  }

  private Set<Long> awaitUniqueSpans(int expected) {
    Set<Long> unique = new HashSet<>();
    await()
        .atMost(ARRIVAL)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              unique.clear();
              for (Span s : collector.receivedSpans()) {
                unique.add(LoadSupport.spanNumber(s.getSpanId()));
              }
              return unique.size() >= expected;
            });
    return unique;
  }
}
