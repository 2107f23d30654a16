/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelPriceTest {

  private static final PriceBook BUNDLED = PriceBooks.bundled(Clock.systemUTC());

  private static TokenUsage usage(long in, long out, long read, long w5m, long w1h, long reason) {
    return TokenUsage.builder()
        .setInputTokens(in)
        .setOutputTokens(out)
        .setCacheReadTokens(read)
        .setCacheWrite5mTokens(w5m)
        .setCacheWrite1hTokens(w1h)
        .setReasoningTokens(reason)
        .build();
  }

  /** Expected values computed by hand from the snapshot's prices (USD per token). */
  static Stream<Arguments> costs() {
    return Stream.of(
        // gpt-4o: 2.5e-6 in, 1e-5 out. 1000 * 2.5e-6 + 500 * 1e-5
        Arguments.of("plain", "gpt-4o", usage(1000, 500, 0, 0, 0, 0), "0.0075"),
        // cache read 1.25e-6: 800 * 2.5e-6 + 200 * 1.25e-6 + 500 * 1e-5
        Arguments.of("cache read", "gpt-4o", usage(1000, 500, 200, 0, 0, 0), "0.00725"),
        // claude-sonnet-4-5 (3e-6, 1.5e-5, read 3e-7, write 3.75e-6), Anthropic input 1000 +
        // cache_creation 2000 + cache_read 3000: 0.003 + 0.0075 + 0.0009 + 0.0075
        Arguments.of(
            "cache write 5m", "claude-sonnet-4-5", usage(6000, 500, 3000, 2000, 0, 0), "0.0189"),
        // claude-3-5-sonnet-20241022: write 5m 3.75e-6, 1h 6e-6, in 3e-6, out 1.5e-5
        // 100 * 3e-6 + 1000 * 3.75e-6 + 2000 * 6e-6 + 10 * 1.5e-5 = 0.0003+0.00375+0.012+0.00015
        Arguments.of(
            "cache write 1h",
            "claude-3-5-sonnet-20241022",
            usage(3100, 10, 0, 1000, 2000, 0),
            "0.0162"),
        // gemini-2.5-flash-preview-04-17: out 6e-7, reasoning 3.5e-6, in 1.5e-7
        // 1000 * 1.5e-7 + 400 * 6e-7 + 600 * 3.5e-6 = 0.00015 + 0.00024 + 0.0021
        Arguments.of(
            "reasoning",
            "gemini-2.5-flash-preview-04-17",
            usage(1000, 1000, 0, 0, 0, 600),
            "0.00249"),
        // reasoning without a distinct price bills at the output price (gpt-5-mini 2.5e-7/2e-6,
        // read 2.5e-8): 6000 * 2.5e-7 + 4000 * 2.5e-8 + 2000 * 2e-6
        Arguments.of(
            "reasoning at output price",
            "gpt-5-mini",
            usage(10000, 2000, 4000, 0, 0, 1500),
            "0.0056"),
        // claude-sonnet-4-5 above 200k: every token at 6e-6 / 2.25e-5
        Arguments.of(
            "long context", "claude-sonnet-4-5", usage(250000, 1000, 0, 0, 0, 0), "1.5225"),
        // exactly at the threshold the base prices apply: 200000 * 3e-6 + 1000 * 1.5e-5
        Arguments.of("at threshold", "claude-sonnet-4-5", usage(200000, 1000, 0, 0, 0, 0), "0.615"),
        // gemini/gemini-2.5-pro above 200k (2.5e-6 / 1.5e-5); the tier has no cache-read price,
        // so the base one (3.125e-7) stays: 200000 * 2.5e-6 + 100000 * 3.125e-7 + 2000 * 1.5e-5
        Arguments.of(
            "long context, base cache price",
            "gemini/gemini-2.5-pro",
            usage(300000, 2000, 100000, 0, 0, 0),
            "0.56125"),
        // gemini-1.5-pro above 128k: 2.5e-6 / 1e-5
        Arguments.of(
            "long context 128k", "gemini-1.5-pro", usage(130000, 100, 0, 0, 0, 0), "0.326"),
        // parts larger than the total are capped: no negative plain input
        Arguments.of("inconsistent counts", "gpt-4o", usage(100, 0, 300, 0, 0, 0), "0.000125"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("costs")
  void cost_matchesHandComputedValue(String feature, String model, TokenUsage usage, String usd) {
    BigDecimal cost = BUNDLED.find(model, null).orElseThrow().price().cost(usage);

    assertThat(cost).isEqualByComparingTo(usd);
  }

  @Test
  void cost_missingCachePricesFallBackToInputPrice() {
    ModelPrice price =
        ModelPrice.builder().setInput(new BigDecimal("0.000001")).setOutput(BigDecimal.ONE).build();

    assertThat(price.cost(usage(10, 0, 2, 3, 4, 0))).isEqualByComparingTo("0.00001");
    assertThat(price.cost(usage(0, 0, 0, 0, 0, 0))).isEqualByComparingTo("0");
  }

  @Test
  void builder_rejectsNegativeAndMissingPrices() {
    assertThatThrownBy(() -> ModelPrice.builder().setInput(new BigDecimal("-0.1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("input: -0.1 (expected: >= 0, in USD per token)");
    assertThatThrownBy(() -> ModelPrice.builder().setInput(BigDecimal.ONE).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("output: missing (expected: a price in USD per token)");
  }
}
