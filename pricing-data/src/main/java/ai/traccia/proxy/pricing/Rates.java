/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * The six per-token rates a {@link ModelPrice} and each of its {@link ModelPrice.LongContextTier
 * long-context tiers} carry, in USD per token: input, output, cache read, 5-minute and 1-hour cache
 * writes, reasoning. Absent rates are null in the array and empty in the accessors; what an absent
 * rate means (the input or output price, or the base price for a tier) is the holder's to say.
 * Immutable.
 */
abstract class Rates {

  // Indexes into the rates array.
  static final int INPUT = 0;
  static final int OUTPUT = 1;
  static final int CACHE_READ = 2;
  static final int CACHE_WRITE_5M = 3;
  static final int CACHE_WRITE_1H = 4;
  static final int REASONING = 5;

  /** The names of the rates in {@code toString} and in messages, as the snapshot spells them. */
  static final String[] RATE_NAMES = {
    "input", "output", "cache_read", "cache_write", "cache_write_1h", "reasoning"
  };

  final BigDecimal[] rates; // never written after construction

  Rates(BigDecimal[] rates) {
    this.rates = rates;
  }

  /** USD per input (prompt) token; always present. */
  public BigDecimal input() {
    return rates[INPUT];
  }

  /** USD per input token read from a prompt cache, if there is a distinct price. */
  public Optional<BigDecimal> cacheRead() {
    return Optional.ofNullable(rates[CACHE_READ]);
  }

  /** USD per input token written to a 5-minute prompt cache, if there is a distinct price. */
  public Optional<BigDecimal> cacheWrite5m() {
    return Optional.ofNullable(rates[CACHE_WRITE_5M]);
  }

  /** USD per input token written to a 1-hour prompt cache, if there is a distinct price. */
  public Optional<BigDecimal> cacheWrite1h() {
    return Optional.ofNullable(rates[CACHE_WRITE_1H]);
  }

  /** USD per reasoning token, if there is a price distinct from the output price. */
  public Optional<BigDecimal> reasoning() {
    return Optional.ofNullable(rates[REASONING]);
  }
}
