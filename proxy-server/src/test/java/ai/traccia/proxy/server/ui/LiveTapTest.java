/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.codec.OtlpIds;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pipeline.SpanBatchProcessorContract;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.processor.guardrail.GuardrailProcessor;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LiveTapTest extends SpanBatchProcessorContract {

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final LivePage page = LivePage.create(10, 100, new SelfMetrics());

  /** The tap only watches: the contract's default, no keys written and nothing refused. */
  @Override
  protected SpanBatchProcessor newProcessor() {
    return page.tap();
  }

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void released_heldRootArrivesLaterWithItsSummaryMarked() throws Exception {
    SpanPipeline.Builder builder = SpanPipeline.builder();
    builder.addHoldingProcessor(
        next ->
            GuardrailProcessor.builder()
                .fromConfig(ProxyConfig.builder().build())
                .setRootSpanWait(Duration.ofMillis(50))
                .setScheduler(scheduler)
                .setNext(next)
                .build());
    SpanPipeline pipeline = builder.addProcessor(page.tap()).build();
    ByteString trace = LiveFixture.id(16, 5);
    Span root = LiveFixture.span(trace, 1, 0, "agent run", 1_000_000_000L, 10).build();
    Span child =
        LiveFixture.span(trace, 2, 1, "chat", 1_001_000_000L, 5)
            .addAttributes(LiveFixture.attr("gen_ai.request.model", "gpt-4o"))
            .build();

    pipeline.process(SpanBatch.parse(LiveFixture.request("svc", child, root).toByteArray()));
    String id = OtlpIds.hex(trace);
    assertThat(page.handle("/api/traces/" + id, Map.of()).orElseThrow().status()).isEqualTo(200);
    assertThat(summary(id)).doesNotContain("\"root\":\"agent run\"");

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> summary(id).contains("\"root\":\"agent run\""));
    Map<String, Boolean> marks = new HashMap<>();
    JsonNode spans = new ObjectMapper().readTree(summary(id)).path("spans");
    for (JsonNode s : spans) {
      if (s.path("name").asText().equals("agent run")) {
        s.path("attributes")
            .forEach(a -> marks.put(a.path("key").asText(), a.path("proxy").asBoolean()));
      }
    }
    assertThat(marks).containsEntry("guardrail.summary", true);
    assertThat(marks).containsEntry("traccia.trace.llm_span_count", true);
  }

  @Test
  void released_rootsNoLongerRememberedAreKnownByTheirBatchOfReleasedRoots() throws Exception {
    SpanBatchProcessor tap = page.tap();
    // A root held back: from now on the tap looks for released roots.
    SpanBatch held =
        SpanBatch.parse(
            LiveFixture.request(
                    "svc", LiveFixture.span(LiveFixture.id(16, 9), 5, 0, "r", 1, 1).build())
                .toByteArray());
    held.reject(0, RejectReason.HELD);
    tap.process(held);

    // Two roots released together that the tap does not remember, each with its summary.
    ByteString first = LiveFixture.id(16, 11);
    ByteString second = LiveFixture.id(16, 12);
    tap.process(
        SpanBatch.parse(
            LiveFixture.request(
                    "svc",
                    LiveFixture.span(first, 6, 0, "first", 1, 1)
                        .addAttributes(LiveFixture.attr("guardrail.summary", "{}"))
                        .build(),
                    LiveFixture.span(second, 7, 0, "second", 1, 1)
                        .addAttributes(LiveFixture.attr("guardrail.summary", "{}"))
                        .build())
                .toByteArray()));
    // A root that carries its application's own summary, beside a child: not a release.
    ByteString third = LiveFixture.id(16, 13);
    tap.process(
        SpanBatch.parse(
            LiveFixture.request(
                    "svc",
                    LiveFixture.span(third, 8, 0, "third", 1, 1)
                        .addAttributes(LiveFixture.attr("guardrail.summary", "{}"))
                        .build(),
                    LiveFixture.span(third, 9, 8, "child", 1, 1).build())
                .toByteArray()));

    assertThat(summaryMark(OtlpIds.hex(first), "first")).isTrue();
    assertThat(summaryMark(OtlpIds.hex(second), "second")).isTrue();
    assertThat(summaryMark(OtlpIds.hex(third), "third")).isFalse();
  }

  /** Whether the page marks span {@code name}'s guardrail summary as the proxy's. */
  private boolean summaryMark(String traceId, String name) throws Exception {
    for (JsonNode s : new ObjectMapper().readTree(summary(traceId)).path("spans")) {
      if (s.path("name").asText().equals(name)) {
        for (JsonNode a : s.path("attributes")) {
          if (a.path("key").asText().equals("guardrail.summary")) {
            return a.path("proxy").asBoolean();
          }
        }
      }
    }
    throw new AssertionError("no guardrail.summary on " + name + " of " + traceId);
  }

  @Test
  void process_retriedRequestIsCountedOnceWhateverTheIdLength() throws Exception {
    ByteString eight = LiveFixture.id(16, 21);
    ByteString odd = LiveFixture.id(16, 22);
    // Spans of two traces interleaved, so that every span starts a new run of its trace; the
    // second trace's span ids are 16 and 4 bytes long, not the 8 that OTLP asks for (the receivers
    // refuse them; the tap does not count on it).
    ExportTraceServiceRequest request =
        LiveFixture.request(
            "svc",
            LiveFixture.span(eight, 1, 0, "eight root", 1_000, 5).build(),
            LiveFixture.span(odd, 1, 0, "odd root", 1_000, 5)
                .setSpanId(LiveFixture.id(16, 3))
                .build(),
            LiveFixture.span(eight, 2, 1, "eight child", 2_000, 1).build(),
            LiveFixture.span(odd, 1, 0, "odd child", 2_000, 1)
                .setSpanId(LiveFixture.id(4, 4))
                .setParentSpanId(LiveFixture.id(16, 3))
                .build());
    page.tap().process(SpanBatch.of(request, null));
    page.tap().process(SpanBatch.of(request, null));

    JsonNode first = new ObjectMapper().readTree(summary(OtlpIds.hex(eight)));
    JsonNode second = new ObjectMapper().readTree(summary(OtlpIds.hex(odd)));
    assertThat(first.path("spanCount").asInt()).isEqualTo(2);
    assertThat(first.path("root").asText()).isEqualTo("eight root");
    assertThat(first.path("spans")).hasSize(2);
    assertThat(second.path("spanCount").asInt()).isEqualTo(2);
    assertThat(second.path("root").asText()).isEqualTo("odd root");
    assertThat(second.path("spans").get(0).path("spanId").asText())
        .isEqualTo(OtlpIds.hex(LiveFixture.id(16, 3)));
  }

  @Test
  void process_agentOfTheSpanComesBeforeItsResources() throws Exception {
    ByteString named = LiveFixture.id(16, 31);
    ByteString unnamed = LiveFixture.id(16, 32);
    page.tap()
        .process(
            SpanBatch.parse(
                LiveFixture.request(
                        "svc",
                        "resource-agent",
                        LiveFixture.span(named, 1, 0, "run", 1, 1)
                            .addAttributes(LiveFixture.attr("agent.name", "span-agent"))
                            .build(),
                        LiveFixture.span(unnamed, 2, 0, "run", 1, 1).build())
                    .toByteArray()));

    assertThat(new ObjectMapper().readTree(summary(OtlpIds.hex(named))).path("agent").asText())
        .isEqualTo("span-agent");
    assertThat(new ObjectMapper().readTree(summary(OtlpIds.hex(unnamed))).path("agent").asText())
        .isEqualTo("resource-agent");
  }

  @Test
  void display_cutsLongValuesAndRedactsCredentials() throws Exception {
    String longPrompt = "x".repeat(10_000);
    Span s =
        LiveFixture.span(LiveFixture.id(16, 9), 1, 0, "n".repeat(1000), 1, 1)
            .addAttributes(LiveFixture.attr("gen_ai.prompt.0.content", longPrompt))
            .addAttributes(LiveFixture.attr("openai.api_key", "sk-123"))
            .addAttributes(LiveFixture.attr("gen_ai.usage.input_tokens", 12))
            .build();
    Span.Builder many = s.toBuilder();
    for (int k = 0; k < 100; k++) {
      many.addAttributes(LiveFixture.attr("extra." + k, "v"));
    }
    page.tap().process(SpanBatch.parse(LiveFixture.request("svc", many.build()).toByteArray()));

    String body = summary(OtlpIds.hex(LiveFixture.id(16, 9)));
    assertThat(body).doesNotContain("sk-123").contains("[redacted]");
    assertThat(body).doesNotContain("x".repeat(LiveTap.MAX_VALUE_CHARS + 1));
    assertThat(body).contains("\"attributesLeftOut\":" + (103 - LiveTap.MAX_ATTRIBUTES));
    assertThat(body).contains("\"gen_ai.usage.input_tokens\",\"value\":\"12\"");
    assertThat(body.length()).isLessThan(20_000);
  }

  private String summary(String traceId) {
    return new String(
        page.handle("/api/traces/" + traceId, Map.of()).orElseThrow().body(),
        java.nio.charset.StandardCharsets.UTF_8);
  }
}
