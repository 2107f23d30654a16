/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.codec.OtlpIds;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.pricing.PriceBooks;
import ai.traccia.proxy.processor.EnrichmentProcessors;
import ai.traccia.proxy.processor.guardrail.GuardrailListener;
import ai.traccia.proxy.processor.guardrail.GuardrailProcessor;
import ai.traccia.proxy.processor.metrics.DerivedMetrics;
import ai.traccia.proxy.server.ProxyServer;
import ai.traccia.proxy.server.RecordingExporter;
import ai.traccia.proxy.server.export.Exporter;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A proxy on free ports with the pipeline {@code serve} builds (token counting, cost, derived
 * metrics, guardrails, the live page's tap), a recording exporter, and a few agent traces to send
 * to it: one with a prompt that contains a script tag, one with an unpriced model.
 */
final class LiveFixture implements AutoCloseable {

  static final String SCRIPT_PROMPT = "Summarise this: <script>alert(1)</script> please";

  final SelfMetrics metrics = new SelfMetrics();
  final RecordingExporter exporter = new RecordingExporter();
  final LivePage page = LivePage.create(50, 500, metrics);
  final ProxyServer server;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final DerivedMetrics derived;
  private final HttpClient http = HttpClient.newHttpClient();

  LiveFixture() throws IOException, InterruptedException {
    this(List.of());
  }

  /** With {@code extra} exporters beside the recording one, each with a queue of its own. */
  LiveFixture(List<Exporter> extra) throws IOException, InterruptedException {
    ProxyConfig config = ProxyConfig.builder().build();
    derived = DerivedMetrics.fromConfig(config);
    derived.registerWith(metrics.registry());
    SpanPipeline.Builder pipeline = SpanPipeline.builder();
    EnrichmentProcessors.fromConfig(
            config,
            PriceBooks.fromSettings(config.pricingSettings(), Clock.systemUTC()),
            metrics::unpricedSpan)
        .forEach(pipeline::addProcessor);
    pipeline.addProcessor(derived.processor());
    pipeline.addHoldingProcessor(
        next ->
            GuardrailProcessor.builder()
                .fromConfig(config)
                .setRootSpanWait(Duration.ZERO)
                .setScheduler(scheduler)
                .setNext(next)
                .setListener(
                    new GuardrailListener() {
                      @Override
                      public void onRootReleased(Release reason) {
                        metrics.guardrailEvent("root_released", reason.label());
                      }

                      @Override
                      public void onLateSpan() {
                        metrics.guardrailEvent("late_span", "");
                      }

                      @Override
                      public void onTraceSummarized(
                          List<String> detected, List<String> triggered, List<String> missing) {
                        metrics.guardrailSummary(detected, triggered, missing);
                      }
                    })
                .build());
    pipeline.addProcessor(page.tap());
    ProxyServer.Options.Builder settings =
        ProxyServer.options()
            .setGrpcPort(0)
            .setHttpPort(0)
            .setAdminPort(0)
            .setPipeline(pipeline.build())
            .setMetrics(metrics)
            .setLivePage(page)
            .addExporter(exporter);
    extra.forEach(settings::addExporter);
    server = ProxyServer.start(settings.build());
  }

  String adminUrl() {
    return "http://127.0.0.1:" + server.adminPort() + "/";
  }

  /** Sends the traces the page and the dashboards are tested with; returns their trace ids. */
  void sendAgentTraces() throws IOException, InterruptedException {
    long now = System.currentTimeMillis() * 1_000_000L;
    ByteString support = id(16, 1);
    Span root =
        span(support, 1, 0, "support agent run", now, 2_400)
            .addAttributes(attr("gen_ai.operation.name", "invoke_agent"))
            .addAttributes(attr("gen_ai.agent.name", "triage-agent"))
            .build();
    Span chat =
        span(support, 2, 1, "chat gpt-4o-mini", now + 100_000_000L, 1_200)
            .addAttributes(attr("gen_ai.operation.name", "chat"))
            .addAttributes(attr("gen_ai.provider.name", "openai"))
            .addAttributes(attr("gen_ai.request.model", "gpt-4o-mini"))
            .addAttributes(attr("gen_ai.usage.input_tokens", 1200))
            .addAttributes(attr("gen_ai.usage.output_tokens", 300))
            .addAttributes(attr("gen_ai.prompt.0.role", "user"))
            .addAttributes(attr("gen_ai.prompt.0.content", SCRIPT_PROMPT))
            .addAttributes(attr("http.request.header.authorization", "Bearer sk-live-secret"))
            .build();
    Span guard =
        span(support, 3, 1, "input filter", now + 50_000_000L, 20)
            .addAttributes(attr("span.type", "guardrail"))
            .addAttributes(attr("guardrail.name", "input-filter"))
            .addAttributes(attr("guardrail.category", "input_validation"))
            .addAttributes(attr("guardrail.triggered", true))
            .build();
    send(request("support-bot", "triage-agent", chat, guard, root));

    ByteString research = id(16, 2);
    Span root2 =
        span(research, 11, 0, "research agent run", now, 5_000)
            .addAttributes(attr("gen_ai.operation.name", "invoke_agent"))
            .addAttributes(attr("gen_ai.agent.name", "writer"))
            .build();
    Span claude =
        span(research, 12, 11, "chat claude", now + 200_000_000L, 3_000)
            .addAttributes(attr("gen_ai.operation.name", "chat"))
            .addAttributes(attr("gen_ai.provider.name", "anthropic"))
            .addAttributes(attr("gen_ai.request.model", "claude-3-5-sonnet-20241022"))
            .addAttributes(attr("gen_ai.usage.input_tokens", 4000))
            .addAttributes(attr("gen_ai.usage.output_tokens", 800))
            .build();
    Span unpriced =
        span(research, 13, 11, "chat in-house", now + 300_000_000L, 900)
            .addAttributes(attr("gen_ai.operation.name", "chat"))
            .addAttributes(attr("gen_ai.request.model", "in-house-model-7b"))
            .addAttributes(attr("gen_ai.usage.input_tokens", 100))
            .addAttributes(attr("gen_ai.usage.output_tokens", 50))
            .build();
    send(request("research", "writer", root2, claude, unpriced));
  }

  static String hexTraceId(int seed) {
    return OtlpIds.hex(id(16, seed));
  }

  /** The cost the proxy wrote on the exported spans of trace {@code seed}, summed. */
  double exportedCost(int seed) {
    server.flush(Duration.ofSeconds(5));
    ByteString trace = id(16, seed);
    double sum = 0;
    for (Span s : exporter.spans()) {
      if (!s.getTraceId().equals(trace)) {
        continue;
      }
      for (KeyValue kv : s.getAttributesList()) {
        if (kv.getKey().equals("llm.cost.usd")) {
          sum += kv.getValue().getDoubleValue();
        }
      }
    }
    return sum;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(adminUrl() + path.replaceFirst("^/", ""))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  void send(ExportTraceServiceRequest request) throws IOException, InterruptedException {
    assertThat(sendForStatus(request)).isEqualTo(200);
  }

  int sendForStatus(ExportTraceServiceRequest request) throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.httpPort() + "/v1/traces"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray()))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    return response.statusCode();
  }

  static ExportTraceServiceRequest request(String service, Span... spans) {
    return request(service, null, spans);
  }

  /** One service's spans; {@code agent}, when not null, is the resource's {@code agent.name}. */
  static ExportTraceServiceRequest request(String service, String agent, Span... spans) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (Span s : spans) {
      scope.addSpans(s);
    }
    Resource.Builder resource = Resource.newBuilder().addAttributes(attr("service.name", service));
    if (agent != null) {
      resource.addAttributes(attr("agent.name", agent));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scope))
        .build();
  }

  static Span.Builder span(
      ByteString traceId, int spanSeed, int parentSeed, String name, long start, long millis) {
    Span.Builder b =
        Span.newBuilder()
            .setTraceId(traceId)
            .setSpanId(id(8, spanSeed))
            .setName(name)
            .setStartTimeUnixNano(start)
            .setEndTimeUnixNano(start + millis * 1_000_000L);
    if (parentSeed != 0) {
      b.setParentSpanId(id(8, parentSeed));
    }
    return b;
  }

  static ByteString id(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (seed * 17 + i + 1);
    }
    return ByteString.copyFrom(bytes);
  }

  static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  static KeyValue attr(String key, long value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setIntValue(value))
        .build();
  }

  static KeyValue attr(String key, boolean value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setBoolValue(value))
        .build();
  }

  @Override
  public void close() {
    server.close();
    derived.shutdown();
    scheduler.shutdownNow();
  }
}
