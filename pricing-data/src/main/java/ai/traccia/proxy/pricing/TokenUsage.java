/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

/**
 * Token counts of one inference call, normalised: input counts every prompt token, cached ones
 * included, and output counts every completion token, reasoning included.
 *
 * <p>The cache and reasoning counts are parts of the totals, not additions to them. Counts that do
 * not add up (more cache tokens than input tokens) are not rejected; {@link ModelPrice#cost} then
 * bills no plain input tokens rather than a negative number. Immutable.
 */
public record TokenUsage(
    long inputTokens,
    long outputTokens,
    long cacheReadTokens,
    long cacheWrite5mTokens,
    long cacheWrite1hTokens,
    long reasoningTokens) {

  /**
   * @param inputTokens all prompt tokens, including cache reads and cache writes
   * @param outputTokens all completion tokens, including reasoning
   * @param cacheReadTokens the part of {@code inputTokens} read from a prompt cache
   * @param cacheWrite5mTokens the part of {@code inputTokens} written to a 5-minute prompt cache
   * @param cacheWrite1hTokens the part of {@code inputTokens} written to a 1-hour prompt cache
   * @param reasoningTokens the part of {@code outputTokens} spent on reasoning
   * @throws IllegalArgumentException if a count is negative
   */
  public TokenUsage {
    check("inputTokens", inputTokens);
    check("outputTokens", outputTokens);
    check("cacheReadTokens", cacheReadTokens);
    check("cacheWrite5mTokens", cacheWrite5mTokens);
    check("cacheWrite1hTokens", cacheWrite1hTokens);
    check("reasoningTokens", reasoningTokens);
  }

  /** A builder with every count at 0. */
  public static Builder builder() {
    return new Builder();
  }

  private static long check(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
    }
    return value;
  }

  /** Returns the counts, for example {@code {input=1000, output=500, cache_read=200}}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{input=").append(inputTokens);
    sb.append(", output=").append(outputTokens);
    if (cacheReadTokens > 0) {
      sb.append(", cache_read=").append(cacheReadTokens);
    }
    if (cacheWrite5mTokens > 0) {
      sb.append(", cache_write_5m=").append(cacheWrite5mTokens);
    }
    if (cacheWrite1hTokens > 0) {
      sb.append(", cache_write_1h=").append(cacheWrite1hTokens);
    }
    if (reasoningTokens > 0) {
      sb.append(", reasoning=").append(reasoningTokens);
    }
    return sb.append('}').toString();
  }

  /** Builds a {@link TokenUsage}; not thread-safe. Every count must be {@code >= 0}. */
  public static final class Builder {

    private long inputTokens;
    private long outputTokens;
    private long cacheReadTokens;
    private long cacheWrite5mTokens;
    private long cacheWrite1hTokens;
    private long reasoningTokens;

    private Builder() {}

    /**
     * Sets all prompt tokens, cache reads and writes included.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder setInputTokens(long inputTokens) {
      this.inputTokens = check("inputTokens", inputTokens);
      return this;
    }

    /**
     * Sets all completion tokens, reasoning included.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder setOutputTokens(long outputTokens) {
      this.outputTokens = check("outputTokens", outputTokens);
      return this;
    }

    /**
     * Sets the prompt tokens read from a cache.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder setCacheReadTokens(long cacheReadTokens) {
      this.cacheReadTokens = check("cacheReadTokens", cacheReadTokens);
      return this;
    }

    /**
     * Sets the prompt tokens written to a 5-minute cache.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder setCacheWrite5mTokens(long cacheWrite5mTokens) {
      this.cacheWrite5mTokens = check("cacheWrite5mTokens", cacheWrite5mTokens);
      return this;
    }

    /**
     * Sets the prompt tokens written to a 1-hour cache.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder setCacheWrite1hTokens(long cacheWrite1hTokens) {
      this.cacheWrite1hTokens = check("cacheWrite1hTokens", cacheWrite1hTokens);
      return this;
    }

    /**
     * Sets the completion tokens spent on reasoning.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder setReasoningTokens(long reasoningTokens) {
      this.reasoningTokens = check("reasoningTokens", reasoningTokens);
      return this;
    }

    /** Returns the usage. */
    public TokenUsage build() {
      return new TokenUsage(
          inputTokens,
          outputTokens,
          cacheReadTokens,
          cacheWrite5mTokens,
          cacheWrite1hTokens,
          reasoningTokens);
    }
  }
}
