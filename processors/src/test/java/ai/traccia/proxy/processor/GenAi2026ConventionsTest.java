/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor;

import static ai.traccia.proxy.processor.TestSpans.attributes;
import static ai.traccia.proxy.processor.TestSpans.batch;
import static ai.traccia.proxy.processor.TestSpans.forwarded;
import static ai.traccia.proxy.processor.TestSpans.llmSpan;
import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pricing.PriceBooks;
import ai.traccia.proxy.processor.cost.CostProcessor;
import ai.traccia.proxy.processor.cost.GenAiCostAttributesProcessor;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The names the OpenTelemetry GenAI conventions gave usage and operations in 2026. */
class GenAi2026ConventionsTest {

  @Test
  void read_cacheWriteNewName() {
    assertThat(
            llmSpan(attributes("gen_ai.usage.cache_write.input_tokens", 120L)).cacheWriteTokens())
        .isEqualTo(120);
  }

  @Test
  void read_cacheWriteNewNameWinsOverTheOld() {
    assertThat(
            llmSpan(
                    attributes(
                        "gen_ai.usage.cache_creation.input_tokens", 7L,
                        "gen_ai.usage.cache_write.input_tokens", 120L))
                .cacheWriteTokens())
        .isEqualTo(120);
  }

  @Test
  void read_cacheWriteOldNameStillRead() {
    assertThat(
            llmSpan(attributes("gen_ai.usage.cache_creation.input_tokens", 7L)).cacheWriteTokens())
        .isEqualTo(7);
  }

  @Test
  void read_reasoningOutputTokens() {
    assertThat(llmSpan(attributes("gen_ai.usage.reasoning.output_tokens", 300L)).reasoningTokens())
        .isEqualTo(300);
  }

  @Test
  void invokeWorkflow_andApplyGuardrail_areNeverPriced() {
    for (String operation : List.of("invoke_workflow", "apply_guardrail")) {
      SpanBatch batch =
          batch(
              attributes(
                  "gen_ai.operation.name",
                  operation,
                  "gen_ai.request.model",
                  "gpt-4o",
                  "gen_ai.usage.input_tokens",
                  1000L,
                  "gen_ai.usage.output_tokens",
                  100L));
      assertThat(
              llmSpan(
                      attributes(
                          "gen_ai.operation.name", operation, "gen_ai.request.model", "gpt-4o"))
                  .isInference())
          .as(operation)
          .isFalse();
      cost().process(batch);
      assertThat(forwarded(batch, 0)).as(operation).doesNotContainKey("llm.cost.usd");
    }
  }

  @Test
  void costConvention_localWhenPriced_providerWhenBrought() {
    SpanBatch batch =
        batch(
            attributes(
                "gen_ai.request.model", "gpt-4o",
                "gen_ai.usage.input_tokens", 1000L,
                "gen_ai.usage.output_tokens", 100L),
            attributes(
                "gen_ai.request.model",
                "gpt-4o",
                "gen_ai.usage.input_tokens",
                1000L,
                "gen_ai.usage.output_tokens",
                100L,
                "llm.cost.usd",
                0.5));
    cost().process(batch);
    GenAiCostAttributesProcessor.create().process(batch);

    Map<String, Object> priced = forwarded(batch, 0);
    assertThat(priced.get("gen_ai.usage.cost.amount")).isEqualTo(priced.get("llm.cost.usd"));
    assertThat(priced).containsEntry("gen_ai.usage.cost.currency", "USD");
    assertThat(priced).containsEntry("gen_ai.usage.cost.source", "local");
    Map<String, Object> provided = forwarded(batch, 1);
    assertThat(provided).containsEntry("gen_ai.usage.cost.amount", 0.5);
    assertThat(provided).containsEntry("gen_ai.usage.cost.source", "provider");
  }

  @Test
  void costConvention_offByDefault() {
    List<SpanBatchProcessor> off =
        EnrichmentProcessors.fromConfig(
            ProxyConfig.defaults(), PriceBooks.bundled(Clock.systemUTC()), model -> {});
    assertThat(off).extracting(SpanBatchProcessor::name).doesNotContain("gen_ai_cost_attributes");
  }

  private static CostProcessor cost() {
    return CostProcessor.builder(PriceBooks.bundled(Clock.systemUTC())).build();
  }
}
