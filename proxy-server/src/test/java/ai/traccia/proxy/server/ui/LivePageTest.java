/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.codec.OtlpIds;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LivePageTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private LiveFixture proxy;

  @BeforeEach
  void start() throws Exception {
    proxy = new LiveFixture();
  }

  @AfterEach
  void stop() {
    proxy.close();
  }

  private JsonNode json(String path) throws Exception {
    HttpResponse<String> response = proxy.get(path);
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    return JSON.readTree(response.body());
  }

  private JsonNode trace(String traceId) throws Exception {
    return json("/api/traces/" + traceId);
  }

  @Test
  void traces_summariseWhatFlowedThrough() throws Exception {
    proxy.sendAgentTraces();
    String support = LiveFixture.hexTraceId(1);

    JsonNode traces = json("/api/traces").path("traces");
    assertThat(traces).hasSize(2);
    JsonNode t = findTrace(traces, support);
    assertThat(t.path("root").asText()).isEqualTo("support agent run");
    assertThat(t.path("service").asText()).isEqualTo("support-bot");
    assertThat(t.path("agent").asText()).isEqualTo("triage-agent");
    assertThat(t.path("durationMs").asLong()).isEqualTo(2400);
    assertThat(t.path("llmCalls").asInt()).isEqualTo(1);
    assertThat(t.path("inputTokens").asLong()).isEqualTo(1200);
    assertThat(t.path("outputTokens").asLong()).isEqualTo(300);
    assertThat(t.path("costUsd").asDouble()).isPositive().isEqualTo(proxy.exportedCost(1));
    assertThat(strings(t.path("guardrails").path("detected"))).contains("input_validation");
    assertThat(strings(t.path("guardrails").path("triggered"))).contains("input_validation");
    assertThat(strings(t.path("guardrails").path("missing"))).isNotEmpty();

    JsonNode research = findTrace(traces, LiveFixture.hexTraceId(2));
    assertThat(research.path("unpriced").asBoolean()).isTrue();
    assertThat(research.path("costUsd").asDouble()).isEqualTo(proxy.exportedCost(2));
  }

  @Test
  void traces_filterByServiceAgentAndModel() throws Exception {
    proxy.sendAgentTraces();

    assertThat(json("/api/traces?service=research").path("traces")).hasSize(1);
    assertThat(json("/api/traces?agent=triage-agent").path("traces")).hasSize(1);
    assertThat(json("/api/traces?model=gpt-4o-mini").path("traces").get(0).path("root").asText())
        .isEqualTo("support agent run");
    assertThat(json("/api/traces?model=nothing-like-it").path("traces")).isEmpty();
    assertThat(strings(json("/api/traces").path("facets").path("services")))
        .containsExactly("research", "support-bot");
  }

  @Test
  void trace_marksWhatTheProxyAddedAndHidesCredentials() throws Exception {
    proxy.sendAgentTraces();

    JsonNode spans = trace(LiveFixture.hexTraceId(1)).path("spans");
    assertThat(spans).hasSize(3);
    JsonNode chat = null;
    for (JsonNode s : spans) {
      if (s.path("name").asText().equals("chat gpt-4o-mini")) {
        chat = s;
      }
    }
    assertThat(chat).isNotNull();
    assertThat(chat.path("parentSpanId").asText()).isEqualTo(OtlpIds.hex(LiveFixture.id(8, 1)));
    Map<String, JsonNode> byKey = new java.util.HashMap<>();
    chat.path("attributes").forEach(a -> byKey.put(a.path("key").asText(), a));
    assertThat(byKey.get("llm.cost.usd").path("proxy").asBoolean()).isTrue();
    assertThat(byKey.get("llm.pricing.source").path("proxy").asBoolean()).isTrue();
    assertThat(byKey.get("gen_ai.request.model").path("proxy").asBoolean()).isFalse();
    assertThat(byKey.get("gen_ai.usage.input_tokens").path("proxy").asBoolean()).isFalse();
    assertThat(byKey.get("gen_ai.prompt.0.content").path("value").asText())
        .isEqualTo(LiveFixture.SCRIPT_PROMPT);
    assertThat(byKey.get("http.request.header.authorization").path("value").asText())
        .isEqualTo("[redacted]");
    assertThat(proxy.get("/api/traces/" + LiveFixture.hexTraceId(1)).body())
        .doesNotContain("sk-live-secret");
  }

  @Test
  void trace_byQueryParameterToo() throws Exception {
    proxy.sendAgentTraces();
    String id = LiveFixture.hexTraceId(2);

    assertThat(json("/api/trace?id=" + id)).isEqualTo(trace(id));
    assertThat(proxy.get("/api/trace").statusCode()).isEqualTo(404);
    for (String path : LivePage.paths()) {
      assertThat(proxy.page.handle(path, Map.of())).as(path).isPresent();
    }
  }

  @Test
  void trace_unknownOrMalformedIdIs404() throws Exception {
    assertThat(proxy.get("/api/traces/00ff").statusCode()).isEqualTo(404);
    assertThat(proxy.get("/api/traces/..%2F..%2Fetc").statusCode()).isEqualTo(404);
    assertThat(proxy.get("/api/nothing").statusCode()).isEqualTo(404);
    assertThat(proxy.get("/elsewhere").statusCode()).isEqualTo(404);
  }

  @Test
  void costs_perMinuteByModelServiceAndAgent() throws Exception {
    proxy.sendAgentTraces();

    JsonNode costs = json("/api/costs?window=60");
    assertThat(costs.path("minutes")).hasSize(60);
    double expected = proxy.exportedCost(1) + proxy.exportedCost(2);
    assertThat(costs.path("totalCostUsd").asDouble()).isCloseTo(expected, within());
    assertThat(costs.path("totalTokens").asLong()).isEqualTo(1500 + 4800 + 150);
    List<String> models = new ArrayList<>();
    costs.path("model").forEach(s -> models.add(s.path("name").asText()));
    assertThat(models).contains("gpt-4o-mini", "claude-3-5-sonnet-20241022", "in-house-model-7b");
    List<String> agents = new ArrayList<>();
    costs.path("agent").forEach(s -> agents.add(s.path("name").asText()));
    assertThat(agents).contains("triage-agent", "writer");
    // Bad input is clamped, never an error.
    assertThat(json("/api/costs?window=100000").path("minutes")).hasSize(60);
    assertThat(json("/api/costs?window=abc").path("minutes")).hasSize(15);
    assertThat(json("/api/traces?limit=-5").path("traces")).hasSizeLessThanOrEqualTo(1);
  }

  @Test
  void status_pricingUnpricedModelsAndExporters() throws Exception {
    proxy.sendAgentTraces();
    proxy.server.flush(Duration.ofSeconds(5));

    JsonNode status = json("/api/status");
    assertThat(status.path("pricing").path("source").asText()).isNotEmpty();
    assertThat(status.path("pricing").path("unpricedModels").has("in-house-model-7b")).isTrue();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(
                        json("/api/status")
                            .path("exporters")
                            .path(proxy.exporter.name())
                            .path("exported")
                            .asLong())
                    .isEqualTo(6));
    assertThat(status.path("ring").path("traces").asInt()).isEqualTo(2);
  }

  @Test
  void everyAnswer_carriesTheContentSecurityPolicy() throws Exception {
    for (String path :
        List.of("/", "/assets/live.js", "/assets/uPlot.iife.min.js", "/api/status", "/api/x")) {
      HttpResponse<String> response = proxy.get(path);
      assertThat(response.headers().firstValue("Content-Security-Policy"))
          .as(path)
          .hasValue(LivePage.CONTENT_SECURITY_POLICY);
      assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }
    assertThat(LivePage.CONTENT_SECURITY_POLICY)
        .contains("script-src 'self'")
        .doesNotContain("unsafe-inline")
        .doesNotContain("unsafe-eval");
  }

  @Test
  void assets_pageHasNoInlineScriptAndShipsTheChartLicence() throws Exception {
    String html = proxy.get("/").body();
    assertThat(html).contains("<script src=\"assets/live.js\"").doesNotContain("<script>");
    assertThat(proxy.get("/assets/uPlot.LICENSE").body()).contains("MIT");
    String script = proxy.get("/assets/live.js").body();
    assertThat(script).doesNotContain("innerHTML").doesNotContain("insertAdjacentHTML");
  }

  @Test
  void handle_isTransportNeutral() {
    LivePage page = LivePage.create(5, 5, new ai.traccia.proxy.server.metrics.SelfMetrics());
    assertThat(page.handle("/healthz", Map.of())).isEmpty();
    assertThat(page.handle("/", Map.of()))
        .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(LivePage.parseQuery("service=a%20b&model=&x&bad=%zz"))
        .containsEntry("service", List.of("a b"))
        .containsEntry("model", List.of(""))
        .containsEntry("x", List.of(""))
        .doesNotContainKey("bad");
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }

  private static JsonNode findTrace(JsonNode traces, String traceId) {
    for (JsonNode t : traces) {
      if (t.path("traceId").asText().equals(traceId)) {
        return t;
      }
    }
    throw new AssertionError("no trace " + traceId + " in " + traces);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
