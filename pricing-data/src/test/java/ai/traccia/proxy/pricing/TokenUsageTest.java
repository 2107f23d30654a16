/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenUsageTest {

  @Test
  void builder_keepsEveryCount() {
    TokenUsage usage =
        TokenUsage.builder()
            .setInputTokens(100)
            .setOutputTokens(50)
            .setCacheReadTokens(10)
            .setCacheWrite5mTokens(20)
            .setCacheWrite1hTokens(30)
            .setReasoningTokens(5)
            .build();

    assertThat(usage.inputTokens()).isEqualTo(100);
    assertThat(usage.outputTokens()).isEqualTo(50);
    assertThat(usage.cacheReadTokens()).isEqualTo(10);
    assertThat(usage.cacheWrite5mTokens()).isEqualTo(20);
    assertThat(usage.cacheWrite1hTokens()).isEqualTo(30);
    assertThat(usage.reasoningTokens()).isEqualTo(5);
    assertThat(usage)
        .hasToString(
            "{input=100, output=50, cache_read=10, cache_write_5m=20, cache_write_1h=30,"
                + " reasoning=5}")
        .isEqualTo(
            TokenUsage.builder()
                .setInputTokens(100)
                .setOutputTokens(50)
                .setCacheReadTokens(10)
                .setCacheWrite5mTokens(20)
                .setCacheWrite1hTokens(30)
                .setReasoningTokens(5)
                .build());
  }

  @Test
  void builder_rejectsNegativeCounts() {
    assertThatThrownBy(() -> TokenUsage.builder().setCacheReadTokens(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cacheReadTokens: -1 (expected: >= 0)");
  }
}
