/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the project's own table format, used by the bundled snapshot and the local
 * cache. Prices are decimal strings in USD per token, so that no value passes through a double.
 *
 * <pre>{@code
 * {
 *   "format": "traccia-pricing",
 *   "format_version": 1,
 *   "snapshot_version": "2025-11-21.caddc6dd",
 *   "generated_at": "2026-11-25T00:00:00Z",
 *   "prices_as_of": "2025-11-21T16:52:25Z",
 *   "source": "litellm",
 *   "source_url": "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json",
 *   "source_revision": "caddc6dd0fc26931b3fcc4e91e81a3d90080f3ef",
 *   "units": "USD per token",
 *   "model_count": 1382,
 *   "models": {
 *     "gpt-4o": {"provider":"openai","input":"0.0000025","output":"0.00001","cache_read":"0.00000125"},
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>Model fields: {@code provider}, {@code input} and {@code output} (required), {@code
 * cache_read}, {@code cache_write} (5-minute writes), {@code cache_write_1h}, {@code reasoning},
 * and {@code tiers}: {@code [{"above": 200000, "input": ..., "output": ..., ...}]}. Unknown fields
 * are ignored, so that a newer minor writer stays readable.
 */
final class SnapshotFormat {

  static final String LICENSE =
      "Prices from LiteLLM (github.com/BerriAI/litellm, model_prices_and_context_window.json),"
          + " MIT License";

  private SnapshotFormat() {}

  static PriceTable read(JsonNode root, String origin) throws PricingFormatException {
    String format = root.path("format").asText("");
    if (!PriceTable.FORMAT.equals(format)) {
      throw new PricingFormatException(
          origin
              + ": format: "
              + root.get("format")
              + " (expected: \""
              + PriceTable.FORMAT
              + "\")");
    }
    JsonNode version = root.get("format_version");
    if (version == null || !version.canConvertToInt() || !version.isIntegralNumber()) {
      throw new PricingFormatException(
          origin
              + ": format_version: "
              + version
              + " (expected: "
              + PriceTable.FORMAT_VERSION
              + ")");
    }
    if (version.intValue() != PriceTable.FORMAT_VERSION) {
      throw new PricingFormatException(
          origin
              + ": format_version: "
              + version.intValue()
              + " (expected: "
              + PriceTable.FORMAT_VERSION
              + "); the file was written by another version of the proxy. Run"
              + " 'traccia-proxy pricing refresh' to rewrite it.");
    }
    Instant generatedAt = PriceTable.instant(root, "generated_at", origin, true);
    Instant pricesAsOf = PriceTable.instant(root, "prices_as_of", origin, false);
    JsonNode models = root.get("models");
    if (models == null || !models.isObject() || models.isEmpty()) {
      throw new PricingFormatException(
          origin + ": models: " + shortText(models) + " (expected: a non-empty object of models)");
    }
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    Map<String, String> providers = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String where = origin + ": models.\"" + e.getKey() + "\"";
      JsonNode m = e.getValue();
      if (!m.isObject()) {
        throw new PricingFormatException(where + ": " + shortText(m) + " (expected: an object)");
      }
      ModelPrice.Builder b = ModelPrice.builder();
      b.setInput(price(m, "input", where, true));
      b.setOutput(price(m, "output", where, true));
      b.setCacheRead(price(m, "cache_read", where, false));
      b.setCacheWrite5m(price(m, "cache_write", where, false));
      b.setCacheWrite1h(price(m, "cache_write_1h", where, false));
      b.setReasoning(price(m, "reasoning", where, false));
      JsonNode tiers = m.get("tiers");
      if (tiers != null) {
        if (!tiers.isArray()) {
          throw new PricingFormatException(
              where + ".tiers: " + shortText(tiers) + " (expected: an array of tiers)");
        }
        for (int i = 0; i < tiers.size(); i++) {
          JsonNode t = tiers.get(i);
          String tw = where + ".tiers[" + i + "]";
          JsonNode above = t.get("above");
          if (above == null || !above.isIntegralNumber() || above.longValue() < 0) {
            throw new PricingFormatException(
                tw + ".above: " + above + " (expected: a whole number of input tokens >= 0)");
          }
          try {
            b.addTier(
                ModelPrice.LongContextTier.of(
                    above.longValue(),
                    price(t, "input", tw, true),
                    price(t, "output", tw, false),
                    price(t, "cache_read", tw, false),
                    price(t, "cache_write", tw, false),
                    price(t, "cache_write_1h", tw, false),
                    price(t, "reasoning", tw, false)));
          } catch (IllegalArgumentException ex) {
            throw new PricingFormatException(tw + ": " + ex.getMessage());
          }
        }
      }
      prices.put(e.getKey(), b.build());
      JsonNode provider = m.get("provider");
      if (provider != null && provider.isTextual() && !provider.asText().isEmpty()) {
        providers.put(e.getKey(), provider.asText());
      }
    }
    JsonNode count = root.get("model_count");
    if (count != null && count.asInt(-1) != prices.size()) {
      throw new PricingFormatException(
          origin
              + ": model_count: "
              + count
              + " (expected: "
              + prices.size()
              + ", the number of models); the file is truncated or was edited by hand.");
    }
    return new PriceTable(
        generatedAt,
        pricesAsOf,
        text(root, "snapshot_version"),
        root.path("source").asText("unknown"),
        text(root, "source_url"),
        text(root, "source_revision"),
        text(root, "etag"),
        prices,
        providers,
        0);
  }

  private static String text(JsonNode root, String field) {
    JsonNode v = root.get(field);
    return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
  }

  private static BigDecimal price(JsonNode m, String field, String where, boolean required)
      throws PricingFormatException {
    JsonNode v = m.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new PricingFormatException(
            where + "." + field + ": missing (expected: a price in USD per token)");
      }
      return null;
    }
    BigDecimal d = PriceTable.decimal(v);
    if (d == null || d.signum() < 0) {
      throw new PricingFormatException(
          where + "." + field + ": " + v + " (expected: a decimal >= 0, in USD per token)");
    }
    return d;
  }

  static String shortText(JsonNode node) {
    if (node == null) {
      return "missing";
    }
    String s = node.toString();
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  static String write(PriceTable table) {
    StringBuilder sb = new StringBuilder(table.modelCount() * 128 + 1024);
    sb.append("{\n");
    field(sb, "format", PriceTable.FORMAT);
    sb.append("  \"format_version\": ").append(PriceTable.FORMAT_VERSION).append(",\n");
    if (table.snapshotVersion().isPresent()) {
      field(sb, "snapshot_version", table.snapshotVersion().get());
    }
    field(sb, "generated_at", table.generatedAt().toString());
    if (table.pricesAsOf().isPresent()) {
      field(sb, "prices_as_of", table.pricesAsOf().get().toString());
    }
    field(sb, "source", table.source());
    if (table.sourceUrl().isPresent()) {
      field(sb, "source_url", table.sourceUrl().get());
    }
    if (table.sourceRevision().isPresent()) {
      field(sb, "source_revision", table.sourceRevision().get());
    }
    if (table.etag().isPresent()) {
      field(sb, "etag", table.etag().get());
    }
    if ("litellm".equals(table.source())) {
      field(sb, "license", LICENSE);
    }
    field(sb, "units", "USD per token");
    sb.append("  \"model_count\": ").append(table.modelCount()).append(",\n");
    sb.append("  \"models\": {");
    boolean first = true;
    for (Map.Entry<String, ModelPrice> e : table.prices().entrySet()) {
      sb.append(first ? "\n" : ",\n");
      first = false;
      ModelPrice p = e.getValue();
      sb.append("    ").append(quote(e.getKey())).append(": {");
      String provider = table.provider(e.getKey()).orElse(null);
      boolean any = false;
      if (provider != null) {
        sb.append("\"provider\":").append(quote(provider));
        any = true;
      }
      any = price(sb, any, "input", p.input());
      any = price(sb, any, "output", p.output());
      any = price(sb, any, "cache_read", p.cacheRead().orElse(null));
      any = price(sb, any, "cache_write", p.cacheWrite5m().orElse(null));
      any = price(sb, any, "cache_write_1h", p.cacheWrite1h().orElse(null));
      price(sb, any, "reasoning", p.reasoning().orElse(null));
      if (!p.tiers().isEmpty()) {
        sb.append(",\"tiers\":[");
        // Lowest threshold first reads naturally.
        for (int i = p.tiers().size() - 1; i >= 0; i--) {
          ModelPrice.LongContextTier t = p.tiers().get(i);
          sb.append("{\"above\":").append(t.aboveInputTokens());
          price(sb, true, "input", t.input());
          price(sb, true, "output", t.output().orElse(null));
          price(sb, true, "cache_read", t.cacheRead().orElse(null));
          price(sb, true, "cache_write", t.cacheWrite5m().orElse(null));
          price(sb, true, "cache_write_1h", t.cacheWrite1h().orElse(null));
          price(sb, true, "reasoning", t.reasoning().orElse(null));
          sb.append(i == 0 ? "}" : "},");
        }
        sb.append(']');
      }
      sb.append('}');
    }
    sb.append(first ? "}\n" : "\n  }\n");
    sb.append("}\n");
    return sb.toString();
  }

  private static boolean price(StringBuilder sb, boolean comma, String name, BigDecimal price) {
    if (price == null) {
      return comma;
    }
    if (comma) {
      sb.append(',');
    }
    sb.append('"').append(name).append("\":\"").append(price.toPlainString()).append('"');
    return true;
  }

  private static void field(StringBuilder sb, String name, String value) {
    sb.append("  \"").append(name).append("\": ").append(quote(value)).append(",\n");
  }

  private static String quote(String s) {
    try {
      return PriceTable.JSON.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode a string as JSON", e);
    }
  }
}
