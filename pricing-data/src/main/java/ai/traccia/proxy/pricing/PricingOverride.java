/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Model prices that replace those of the pricing table, keyed by model name.
 *
 * <p>Whole entries replace the table's entries for the same model; fields are not merged. Which
 * override wins is decided by the pricing code, not here: the one from traccia.toml or flags beats
 * the one from {@code TRACCIA_PRICING_OVERRIDE_JSON}, which beats the local cache and the bundled
 * table. Immutable; the map keeps the order the models were given in.
 */
public final class PricingOverride {

  private static final PricingOverride EMPTY = new PricingOverride(Collections.emptyMap());

  private final Map<String, PricePoint> models;

  private PricingOverride(Map<String, PricePoint> models) {
    this.models = models;
  }

  /** No override. */
  public static PricingOverride empty() {
    return EMPTY;
  }

  /**
   * An override with the given models, copied.
   *
   * @throws IllegalArgumentException if a model name is blank
   */
  public static PricingOverride of(Map<String, PricePoint> models) {
    if (models.isEmpty()) {
      return EMPTY;
    }
    Map<String, PricePoint> copy = new LinkedHashMap<>();
    for (Map.Entry<String, PricePoint> e : models.entrySet()) {
      String model = Objects.requireNonNull(e.getKey(), "model");
      if (model.trim().isEmpty()) {
        throw new IllegalArgumentException(
            "pricing override: \"" + model + "\" (expected: a model name)");
      }
      copy.put(model, Objects.requireNonNull(e.getValue(), "price of " + model));
    }
    return new PricingOverride(Collections.unmodifiableMap(copy));
  }

  /** The models and their prices, unmodifiable, in the order given. */
  public Map<String, PricePoint> models() {
    return models;
  }

  /** Whether no model is overridden. */
  public boolean isEmpty() {
    return models.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PricingOverride && ((PricingOverride) o).models.equals(models);
  }

  @Override
  public int hashCode() {
    return models.hashCode();
  }

  /**
   * Returns the models and prices, for example {@code {gpt-4o={prompt=0.005, completion=0.015}}}.
   */
  @Override
  public String toString() {
    return models.toString();
  }
}
