/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.config.Compression;
import ai.traccia.proxy.config.ConfigLoader;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.processor.metrics.DerivedMetrics;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ProxyAssemblyTest {

  @TempDir Path dir;

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<DerivedMetrics> derived = new ArrayList<>();
  private ProxyAssembly proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    derived.forEach(DerivedMetrics::shutdown);
    scheduler.shutdownNow();
  }

  private List<String> processorNames(ProxyConfig config) {
    ProxyAssembly.Stages stages = ProxyAssembly.Stages.build(config, new SelfMetrics(), scheduler);
    if (stages.derived() != null) {
      derived.add(stages.derived());
    }
    List<String> names = new ArrayList<>();
    stages.pipeline().processors().forEach(p -> names.add(p.name()));
    return names;
  }

  @Test
  void pipeline_defaultsRunEveryProcessorInOrder() {
    assertThat(processorNames(ProxyConfig.builder().build()))
        .containsExactly(
            "token_counting", "cost", "metrics", "guardrail", "redaction", "live_page", "sampling");
  }

  @Test
  void pipeline_leavesOutWhatIsSwitchedOff() {
    ProxyConfig passThrough =
        ProxyConfig.builder()
            .setTokenCountingEnabled(false)
            .setCostsEnabled(false)
            .setMetricsEnabled(false)
            .setGuardrailsEnabled(false)
            .setLivePageEnabled(false)
            .build();
    // Redaction and sampling stay: both can be changed live, and off (rate 1) they read no span.
    assertThat(processorNames(passThrough)).containsExactly("redaction", "sampling");
  }

  @Test
  void guardrailMetrics_explainsTheRootHoldOnceAndCountsEveryHold() {
    SelfMetrics metrics = new SelfMetrics();
    ProxyAssembly.GuardrailMetrics listener =
        new ProxyAssembly.GuardrailMetrics(metrics, Duration.ofSeconds(10));
    Logger logger = (Logger) LoggerFactory.getLogger(ProxyAssembly.class);
    Level level = logger.getLevel();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.INFO);
    try {
      listener.onRootHeld();
      listener.onRootHeld();
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(level);
    }

    assertThat(appender.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "Root spans are held for 10000 ms (guardrails.root_span_wait_ms) before they are"
                + " forwarded, so that the guardrail summary written on a trace's root includes"
                + " children that arrive after it: a root span reaches the backend about that much"
                + " later than the rest of its trace. Set guardrails.root_span_wait_ms = 0"
                + " (TRACCIA_GUARDRAIL_ROOT_SPAN_WAIT_MS=0) to forward roots at once. (Said once,"
                + " at the first held root.)");
    assertThat(
            metrics.counterValue(
                "traccia_proxy_guardrail_events", "event", "root_held", "reason", ""))
        .isEqualTo(2);
  }

  private static ProxyConfig.Builder onFreePorts(Path file) {
    return onFreePorts(ProxyConfig.builder(), file);
  }

  private static ProxyConfig.Builder onFreePorts(ProxyConfig.Builder config, Path file) {
    return config
        .setGrpcPort(0)
        .setHttpPort(0)
        .setAdminPort(0)
        .setScheduleDelay(Duration.ofMillis(10))
        .setFilePath(file);
  }

  private static int post(ProxyAssembly proxy, ExportTraceServiceRequest request) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + proxy.server().httpPort() + "/v1/traces"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray()))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void close_releasesHeldRootsThroughTheLaterStagesIntoTheQueuesBeforeTheyDrain() throws Exception {
    Path file = dir.resolve("traces.jsonl");
    ProxyConfig redacting =
        ConfigLoader.builder()
            .setEnvironment(Map.of("TRACCIA_REDACTION_ENABLED", "true"))
            .setWorkingDirectory(dir)
            .setHomeDirectory(dir)
            .build()
            .load();
    proxy =
        ProxyAssembly.start(
            onFreePorts(redacting.toBuilder(), file).setGuardrailRootSpanWaitMs(30_000).build());

    assertThat(post(proxy, trace(span(1, 0, "llm.prompt", "mail jane.doe@example.com"))))
        .isEqualTo(200);
    proxy.server().flush(Duration.ofSeconds(5));
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEmpty(); // the root is held
    proxy.close();

    String written = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(written)
        .contains("guardrail.summary")
        .contains("[REDACTED:email]")
        .doesNotContain("jane.doe@example.com");
    assertThat(
            proxy
                .server()
                .metrics()
                .counterValue("traccia_proxy_released_spans", "outcome", "queued"))
        .isEqualTo(1);
  }

  @Test
  void reload_appliesTheSampleRateToReleasedRootsAsToEverySpan() throws Exception {
    Path file = dir.resolve("traces.jsonl");
    proxy =
        ProxyAssembly.start(
            onFreePorts(file).setGuardrailRootSpanWaitMs(30_000).setKeepErrorTraces(false).build());
    assertThat(post(proxy, trace(span(1, 0, "k", "v")))).isEqualTo(200);

    proxy.reload(proxy.config().toBuilder().setSampleRate(0).setKeepErrorTraces(false).build());
    proxy.close();

    // The held root went through the sampling stage, now at rate 0: nothing was written.
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEmpty();
    assertThat(
            proxy
                .server()
                .metrics()
                .counterValue(
                    "traccia_proxy_guardrail_events",
                    "event",
                    "root_released",
                    "reason",
                    "shutdown"))
        .isEqualTo(1);
  }

  @Test
  void durableQueue_rootsAreNotHeld() throws Exception {
    Path file = dir.resolve("traces.jsonl");
    proxy =
        ProxyAssembly.start(
            onFreePorts(file)
                .setGuardrailRootSpanWaitMs(30_000)
                .setDurableQueue(true)
                .setDurableQueueDir(dir.resolve("queue"))
                .build());

    assertThat(post(proxy, trace(span(1, 0, "k", "v")))).isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Files.readString(file, StandardCharsets.UTF_8).contains("guardrail.summary"));
  }

  @Test
  void close_queuesTheLastDerivedMetricsBeforeTheQueuesDrain() throws Exception {
    List<ExportMetricsServiceRequest> delivered = new CopyOnWriteArrayList<>();
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext(
        "/",
        exchange -> {
          try (exchange;
              InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            if (exchange.getRequestURI().getPath().equals("/v1/metrics")) {
              delivered.add(ExportMetricsServiceRequest.parseFrom(body));
            }
            exchange.sendResponseHeaders(200, -1);
          }
        });
    backend.start();
    try {
      proxy =
          ProxyAssembly.start(
              onFreePorts(dir.resolve("traces.jsonl"))
                  .setEndpoint(
                      URI.create(
                          "http://127.0.0.1:" + backend.getAddress().getPort() + "/v1/traces"))
                  .setCompression(Compression.NONE)
                  .setMetricsExportInterval(Duration.ofMinutes(10))
                  .setGuardrailsEnabled(false)
                  .build());
      ExportTraceServiceRequest request =
          ExportTraceServiceRequest.newBuilder()
              .addResourceSpans(
                  ResourceSpans.newBuilder()
                      .addScopeSpans(
                          ScopeSpans.newBuilder()
                              .addSpans(
                                  span(1, 0, "gen_ai.operation.name", "chat").toBuilder()
                                      .addAttributes(
                                          KeyValue.newBuilder()
                                              .setKey("gen_ai.request.model")
                                              .setValue(
                                                  AnyValue.newBuilder().setStringValue("gpt-4o")))
                                      .addAttributes(
                                          KeyValue.newBuilder()
                                              .setKey("gen_ai.usage.input_tokens")
                                              .setValue(AnyValue.newBuilder().setIntValue(7))))))
              .build();
      assertThat(post(proxy, request)).isEqualTo(200);

      proxy.close(); // the export interval has not passed: only the collection at close sends

      assertThat(DerivedMetricsDeliveryTest.inputTokenCount(delivered)).isEqualTo(1);
    } finally {
      backend.stop(0);
    }
  }

  private static ExportTraceServiceRequest trace(Span... spans) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(List.of(spans))))
        .build();
  }

  private static Span span(int id, int parent, String key, String value) {
    Span.Builder b =
        Span.newBuilder()
            .setTraceId(
                ByteString.copyFrom(new byte[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 7, 8}))
            .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) id}))
            .setName("span " + id)
            .setStartTimeUnixNano(1_000)
            .setEndTimeUnixNano(2_000)
            .addAttributes(
                KeyValue.newBuilder()
                    .setKey(key)
                    .setValue(AnyValue.newBuilder().setStringValue(value)));
    if (parent != 0) {
      b.setParentSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) parent}));
    }
    return b.build();
  }
}
