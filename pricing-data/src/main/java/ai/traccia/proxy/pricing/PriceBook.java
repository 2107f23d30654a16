/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.util.Optional;

/**
 * Finds the prices of a model. Implementations are thread-safe and non-blocking; the request path
 * calls {@link #find} once per LLM span.
 */
public interface PriceBook {

  /**
   * The prices of {@code model}, or empty when no entry matches; an unknown model is never priced
   * at zero.
   *
   * <p>Tried in order, the first hit winning: the exact key; the lower-cased name; the name without
   * each provider or path prefix ({@code openai/}, {@code bedrock/us-east-1/}), a fine-tune's base
   * model ({@code ft:gpt-4o-mini:org::id}) and the name without Bedrock's cross-region prefix
   * ({@code us.}, {@code eu.}, {@code apac.}, ...); then each of those without date or version
   * suffixes ({@code -2024-08-06}, {@code -20241022}, {@code @20240620}, {@code -v1:0}, {@code
   * -001}, {@code -latest}); then the longest table key that is a prefix of the name and ends where
   * the name has a separator ({@code - _ . : @ /}). At each step a key under {@code provider/} is
   * tried first, and among keys that differ only by case, the entry of {@code provider} wins.
   *
   * @param model the model name as reported; blank gives empty
   * @param provider the provider ({@code openai}, {@code aws.bedrock}, ...), or null when unknown
   */
  Optional<PriceMatch> find(String model, String provider);

  /** Metadata of the table in force. */
  PricingInfo info();
}
