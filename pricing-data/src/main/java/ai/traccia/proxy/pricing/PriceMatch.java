/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.util.Objects;

/** A successful lookup: the table key that matched, its prices and the layer they came from. */
public record PriceMatch(String modelKey, ModelPrice price, PricingSource source) {

  /**
   * @param modelKey the table key that matched, as the table spells it; written as {@code
   *     llm.pricing.model_key}
   * @param price the prices of that key
   * @param source the precedence layer the entry came from
   */
  public PriceMatch {
    Objects.requireNonNull(modelKey, "modelKey");
    Objects.requireNonNull(price, "price");
    Objects.requireNonNull(source, "source");
  }

  /** Returns {@code key (source) prices}. */
  @Override
  public String toString() {
    return modelKey + " (" + source.label() + ") " + price;
  }
}
