/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.time.Clock;

/**
 * Builds price books.
 *
 * <p>Precedence, highest first: the config override ({@code [pricing.override]}, {@code --set
 * pricing.override_json=...}), the environment override ({@code TRACCIA_PRICING_OVERRIDE_JSON}),
 * the local cache ({@code pricing.cache_path}), the bundled snapshot. The cache replaces the
 * bundled snapshot as a whole; the overrides are laid over that base model by model. Overrides are
 * in USD per 1,000 tokens and are converted exactly.
 */
public final class PriceBooks {

  private PriceBooks() {}

  /**
   * The price book in force for {@code settings}: reads the cache file if it exists (blocking), and
   * never fails on a broken cache (it logs a warning and uses the bundled snapshot).
   *
   * @param clock the clock the tables' age is measured with
   */
  public static ReloadablePriceBook fromSettings(PricingSettings settings, Clock clock) {
    return new ReloadablePriceBook(settings, clock);
  }

  /** The bundled snapshot alone, without cache or overrides; thread-safe and immutable. */
  public static PriceBook bundled(Clock clock) {
    return LayeredPriceBook.create(
        PriceTable.bundled(),
        PricingSource.BUNDLED,
        PricingOverride.empty(),
        PricingOverride.empty(),
        clock.instant(),
        null);
  }
}
