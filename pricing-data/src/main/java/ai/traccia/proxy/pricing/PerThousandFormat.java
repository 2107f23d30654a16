/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Converts a table in USD per 1,000 tokens, the shape the Traccia platform serves and the SDK
 * caches: {@code {"generated_at": "...", "source": "...", "models": {"gpt-4o": {"prompt": 0.0025,
 * "completion": 0.01, "cache_write": ..., "cached_prompt": ..., "_provider": "openai"}}}}.
 *
 * <p>Prices are divided by 1,000 exactly. {@code cache_write} prices both 5-minute and 1-hour cache
 * writes, since the shape has one cache-write price. Entries without both {@code prompt} and {@code
 * completion}, and {@code sample_spec}, are left out.
 */
final class PerThousandFormat {

  private PerThousandFormat() {}

  static PriceTable read(JsonNode root, String origin, String sourceUrl, Instant now)
      throws PricingFormatException {
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    Map<String, String> providers = new LinkedHashMap<>();
    int skipped = 0;
    String firstProblem = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = root.get("models").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode m = e.getValue();
      if ("sample_spec".equals(e.getKey())
          || !m.isObject()
          || !m.hasNonNull("prompt")
          || !m.hasNonNull("completion")) {
        continue;
      }
      try {
        BigDecimal cacheWrite = perToken(m, "cache_write", e.getKey());
        prices.put(
            e.getKey(),
            ModelPrice.builder()
                .setInput(perToken(m, "prompt", e.getKey()))
                .setOutput(perToken(m, "completion", e.getKey()))
                .setCacheRead(perToken(m, "cached_prompt", e.getKey()))
                .setCacheWrite5m(cacheWrite)
                .setCacheWrite1h(cacheWrite)
                .build());
      } catch (PricingFormatException ex) {
        skipped++;
        if (firstProblem == null) {
          firstProblem = ex.getMessage();
        }
        continue;
      }
      if (m.path("_provider").isTextual()) {
        providers.put(e.getKey(), m.get("_provider").asText());
      }
    }
    if (prices.isEmpty()) {
      throw new PricingFormatException(
          origin
              + ": models: no model with both prompt and completion prices"
              + (firstProblem == null ? "" : "; first problem: " + firstProblem)
              + " (expected: {\"models\": {\"<model>\": {\"prompt\": <USD per 1K tokens>,"
              + " \"completion\": <USD per 1K tokens>}}})");
    }
    Instant asOf;
    try {
      asOf = PriceTable.instant(root, "generated_at", origin, false);
    } catch (PricingFormatException ex) {
      asOf = null; // the platform's label is informative only
    }
    return new PriceTable(
        now,
        asOf,
        PriceTable.version(asOf != null ? asOf : now, null),
        root.path("source").asText("platform"),
        root.hasNonNull("source_url") ? root.get("source_url").asText() : sourceUrl,
        null,
        null,
        prices,
        providers,
        skipped);
  }

  private static BigDecimal perToken(JsonNode m, String field, String key)
      throws PricingFormatException {
    JsonNode v = m.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    BigDecimal d = PriceTable.decimal(v);
    if (d == null || d.signum() < 0) {
      throw new PricingFormatException(
          "\""
              + key
              + "\"."
              + field
              + ": "
              + v
              + " (expected: a number >= 0, in USD per 1K tokens)");
    }
    return d.movePointLeft(3);
  }
}
