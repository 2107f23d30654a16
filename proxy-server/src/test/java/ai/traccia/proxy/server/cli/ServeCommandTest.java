/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.pricing.PriceBooks;
import ai.traccia.proxy.processor.guardrail.GuardrailProcessor;
import ai.traccia.proxy.processor.metrics.DerivedMetrics;
import ai.traccia.proxy.processor.sampling.TraceSamplingProcessor;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.ui.LivePage;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ServeCommandTest {

  @TempDir Path dir;

  private ServeCommand command(Map<String, String> env) {
    ServeCommand serve = new ServeCommand();
    serve.configOptions.setEnvironment(env).setWorkingDirectory(dir).setHomeDirectory(dir);
    return serve;
  }

  @Test
  void invalidConfiguration_listsEveryProblemAndStartsNothing() {
    CliRun run =
        CliRun.run(
            command(Map.of("TRACCIA_SAMPLE_RATE", "1.5", "TRACCIA_MAX_QUEUE_SIZE", "0")),
            "--grpc-port",
            "70000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "traccia-proxy: the configuration is invalid; nothing was started.\n"
                + "  tracing.sample_rate: 1.5 (expected: a number from 0 to 1) [env"
                + " TRACCIA_SAMPLE_RATE]\n"
                + "  rate_limiting.max_queue_size: 0 (expected: > 0) [env TRACCIA_MAX_QUEUE_SIZE]\n"
                + "  server.grpc_port: 70000 (expected: an integer from 0 to 65535; 0 picks a free"
                + " port) [--grpc-port]\n");
  }

  // Issue "Hostile input and exposure", case 8: doctor passed configurations that serve refused.
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "TRACCIA_ENDPOINT=http://127.0.0.1:1/v1/traces?token=sk-live-secret"
            + "|TRACCIA_API_KEY=sk-live-secret|TRACCIA_EXPORTER_HEADERS=authorization=Bearer%20sk-x",
        "TRACCIA_ENDPOINT=http://127.0.0.1:1?token=sk-live-secret|TRACCIA_EXPORTER_PROTOCOL=grpc",
        "TRACCIA_ENDPOINT=http://127.0.0.1:1/v1/traces|TRACCIA_EXPORTER_PROTOCOL=grpc",
        "TRACCIA_API_KEY=sk-live-secret|TRACCIA_EXPORTER_PROTOCOL=grpc",
        "TRACCIA_ENDPOINT=http://127.0.0.1:1?token=sk-live-secret|TRACCIA_EXPORTER_PROTOCOL=grpc"
            + "|TRACCIA_EXPORTER_HEADERS=grpc-timeout=1S",
      })
  void invalidExporterSettings_serveAndDoctorRefuseWithTheSameMessage(String variables) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (String variable : variables.split("\\|")) {
      int eq = variable.indexOf('=');
      env.put(variable.substring(0, eq), variable.substring(eq + 1));
    }

    CliRun serve = CliRun.run(command(env));
    DoctorCommand doctorCommand = new DoctorCommand();
    doctorCommand
        .configOptions()
        .setEnvironment(env)
        .setWorkingDirectory(dir)
        .setHomeDirectory(dir.resolve("home"));
    CliRun doctor = CliRun.run(doctorCommand);

    assertThat(serve.exitCode()).isEqualTo(2);
    assertThat(doctor.exitCode()).isEqualTo(1);
    String[] lines = serve.err().split("\n");
    assertThat(lines[0])
        .isEqualTo("traccia-proxy: the configuration is invalid; nothing was started.");
    assertThat(lines).hasSizeGreaterThan(1);
    for (int i = 1; i < lines.length; i++) {
      assertThat(doctor.out()).contains("      " + lines[i].trim() + "\n");
    }
    assertThat(serve.all() + doctor.all()).doesNotContain("sk-live-secret");
  }

  @Test
  void missingConfigFile_isAnError() {
    CliRun run = CliRun.run(command(Map.of()), "--config", dir.resolve("nope.toml").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("nope.toml");
  }

  @Test
  void unreadableCaFile_isReportedBeforeListening() {
    CliRun run =
        CliRun.run(
            command(
                Map.of(
                    "TRACCIA_ENDPOINT", "https://127.0.0.1:1",
                    "TRACCIA_EXPORTER_PROTOCOL", "grpc")),
            "--set",
            "exporters.ca_file=" + dir.resolve("missing-ca.pem"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("exporters.ca_file").contains("missing-ca.pem");
  }

  @Test
  void anyKeyAsAFlag_validatedWithASuggestion() {
    CliRun run = CliRun.run(command(Map.of()), "--max-queue-size=0", "--max-queue-sise", "5");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("rate_limiting.max_queue_size: 0 (expected: > 0) [--max-queue-size]")
        .contains("max-queue-sise")
        .contains("did you mean");
  }

  @Test
  void keyFlags_valuesWithAndWithoutEquals() {
    assertThat(
            ServeCommand.keyFlags(
                java.util.List.of("--enable-console", "--max-queue-size", "10", "--debug=false")))
        .containsExactly(
            Map.entry("enable-console", "true"),
            Map.entry("max-queue-size", "10"),
            Map.entry("debug", "false"));
  }

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopScheduler() {
    scheduler.shutdownNow();
  }

  private List<String> processorNames(ProxyConfig config) {
    SpanPipeline pipeline =
        ServeCommand.pipeline(
            config,
            PriceBooks.load(config, Clock.systemUTC()),
            config.metricsEnabled() ? DerivedMetrics.create(config) : null,
            GuardrailProcessor.builder()
                .fromConfig(config)
                .setScheduler(scheduler)
                .setReleaser(request -> {})
                .build(),
            ServeCommand.redaction(config, new SelfMetrics()),
            config.livePageEnabled() ? LivePage.create(10, 10, new SelfMetrics()).tap() : null,
            TraceSamplingProcessor.builder(config).build(),
            new SelfMetrics());
    List<String> names = new ArrayList<>();
    pipeline.processors().forEach(p -> names.add(p.name()));
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
    ServeCommand.GuardrailMetrics listener =
        new ServeCommand.GuardrailMetrics(metrics, Duration.ofSeconds(10));
    Logger logger = (Logger) LoggerFactory.getLogger(ServeCommand.class);
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
}
