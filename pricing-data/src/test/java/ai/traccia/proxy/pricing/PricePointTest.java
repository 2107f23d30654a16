/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class PricePointTest {

  @Test
  void of_keepsPricesAndOptionalCachePrices() {
    PricePoint point =
        PricePoint.of(new BigDecimal("0.005"), new BigDecimal("0.015"), null, BigDecimal.ONE);

    assertThat(point.prompt()).isEqualByComparingTo("0.005");
    assertThat(point.completion()).isEqualByComparingTo("0.015");
    assertThat(point.cacheWrite()).isEmpty();
    assertThat(point.cachedPrompt()).contains(BigDecimal.ONE);
    assertThat(point).hasToString("{prompt=0.005, completion=0.015, cached_prompt=1}");
  }

  @Test
  void of_rejectsNegativePrices() {
    assertThatThrownBy(() -> PricePoint.of(new BigDecimal("-0.1"), BigDecimal.ONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prompt: -0.1 (expected: >= 0, in USD per 1,000 tokens)");
    assertThatThrownBy(
            () -> PricePoint.of(BigDecimal.ONE, BigDecimal.ONE, new BigDecimal("-2"), null))
        .hasMessage("cache_write: -2 (expected: >= 0, in USD per 1,000 tokens)");
  }

  @Test
  void equals_ignoresScale() {
    PricePoint a = PricePoint.of(new BigDecimal("0.50"), BigDecimal.ZERO);
    PricePoint b = PricePoint.of(new BigDecimal("0.5"), new BigDecimal("0.000"));

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(PricePoint.of(new BigDecimal("0.5"), BigDecimal.ONE));
  }
}
