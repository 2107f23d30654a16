/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import static ai.traccia.proxy.processor.TestSpans.attributes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatch;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DerivedMetricsTest {

  private static SpanBatch llmBatch() {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    scope.addSpans(
        Span.newBuilder()
            .setStartTimeUnixNano(1_000_000_000L)
            .setEndTimeUnixNano(1_300_000_000L)
            .addAllAttributes(
                attributes(
                    "gen_ai.operation.name", "chat",
                    "gen_ai.provider.name", "openai",
                    "gen_ai.request.model", "gpt-4o",
                    "agent.id", "a-1",
                    "gen_ai.usage.input_tokens", 120,
                    "gen_ai.usage.output_tokens", 30,
                    "llm.cost.usd", 0.0006)));
    scope.addSpans(
        Span.newBuilder()
            .setStartTimeUnixNano(1_000_000_000L)
            .setEndTimeUnixNano(3_000_000_000L)
            .addAllAttributes(attributes("gen_ai.operation.name", "invoke_agent")));
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(
                        Resource.newBuilder().addAllAttributes(attributes("service.name", "shop")))
                    .addScopeSpans(scope))
            .build();
    return SpanBatch.of(request, request.toByteArray());
  }

  @Test
  void registerWith_prometheusTextParsesWithTheReferenceParser(@TempDir Path dir) throws Exception {
    DerivedMetrics metrics = DerivedMetrics.builder().build();
    try {
      metrics.processor().process(llmBatch());
      PrometheusRegistry registry = new PrometheusRegistry();
      metrics.registerWith(registry);
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      PrometheusTextFormatWriter.create().write(text, registry.scrape());
      Path exposition = dir.resolve("metrics.txt");
      Files.write(exposition, text.toByteArray());

      String parsed = parseWithPrometheusClient(exposition);

      assertThat(parsed)
          .contains(
              "gen_ai_client_token_usage_bucket {agent_id=a-1, gen_ai_operation_name=chat,"
                  + " gen_ai_provider_name=openai, gen_ai_request_model=gpt-4o,"
                  + " gen_ai_system=openai, gen_ai_token_type=input, le=256.0, service_name=shop}"
                  + " 1.0")
          .contains(
              "gen_ai_client_token_usage_bucket {agent_id=a-1, gen_ai_operation_name=chat,"
                  + " gen_ai_provider_name=openai, gen_ai_request_model=gpt-4o,"
                  + " gen_ai_system=openai, gen_ai_token_type=input, le=64.0, service_name=shop}"
                  + " 0.0")
          .contains("gen_ai_client_token_usage_count {agent_id=a-1,")
          .containsPattern(
              "gen_ai_client_token_usage_sum \\{[^}]*gen_ai_token_type=output[^}]*\\} 30.0")
          .containsPattern(
              "gen_ai_client_operation_duration_seconds_bucket \\{[^}]*le=\\+Inf[^}]*\\} 1.0")
          .containsPattern("gen_ai_client_operation_cost_usd_sum \\{[^}]*\\} 0.0006")
          .contains("gen_ai_agent_runs_total {service_name=shop} 1.0")
          .containsPattern("gen_ai_agent_execution_time_seconds_sum \\{[^}]*\\} 2.0")
          .contains("TYPE gen_ai_client_token_usage histogram")
          .contains("TYPE gen_ai_agent_runs counter");
    } finally {
      metrics.shutdown().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The Python interpreter that has prometheus_client: {@code -Dtraccia.test.python}, else {@code
   * TRACCIA_TEST_PYTHON} (scripts/test.sh sets it to a virtual environment of its own, because a
   * distribution's Python refuses pip installs), else {@code python3} from the PATH.
   */
  private static String python() {
    String configured = System.getProperty("traccia.test.python");
    if (configured == null || configured.isBlank()) {
      configured = System.getenv("TRACCIA_TEST_PYTHON");
    }
    return configured == null || configured.isBlank() ? "python3" : configured.strip();
  }

  // N inference spans, span k with the model, service, agent and environment given by value(k).
  private static SpanBatch hostileBatch(int spans, java.util.function.IntFunction<String> value) {
    return hostileBatch(spans, value, value);
  }

  // N inference spans, span k with the model model(k) and the other client-given values value(k).
  private static SpanBatch hostileBatch(
      int spans,
      java.util.function.IntFunction<String> model,
      java.util.function.IntFunction<String> value) {
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    for (int k = 0; k < spans; k++) {
      request.addResourceSpans(
          ResourceSpans.newBuilder()
              .setResource(
                  Resource.newBuilder()
                      .addAllAttributes(attributes("service.name", value.apply(k))))
              .addScopeSpans(
                  ScopeSpans.newBuilder()
                      .addSpans(
                          Span.newBuilder()
                              .setStartTimeUnixNano(1_000_000_000L)
                              .setEndTimeUnixNano(1_300_000_000L)
                              .addAllAttributes(
                                  attributes(
                                      "gen_ai.operation.name", "chat",
                                      "gen_ai.provider.name", value.apply(k),
                                      "gen_ai.request.model", model.apply(k),
                                      "agent.id", value.apply(k),
                                      "agent.name", value.apply(k),
                                      "environment", value.apply(k),
                                      "gen_ai.usage.input_tokens", 120,
                                      "gen_ai.usage.output_tokens", 30,
                                      "llm.cost.usd", 0.0006)))));
    }
    ExportTraceServiceRequest built = request.build();
    return SpanBatch.of(built, built.toByteArray());
  }

  private static byte[] scrape(DerivedMetrics metrics) throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    metrics.registerWith(registry);
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(text, registry.scrape());
    return text.toByteArray();
  }

  private static int longestLine(byte[] text) {
    int longest = 0;
    for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
      longest = Math.max(longest, line.length());
    }
    return longest;
  }

  // Issue "Hostile input and exposure", case 2: ten 64 KiB model names made /metrics 34 MB.
  @Test
  void process_tenModelNamesOf64KiB_scrapeStaysSmall() throws Exception {
    DerivedMetrics metrics = DerivedMetrics.builder().build();
    try {
      metrics
          .processor()
          .process(hostileBatch(10, k -> (char) ('a' + k) + "m".repeat(64 * 1024), k -> "shop"));

      byte[] text = scrape(metrics);

      // The model is cut to 128 characters: about 75 lines of ~400 bytes per model.
      assertThat(longestLine(text)).isLessThan(500);
      assertThat(text.length).isLessThan(400 * 1024);
      assertThat(new String(text, StandardCharsets.UTF_8))
          .contains("gen_ai_request_model=\"a" + "m".repeat(127) + "\"");
    } finally {
      metrics.shutdown().get(10, TimeUnit.SECONDS);
    }
  }

  // Issue "Hostile input and exposure", case 2: twenty 1 MiB values ran the first scrape out of
  // memory.
  @Test
  void process_twentyValuesOf1MiB_boundedScrape() throws Exception {
    DerivedMetrics metrics = DerivedMetrics.builder().setMaxLabelLength(64).build();
    try {
      for (int k = 0; k < 20; k++) {
        int n = k;
        metrics.processor().process(hostileBatch(1, i -> n + "x".repeat(1024 * 1024)));
      }

      byte[] text = scrape(metrics);

      // Seven labels of 64 characters: lines under 1 KiB, about 75 of them per span.
      assertThat(longestLine(text)).isLessThan(1000);
      assertThat(text.length).isLessThan(2 * 1024 * 1024);
    } finally {
      metrics.shutdown().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void process_cardinalityLimit_foldsNewModelsIntoOverflow() throws Exception {
    DerivedMetrics metrics = DerivedMetrics.builder().setCardinalityLimit(3).build();
    try {
      metrics.processor().process(hostileBatch(50, k -> "model-" + k));

      String text = new String(scrape(metrics), StandardCharsets.UTF_8);

      assertThat(text).contains("otel_metric_overflow=\"true\"").doesNotContain("model-2\"");
      assertThat(text.split("\n"))
          .filteredOn(l -> l.startsWith("gen_ai_agent_turns_total"))
          .hasSize(3);
    } finally {
      metrics.shutdown().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void process_cutValuesWithEscapes_parseWithTheReferenceParser(@TempDir Path dir)
      throws Exception {
    // Quotes, backslashes and line breaks must be escaped; the cut must not split the emoji's
    // surrogate pair (a lone surrogate cannot be encoded as UTF-8).
    String hostile = "q\"b\\n\n" + "y".repeat(5) + "\uD83D\uDE00" + "z".repeat(100);
    DerivedMetrics metrics = DerivedMetrics.builder().setMaxLabelLength(11).build();
    try {
      metrics.processor().process(hostileBatch(1, k -> hostile));
      Path exposition = dir.resolve("metrics.txt");
      Files.write(exposition, scrape(metrics));

      String parsed = parseWithPrometheusClient(exposition);

      assertThat(parsed)
          .contains("gen_ai_request_model=q\"b\\n\nyyyyy,")
          .contains("gen_ai_agent_turns_total {");
    } finally {
      metrics.shutdown().get(10, TimeUnit.SECONDS);
    }
  }

  // Parses the exposition with the Python prometheus_client parser and prints one sample a line:
  // "name {label=value, ...} value", labels sorted.
  private static String parseWithPrometheusClient(Path exposition) throws Exception {
    String script =
        "import sys\n"
            + "from prometheus_client.parser import text_string_to_metric_families\n"
            + "text = open(sys.argv[1]).read()\n"
            + "for family in text_string_to_metric_families(text):\n"
            + "    print('TYPE', family.name, family.type)\n"
            + "    for s in family.samples:\n"
            + "        labels = ', '.join(k + '=' + v for k, v in sorted(s.labels.items()))\n"
            + "        print(s.name, '{' + labels + '}', repr(float(s.value)))\n";
    String python = python();
    String howToInstall =
        "scripts/test.sh installs prometheus-client into a virtual environment and passes its"
            + " interpreter as TRACCIA_TEST_PYTHON; or set TRACCIA_TEST_PYTHON to a Python that has"
            + " it";
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    Process process;
    try {
      process =
          new ProcessBuilder(python, "-c", script, exposition.toString())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      String why = python + " cannot be run (" + e.getMessage() + "); " + howToInstall;
      if (ci) {
        throw new AssertionError("CI=true but " + why, e);
      }
      Assumptions.abort(why);
      throw e;
    }
    String out;
    try (InputStream in = process.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    boolean missing = out.contains("No module named 'prometheus_client'");
    String why = "the Python package prometheus_client is not installed for " + python;
    if (ci) {
      // scripts/test.sh installs it; in CI a missing parser is a broken set-up, not a skip.
      assertThat(missing).as("CI=true but %s; %s", why, howToInstall).isFalse();
    }
    Assumptions.assumeFalse(missing, why + "; " + howToInstall);
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void create_handsDeltaOtlpBytesToTheSink() throws Exception {
    List<byte[]> offered = new CopyOnWriteArrayList<>();
    DerivedMetrics metrics =
        DerivedMetrics.fromConfig(
            ProxyConfig.builder().setMetricsExportInterval(Duration.ofMinutes(10)).build());
    metrics.connect(
        request -> {
          offered.add(request);
          return true;
        });

    metrics.processor().process(llmBatch());
    metrics.forceFlush().get(30, TimeUnit.SECONDS);
    metrics.shutdown().get(30, TimeUnit.SECONDS);

    List<ExportMetricsServiceRequest> received = new ArrayList<>();
    for (byte[] request : offered) {
      received.add(ExportMetricsServiceRequest.parseFrom(request));
    }
    assertThat(received).isNotEmpty();
    assertThat(received.get(0).getResourceMetrics(0).getResource().getAttributesList())
        .contains(attributes("service.name", "traccia-proxy").get(0));
    Metric tokens = find(received, GenAiMetrics.TOKEN_USAGE);
    assertThat(tokens.getUnit()).isEqualTo("{token}");
    assertThat(tokens.getHistogram().getAggregationTemporality())
        .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
    double sum = 0;
    long count = 0;
    for (var point : tokens.getHistogram().getDataPointsList()) {
      sum += point.getSum();
      count += point.getCount();
    }
    assertThat(sum).isEqualTo(150.0);
    assertThat(count).isEqualTo(2); // one input and one output recording
    Metric runs = find(received, GenAiMetrics.AGENT_RUNS);
    assertThat(runs.getSum().getAggregationTemporality())
        .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
    assertThat(runs.getSum().getDataPoints(0).getAsDouble()).isEqualTo(1.0);
  }

  @Test
  void create_cumulativeTemporality_reachesTheSink() throws Exception {
    List<ExportMetricsServiceRequest> received = new CopyOnWriteArrayList<>();
    DerivedMetrics metrics =
        DerivedMetrics.fromConfig(
            ProxyConfig.builder()
                .setMetricsExportInterval(Duration.ofMinutes(10))
                .setMetricsTemporality("cumulative")
                .build());
    metrics.connect(
        request -> {
          try {
            received.add(ExportMetricsServiceRequest.parseFrom(request));
          } catch (IOException e) {
            throw new AssertionError(e);
          }
          return true;
        });

    metrics.processor().process(llmBatch());
    metrics.shutdown().get(30, TimeUnit.SECONDS);

    assertThat(find(received, GenAiMetrics.TOKEN_USAGE).getHistogram().getAggregationTemporality())
        .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
  }

  @Test
  void forceFlush_sinkRefuses_exportFails() throws Exception {
    DerivedMetrics metrics =
        DerivedMetrics.fromConfig(
            ProxyConfig.builder().setMetricsExportInterval(Duration.ofMinutes(10)).build());
    metrics.connect(request -> false);

    metrics.processor().process(llmBatch());

    assertThat(metrics.forceFlush()).failsWithin(Duration.ofSeconds(30));
    metrics.shutdown();
  }

  @Test
  void create_beforeConnect_exportsGoNowhere() throws Exception {
    DerivedMetrics metrics = DerivedMetrics.fromConfig(ProxyConfig.defaults());

    metrics.processor().process(llmBatch());
    metrics.forceFlush().get(10, TimeUnit.SECONDS);
    metrics.shutdown().get(10, TimeUnit.SECONDS);
  }

  @Test
  void connect_withoutSinkExporter_throws() {
    DerivedMetrics metrics = DerivedMetrics.builder().build();

    assertThatThrownBy(() -> metrics.connect(request -> true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "these derived metrics have no sink exporter (expected: built by create(config) or"
                + " with setSinkTemporality)");
    metrics.shutdown();
  }

  private static Metric find(List<ExportMetricsServiceRequest> requests, String name) {
    List<Metric> found = new ArrayList<>();
    for (ExportMetricsServiceRequest request : requests) {
      for (ResourceMetrics rm : request.getResourceMetricsList()) {
        for (ScopeMetrics sm : rm.getScopeMetricsList()) {
          for (Metric m : sm.getMetricsList()) {
            if (m.getName().equals(name)) {
              found.add(m);
            }
          }
        }
      }
    }
    assertThat(found).as(name).isNotEmpty();
    return found.get(0);
  }

  @Test
  void shutdown_isIdempotent() throws Exception {
    DerivedMetrics metrics = DerivedMetrics.builder().build();

    metrics.shutdown().get(10, TimeUnit.SECONDS);
    metrics.shutdown().get(10, TimeUnit.SECONDS);
    metrics.processor().process(llmBatch()); // ignored, does not throw

    assertThat(metrics.prometheusCollector().collect().size()).isZero();
  }

  @Test
  void builder_rejectsInvalidValues() {
    assertThatThrownBy(() -> DerivedMetrics.builder().setMaxLabelLength(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metrics.max_label_length: 0 (expected: > 0)");
    assertThatThrownBy(() -> DerivedMetrics.builder().setCardinalityLimit(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metrics.cardinality_limit: 0 (expected: > 0)");
    assertThatThrownBy(() -> DerivedMetrics.builder().setMetricsSampleRate(2))
        .hasMessage("metrics.metrics_sample_rate: 2.0 (expected: a number from 0 to 1)");
    assertThatThrownBy(() -> DerivedMetrics.builder().setExportInterval(Duration.ZERO))
        .hasMessage("metrics.export_interval_ms: 0 (expected: > 0)");
  }
}
