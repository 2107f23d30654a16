/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.config.Compression;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.processor.metrics.DerivedMetrics;
import ai.traccia.proxy.server.ingest.Ingest;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics derived from spans leave through the proxy's own export queues: retried while the
 * backend is down, kept in the durable queue, counted on /metrics under {@code
 * transport="derived"}, and queued one last time at shutdown before the queues drain.
 */
class DerivedMetricsDeliveryTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final AtomicBoolean backendUp = new AtomicBoolean(true);
  private final AtomicInteger refusedWhileDown = new AtomicInteger();
  private final List<ExportMetricsServiceRequest> delivered = new CopyOnWriteArrayList<>();
  private final SelfMetrics metrics = new SelfMetrics();
  private HttpServer backend;
  private DerivedMetrics derived;
  private ProxyServer server;

  @BeforeEach
  void startBackend() throws IOException {
    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext(
        "/",
        exchange -> {
          try (exchange;
              InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            boolean metricsPath = exchange.getRequestURI().getPath().equals("/v1/metrics");
            if (!backendUp.get()) {
              if (metricsPath) {
                refusedWhileDown.incrementAndGet();
              }
              exchange.sendResponseHeaders(503, -1);
              return;
            }
            if (metricsPath) {
              delivered.add(ExportMetricsServiceRequest.parseFrom(body));
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
          }
        });
    backend.start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (derived != null) {
      derived.shutdown();
    }
    backend.stop(0);
    scheduler.shutdownNow();
  }

  /** A proxy whose pipeline records the derived metrics, exporting to the backend over HTTP. */
  private void startProxy(boolean durable) throws Exception {
    ProxyConfig config =
        ProxyConfig.builder()
            .setEndpoint(
                URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/v1/traces"))
            .setCompression(Compression.NONE)
            // Collected only when the test says so (forceFlush) or at shutdown.
            .setMetricsExportInterval(Duration.ofMinutes(10))
            // Retried quickly and for longer than the backend stays down.
            .setRetryInitialBackoff(Duration.ofMillis(20))
            .setRetryMaxBackoff(Duration.ofMillis(100))
            .setRetryMaxElapsed(Duration.ofMinutes(2))
            .build();
    derived = DerivedMetrics.fromConfig(config);
    ProxyServer.Options.Builder settings =
        ProxyServer.options()
            .setBindAddress("127.0.0.1")
            .setGrpcPort(0)
            .setHttpPort(0)
            .setAdminPort(0)
            .setScheduleDelay(Duration.ofMillis(10))
            .setShutdownTimeout(Duration.ofSeconds(10))
            .setPipeline(SpanPipeline.builder().addProcessor(derived.processor()).build())
            .setMetrics(metrics)
            .setDerivedMetrics(derived);
    if (durable) {
      settings.setDurableQueueDir(dir.resolve("queue"));
    }
    Exporters.fromConfig(config, metrics, scheduler)
        .forEach(e -> settings.addExporter(e.exporter(), e.queue()));
    server = ProxyServer.start(settings.build());
  }

  @Test
  void backendDownThenBack_durableQueue_everyDerivedPointArrives() throws Exception {
    startProxy(true);
    backendUp.set(false);

    int spans = 0;
    for (int round = 1; round <= 3; round++) {
      derived.processor().process(llmSpans(round));
      spans += round;
      // Queued on disk at once: the reader's thread does not wait for the backend.
      derived.forceFlush().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
    await().atMost(TIMEOUT).until(() -> refusedWhileDown.get() >= 2);
    assertThat(delivered).isEmpty();

    backendUp.set(true);

    int expected = spans;
    await()
        .atMost(TIMEOUT)
        .untilAsserted(() -> assertThat(inputTokenCount(delivered)).isEqualTo(expected));
    assertThat(inputTokenSum(delivered)).isEqualTo(100.0 * expected);
    double received = derivedCount("traccia_proxy_received_items");
    assertThat(received).isPositive();
    assertThat(derivedCount("traccia_proxy_accepted_items")).isEqualTo(received);
    assertThat(derivedCount("traccia_proxy_refused_items", "reason", "queue_full")).isZero();
    assertThat(metrics.counterValue("traccia_proxy_export_retries", "exporter", "otlp"))
        .isPositive();
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                metrics.counterValue(
                        "traccia_proxy_exported_items", "signal", "metrics", "exporter", "otlp")
                    >= received);
  }

  @Test
  void close_queuesTheLastCollectionBeforeTheQueuesDrain() throws Exception {
    startProxy(false);
    derived.processor().process(llmSpans(4));

    server.close(); // no flush before: the only collection is the one made at close

    assertThat(inputTokenCount(delivered)).isEqualTo(4);
    assertThat(derivedCount("traccia_proxy_accepted_items")).isPositive();
  }

  private double derivedCount(String counter, String... more) {
    String[] labels = new String[4 + more.length];
    labels[0] = "signal";
    labels[1] = "metrics";
    labels[2] = "transport";
    labels[3] = Ingest.DERIVED;
    System.arraycopy(more, 0, labels, 4, more.length);
    return metrics.counterValue(counter, labels);
  }

  /** {@code count} chat spans with 100 input and 20 output tokens each. */
  static SpanBatch llmSpans(int count) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int k = 0; k < count; k++) {
      scope.addSpans(
          Span.newBuilder()
              .setName("chat")
              .setStartTimeUnixNano(1_000_000_000L)
              .setEndTimeUnixNano(1_250_000_000L)
              .addAttributes(attribute("gen_ai.operation.name", string("chat")))
              .addAttributes(attribute("gen_ai.provider.name", string("openai")))
              .addAttributes(attribute("gen_ai.request.model", string("gpt-4o")))
              .addAttributes(attribute("gen_ai.usage.input_tokens", integer(100)))
              .addAttributes(attribute("gen_ai.usage.output_tokens", integer(20))));
    }
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
            .build();
    return SpanBatch.of(request, request.toByteArray());
  }

  /** Input-token recordings among the {@code gen_ai.client.token.usage} points delivered. */
  static long inputTokenCount(List<ExportMetricsServiceRequest> requests) {
    long count = 0;
    for (HistogramDataPoint point : inputTokenPoints(requests)) {
      count += point.getCount();
    }
    return count;
  }

  private static double inputTokenSum(List<ExportMetricsServiceRequest> requests) {
    double sum = 0;
    for (HistogramDataPoint point : inputTokenPoints(requests)) {
      sum += point.getSum();
    }
    return sum;
  }

  private static List<HistogramDataPoint> inputTokenPoints(
      List<ExportMetricsServiceRequest> requests) {
    List<HistogramDataPoint> points = new CopyOnWriteArrayList<>();
    for (ExportMetricsServiceRequest request : requests) {
      for (ResourceMetrics rm : request.getResourceMetricsList()) {
        for (ScopeMetrics sm : rm.getScopeMetricsList()) {
          for (Metric m : sm.getMetricsList()) {
            if (!m.getName().equals("gen_ai.client.token.usage")) {
              continue;
            }
            for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
              for (KeyValue kv : p.getAttributesList()) {
                if (kv.getKey().equals("gen_ai.token.type")
                    && kv.getValue().getStringValue().equals("input")) {
                  points.add(p);
                }
              }
            }
          }
        }
      }
    }
    return points;
  }

  private static KeyValue attribute(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static AnyValue string(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  private static AnyValue integer(long n) {
    return AnyValue.newBuilder().setIntValue(n).build();
  }
}
