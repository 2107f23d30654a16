/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.cost;

import static ai.traccia.proxy.processor.TestSpans.attributes;
import static ai.traccia.proxy.processor.TestSpans.llmSpan;
import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.pricing.TokenUsage;
import ai.traccia.proxy.processor.genai.LlmSpan;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UsageNormalizerTest {

  private static TokenUsage usage(long input, long output, long read, long write, long reasoning) {
    return TokenUsage.builder()
        .setInputTokens(input)
        .setOutputTokens(output)
        .setCacheReadTokens(read)
        .setCacheWrite5mTokens(write)
        .setReasoningTokens(reasoning)
        .build();
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "OpenAI prompt count includes cached tokens",
            new Object[] {
              "gen_ai.provider.name", "openai",
              "gen_ai.request.model", "gpt-4o",
              "gen_ai.usage.input_tokens", 1000L,
              "gen_ai.usage.output_tokens", 500L,
              "gen_ai.usage.cache_read.input_tokens", 200L
            },
            usage(1000, 500, 200, 0, 0)),
        Arguments.of(
            "OpenLLMetry adds Anthropic's cache to input itself",
            new Object[] {
              "gen_ai.system", "Anthropic",
              "gen_ai.request.model", "claude-sonnet-4-5",
              "gen_ai.usage.input_tokens", 6000L,
              "gen_ai.usage.output_tokens", 500L,
              "llm.usage.total_tokens", 6500L,
              "gen_ai.usage.cache_read_input_tokens", 3000L,
              "gen_ai.usage.cache_creation_input_tokens", 2000L
            },
            usage(6000, 500, 3000, 2000, 0)),
        Arguments.of(
            "input excluding the cache, told by the total",
            new Object[] {
              "gen_ai.system", "strands-agents",
              "gen_ai.request.model", "claude-sonnet-4-5",
              "gen_ai.usage.input_tokens", 4000L,
              "gen_ai.usage.output_tokens", 500L,
              "gen_ai.usage.total_tokens", 6500L,
              "gen_ai.usage.cache_read.input_tokens", 1200L,
              "gen_ai.usage.cache_creation.input_tokens", 800L
            },
            usage(6000, 500, 1200, 800, 0)),
        Arguments.of(
            "input smaller than its cache parts",
            new Object[] {
              "gen_ai.provider.name", "anthropic",
              "gen_ai.request.model", "claude-sonnet-4-5",
              "gen_ai.usage.input_tokens", 1000L,
              "gen_ai.usage.output_tokens", 500L,
              "gen_ai.usage.cache_read.input_tokens", 3000L,
              "gen_ai.usage.cache_creation.input_tokens", 2000L
            },
            usage(6000, 500, 3000, 2000, 0)),
        Arguments.of(
            "Traccia SDK count of an Anthropic call is Anthropic's raw input",
            new Object[] {
              "llm.vendor", "anthropic",
              "llm.model", "claude-sonnet-4-5",
              "llm.usage.input_tokens", 4000L,
              "llm.usage.output_tokens", 100L,
              "gen_ai.usage.cache_read_input_tokens", 1000L
            },
            usage(5000, 100, 1000, 0, 0)),
        Arguments.of(
            "Traccia SDK count of an OpenAI call includes the cache",
            new Object[] {
              "llm.vendor", "openai",
              "llm.model", "gpt-4o",
              "llm.usage.prompt_tokens", 4000L,
              "llm.usage.completion_tokens", 100L,
              "gen_ai.usage.cache_read_input_tokens", 1000L
            },
            usage(4000, 100, 1000, 0, 0)),
        Arguments.of(
            "OpenInference prompt count includes cache and reasoning is part of output",
            new Object[] {
              "openinference.span.kind", "LLM",
              "llm.model_name", "o3-mini",
              "llm.token_count.prompt", 1000L,
              "llm.token_count.completion", 100L,
              "llm.token_count.total", 1100L,
              "llm.token_count.prompt_details.cache_read", 400L,
              "llm.token_count.completion_details.reasoning", 60L
            },
            usage(1000, 100, 400, 0, 60)),
        Arguments.of(
            "reasoning larger than the output is capped",
            new Object[] {
              "gen_ai.request.model", "o3",
              "gen_ai.usage.input_tokens", 10L,
              "gen_ai.usage.output_tokens", 5L,
              "gen_ai.usage.reasoning_tokens", 9L
            },
            usage(10, 5, 0, 0, 5)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void normalize_providerCacheRules(String name, Object[] span, TokenUsage expected) {
    TokenUsage actual = UsageNormalizer.normalize(llmSpan(attributes(span)), true);

    assertThat(actual).isEqualTo(expected);
  }

  @ParameterizedTest(name = "output required: {0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void normalize_missingCounts(boolean outputRequired) {
    LlmSpan promptOnly =
        llmSpan(attributes("gen_ai.request.model", "m", "gen_ai.usage.input_tokens", 8L));
    LlmSpan completionOnly =
        llmSpan(attributes("gen_ai.request.model", "m", "gen_ai.usage.output_tokens", 8L));

    assertThat(UsageNormalizer.normalize(completionOnly, outputRequired)).isNull();
    if (outputRequired) {
      assertThat(UsageNormalizer.normalize(promptOnly, true)).isNull();
    } else {
      assertThat(UsageNormalizer.normalize(promptOnly, false)).isEqualTo(usage(8, 0, 0, 0, 0));
    }
  }
}
