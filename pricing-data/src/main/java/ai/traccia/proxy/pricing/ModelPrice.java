/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The prices of one model in USD per token, as exact decimals: input and output, and where the
 * table has them, cache reads, 5-minute and 1-hour cache writes, reasoning tokens and long-context
 * tiers.
 *
 * <p>A missing cache or reasoning price falls back to the input or output price (see {@link
 * #cost}). Immutable and thread-safe.
 */
public final class ModelPrice extends Rates {

  private final List<LongContextTier> tiers; // highest threshold first

  private ModelPrice(Builder b) {
    super(b.rates.clone()); // input and output set; the others null when absent
    List<LongContextTier> sorted = new ArrayList<>(b.tiers);
    sorted.sort(Comparator.comparingLong(LongContextTier::aboveInputTokens).reversed());
    this.tiers = Collections.unmodifiableList(sorted);
  }

  /** A builder; {@link Builder#setInput} and {@link Builder#setOutput} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The exact cost in USD of {@code usage} at these prices.
   *
   * <p>{@code (input - cacheRead - cacheWrite5m - cacheWrite1h) × input + cacheRead × cacheRead +
   * cacheWrite5m × cacheWrite5m + cacheWrite1h × cacheWrite1h + (output - reasoning) × output +
   * reasoning × reasoning}, where a missing cache price is the input price and a missing reasoning
   * price the output price. When the input exceeds a long-context tier's threshold, the tier with
   * the highest such threshold reprices the whole request (a cliff, not a marginal rate); a price
   * the tier lacks stays the base one. A part larger than its total counts as the total, so the
   * result is never negative. Never rounds.
   */
  public BigDecimal cost(TokenUsage usage) {
    BigDecimal[] r = rates;
    for (LongContextTier tier : tiers) {
      if (usage.inputTokens() > tier.aboveInputTokens) {
        r = r.clone();
        for (int i = 0; i < r.length; i++) {
          r[i] = or(tier.rates[i], r[i]);
        }
        break;
      }
    }
    BigDecimal in = r[INPUT];
    BigDecimal out = r[OUTPUT];
    long cached = Math.min(usage.cacheReadTokens(), usage.inputTokens());
    long written5m = Math.min(usage.cacheWrite5mTokens(), usage.inputTokens() - cached);
    long written1h = Math.min(usage.cacheWrite1hTokens(), usage.inputTokens() - cached - written5m);
    long plainIn = usage.inputTokens() - cached - written5m - written1h;
    long thought = Math.min(usage.reasoningTokens(), usage.outputTokens());
    long plainOut = usage.outputTokens() - thought;
    return times(in, plainIn)
        .add(times(or(r[CACHE_READ], in), cached))
        .add(times(or(r[CACHE_WRITE_5M], in), written5m))
        .add(times(or(r[CACHE_WRITE_1H], in), written1h))
        .add(times(out, plainOut))
        .add(times(or(r[REASONING], out), thought));
  }

  private static BigDecimal times(BigDecimal price, long tokens) {
    return tokens == 0 ? BigDecimal.ZERO : price.multiply(BigDecimal.valueOf(tokens));
  }

  private static BigDecimal or(BigDecimal price, BigDecimal fallback) {
    return price != null ? price : fallback;
  }

  /** USD per output (completion) token. */
  public BigDecimal output() {
    return rates[OUTPUT];
  }

  /** The long-context tiers, highest threshold first; often empty. */
  public List<LongContextTier> tiers() {
    return tiers;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ModelPrice)) {
      return false;
    }
    ModelPrice that = (ModelPrice) o;
    return same(rates, that.rates) && tiers.equals(that.tiers);
  }

  @Override
  public int hashCode() {
    return 31 * hash(rates) + tiers.hashCode();
  }

  /**
   * Returns the prices as plain decimals, for example {@code {input=0.0000025, output=0.00001}}.
   */
  @Override
  public String toString() {
    StringBuilder sb = describe(new StringBuilder("{"), rates);
    if (!tiers.isEmpty()) {
      sb.append(", tiers=").append(tiers);
    }
    return sb.append('}').toString();
  }

  /** Appends {@code name=price} for every rate present, comma-separated after what is there. */
  private static StringBuilder describe(StringBuilder sb, BigDecimal[] rates) {
    int start = sb.length();
    for (int i = 0; i < rates.length; i++) {
      if (rates[i] != null) {
        sb.append(sb.length() > start ? ", " : "")
            .append(RATE_NAMES[i])
            .append('=')
            .append(rates[i].toPlainString());
      }
    }
    return sb;
  }

  // 0.5 and 0.50 are the same price, so rates compare by value and hash without trailing zeros.
  private static boolean same(BigDecimal[] a, BigDecimal[] b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == null ? b[i] != null : b[i] == null || a[i].compareTo(b[i]) != 0) {
        return false;
      }
    }
    return true;
  }

  private static int hash(BigDecimal[] rates) {
    int h = 1;
    for (BigDecimal rate : rates) {
      h = 31 * h + (rate == null ? 0 : rate.stripTrailingZeros().hashCode());
    }
    return h;
  }

  static BigDecimal check(String field, BigDecimal price) {
    Objects.requireNonNull(price, field);
    if (price.signum() < 0) {
      throw new IllegalArgumentException(
          field + ": " + price.toPlainString() + " (expected: >= 0, in USD per token)");
    }
    return price;
  }

  /**
   * Prices that replace the base ones for a whole request whose input exceeds a threshold, as for
   * Gemini's and Claude's long-context rates. Immutable.
   */
  public static final class LongContextTier extends Rates {

    private final long aboveInputTokens;

    private LongContextTier(long aboveInputTokens, BigDecimal[] rates) {
      super(rates); // input set; the others null when the base rate applies
      this.aboveInputTokens = aboveInputTokens;
    }

    /**
     * A tier; every price but {@code input} may be null, meaning the base price applies.
     *
     * @throws IllegalArgumentException if the threshold or a price is negative
     */
    public static LongContextTier of(
        long aboveInputTokens,
        BigDecimal input,
        BigDecimal output,
        BigDecimal cacheRead,
        BigDecimal cacheWrite5m,
        BigDecimal cacheWrite1h,
        BigDecimal reasoning) {
      if (aboveInputTokens < 0) {
        throw new IllegalArgumentException(
            "aboveInputTokens: " + aboveInputTokens + " (expected: >= 0)");
      }
      BigDecimal[] rates = {input, output, cacheRead, cacheWrite5m, cacheWrite1h, reasoning};
      for (int i = 0; i < rates.length; i++) {
        if (i == INPUT || rates[i] != null) {
          check(RATE_NAMES[i], rates[i]);
        }
      }
      return new LongContextTier(aboveInputTokens, rates);
    }

    /** The tier applies when the request's input tokens are strictly more than this. */
    public long aboveInputTokens() {
      return aboveInputTokens;
    }

    /** USD per output token above the threshold, if the tier changes it. */
    public Optional<BigDecimal> output() {
      return Optional.ofNullable(rates[OUTPUT]);
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof LongContextTier)) {
        return false;
      }
      LongContextTier that = (LongContextTier) o;
      return aboveInputTokens == that.aboveInputTokens && same(rates, that.rates);
    }

    @Override
    public int hashCode() {
      return 31 * Long.hashCode(aboveInputTokens) + hash(rates);
    }

    /** Returns the threshold and prices, for example {@code {above=200000, input=0.000006}}. */
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("{above=").append(aboveInputTokens).append(", ");
      return describe(sb, rates).append('}').toString();
    }
  }

  /** Builds a {@link ModelPrice}; not thread-safe. Every price must be {@code >= 0}. */
  public static final class Builder {

    private final BigDecimal[] rates = new BigDecimal[RATE_NAMES.length];
    private final List<LongContextTier> tiers = new ArrayList<>();

    private Builder() {}

    /** Sets USD per input token (required). */
    public Builder setInput(BigDecimal input) {
      return set(INPUT, Objects.requireNonNull(input, "input"));
    }

    /** Sets USD per output token (required). */
    public Builder setOutput(BigDecimal output) {
      return set(OUTPUT, Objects.requireNonNull(output, "output"));
    }

    /** Sets USD per cache-read input token; null means the input price. */
    public Builder setCacheRead(BigDecimal cacheRead) {
      return set(CACHE_READ, cacheRead);
    }

    /** Sets USD per input token written to a 5-minute cache; null means the input price. */
    public Builder setCacheWrite5m(BigDecimal cacheWrite5m) {
      return set(CACHE_WRITE_5M, cacheWrite5m);
    }

    /** Sets USD per input token written to a 1-hour cache; null means the input price. */
    public Builder setCacheWrite1h(BigDecimal cacheWrite1h) {
      return set(CACHE_WRITE_1H, cacheWrite1h);
    }

    /** Sets USD per reasoning token; null means the output price. */
    public Builder setReasoning(BigDecimal reasoning) {
      return set(REASONING, reasoning);
    }

    private Builder set(int rate, BigDecimal price) {
      rates[rate] = price == null ? null : check(RATE_NAMES[rate], price);
      return this;
    }

    /**
     * Adds a long-context tier.
     *
     * @throws IllegalArgumentException if a tier with the same threshold was added
     */
    public Builder addTier(LongContextTier tier) {
      for (LongContextTier t : tiers) {
        if (t.aboveInputTokens == tier.aboveInputTokens) {
          throw new IllegalArgumentException(
              "tier above " + tier.aboveInputTokens + " tokens: given twice (expected: once)");
        }
      }
      tiers.add(Objects.requireNonNull(tier, "tier"));
      return this;
    }

    /**
     * Returns the price.
     *
     * @throws IllegalStateException if the input or output price is missing
     */
    public ModelPrice build() {
      if (rates[INPUT] == null || rates[OUTPUT] == null) {
        throw new IllegalStateException(
            (rates[INPUT] == null ? "input" : "output")
                + ": missing (expected: a price in USD per token)");
      }
      return new ModelPrice(this);
    }
  }
}
