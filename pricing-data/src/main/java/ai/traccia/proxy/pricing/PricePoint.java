/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * The prices of one model, in USD per 1,000 tokens, as given in a pricing override.
 *
 * <p>{@code prompt} and {@code completion} are required; the cache prices are optional. Every price
 * is {@code >= 0}. Immutable.
 */
public final class PricePoint {

  private final BigDecimal prompt;
  private final BigDecimal completion;
  private final BigDecimal cacheWrite;
  private final BigDecimal cachedPrompt;

  private PricePoint(
      BigDecimal prompt, BigDecimal completion, BigDecimal cacheWrite, BigDecimal cachedPrompt) {
    this.prompt = prompt;
    this.completion = completion;
    this.cacheWrite = cacheWrite;
    this.cachedPrompt = cachedPrompt;
  }

  /**
   * Creates a price point with prompt and completion prices only.
   *
   * @throws IllegalArgumentException if a price is negative
   */
  public static PricePoint of(BigDecimal prompt, BigDecimal completion) {
    return of(prompt, completion, null, null);
  }

  /**
   * Creates a price point; {@code cacheWrite} and {@code cachedPrompt} may be null.
   *
   * @throws IllegalArgumentException if a price is negative
   */
  public static PricePoint of(
      BigDecimal prompt, BigDecimal completion, BigDecimal cacheWrite, BigDecimal cachedPrompt) {
    return new PricePoint(
        check("prompt", Objects.requireNonNull(prompt, "prompt")),
        check("completion", Objects.requireNonNull(completion, "completion")),
        cacheWrite == null ? null : check("cache_write", cacheWrite),
        cachedPrompt == null ? null : check("cached_prompt", cachedPrompt));
  }

  private static BigDecimal check(String field, BigDecimal price) {
    if (price.signum() < 0) {
      throw new IllegalArgumentException(
          field + ": " + price.toPlainString() + " (expected: >= 0, in USD per 1,000 tokens)");
    }
    return price;
  }

  /** USD per 1,000 prompt (input) tokens. */
  public BigDecimal prompt() {
    return prompt;
  }

  /** USD per 1,000 completion (output) tokens. */
  public BigDecimal completion() {
    return completion;
  }

  /** USD per 1,000 tokens written to a prompt cache, if given. */
  public Optional<BigDecimal> cacheWrite() {
    return Optional.ofNullable(cacheWrite);
  }

  /** USD per 1,000 prompt tokens read from a cache, if given. */
  public Optional<BigDecimal> cachedPrompt() {
    return Optional.ofNullable(cachedPrompt);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PricePoint)) {
      return false;
    }
    PricePoint that = (PricePoint) o;
    return same(prompt, that.prompt)
        && same(completion, that.completion)
        && same(cacheWrite, that.cacheWrite)
        && same(cachedPrompt, that.cachedPrompt);
  }

  // 0.5 and 0.50 are the same price.
  private static boolean same(BigDecimal a, BigDecimal b) {
    return a == null ? b == null : b != null && a.compareTo(b) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(norm(prompt), norm(completion), norm(cacheWrite), norm(cachedPrompt));
  }

  private static BigDecimal norm(BigDecimal d) {
    return d == null ? null : d.stripTrailingZeros();
  }

  /** Returns {@code {prompt=.., completion=.., ...}} with plain decimal prices. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{prompt=").append(prompt.toPlainString());
    sb.append(", completion=").append(completion.toPlainString());
    if (cacheWrite != null) {
      sb.append(", cache_write=").append(cacheWrite.toPlainString());
    }
    if (cachedPrompt != null) {
      sb.append(", cached_prompt=").append(cachedPrompt.toPlainString());
    }
    return sb.append('}').toString();
  }
}
