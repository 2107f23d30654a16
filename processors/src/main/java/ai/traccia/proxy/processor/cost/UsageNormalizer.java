/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.cost;

import ai.traccia.proxy.pricing.TokenUsage;
import ai.traccia.proxy.processor.genai.GenAiDialect;
import ai.traccia.proxy.processor.genai.LlmSpan;

/**
 * Turns the usage a span reports into a {@link TokenUsage}, whose input counts every prompt token,
 * cached ones included.
 *
 * <p>OpenAI reports prompt tokens with the cached ones included, and so do OpenLLMetry,
 * OpenInference and the OpenTelemetry GenAI conventions for every provider (they add Anthropic's
 * cache counts to its {@code input_tokens} themselves). Anthropic's API reports {@code
 * input_tokens} without {@code cache_read_input_tokens} and {@code cache_creation_input_tokens},
 * and some instrumentation copies it as it is. The input is taken to exclude the cache, and the
 * cache counts are added to it, when:
 *
 * <ol>
 *   <li>it is smaller than the cache counts, which an inclusive count cannot be;
 *   <li>the reported total equals input + output + cache, not input + output; or
 *   <li>it is a Traccia SDK count ({@code llm.usage.*}, copied from the provider's response) of an
 *       Anthropic call.
 * </ol>
 *
 * <p>Cache writes are priced as 5-minute writes: no dialect separates 1-hour writes. Reasoning
 * tokens are part of the output. Stateless and thread-safe.
 */
final class UsageNormalizer {

  private UsageNormalizer() {}

  /**
   * The normalised usage of {@code span}, or {@code null} when it reports no prompt count, or no
   * completion count while one is required.
   *
   * @param outputRequired whether a span without a completion count is left unpriced; when false
   *     (embeddings) a missing completion count is zero
   */
  static TokenUsage normalize(LlmSpan span, boolean outputRequired) {
    long input = span.inputTokens();
    long output = span.outputTokens();
    if (input == LlmSpan.ABSENT || (output == LlmSpan.ABSENT && outputRequired)) {
      return null;
    }
    if (output == LlmSpan.ABSENT) {
      output = 0;
    }
    long cacheRead = Math.max(0, span.cacheReadTokens());
    long cacheWrite = Math.max(0, span.cacheWriteTokens());
    long cache = cacheRead + cacheWrite;
    if (cache > 0 && excludesCache(span, input, output, cache)) {
      input += cache;
    }
    return TokenUsage.builder()
        .setInputTokens(input)
        .setOutputTokens(output)
        .setCacheReadTokens(cacheRead)
        .setCacheWrite5mTokens(cacheWrite)
        .setReasoningTokens(Math.min(Math.max(0, span.reasoningTokens()), output))
        .build();
  }

  private static boolean excludesCache(LlmSpan span, long input, long output, long cache) {
    if (input < cache) {
      return true;
    }
    long total = span.totalTokens();
    if (total != LlmSpan.ABSENT && total == input + output + cache) {
      return true;
    }
    return span.inputTokensDialect() == GenAiDialect.TRACCIA && span.isAnthropic();
  }
}
