/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import static ai.traccia.client.Clients.only;
import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.traccia.proxy.config.ConfigException;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TracciaTest {

  @TempDir Path directory;

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();

  @AfterEach
  void stop() {
    Clients.stop();
  }

  @Test
  void init_defaultsToLocalProxyNotPlatform() {
    Traccia.Builder b = Clients.isolated(directory).setApiKey("sk-test");
    b.spanExporter = exporter;
    Traccia traccia = b.init();

    assertThat(traccia.tracesEndpoint()).contains(URI.create("http://localhost:4318/v1/traces"));
  }

  @Test
  void init_addsTracesPathToBareEndpoint() {
    Traccia.Builder b = Clients.isolated(directory).setEndpoint("http://proxy.internal:4318");
    b.spanExporter = exporter;

    assertThat(b.init().tracesEndpoint())
        .contains(URI.create("http://proxy.internal:4318/v1/traces"));
  }

  @Test
  void init_builderBeatsEnvironmentBeatsFile() throws IOException {
    Files.write(
        directory.resolve("traccia.toml"),
        "[tracing]\nservice_name = \"from-file\"\nsample_rate = 0.5\n[runtime]\nagent_id = \"file-agent\"\nagent_name = \"File\"\n"
            .getBytes(StandardCharsets.UTF_8));
    Map<String, String> env = new HashMap<>();
    env.put("TRACCIA_SERVICE_NAME", "from-env");
    env.put("TRACCIA_AGENT_ID", "env-agent");
    Traccia.Builder b = Clients.isolated(directory).setServiceName("from-builder");
    b.environment = env;
    b.spanExporter = exporter;
    Traccia traccia = b.init();

    assertThat(traccia.config().serviceName()).contains("from-builder");
    assertThat(traccia.config().agentId()).contains("env-agent");
    assertThat(traccia.config().agentName()).contains("File");
    assertThat(traccia.config().sampleRate()).isEqualTo(0.5);
    assertThat(traccia.config().origin("tracing.service_name")).isEqualTo("--tracing.service_name");
    assertThat(traccia.config().origin("runtime.agent_id")).isEqualTo("env TRACCIA_AGENT_ID");
  }

  @Test
  void init_reportsEveryInvalidValue() {
    Traccia.Builder b = Clients.isolated(directory).setSampleRate(1.5).set("tracing.sampel", "1");

    assertThatThrownBy(b::init)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tracing.sample_rate: 1.5")
        .hasMessageContaining("--tracing.sampel");
    assertThat(Traccia.current()).isEmpty();
  }

  @Test
  void init_twiceReturnsTheRunningClientAndSaysSo() {
    List<String> messages = new CopyOnWriteArrayList<>();
    Logger logger = Logger.getLogger(Traccia.class.getName());
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            messages.add(record.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(handler);
    try {
      Traccia first = Clients.inMemory(directory, exporter);
      Traccia second = Clients.isolated(directory).setServiceName("other").init();

      assertThat(second).isSameAs(first);
      assertThat(messages)
          .contains(
              "Traccia is already initialised; init() returns the running client and ignores"
                  + " the new settings. Call shutdown() first to start over.");
    } finally {
      logger.removeHandler(handler);
    }
  }

  @Test
  void init_putsIdentityOnResource() throws Exception {
    Traccia.Builder b =
        Clients.isolated(directory)
            .setServiceName("support-bot")
            .setAgentId("support")
            .setAgentName("Support Bot")
            .setEnv("staging")
            .setSessionId("s-1")
            .setUserId("u-1");
    b.spanExporter = exporter;
    b.init();

    Traccia.span("work", null, span -> null);

    Attributes resource = only(exporter, "work").getResource().getAttributes();
    assertThat(resource.get(stringKey("service.name"))).isEqualTo("support-bot");
    assertThat(resource.get(stringKey("agent.id"))).isEqualTo("support");
    assertThat(resource.get(stringKey("agent.name"))).isEqualTo("Support Bot");
    assertThat(resource.get(stringKey("env"))).isEqualTo("staging");
    assertThat(resource.get(stringKey("environment"))).isEqualTo("staging");
    assertThat(resource.get(stringKey("session.id"))).isEqualTo("s-1");
    assertThat(resource.get(stringKey("user.id"))).isEqualTo("u-1");
    assertThat(resource.get(stringKey("tenant.id"))).isEqualTo("default-tenant");
    assertThat(resource.get(stringKey("project.id"))).isEqualTo("default-project");
    assertThat(only(exporter, "work").getAttributes().get(stringKey("agent.id"))).isNull();
  }

  @Test
  void init_sampleRateZeroExportsNothing() throws Exception {
    Traccia.Builder b = Clients.isolated(directory).setSampleRate(0.0);
    b.spanExporter = exporter;
    b.init();

    Traccia.span("dropped", null, span -> null);

    assertThat(exporter.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void init_sendsOtlpHttpWithBearerTokenToConfiguredEndpoint() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          received.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI().getPath()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Authorization")
                  + " "
                  + exchange.getRequestHeaders().getFirst("Content-Type"));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    try {
      Traccia traccia =
          Clients.isolated(directory)
              .setEndpoint("http://127.0.0.1:" + server.getAddress().getPort())
              .setApiKey("sk-test")
              .set("metrics.enable_metrics", "false")
              .init();

      Traccia.span("sent", null, span -> null);

      assertThat(traccia.forceFlush(Duration.ofSeconds(10))).isTrue();
      assertThat(received).containsExactly("POST /v1/traces Bearer sk-test application/x-protobuf");
    } finally {
      Clients.stop();
      server.stop(0);
    }
  }

  @Test
  void span_recordsAttributesAndReturnsBodyResult() throws Exception {
    Clients.inMemory(directory, exporter);
    Map<String, Object> attributes = new HashMap<>();
    attributes.put("gen_ai.request.model", "gpt-4o");
    attributes.put("gen_ai.usage.input_tokens", 12);

    String result =
        Traccia.span(
            "llm.call",
            attributes,
            span -> {
              span.setAttribute("gen_ai.usage.output_tokens", 3L);
              return "answer";
            });

    assertThat(result).isEqualTo("answer");
    SpanData span = only(exporter, "llm.call");
    assertThat(span.getAttributes().get(stringKey("gen_ai.request.model"))).isEqualTo("gpt-4o");
    assertThat(span.getAttributes().get(longKey("gen_ai.usage.input_tokens"))).isEqualTo(12L);
    assertThat(span.getAttributes().get(longKey("gen_ai.usage.output_tokens"))).isEqualTo(3L);
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.OK);
  }

  @Test
  void span_recordsAndRethrowsCheckedException() {
    Clients.inMemory(directory, exporter);

    assertThatThrownBy(
            () ->
                Traccia.span(
                    "io",
                    null,
                    span -> {
                      throw new IOException("disk full");
                    }))
        .isInstanceOf(IOException.class)
        .hasMessage("disk full");

    SpanData span = only(exporter, "io");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(stringKey("error.type"))).isEqualTo("java.io.IOException");
  }

  @Test
  void runIdentity_isIsolatedBetweenConcurrentThreads() throws Exception {
    Clients.inMemory(directory, exporter);
    ObservedService service = new ObservedService();
    CyclicBarrier bothOpen = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (String agent : new String[] {"billing", "support"}) {
        runs.add(
            pool.submit(
                () -> {
                  try (IdentityScope run = Traccia.runIdentity(agent, agent + " agent", "prod")) {
                    bothOpen.await(10, TimeUnit.SECONDS);
                    Traccia.span("run." + agent, null, span -> service.greet(agent));
                    bothOpen.await(10, TimeUnit.SECONDS);
                  }
                  Traccia.span("after." + agent, null, span -> null);
                  return null;
                }));
      }
      for (Future<?> run : runs) {
        run.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    for (String agent : new String[] {"billing", "support"}) {
      Attributes run = only(exporter, "run." + agent).getAttributes();
      assertThat(run.get(stringKey("agent.id"))).isEqualTo(agent);
      assertThat(run.get(stringKey("agent.name"))).isEqualTo(agent + " agent");
      assertThat(run.get(stringKey("env"))).isEqualTo("prod");
      assertThat(run.get(stringKey("environment"))).isEqualTo("prod");
      assertThat(only(exporter, "after." + agent).getAttributes().get(stringKey("agent.id")))
          .isNull();
    }
    assertThat(Clients.named(exporter, "greet"))
        .extracting(s -> s.getAttributes().get(stringKey("agent.id")))
        .containsExactlyInAnyOrder("billing", "support");
  }

  @Test
  void runIdentity_spanOwnAgentIdWins() throws Exception {
    Clients.inMemory(directory, exporter);

    try (IdentityScope run = Traccia.runIdentity("outer", null, null)) {
      Traccia.span("own", Collections.singletonMap("agent.id", "mine"), span -> null);
      Traccia.span("inherited", null, span -> null);
    }

    assertThat(only(exporter, "own").getAttributes().get(stringKey("agent.id"))).isEqualTo("mine");
    Attributes inherited = only(exporter, "inherited").getAttributes();
    assertThat(inherited.get(stringKey("agent.id"))).isEqualTo("outer");
    assertThat(inherited.get(stringKey("agent.name"))).isNull();
  }

  @Test
  void guardrailSpan_writesTheExplicitGuardrailAttributes() {
    Clients.inMemory(directory, exporter);

    try (GuardrailSpan check = Traccia.guardrailSpan("pii_filter", "pii", "block")) {
      check.setTriggered(true).setPolicyId("policy-7").suppressMissing("moderation");
    }

    SpanData span = only(exporter, "guardrail.pii_filter");
    Attributes a = span.getAttributes();
    assertThat(a.get(stringKey("span.type"))).isEqualTo("guardrail");
    assertThat(a.get(stringKey("guardrail.name"))).isEqualTo("pii_filter");
    assertThat(a.get(stringKey("guardrail.category"))).isEqualTo("pii");
    assertThat(a.get(stringKey("guardrail.enforcement_mode"))).isEqualTo("block");
    assertThat(a.get(stringKey("guardrail.source_sdk"))).isEqualTo("manual_observe");
    assertThat(a.get(stringKey("guardrail.evidence_type"))).isEqualTo("span_attribute");
    assertThat(a.get(stringKey("guardrail.policy_id"))).isEqualTo("policy-7");
    assertThat(a.get(booleanKey("guardrail.triggered"))).isTrue();
    assertThat(a.get(stringArrayKey("traccia.guardrail.suppress_missing")))
        .containsExactly("moderation");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.OK);
  }

  @Test
  void guardrailSpan_defaultsToUnknown() {
    Clients.inMemory(directory, exporter);

    Traccia.guardrailSpan("topic").close();

    Attributes a = only(exporter, "guardrail.topic").getAttributes();
    assertThat(a.get(stringKey("guardrail.category"))).isEqualTo("unknown");
    assertThat(a.get(stringKey("guardrail.enforcement_mode"))).isEqualTo("unknown");
  }

  @Test
  void suppressMissingGuardrails_addsToTheCurrentSpan() throws Exception {
    Clients.inMemory(directory, exporter);

    Traccia.span(
        "agent",
        null,
        span -> {
          Traccia.suppressMissingGuardrails("input_validation", "prompt_injection");
          Traccia.suppressMissingGuardrails("prompt_injection", "moderation");
          return null;
        });

    assertThat(
            only(exporter, "agent")
                .getAttributes()
                .get(stringArrayKey("traccia.guardrail.suppress_missing")))
        .containsExactly("input_validation", "prompt_injection", "moderation");
  }

  @Test
  void meter_countersAndHistogramsReachTheReader() {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    Traccia.Builder b = Clients.isolated(directory);
    b.spanExporter = exporter;
    b.metricReader = reader;
    b.init();

    Traccia.counter("orders.placed", "Orders placed").add(2);
    Traccia.histogram("answer.latency", "Answer latency", "ms").record(12.5);

    assertThat(reader.collectAllMetrics())
        .extracting(MetricData::getName)
        .containsExactlyInAnyOrder("orders.placed", "answer.latency");
  }

  @Test
  void shutdown_isIdempotentAndAllowsInitAgain() {
    Traccia first = Clients.inMemory(directory, exporter);

    first.shutdown();
    first.shutdown();

    assertThat(Traccia.current()).isEmpty();
    Traccia second = Clients.inMemory(directory, InMemorySpanExporter.create());
    assertThat(second).isNotSameAs(first);
  }

  @Test
  void forceFlush_succeedsWithNothingPending() {
    Traccia traccia = Clients.inMemory(directory, exporter);

    assertThat(traccia.forceFlush(Duration.ofSeconds(5))).isTrue();
  }
}
