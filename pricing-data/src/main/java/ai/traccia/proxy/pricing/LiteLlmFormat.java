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
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts LiteLLM's {@code model_prices_and_context_window.json} into a {@link PriceTable}.
 *
 * <p>Kept: every entry with a {@code litellm_provider}, a {@code mode} of {@code chat}, {@code
 * completion} or {@code responses}, and both {@code input_cost_per_token} and {@code
 * output_cost_per_token}. Left out: reserved keys ({@code sample_spec}, {@code
 * fallback_generalizations}), values that are not objects, other modes (embeddings, images, audio,
 * rerank, ...), entries priced per character, second or image only, and entries without a mode.
 * Fields read: the two prices above, {@code cache_read_input_token_cost}, {@code
 * cache_creation_input_token_cost}, {@code cache_creation_input_token_cost_above_1hr}, {@code
 * output_cost_per_reasoning_token} (kept only where it differs from the output price) and the
 * {@code *_above_<N>[k]_tokens} long-context variants of the input, output, cache-read and
 * cache-write prices. Every other field is ignored. An {@code aliases} list adds its names as keys
 * of the same prices, unless a name is a key of its own.
 */
final class LiteLlmFormat {

  static final Set<String> MODES = Set.of("chat", "completion", "responses");

  private static final Set<String> RESERVED = Set.of("sample_spec", "fallback_generalizations");

  private static final Pattern TIER =
      Pattern.compile("input_cost_per_token_above_(\\d+)(k?)_tokens");

  private LiteLlmFormat() {}

  static PriceTable read(JsonNode root, String origin, String sourceUrl, Instant now)
      throws PricingFormatException {
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    Map<String, String> providers = new LinkedHashMap<>();
    Map<String, JsonNode> aliases = new TreeMap<>();
    int skipped = 0;
    String firstProblem = null;
    int objects = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      JsonNode m = e.getValue();
      if (RESERVED.contains(key) || !m.isObject()) {
        continue;
      }
      objects++;
      JsonNode provider = m.get("litellm_provider");
      if (provider == null || !provider.isTextual() || !MODES.contains(m.path("mode").asText())) {
        continue;
      }
      if (!m.has("input_cost_per_token") || !m.has("output_cost_per_token")) {
        continue;
      }
      ModelPrice price;
      try {
        price = convert(m, key);
      } catch (PricingFormatException ex) {
        skipped++;
        if (firstProblem == null) {
          firstProblem = ex.getMessage();
        }
        continue;
      }
      prices.put(key, price);
      providers.put(key, provider.asText());
      if (m.path("aliases").isArray()) {
        aliases.put(key, m.get("aliases"));
      }
    }
    for (Map.Entry<String, JsonNode> e : aliases.entrySet()) {
      for (JsonNode alias : e.getValue()) {
        String name = alias.asText("");
        if (!name.isEmpty() && !root.has(name) && !prices.containsKey(name)) {
          prices.put(name, prices.get(e.getKey()));
          providers.put(name, providers.get(e.getKey()));
        }
      }
    }
    if (prices.isEmpty()) {
      throw new PricingFormatException(
          origin
              + ": no model with per-token input and output prices among "
              + objects
              + " entries"
              + (firstProblem == null ? "" : "; first problem: " + firstProblem)
              + " (expected: LiteLLM's model_prices_and_context_window.json, or a table written by"
              + " 'traccia-proxy pricing refresh')");
    }
    return new PriceTable(
        now,
        null,
        PriceTable.version(now, null),
        "litellm",
        sourceUrl,
        null,
        null,
        prices,
        providers,
        skipped);
  }

  static ModelPrice convert(JsonNode m, String key) throws PricingFormatException {
    ModelPrice.Builder b = ModelPrice.builder();
    b.setInput(price(m, "input_cost_per_token", key));
    BigDecimal output = price(m, "output_cost_per_token", key);
    b.setOutput(output);
    b.setCacheRead(price(m, "cache_read_input_token_cost", key));
    b.setCacheWrite5m(price(m, "cache_creation_input_token_cost", key));
    b.setCacheWrite1h(price(m, "cache_creation_input_token_cost_above_1hr", key));
    BigDecimal reasoning = price(m, "output_cost_per_reasoning_token", key);
    if (reasoning != null && reasoning.compareTo(output) != 0) {
      b.setReasoning(reasoning);
    }
    for (Iterator<String> names = m.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      Matcher t = TIER.matcher(name);
      if (!t.matches()) {
        continue;
      }
      String suffix = "_above_" + t.group(1) + t.group(2) + "_tokens";
      long above = Long.parseLong(t.group(1)) * (t.group(2).isEmpty() ? 1 : 1000);
      BigDecimal input = price(m, name, key);
      if (input == null) {
        continue; // null in the file: no tier
      }
      b.addTier(
          ModelPrice.LongContextTier.of(
              above,
              input,
              price(m, "output_cost_per_token" + suffix, key),
              price(m, "cache_read_input_token_cost" + suffix, key),
              price(m, "cache_creation_input_token_cost" + suffix, key),
              null,
              null));
    }
    return b.build();
  }

  private static BigDecimal price(JsonNode m, String field, String key)
      throws PricingFormatException {
    JsonNode v = m.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    BigDecimal d = v.isNumber() ? v.decimalValue() : null;
    if (d == null || d.signum() < 0) {
      throw new PricingFormatException(
          "\"" + key + "\"." + field + ": " + v + " (expected: a number >= 0, in USD per token)");
    }
    return d;
  }
}
