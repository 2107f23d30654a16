/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.pricing.PriceBooks;
import ai.traccia.proxy.processor.EnrichmentProcessors;
import ai.traccia.proxy.server.ProxyServer;
import ai.traccia.proxy.server.export.ExportRequest;
import ai.traccia.proxy.server.export.ExportResult;
import ai.traccia.proxy.server.export.Exporter;
import ai.traccia.proxy.server.export.Signal;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code @Observe} LLM call sent by the client over OTLP/HTTP to a proxy started in-process,
 * read back from the proxy's exporter.
 */
class ProxyEndToEndTest {

  /**
   * The proxy's enrichment pipeline for this test. Empty for now: returning the pipeline the proxy
   * builds from its configuration (the token counting and cost processors, with the bundled price
   * table) enables {@link #observedLlmCall_getsUsageAndCostFromTheProxy}, which is skipped while
   * this is empty.
   */
  /** The proxy's own enrichment chain over the bundled prices, as `serve` builds it. */
  static SpanPipeline enrichment() {
    SpanPipeline.Builder pipeline = SpanPipeline.builder();
    EnrichmentProcessors.fromConfig(
            ProxyConfig.defaults(), PriceBooks.bundled(Clock.systemUTC()), model -> {})
        .forEach(pipeline::addProcessor);
    return pipeline.build();
  }

  /** An LLM-shaped call: model and prompt as arguments, provider usage set on the span. */
  static final class Assistant {
    @Observe(asType = "llm", attributes = "gen_ai.system=openai")
    String chat(String model, String prompt) {
      Span span = Span.current();
      span.setAttribute("gen_ai.request.model", model);
      span.setAttribute("gen_ai.usage.input_tokens", 18L);
      span.setAttribute("gen_ai.usage.output_tokens", 5L);
      return "Hello!";
    }
  }

  /** Keeps every request the proxy exports. */
  static final class RecordingExporter implements Exporter {
    final List<ExportRequest> requests = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public CompletableFuture<ExportResult> export(ExportRequest request) {
      requests.add(request);
      return CompletableFuture.completedFuture(ExportResult.success());
    }

    @Override
    public CompletableFuture<Void> shutdown() {
      return CompletableFuture.completedFuture(null);
    }
  }

  @TempDir Path directory;

  private final RecordingExporter recorded = new RecordingExporter();
  private ProxyServer proxy;
  private Traccia traccia;

  @BeforeEach
  void start() throws Exception {
    proxy =
        ProxyServer.start(
            ProxyServer.options()
                .setGrpcPort(0)
                .setHttpPort(0)
                .setAdminPort(0)
                .setScheduleDelay(Duration.ofMillis(50))
                .setPipeline(enrichment())
                .addExporter(recorded)
                .build());
    traccia =
        Clients.isolated(directory)
            .setEndpoint("http://127.0.0.1:" + proxy.httpPort())
            .setServiceName("e2e-app")
            .setAgentId("support-bot")
            .init();
  }

  @AfterEach
  void stop() {
    Clients.stop();
    proxy.close();
  }

  /** The attributes of the only exported span named {@code name}, and its resource's. */
  private Map<String, AnyValue> exportedSpan(String name) throws Exception {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              proxy.flush(Duration.ofSeconds(5));
              return find(name) != null;
            });
    return find(name);
  }

  private Map<String, AnyValue> find(String name) throws Exception {
    for (ExportRequest request : new ArrayList<>(recorded.requests)) {
      if (request.signal() != Signal.TRACES) {
        continue;
      }
      ExportTraceServiceRequest decoded = ExportTraceServiceRequest.parseFrom(request.body());
      for (ResourceSpans rs : decoded.getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (io.opentelemetry.proto.trace.v1.Span span : ss.getSpansList()) {
            if (span.getName().equals(name)) {
              Map<String, AnyValue> all = new HashMap<>();
              all.putAll(map(rs.getResource()));
              for (KeyValue kv : span.getAttributesList()) {
                all.put(kv.getKey(), kv.getValue());
              }
              return all;
            }
          }
        }
      }
    }
    return null;
  }

  private static Map<String, AnyValue> map(Resource resource) {
    Map<String, AnyValue> out = new HashMap<>();
    for (KeyValue kv : resource.getAttributesList()) {
      out.put("resource." + kv.getKey(), kv.getValue());
    }
    return out;
  }

  @Test
  void observedLlmCall_reachesTheProxyWithItsAttributes() throws Exception {
    new Assistant().chat("gpt-4o-mini", "Say hello");
    assertThat(traccia.forceFlush(Duration.ofSeconds(10))).isTrue();

    Map<String, AnyValue> span = exportedSpan("chat");
    assertThat(span.get("span.type").getStringValue()).isEqualTo("llm");
    assertThat(span.get("llm.model").getStringValue()).isEqualTo("gpt-4o-mini");
    assertThat(span.get("llm.prompt").getStringValue()).isEqualTo("Say hello");
    assertThat(span.get("gen_ai.system").getStringValue()).isEqualTo("openai");
    assertThat(span.get("gen_ai.request.model").getStringValue()).isEqualTo("gpt-4o-mini");
    assertThat(span.get("gen_ai.usage.input_tokens").getIntValue()).isEqualTo(18);
    assertThat(span.get("gen_ai.usage.output_tokens").getIntValue()).isEqualTo(5);
    assertThat(span.get("result").getStringValue()).isEqualTo("Hello!");
    assertThat(span.get("resource.service.name").getStringValue()).isEqualTo("e2e-app");
    assertThat(span.get("resource.agent.id").getStringValue()).isEqualTo("support-bot");
  }

  @Test
  void observedLlmCall_getsUsageAndCostFromTheProxy() throws Exception {
    new Assistant().chat("gpt-4o-mini", "Say hello");
    assertThat(traccia.forceFlush(Duration.ofSeconds(10))).isTrue();

    Map<String, AnyValue> span = exportedSpan("chat");
    // 18 prompt and 5 completion tokens of gpt-4o-mini at the bundled prices:
    // 18/1000*0.00015 + 5/1000*0.0006 = 5.7e-06 (the Python SDK rounds it to 6e-06).
    assertThat(span).containsKey("llm.cost.usd");
    assertThat(span.get("llm.cost.usd").getDoubleValue()).isCloseTo(5.7e-06, within(1e-15));
  }
}
