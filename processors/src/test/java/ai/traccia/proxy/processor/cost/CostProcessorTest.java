/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.cost;

import static ai.traccia.proxy.processor.TestSpans.attributes;
import static ai.traccia.proxy.processor.TestSpans.batch;
import static ai.traccia.proxy.processor.TestSpans.forwarded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pipeline.SpanBatchProcessorContract;
import ai.traccia.proxy.pricing.PriceBook;
import ai.traccia.proxy.pricing.PriceBooks;
import ai.traccia.proxy.pricing.PricePoint;
import ai.traccia.proxy.pricing.PricingInfo;
import ai.traccia.proxy.pricing.PricingOverride;
import ai.traccia.proxy.processor.genai.LlmAttributes;
import ai.traccia.proxy.processor.tokens.TokenCountingProcessor;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CostProcessorTest extends SpanBatchProcessorContract {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

  /** The bundled snapshot, for the published test vectors. */
  private static final PriceBook BUNDLED = PriceBooks.bundled(CLOCK);

  /**
   * {@code acme-chat} at known prices (per 1K: prompt 0.002, completion 0.008, cache write 0.0025,
   * cached prompt 0.0002), so per token 2e-6, 8e-6, 2.5e-6 and 2e-7.
   */
  private static PriceBook acme;

  @TempDir static Path dir;

  @BeforeAll
  static void priceBook() {
    ProxyConfig config =
        ProxyConfig.builder()
            .setPricingCachePath(dir.resolve("no-cache.json"))
            .setPricingOverride(
                PricingOverride.of(
                    Map.of(
                        "acme-chat",
                        PricePoint.of(
                            new BigDecimal("0.002"),
                            new BigDecimal("0.008"),
                            new BigDecimal("0.0025"),
                            new BigDecimal("0.0002")))))
            .build();
    acme = PriceBooks.fromSettings(config.pricingSettings(), CLOCK);
  }

  @Override
  protected SpanBatchProcessor newProcessor() {
    return CostProcessor.builder(BUNDLED).build();
  }

  @Override
  protected Set<String> keysWritten() {
    // The usage keys are written only where the span lacked them, as the class documents.
    return Set.of(
        "llm.cost.*",
        "llm.pricing.*",
        LlmAttributes.USAGE_SOURCE,
        LlmAttributes.PRICING_STATUS,
        LlmAttributes.COMPUTED_COST_USD,
        LlmAttributes.GEN_AI_INPUT_TOKENS,
        LlmAttributes.GEN_AI_OUTPUT_TOKENS);
  }

  private static double usd(String exact) {
    return new BigDecimal(exact).doubleValue();
  }

  static Stream<Arguments> acmeCases() {
    return Stream.of(
        // 800 × 2e-6 + 200 × 2e-7 + 500 × 8e-6
        Arguments.of(
            "OpenTelemetry GenAI, OpenAI cache inside input",
            new Object[] {
              "gen_ai.operation.name",
              "chat",
              "gen_ai.provider.name",
              "openai",
              "gen_ai.request.model",
              "acme-chat",
              "gen_ai.usage.input_tokens",
              1000L,
              "gen_ai.usage.output_tokens",
              500L,
              "gen_ai.usage.cache_read.input_tokens",
              200L
            },
            "0.00564"),
        // 1000 × 2e-6 + 3000 × 2e-7 + 2000 × 2.5e-6 + 500 × 8e-6
        Arguments.of(
            "OpenLLMetry Anthropic, cache already added to input",
            new Object[] {
              "gen_ai.system", "Anthropic",
              "llm.request.type", "completion",
              "gen_ai.request.model", "acme-chat",
              "gen_ai.usage.input_tokens", 6000L,
              "gen_ai.usage.output_tokens", 500L,
              "llm.usage.total_tokens", 6500L,
              "gen_ai.usage.cache_read_input_tokens", 3000L,
              "gen_ai.usage.cache_creation_input_tokens", 2000L
            },
            "0.0116"),
        Arguments.of(
            "Anthropic raw input without the cache",
            new Object[] {
              "gen_ai.provider.name", "anthropic",
              "gen_ai.request.model", "acme-chat",
              "gen_ai.usage.input_tokens", 1000L,
              "gen_ai.usage.output_tokens", 500L,
              "gen_ai.usage.total_tokens", 6500L,
              "gen_ai.usage.cache_read.input_tokens", 3000L,
              "gen_ai.usage.cache_creation.input_tokens", 2000L
            },
            "0.0116"),
        // 600 × 2e-6 + 400 × 2e-7 + 100 × 8e-6 (reasoning at the output price)
        Arguments.of(
            "OpenInference with cache read and reasoning",
            new Object[] {
              "openinference.span.kind", "LLM",
              "llm.model_name", "acme-chat",
              "llm.provider", "openai",
              "llm.token_count.prompt", 1000L,
              "llm.token_count.completion", 100L,
              "llm.token_count.prompt_details.cache_read", 400L,
              "llm.token_count.completion_details.reasoning", 50L
            },
            "0.00208"),
        // 18 × 2e-6 + 5 × 8e-6
        Arguments.of(
            "Traccia SDK",
            new Object[] {
              "llm.vendor", "openai",
              "llm.model", "acme-chat",
              "llm.usage.source", "provider_usage",
              "llm.usage.prompt_tokens", 18L,
              "llm.usage.completion_tokens", 5L
            },
            "0.000076"),
        // 100 × 2e-6 + 10 × 8e-6
        Arguments.of(
            "OpenTelemetry GenAI before 1.37",
            new Object[] {
              "gen_ai.system",
              "openai",
              "gen_ai.request.model",
              "acme-chat",
              "gen_ai.usage.prompt_tokens",
              100L,
              "gen_ai.usage.completion_tokens",
              10L
            },
            "0.00028"),
        // 8 × 2e-6, no completion for embeddings
        Arguments.of(
            "embeddings have no output",
            new Object[] {
              "gen_ai.operation.name", "embeddings",
              "gen_ai.request.model", "acme-chat",
              "gen_ai.usage.input_tokens", 8L
            },
            "0.000016"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("acmeCases")
  void process_handComputedCosts(String name, Object[] span, String expectedUsd) {
    SpanBatch batch = batch(attributes(span));

    CostProcessor.builder(acme).build().process(batch);

    Map<String, Object> out = forwarded(batch, 0);
    assertThat(out)
        .contains(
            entry("llm.cost.usd", usd(expectedUsd)),
            entry("llm.pricing.source", "override"),
            entry("llm.pricing.model_key", "acme-chat"),
            entry("traccia.pricing.status", "priced"));
  }

  static Stream<Arguments> publishedVectors() {
    return Stream.of(
        Arguments.of(
            new Object[] {
              "gen_ai.provider.name", "openai",
              "gen_ai.request.model", "gpt-4o",
              "gen_ai.usage.input_tokens", 1000L,
              "gen_ai.usage.output_tokens", 500L,
              "gen_ai.usage.cache_read.input_tokens", 200L
            },
            "gpt-4o",
            "0.00725"),
        Arguments.of(
            new Object[] {
              "openinference.span.kind", "LLM",
              "llm.model_name", "claude-sonnet-4-5",
              "llm.provider", "anthropic",
              "llm.token_count.prompt", 6000L,
              "llm.token_count.completion", 500L,
              "llm.token_count.prompt_details.cache_read", 3000L,
              "llm.token_count.prompt_details.cache_write", 2000L
            },
            "claude-sonnet-4-5",
            "0.0189"),
        Arguments.of(
            new Object[] {
              "gen_ai.provider.name", "anthropic",
              "gen_ai.request.model", "claude-sonnet-4-5",
              "gen_ai.usage.input_tokens", 1000L,
              "gen_ai.usage.output_tokens", 500L,
              "gen_ai.usage.cache_read.input_tokens", 3000L,
              "gen_ai.usage.cache_creation.input_tokens", 2000L
            },
            "claude-sonnet-4-5",
            "0.0189"),
        Arguments.of(
            new Object[] {
              "gen_ai.provider.name",
              "anthropic",
              "gen_ai.request.model",
              "claude-sonnet-4-5",
              "gen_ai.usage.input_tokens",
              250000L,
              "gen_ai.usage.output_tokens",
              1000L
            },
            "claude-sonnet-4-5",
            "1.5225"),
        Arguments.of(
            new Object[] {
              "gen_ai.provider.name", "openai",
              "gen_ai.request.model", "gpt-5-mini",
              "gen_ai.usage.input_tokens", 10000L,
              "gen_ai.usage.output_tokens", 2000L,
              "gen_ai.usage.cache_read.input_tokens", 4000L
            },
            "gpt-5-mini",
            "0.0056"));
  }

  @ParameterizedTest(name = "{1} = {2}")
  @MethodSource("publishedVectors")
  void process_publishedVectorsWithTheBundledTable(Object[] span, String key, String expectedUsd) {
    SpanBatch batch = batch(attributes(span));

    newProcessor().process(batch);

    assertThat(forwarded(batch, 0))
        .contains(
            entry("llm.cost.usd", usd(expectedUsd)),
            entry("llm.pricing.source", "bundled"),
            entry("llm.pricing.model_key", key));
  }

  @Test
  void process_writesThePricingMetadataOfTheTable() {
    SpanBatch batch =
        batch(
            attributes(
                "llm.model", "gpt-4o",
                "llm.usage.prompt_tokens", 100L,
                "llm.usage.completion_tokens", 10L));

    newProcessor().process(batch);

    PricingInfo info = BUNDLED.info();
    String generatedAt = info.generatedAt().map(Object::toString).orElse("unknown");
    Map<String, Object> out = forwarded(batch, 0);
    assertThat(out)
        .contains(
            entry("llm.usage.source", "unknown"),
            entry("llm.cost.source", "unknown"),
            entry("llm.pricing.generated_at", generatedAt),
            entry("llm.pricing.snapshot_version", info.snapshotVersion().orElse(generatedAt)),
            entry("gen_ai.usage.input_tokens", 100L),
            entry("gen_ai.usage.output_tokens", 10L));
    if (info.ageDays().isPresent()) {
      assertThat(out).containsEntry("llm.pricing.age_days", info.ageDays().getAsLong());
    } else {
      assertThat(out).doesNotContainKey("llm.pricing.age_days");
    }
  }

  @Test
  void process_usageSourceIsKeptAndCopiedToCostSource() {
    SpanBatch batch =
        batch(
            attributes(
                "llm.model",
                "gpt-4o",
                "llm.usage.source",
                "provider_usage",
                "llm.usage.prompt_tokens",
                100L,
                "llm.usage.completion_tokens",
                10L));

    newProcessor().process(batch);

    assertThat(forwarded(batch, 0))
        .contains(
            entry("llm.usage.source", "provider_usage"),
            entry("llm.cost.source", "provider_usage"));
  }

  @Test
  void process_unknownModelIsMarkedAndReported() {
    List<String> unpriced = new ArrayList<>();
    SpanBatch batch =
        batch(
            attributes(
                "gen_ai.provider.name",
                "acme",
                "gen_ai.request.model",
                "no-such-model-xyz",
                "gen_ai.usage.input_tokens",
                10L,
                "gen_ai.usage.output_tokens",
                2L));

    CostProcessor.builder(BUNDLED).setUnpricedModelListener(unpriced::add).build().process(batch);

    assertThat(unpriced).containsExactly("no-such-model-xyz");
    assertThat(forwarded(batch, 0))
        .containsEntry("traccia.pricing.status", "unpriced")
        .doesNotContainKeys("llm.cost.usd", "llm.pricing.model_key");
  }

  @Test
  void process_throwingListenerIsIgnored() {
    SpanBatch batch =
        batch(
            attributes(
                "llm.model", "no-such-model-xyz",
                "llm.usage.prompt_tokens", 10L,
                "llm.usage.completion_tokens", 2L));
    CostProcessor processor =
        CostProcessor.builder(BUNDLED)
            .setUnpricedModelListener(
                m -> {
                  throw new IllegalStateException("listener broke");
                })
            .build();

    processor.process(batch);

    assertThat(forwarded(batch, 0))
        .containsEntry("traccia.pricing.status", "unpriced")
        .containsEntry("gen_ai.usage.input_tokens", 10L);
  }

  @Test
  void process_responseModelUnknownFallsBackToRequestModel() {
    SpanBatch batch =
        batch(
            attributes(
                "gen_ai.request.model",
                "acme-chat",
                "gen_ai.response.model",
                "my-private-deployment",
                "gen_ai.usage.input_tokens",
                1000L,
                "gen_ai.usage.output_tokens",
                0L));

    CostProcessor.builder(acme).build().process(batch);

    assertThat(forwarded(batch, 0)).contains(entry("llm.cost.usd", usd("0.002")));
  }

  @Test
  void process_existingCostIsKeptAndOursGoesBesideItWhenDifferent() {
    SpanBatch batch =
        batch(
            // 14 × 3e-6 + 6 × 1.5e-5 = 0.000132, the same as the SDK's.
            attributes(
                "llm.vendor",
                "anthropic",
                "llm.model",
                "claude-sonnet-4-5",
                "llm.usage.prompt_tokens",
                14L,
                "llm.usage.completion_tokens",
                6L,
                "llm.cost.usd",
                0.000132),
            attributes(
                "gen_ai.request.model",
                "gpt-4o",
                "gen_ai.usage.input_tokens",
                1000L,
                "gen_ai.usage.output_tokens",
                500L,
                "gen_ai.usage.cost",
                0.5));

    newProcessor().process(batch);

    assertThat(forwarded(batch, 0))
        .contains(entry("llm.cost.usd", 0.000132), entry("traccia.pricing.status", "provided"))
        .doesNotContainKeys("traccia.cost.computed_usd", "llm.pricing.model_key");
    assertThat(forwarded(batch, 1))
        .contains(
            entry("gen_ai.usage.cost", 0.5),
            entry("traccia.cost.computed_usd", usd("0.0075")),
            entry("traccia.pricing.status", "provided"))
        .doesNotContainKey("llm.cost.usd");
  }

  @Test
  void process_embeddingsGetNoOutputCount() {
    SpanBatch batch =
        batch(
            attributes(
                "gen_ai.operation.name", "embeddings",
                "llm.model", "acme-chat",
                "llm.usage.prompt_tokens", 8L));

    CostProcessor.builder(acme).build().process(batch);

    assertThat(forwarded(batch, 0))
        .containsEntry("gen_ai.usage.input_tokens", 8L)
        .doesNotContainKey("gen_ai.usage.output_tokens");
  }

  @Test
  void process_genAiUsageIsNeverReplaced() {
    SpanBatch batch =
        batch(
            attributes(
                "gen_ai.provider.name", "anthropic",
                "gen_ai.request.model", "claude-sonnet-4-5",
                "gen_ai.usage.input_tokens", 1000L,
                "gen_ai.usage.output_tokens", 500L,
                "gen_ai.usage.cache_read.input_tokens", 3000L));

    newProcessor().process(batch);

    assertThat(forwarded(batch, 0))
        .contains(
            entry("gen_ai.usage.input_tokens", 1000L), entry("gen_ai.usage.output_tokens", 500L));
  }

  @Test
  void process_missingCompletionCountIsNotPriced() {
    SpanBatch batch =
        batch(attributes("span.type", "llm", "llm.model", "gpt-4o", "llm.usage.prompt_tokens", 6L));

    newProcessor().process(batch);

    assertThat(batch.isModified()).isFalse();
  }

  @Test
  void process_wrappingSpansAreNotPriced() {
    SpanBatch batch =
        batch(
            attributes(
                "openinference.span.kind",
                "AGENT",
                "llm.model_name",
                "gpt-4o",
                "llm.token_count.prompt",
                900L,
                "llm.token_count.completion",
                100L),
            attributes(
                "gen_ai.operation.name",
                "invoke_agent",
                "gen_ai.request.model",
                "gpt-4o",
                "gen_ai.usage.input_tokens",
                900L,
                "gen_ai.usage.output_tokens",
                100L),
            attributes(
                "span.type",
                "agent",
                "llm.model",
                "gpt-4o",
                "llm.usage.prompt_tokens",
                900L,
                "llm.usage.completion_tokens",
                100L));

    newProcessor().process(batch);

    assertThat(batch.isModified()).isFalse();
  }

  @Test
  void process_afterTheTokenCounterPricesEstimatedCounts() {
    SpanBatch batch =
        batch(
            attributes(
                "llm.vendor", "openai",
                "llm.model", "acme-chat",
                "llm.prompt", "What is the capital of France?",
                "llm.completion", "Paris."));

    // acme-chat is no OpenAI model: the heuristic gives ceil(30/4) = 8 and ceil(6/4) = 2.
    TokenCountingProcessor.create().process(batch);
    CostProcessor.builder(acme).build().process(batch);

    assertThat(forwarded(batch, 0))
        .contains(
            entry("llm.usage.prompt_tokens", 8L),
            entry("llm.usage.completion_tokens", 2L),
            entry("llm.usage.source", "estimated.heuristic"),
            entry("llm.cost.source", "estimated.heuristic"),
            entry("gen_ai.usage.input_tokens", 8L),
            entry("gen_ai.usage.output_tokens", 2L),
            // 8 × 2e-6 + 2 × 8e-6
            entry("llm.cost.usd", usd("0.000032")));
  }

  @Test
  void differs_toleratesDoublePrecisionOnly() {
    assertThat(CostProcessor.differs(0.1 + 0.2, new BigDecimal("0.3"))).isFalse();
    assertThat(CostProcessor.differs(6e-06, new BigDecimal("0.0000057"))).isTrue();
    assertThat(CostProcessor.differs(0.0, BigDecimal.ZERO)).isFalse();
  }

  // openlit 1.34 for Anthropic (instrumentation/anthropic/utils.py, common_chat_logic): Anthropic's
  // input_tokens as returned (4,000 uncached), 3,000 cache reads, no total, and its own
  // gen_ai.usage.cost, 0 when the model is missing from openlit's price list. The uncached input
  // is larger than the cache read, which once made the proxy take it as inclusive.
  @Test
  void process_openlitAnthropicCacheRead_pricesUncachedInputPlusCache() {
    SpanBatch batch =
        batch(
            attributes(
                "telemetry.sdk.name",
                "openlit",
                "gen_ai.operation.name",
                "chat",
                "gen_ai.system",
                "anthropic",
                "gen_ai.request.model",
                "claude-sonnet-4-5",
                "gen_ai.response.model",
                "claude-sonnet-4-5",
                "gen_ai.usage.input_tokens",
                4000L,
                "gen_ai.usage.output_tokens",
                50L,
                "gen_ai.client.token.usage",
                4050L,
                "gen_ai.usage.cost",
                0.0,
                "gen_ai.usage.cache_read.input_tokens",
                3000L,
                "gen_ai.usage.cache_creation.input_tokens",
                0L));

    newProcessor().process(batch);

    // 4000 x 3e-6 + 3000 x 3e-7 + 50 x 1.5e-5
    assertThat(forwarded(batch, 0))
        .contains(
            entry("traccia.pricing.status", "provided"),
            entry("traccia.cost.computed_usd", usd("0.01365")));
  }

  @Test
  void name_isCost() {
    assertThat(newProcessor().name()).isEqualTo("cost");
  }
}
