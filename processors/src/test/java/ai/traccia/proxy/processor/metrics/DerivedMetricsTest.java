/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import static ai.traccia.proxy.processor.TestSpans.attributes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.traccia.proxy.config.Compression;
import ai.traccia.proxy.config.ExporterProtocol;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatch;
import com.sun.net.httpserver.HttpServer;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
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
  void create_exportsOtlpHttpWithBearerKeyAndDeltaTemporality() throws Exception {
    List<String> authorizations = new CopyOnWriteArrayList<>();
    List<ExportMetricsServiceRequest> received = new CopyOnWriteArrayList<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/v1/metrics",
        exchange -> {
          authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
          InputStream body = exchange.getRequestBody();
          if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            body = new GZIPInputStream(body);
          }
          received.add(ExportMetricsServiceRequest.parseFrom(body.readAllBytes()));
          exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          byte[] ok = new byte[0];
          exchange.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
          exchange.close();
        });
    server.start();
    try {
      ProxyConfig config =
          ProxyConfig.builder()
              .setApiKey("secret-key")
              .setEndpoint(
                  URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces"))
              .setMetricsExportInterval(Duration.ofMinutes(10))
              .build();
      DerivedMetrics metrics = DerivedMetrics.create(config);
      assertThat(metrics.otlpEndpoint())
          .contains(
              URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/metrics"));

      metrics.processor().process(llmBatch());
      metrics.forceFlush().get(30, TimeUnit.SECONDS);
      metrics.shutdown().get(30, TimeUnit.SECONDS);

      assertThat(authorizations).isNotEmpty().allMatch("Bearer secret-key"::equals);
      Metric tokens = find(received, GenAiMetrics.TOKEN_USAGE);
      assertThat(tokens.getUnit()).isEqualTo("{token}");
      assertThat(tokens.getHistogram().getAggregationTemporality())
          .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
      double sum = 0;
      for (var point : tokens.getHistogram().getDataPointsList()) {
        sum += point.getSum();
      }
      assertThat(sum).isEqualTo(150.0);
      assertThat(find(received, GenAiMetrics.AGENT_RUNS).getSum().getAggregationTemporality())
          .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
    } finally {
      server.stop(0);
    }
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
  void headers_apiKeyAsBearerUnlessAuthorizationIsSet() {
    ProxyConfig keyOnly =
        ProxyConfig.builder()
            .setApiKey("k")
            .setExporterHeaders(Map.of("x-scope-orgid", "t1"))
            .setCompression(Compression.NONE)
            .build();
    ProxyConfig explicit =
        ProxyConfig.builder()
            .setApiKey("k")
            .setExporterHeaders(Map.of("authorization", "Basic abc"))
            .build();

    assertThat(DerivedMetrics.headers(keyOnly))
        .isEqualTo(Map.of("x-scope-orgid", "t1", "Authorization", "Bearer k"));
    assertThat(DerivedMetrics.headers(explicit)).isEqualTo(Map.of("authorization", "Basic abc"));
  }

  @Test
  void create_withoutEndpointHasNoOtlpExport() throws Exception {
    DerivedMetrics metrics = DerivedMetrics.create(ProxyConfig.defaults());

    assertThat(metrics.otlpEndpoint()).isEmpty();
    metrics.shutdown().get(10, TimeUnit.SECONDS);
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
    assertThatThrownBy(() -> DerivedMetrics.builder().setCardinalityLimit(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metrics.cardinality_limit: 0 (expected: > 0)");
    assertThatThrownBy(() -> DerivedMetrics.builder().setMetricsSampleRate(2))
        .hasMessage("metrics.metrics_sample_rate: 2.0 (expected: a number from 0 to 1)");
    assertThatThrownBy(() -> DerivedMetrics.builder().setExportInterval(Duration.ZERO))
        .hasMessage("metrics.export_interval_ms: 0 (expected: > 0)");
  }

  @Test
  void create_grpcProtocolExportsToTheTracesAuthority() throws Exception {
    DerivedMetrics metrics =
        DerivedMetrics.create(
            ProxyConfig.builder()
                .setEndpoint(URI.create("http://127.0.0.1:4317"))
                .setExporterProtocol(ExporterProtocol.GRPC)
                .setMetricsTemporality("cumulative")
                .build());

    assertThat(metrics.otlpEndpoint()).contains(URI.create("http://127.0.0.1:4317"));
    metrics.shutdown().get(10, TimeUnit.SECONDS);
  }
}
