/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.tomlj.TomlTable;

/** The kinds of value only the proxy's keys take. Stateless and thread-safe. */
final class ProxyValueTypes {

  private ProxyValueTypes() {}

  // ---------------------------------------------------------------------------------------------
  // Pricing override: a TOML table, or a JSON object in a string.

  static final ValueType<PricingOverride> PRICING =
      new ValueType<PricingOverride>() {
        @Override
        PricingOverride fromToml(Object raw, ValueType.Context context)
            throws ValueType.InvalidValue {
          if (raw instanceof String) {
            return fromText((String) raw, context);
          }
          if (!(raw instanceof TomlTable)) {
            throw ValueType.InvalidValue.expected(EXPECTED_PRICING);
          }
          return pricing(plain(raw));
        }

        @Override
        PricingOverride fromText(String raw, ValueType.Context context)
            throws ValueType.InvalidValue {
          if (raw.trim().isEmpty()) {
            return PricingOverride.empty();
          }
          Object json;
          try {
            json = Json.parse(raw);
          } catch (Json.JsonException e) {
            throw ValueType.InvalidValue.expected("valid JSON (" + e.getMessage() + ")");
          }
          if (!(json instanceof Map)) {
            throw ValueType.InvalidValue.expected(EXPECTED_PRICING);
          }
          return pricing(json);
        }

        @Override
        String label() {
          return "JSON";
        }

        @Override
        String show(PricingOverride value) {
          if (value.isEmpty()) {
            return "(none)";
          }
          int n = value.models().size();
          return n + (n == 1 ? " model " : " models ") + value;
        }
      };

  static final String EXPECTED_PRICING =
      "a table of model names to prices, such as \"gpt-4o\" = { prompt = 0.0025, completion = 0.01 }";

  private static final List<String> PRICE_FIELDS =
      Arrays.asList("prompt", "completion", "cache_write", "cached_prompt");
  // Fields of the bundled table that the cost formula does not use; accepted so that an entry can
  // be
  // copied from the table unchanged.
  private static final List<String> IGNORED_PRICE_FIELDS =
      Arrays.asList("input_audio", "output_audio", "input_image");

  /** Turns tomlj tables and numbers into the same shapes {@link Json} produces. */
  private static Object plain(Object toml) {
    if (toml instanceof TomlTable) {
      TomlTable table = (TomlTable) toml;
      Map<String, Object> map = new LinkedHashMap<>();
      for (String key : table.keySet()) {
        map.put(key, plain(table.get(Collections.singletonList(key))));
      }
      return map;
    }
    if (toml instanceof Long) {
      return BigDecimal.valueOf((Long) toml);
    }
    if (toml instanceof Double && Double.isFinite((Double) toml)) {
      return BigDecimal.valueOf((Double) toml);
    }
    return toml;
  }

  private static PricingOverride pricing(Object root) throws ValueType.InvalidValue {
    @SuppressWarnings("unchecked")
    Map<String, Object> models = (Map<String, Object>) root;
    Map<String, PricePoint> prices = new LinkedHashMap<>();
    List<ValueType.Issue> issues = new ArrayList<>();
    for (Map.Entry<String, Object> entry : models.entrySet()) {
      String model = entry.getKey();
      List<String> at = Collections.singletonList(model);
      if (model.trim().isEmpty()) {
        issues.add(
            new ValueType.Issue(
                at, ValueType.showPlain(entry.getValue(), true), "a model name, not \"\""));
        continue;
      }
      if (!(entry.getValue() instanceof Map)) {
        issues.add(
            new ValueType.Issue(
                at,
                ValueType.showPlain(entry.getValue(), true),
                "a table of prices such as { prompt = 0.0025, completion = 0.01 }"));
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = (Map<String, Object>) entry.getValue();
      BigDecimal[] values = new BigDecimal[PRICE_FIELDS.size()];
      boolean ok = true;
      for (Map.Entry<String, Object> field : fields.entrySet()) {
        String name = field.getKey();
        List<String> fieldAt = Arrays.asList(model, name);
        if (name.startsWith("_") || IGNORED_PRICE_FIELDS.contains(name)) {
          continue;
        }
        int index = PRICE_FIELDS.indexOf(name);
        Object value = field.getValue();
        if (index < 0) {
          String suggestion = Suggestions.closest(name, PRICE_FIELDS);
          issues.add(
              new ValueType.Issue(
                  fieldAt,
                  ValueType.showPlain(value, true),
                  "one of prompt, completion, cache_write, cached_prompt"
                      + (suggestion == null ? "" : "; did you mean " + suggestion + "?")));
          ok = false;
        } else if (!(value instanceof BigDecimal)) {
          issues.add(
              new ValueType.Issue(
                  fieldAt, ValueType.showPlain(value, true), "a number, in USD per 1,000 tokens"));
          ok = false;
        } else if (((BigDecimal) value).signum() < 0) {
          issues.add(
              new ValueType.Issue(
                  fieldAt, ValueType.showPlain(value, true), ">= 0, in USD per 1,000 tokens"));
          ok = false;
        } else {
          values[index] = (BigDecimal) value;
        }
      }
      if (ok && (values[0] == null || values[1] == null)) {
        issues.add(
            new ValueType.Issue(at, showFields(fields), "both a prompt and a completion price"));
        ok = false;
      }
      if (ok) {
        prices.put(model, PricePoint.of(values[0], values[1], values[2], values[3]));
      }
    }
    if (!issues.isEmpty()) {
      throw new ValueType.InvalidValue(issues);
    }
    return PricingOverride.of(prices);
  }

  private static String showFields(Map<String, Object> fields) {
    StringJoiner joiner = new StringJoiner(", ", "{", "}");
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      joiner.add(e.getKey() + "=" + ValueType.showPlain(e.getValue(), true));
    }
    return joiner.toString();
  }
}
