/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static ai.traccia.proxy.it.OtlpAttributes.attributes;
import static ai.traccia.proxy.it.OtlpAttributes.decimal;
import static ai.traccia.proxy.it.OtlpAttributes.find;
import static ai.traccia.proxy.it.OtlpAttributes.hex;
import static ai.traccia.proxy.it.OtlpAttributes.resourceOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients in other languages through the proxy jar to a real OpenTelemetry Collector: the
 * Traccia Python SDK with its OpenAI instrumentation, a Python application with only the
 * OpenTelemetry SDK, and a Node.js application with the OpenTelemetry Node SDK, as installed by
 * {@code integration-tests/scripts/install-peers.sh}. Each test starts its own Collector and proxy,
 * runs one peer script, and asserts on what the Collector received.
 */
class PeerSdkIT {

  private static final Duration ARRIVAL = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private PeerRuntime peers;
  private CollectorBackend collector;
  private ProxyProcess proxy;

  @BeforeEach
  void startBackendAndProxy() {
    peers = PeerRuntime.assumeInstalled();
    CollectorBackend.assumeAvailable();
    collector = CollectorBackend.start();
    proxy =
        ProxyProcess.start(
            work.resolve("proxy"),
            ProxyProcess.env(
                "TRACCIA_ENDPOINT",
                collector.grpcEndpoint(),
                "TRACCIA_EXPORTER_PROTOCOL",
                "grpc",
                "TRACCIA_SCHEDULE_DELAY_MILLIS",
                "50"));
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
  void tracciaPythonSdk_openAiSpanKeepsSdkAttributesAndCost() {
    JsonNode run =
        peers.runPython(
            work.resolve("peer"),
            Map.of(),
            "traccia_openai.py",
            proxy.httpEndpoint() + "/v1/traces");
    String traceId = run.get("trace_id").asText();

    Span llm = awaitSpan(traceId, "llm.openai.chat.completions");
    Map<String, Object> a = attributes(llm);
    // What the SDK wrote, untouched.
    assertThat(a)
        .containsEntry("llm.vendor", "openai")
        .containsEntry("llm.model", "gpt-4o-mini")
        .containsEntry("llm.prompt", "system: You are terse.\nuser: Hi")
        .containsEntry(
            "llm.openai.messages",
            "[{\"role\": \"system\", \"content\": \"You are terse.\"},"
                + " {\"role\": \"user\", \"content\": \"Hi\"}]")
        .containsEntry("llm.usage.prompt_tokens", 18L)
        .containsEntry("llm.usage.completion_tokens", 5L)
        .containsEntry("llm.usage.total_tokens", 23L)
        .containsEntry("llm.usage.source", "provider_usage")
        .containsEntry("llm.usage.prompt_source", "provider_usage")
        .containsEntry("llm.usage.completion_source", "provider_usage")
        .containsEntry("llm.cost.source", "provider_usage")
        .containsEntry("llm.pricing.source", run.get("sdk_pricing_source").asText())
        .containsEntry("llm.pricing.generated_at", run.get("sdk_pricing_generated_at").asText())
        .containsEntry("llm.pricing.model_key", "gpt-4o-mini")
        .containsEntry("agent.id", "support-bot")
        .containsEntry("agent.name", "Support Bot")
        .containsEntry("span.type", "LLM")
        .containsEntry("governance.event_type", "inference");
    // The SDK rounds its cost to 6 decimals (5.7e-06 becomes 6e-06); the proxy keeps it.
    BigDecimal exact = bundledCost("gpt-4o-mini", 18, 5);
    assertThat(decimal(a.get("llm.cost.usd")))
        .isEqualByComparingTo(exact.setScale(6, java.math.RoundingMode.HALF_EVEN));
    // What the proxy added: the GenAI usage keys, that the cost was provided, and its own exact
    // cost beside the SDK's because they differ.
    assertThat(a)
        .containsEntry("gen_ai.usage.input_tokens", 18L)
        .containsEntry("gen_ai.usage.output_tokens", 5L)
        .containsEntry("traccia.pricing.status", "provided");
    assertThat(decimal(a.get("traccia.cost.computed_usd"))).isEqualByComparingTo(exact);

    Span root = awaitSpan(traceId, "support-request");
    assertThat(hex(llm.getParentSpanId())).isEqualTo(hex(root.getSpanId()));
    assertThat(attributes(root))
        .containsEntry("agent.id", "support-bot")
        .containsEntry("guardrail.summary.coverage_confidence", "low")
        .doesNotContainKey("llm.cost.usd");
    assertThat(resourceOf(collector.receivedTraces(), hex(llm.getSpanId())).orElseThrow())
        .containsEntry("service.name", "traccia-python-peer")
        .containsEntry("tenant.id", "default-tenant")
        .containsEntry("project.id", "default-project")
        .containsEntry("agent.id", "support-bot");

    // The SDK's own GenAI metrics pass through the proxy unchanged.
    assertThat(awaitMetricNames())
        .contains(
            "gen_ai.client.token.usage",
            "gen_ai.client.operation.duration",
            "gen_ai.client.operation.cost");
  }

  @Test
  void otelPythonGenAi_usageGetsBundledCostAndMetricArrives() {
    JsonNode run =
        peers.runPython(
            work.resolve("peer"),
            Map.of(),
            "otel_genai.py",
            proxy.httpEndpoint(),
            proxy.grpcEndpoint(),
            "usage");
    String traceId = run.get("trace_id").asText();

    Map<String, Object> a = attributes(awaitSpan(traceId, "chat gpt-4o"));
    assertThat(a)
        .containsEntry("gen_ai.request.model", "gpt-4o")
        .containsEntry("gen_ai.usage.input_tokens", 1000L)
        .containsEntry("gen_ai.usage.output_tokens", 500L)
        .containsEntry("gen_ai.response.finish_reasons", List.of("stop"))
        .containsEntry("llm.pricing.source", "bundled")
        .containsEntry("llm.pricing.model_key", "gpt-4o")
        // The proxy reports when the prices were taken, not when the snapshot file was written.
        .containsEntry("llm.pricing.generated_at", snapshot().get("prices_as_of").asText())
        .containsEntry("llm.pricing.snapshot_version", snapshot().get("snapshot_version").asText())
        .containsEntry("traccia.pricing.status", "priced")
        .containsKey("llm.pricing.age_days")
        .doesNotContainKey("traccia.cost.computed_usd");
    assertThat(decimal(a.get("llm.cost.usd")))
        .isEqualByComparingTo(bundledCost("gpt-4o", 1000, 500));

    List<Metric> metrics = collector.awaitMetrics(1, ARRIVAL);
    Metric requests =
        metrics.stream()
            .filter(m -> m.getName().equals("peer.llm.requests"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("peer.llm.requests did not arrive: " + metrics));
    assertThat(requests.getUnit()).isEqualTo("{request}");
    assertThat(requests.getSum().getDataPoints(0).getAsInt()).isEqualTo(1);
  }

  @Test
  void nodeOpenLlmetryAndOpenInference_usageEstimatedAndPriced() {
    peers.runNode(
        work.resolve("peer"),
        Map.of(),
        "genai_spans.js",
        proxy.httpEndpoint() + "/v1/traces",
        "instrumentations");

    List<Span> spans = collector.awaitSpans(2, ARRIVAL);
    Span openLlmetry = byName(spans, "openai.chat");
    Map<String, Object> a = attributes(openLlmetry);
    assertThat(a)
        .containsEntry("gen_ai.system", "openai")
        .containsEntry("gen_ai.prompt.0.content", "Write one sentence about the sea.")
        .containsEntry(
            "gen_ai.completion.0.content", "The sea keeps every secret the wind tells it.")
        .containsEntry("llm.usage.prompt_source", "estimated.tiktoken_chat")
        .containsEntry("llm.usage.completion_source", "estimated.tiktoken")
        .containsEntry("llm.pricing.model_key", "gpt-4o")
        .containsEntry("traccia.pricing.status", "priced");
    assertPricedFromUsage(a, "gpt-4o");
    assertThat(resourceOf(collector.receivedTraces(), hex(openLlmetry.getSpanId())).orElseThrow())
        .containsEntry("service.name", "node-genai-peer");

    Map<String, Object> b = attributes(byName(spans, "ChatCompletion"));
    assertThat(b)
        .containsEntry("openinference.span.kind", "LLM")
        .containsEntry("llm.model_name", "gpt-4o-mini")
        .containsEntry("input.value", "What is the capital of France?")
        .containsEntry("output.value", "The capital of France is Paris.")
        .containsEntry("llm.usage.prompt_source", "estimated.tiktoken")
        .containsEntry("llm.usage.completion_source", "estimated.tiktoken")
        .containsEntry("llm.pricing.model_key", "gpt-4o-mini")
        .containsEntry("traccia.pricing.status", "priced");
    assertPricedFromUsage(b, "gpt-4o-mini");
  }

  /**
   * A chat span that the provider's content filter stopped, over OTLP/gRPC.
   *
   * <p>Today the proxy prices it and forwards the finish reason untouched. The guardrail processor,
   * once wired into the proxy, is to add to the chat span {@code guardrail.finding.count = 1} and
   * {@code guardrail.findings} (one finding, category {@code moderation}, confidence {@code high}),
   * and to the {@code invoke_agent} root {@code guardrail.summary} with {@code moderation} among
   * its detected categories.
   */
  @Test
  void contentFilterFinishReason_arrivesPricedWithFinishReason() {
    JsonNode run =
        peers.runPython(
            work.resolve("peer"),
            Map.of(),
            "otel_genai.py",
            proxy.httpEndpoint(),
            proxy.grpcEndpoint(),
            "content-filter");
    String traceId = run.get("trace_id").asText();

    Span chat = awaitSpan(traceId, "chat gpt-4o-mini");
    Span root = awaitSpan(traceId, "invoke_agent support");
    assertThat(hex(chat.getSpanId())).isEqualTo(run.get("span_id").asText());
    assertThat(hex(chat.getParentSpanId())).isEqualTo(run.get("root_span_id").asText());
    Map<String, Object> a = attributes(chat);
    assertThat(a)
        .containsEntry("gen_ai.response.finish_reasons", List.of("content_filter"))
        .containsEntry("traccia.pricing.status", "priced");
    assertThat(decimal(a.get("llm.cost.usd")))
        .isEqualByComparingTo(bundledCost("gpt-4o-mini", 20, 0));
    // An agent span is not priced, so the chat's usage is not counted twice.
    assertThat(attributes(root))
        .containsEntry("gen_ai.operation.name", "invoke_agent")
        .doesNotContainKey("llm.cost.usd");
    // The provider's content filter is a tier B (provider-native) guardrail finding on the span,
    // and the root's summary reports the moderation category as detected and triggered.
    assertThat(a).containsEntry("guardrail.finding.count", 1L);
    assertThat((String) a.get("guardrail.findings"))
        .contains("\"name\": \"provider_content_filter\"")
        .contains("\"category\": \"moderation\"")
        .contains("\"source_type\": \"provider_native\"")
        .contains("\"triggered\": true");
    Map<String, Object> summary = attributes(root);
    assertThat(summary)
        .containsEntry("guardrail.summary.detected_categories", List.of("moderation"))
        .containsEntry("guardrail.finding.count", 1L)
        .containsKey("guardrail.summary.coverage_confidence");
    assertThat((String) summary.get("guardrail.summary"))
        .contains("\"triggered_categories\": [\"moderation\"]");
  }

  /**
   * One trace across two services: the Python peer's root span, and the Node.js peer's child that
   * continues it from a W3C {@code traceparent}.
   *
   * <p>Once the guardrail processor is wired, the root (the only span without a parent) is also to
   * carry {@code guardrail.summary}, {@code guardrail.summary.missing_count} and {@code
   * guardrail.summary.coverage_confidence}, computed over both services' spans.
   */
  @Test
  void twoServices_oneTraceWithParentLink() {
    JsonNode run =
        peers.runPython(
            work.resolve("peer"),
            Map.of("NODE_PEER", peers.nodeCommand("node/genai_spans.js")),
            "otel_genai.py",
            proxy.httpEndpoint(),
            proxy.grpcEndpoint(),
            "two-services");
    String traceId = run.get("trace_id").asText();
    assertThat(run.get("node").get("trace_id").asText()).isEqualTo(traceId);

    Span root = awaitSpan(traceId, "invoke_agent orchestrator");
    Span child = awaitSpan(traceId, "openai.chat");
    assertThat(root.getParentSpanId().isEmpty()).isTrue();
    assertThat(hex(root.getSpanId())).isEqualTo(run.get("root_span_id").asText());
    assertThat(hex(child.getSpanId())).isEqualTo(run.get("node").get("span_id").asText());
    assertThat(hex(child.getParentSpanId())).isEqualTo(hex(root.getSpanId()));
    assertThat(resourceOf(collector.receivedTraces(), hex(root.getSpanId())).orElseThrow())
        .containsEntry("service.name", "python-orchestrator");
    assertThat(resourceOf(collector.receivedTraces(), hex(child.getSpanId())).orElseThrow())
        .containsEntry("service.name", "node-worker");
    assertPricedFromUsage(attributes(child), "gpt-4o");
    // One summary, on the root, over both services' spans: the Node.js child's LLM call is in
    // the roll-up although it arrived in another request from another service.
    Map<String, Object> rootAttributes = attributes(root);
    assertThat(rootAttributes)
        .containsKey("guardrail.summary")
        .containsEntry("guardrail.summary.coverage_confidence", "low")
        .containsEntry("traccia.trace.llm_span_count", 1L);
    assertThat(attributes(child)).doesNotContainKey("guardrail.summary");
  }

  private Span awaitSpan(String traceId, String name) {
    return await()
        .atMost(ARRIVAL)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> find(collector.receivedSpans(), traceId, name), Optional::isPresent)
        .orElseThrow();
  }

  private List<String> awaitMetricNames() {
    return await()
        .atMost(ARRIVAL)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> collector.receivedMetricList().stream().map(Metric::getName).toList(),
            names -> names.contains("gen_ai.client.operation.cost"));
  }

  private static Span byName(List<Span> spans, String name) {
    return spans.stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no span named " + name + " arrived"));
  }

  /** The estimated usage is positive, mirrored to the GenAI keys, and priced at bundled prices. */
  private static void assertPricedFromUsage(Map<String, Object> a, String model) {
    long input = (Long) a.get("llm.usage.prompt_tokens");
    long output = (Long) a.get("llm.usage.completion_tokens");
    assertThat(input).isPositive();
    assertThat(output).isPositive();
    assertThat(a)
        .containsEntry("gen_ai.usage.input_tokens", input)
        .containsEntry("gen_ai.usage.output_tokens", output)
        .containsEntry("llm.pricing.source", "bundled");
    assertThat(decimal(a.get("llm.cost.usd")))
        .isEqualByComparingTo(bundledCost(model, input, output));
  }

  /**
   * Input and output tokens at the per-token prices of the snapshot inside the proxy jar under
   * test, exactly.
   */
  static BigDecimal bundledCost(String model, long input, long output) {
    JsonNode prices = snapshot().get("models").get(model);
    assertThat(prices).as("bundled price of " + model).isNotNull();
    return new BigDecimal(prices.get("input").asText())
        .multiply(BigDecimal.valueOf(input))
        .add(new BigDecimal(prices.get("output").asText()).multiply(BigDecimal.valueOf(output)));
  }

  /** The price snapshot inside the proxy jar under test, which is what the proxy prices with. */
  private static JsonNode snapshot() {
    String resource = "ai/traccia/proxy/pricing/snapshot.json";
    try (ZipFile jar = new ZipFile(ProxyProcess.jar().toFile())) {
      ZipEntry entry = jar.getEntry(resource);
      if (entry == null) {
        throw new IllegalStateException(resource + " is missing from " + ProxyProcess.jar());
      }
      try (InputStream in = jar.getInputStream(entry)) {
        return JSON.readTree(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource + " from " + ProxyProcess.jar(), e);
    }
  }
}
