/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.util.Objects;

/** A successful lookup: the table key that matched, its prices and the layer they came from. */
public final class PriceMatch {

  private final String modelKey;
  private final ModelPrice price;
  private final PricingSource source;

  PriceMatch(String modelKey, ModelPrice price, PricingSource source) {
    this.modelKey = Objects.requireNonNull(modelKey, "modelKey");
    this.price = Objects.requireNonNull(price, "price");
    this.source = Objects.requireNonNull(source, "source");
  }

  /**
   * The table key that matched, as the table spells it; written as {@code llm.pricing.model_key}.
   */
  public String modelKey() {
    return modelKey;
  }

  /** The prices of that key. */
  public ModelPrice price() {
    return price;
  }

  /** The precedence layer the entry came from. */
  public PricingSource source() {
    return source;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PriceMatch)) {
      return false;
    }
    PriceMatch that = (PriceMatch) o;
    return modelKey.equals(that.modelKey) && price.equals(that.price) && source == that.source;
  }

  @Override
  public int hashCode() {
    return Objects.hash(modelKey, price, source);
  }

  /** Returns {@code key (source) prices}. */
  @Override
  public String toString() {
    return modelKey + " (" + source.label() + ") " + price;
  }
}
