/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.cost;

import ai.traccia.proxy.pricing.TokenUsage;
import ai.traccia.proxy.processor.genai.LlmSpan;

/**
 * Turns the usage a span reports into a {@link TokenUsage}, whose input counts every prompt token,
 * cached ones included.
 *
 * <p>Whether the reported input already includes the cache counts is decided by {@link
 * LlmSpan#inputIncludesCache()} from the instrumentation that wrote the span (its scope name), a
 * reported total, the dialect and the provider; when it does not, the cache counts are added to it.
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
    if (cache > 0 && !span.inputIncludesCache()) {
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
}
