/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.processor.guardrail.GuardrailProcessor;
import ai.traccia.proxy.processor.tier.EnrichedMark;
import ai.traccia.proxy.processor.tier.SkipEnrichedProcessor;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.role}: which stages each role runs, and that no span is enriched twice. */
class RoleTest {

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<ProxyAssembly.Stages> built = new ArrayList<>();

  @AfterEach
  void stop() {
    for (ProxyAssembly.Stages stages : built) {
      stages.pipeline().shutdown();
      if (stages.derived() != null) {
        stages.derived().shutdown();
      }
    }
    scheduler.shutdownNow();
  }

  private ProxyAssembly.Stages stages(String role) {
    // Roots are summarised in place, so that one call runs a whole trace through the pipeline.
    ProxyConfig config = ProxyConfig.builder().setRole(role).setGuardrailRootSpanWaitMs(0).build();
    ProxyAssembly.Stages stages = ProxyAssembly.Stages.build(config, new SelfMetrics(), scheduler);
    built.add(stages);
    return stages;
  }

  private static List<String> names(ProxyAssembly.Stages stages) {
    List<String> names = new ArrayList<>();
    stages.pipeline().processors().forEach(p -> names.add(p.name()));
    return names;
  }

  private static List<String> skippingMarked(ProxyAssembly.Stages stages) {
    List<String> names = new ArrayList<>();
    for (SpanBatchProcessor p : stages.pipeline().processors()) {
      if (p instanceof SkipEnrichedProcessor) {
        names.add(p.name());
      }
    }
    return names;
  }

  @Test
  void role_defaultIsAllWithEveryStageAndNoMarkRead() {
    ProxyAssembly.Stages all = stages("all");

    assertThat(ProxyConfig.builder().build().role()).isEqualTo("all");
    assertThat(names(all))
        .containsExactly(
            "token_counting", "cost", "metrics", "guardrail", "redaction", "live_page", "sampling");
    assertThat(skippingMarked(all)).isEmpty();
  }

  @Test
  void role_sidecarRunsThePerSpanStagesAndMarks() {
    ProxyAssembly.Stages sidecar = stages("sidecar");

    assertThat(names(sidecar))
        .containsExactly(
            "token_counting", "cost", "guardrail_findings", "mark_enriched", "live_page");
    assertThat(skippingMarked(sidecar))
        .containsExactly("token_counting", "cost", "guardrail_findings");
    assertThat(sidecar.derived()).isNull();
    assertThat(sidecar.guardrails()).isNull();
    assertThat(sidecar.sampler()).isNull();
    assertThat(sidecar.redaction()).isNull();
  }

  @Test
  void role_gatewayRunsTheTraceStagesAndPerSpanOnesForUnmarkedSpans() {
    ProxyAssembly.Stages gateway = stages("gateway");

    assertThat(names(gateway))
        .containsExactly(
            "token_counting", "cost", "metrics", "guardrail", "redaction", "live_page", "sampling");
    assertThat(skippingMarked(gateway)).containsExactly("token_counting", "cost");
    assertThat(gateway.derived()).isNotNull();
  }

  @Test
  void reload_sidecarWithoutTheTraceStagesAppliesWhatItHas(@TempDir Path dir) throws Exception {
    ProxyConfig sidecar =
        ProxyConfig.builder()
            .setRole("sidecar")
            .setGrpcPort(0)
            .setHttpPort(0)
            .setAdminPort(0)
            .setFilePath(dir.resolve("traces.jsonl"))
            .build();
    try (ProxyAssembly proxy = ProxyAssembly.start(sidecar)) {
      // No redaction, sampler or trace-level guardrail stage to reload: nothing must trip on that.
      proxy.reload(sidecar.toBuilder().setSampleRate(0.5).setGuardrailHeuristics(false).build());

      assertThat(proxy.pipeline().processors())
          .extracting(SpanBatchProcessor::name)
          .doesNotContain("sampling", "redaction", "guardrail", "metrics");
    }
  }

  @Test
  void role_unknownNameRefused() {
    assertThatThrownBy(() -> ProxyConfig.builder().setRole("edge"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("edge");
  }

  @Test
  void sidecarThenGateway_enrichesEachSpanOnceAndForwardsWhatOneNodeForwards() throws Exception {
    SpanBatch single = SpanBatch.of(trace(), null);
    stages("all").pipeline().process(single);

    SpanBatch atSidecar = SpanBatch.of(trace(), null);
    stages("sidecar").pipeline().process(atSidecar);
    SpanBatch atGateway = SpanBatch.of(atSidecar.toRequest(), null);
    stages("gateway").pipeline().process(atGateway);

    // The sidecar enriched the LLM span; the gateway wrote nothing on it.
    assertThat(atSidecar.editedAttributeKeys(1))
        .contains("gen_ai.usage.input_tokens", "llm.cost.usd", "guardrail.findings")
        .contains(EnrichedMark.KEY);
    assertThat(atGateway.editedAttributeKeys(0)).isEmpty();
    assertThat(atGateway.editedAttributeKeys(1)).isEmpty();
    // The root got the trace's summary and roll-up at the gateway only.
    assertThat(atSidecar.attribute(2, GuardrailProcessor.SUMMARY)).isNull();
    assertThat(atGateway.editedAttributeKeys(2))
        .contains(GuardrailProcessor.SUMMARY, GuardrailProcessor.TRACE_INPUT_TOKENS);
    assertThat(withoutMark(atGateway.toRequest())).isEqualTo(withoutMark(single.toRequest()));
  }

  @Test
  void gateway_enrichesSpansThatArriveUnmarked() {
    SpanBatch single = SpanBatch.of(trace(), null);
    stages("all").pipeline().process(single);
    SpanBatch direct = SpanBatch.of(trace(), null);

    stages("gateway").pipeline().process(direct);

    assertThat(direct.toRequest()).isEqualTo(single.toRequest());
  }

  /** A tool denied permission, an LLM call without usage that was filtered, and the root last. */
  private static ExportTraceServiceRequest trace() {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .addScopeSpans(
                    ScopeSpans.newBuilder()
                        .addSpans(
                            span(
                                2,
                                1,
                                "span.type",
                                "tool",
                                "error.type",
                                "PermissionError",
                                "error.message",
                                "Permission denied"))
                        .addSpans(
                            span(
                                3,
                                1,
                                "llm.model",
                                "gpt-4o",
                                "llm.prompt",
                                "What is the capital of France?",
                                "llm.completion",
                                "Paris.",
                                "llm.finish_reason",
                                "content_filter"))
                        .addSpans(span(1, 0, "http.route", "/chat"))))
        .build();
  }

  private static List<Span> withoutMark(ExportTraceServiceRequest request) {
    List<Span> out = new ArrayList<>();
    for (Span span : request.getResourceSpans(0).getScopeSpans(0).getSpansList()) {
      Span.Builder b = span.toBuilder().clearAttributes();
      for (KeyValue kv : span.getAttributesList()) {
        if (!kv.getKey().equals(EnrichedMark.KEY)) {
          b.addAttributes(kv);
        }
      }
      out.add(b.build());
    }
    return out;
  }

  private static Span span(int id, int parent, String... keysAndValues) {
    Span.Builder b =
        Span.newBuilder()
            .setTraceId(
                ByteString.copyFrom(new byte[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 7, 8}))
            .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) id}))
            .setName("span " + id)
            .setStartTimeUnixNano(1_000)
            .setEndTimeUnixNano(2_000);
    for (int k = 0; k < keysAndValues.length; k += 2) {
      b.addAttributes(
          KeyValue.newBuilder()
              .setKey(keysAndValues[k])
              .setValue(AnyValue.newBuilder().setStringValue(keysAndValues[k + 1])));
    }
    if (parent != 0) {
      b.setParentSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) parent}));
    }
    return b.build();
  }
}
