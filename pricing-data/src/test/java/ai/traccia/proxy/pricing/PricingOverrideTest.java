/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PricingOverrideTest {

  private static final PricePoint PRICE = PricePoint.of(BigDecimal.ONE, BigDecimal.TEN);

  @Test
  void of_copiesAndKeepsOrder() {
    Map<String, PricePoint> models = new LinkedHashMap<>();
    models.put("z-model", PRICE);
    models.put("a-model", PRICE);

    PricingOverride override = PricingOverride.of(models);
    models.clear();

    assertThat(override.models().keySet()).containsExactly("z-model", "a-model");
    assertThat(override.isEmpty()).isFalse();
    assertThatThrownBy(() -> override.models().put("x", PRICE))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void of_emptyIsEmpty() {
    assertThat(PricingOverride.of(Map.of())).isSameAs(PricingOverride.empty());
    assertThat(PricingOverride.empty().isEmpty()).isTrue();
  }

  @Test
  void of_rejectsBlankModel() {
    assertThatThrownBy(() -> PricingOverride.of(Map.of(" ", PRICE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pricing override: \" \" (expected: a model name)");
  }

  @Test
  void equalsByModels() {
    assertThat(PricingOverride.of(Map.of("m", PRICE)))
        .isEqualTo(
            PricingOverride.of(Map.of("m", PricePoint.of(new BigDecimal("1.0"), BigDecimal.TEN))))
        .hasToString("{m={prompt=1, completion=10}}");
  }
}
