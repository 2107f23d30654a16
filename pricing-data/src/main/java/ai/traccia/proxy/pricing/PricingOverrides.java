/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import ai.traccia.proxy.config.Suggestions;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.POJONode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Reads a pricing override: a JSON object of model names to prices in USD per 1,000 tokens, such as
 * {@code {"gpt-4o": {"prompt": 0.0025, "completion": 0.01}}}.
 *
 * <p>Each model needs {@code prompt} and {@code completion}; {@code cache_write} and {@code
 * cached_prompt} are optional. Fields of the bundled table that the cost formula does not use
 * ({@code input_audio}, {@code output_audio}, {@code input_image}) and fields starting with {@code
 * _} are accepted and ignored, so that an entry can be copied from the table unchanged; any other
 * field is an error, with a suggestion when it looks like a misspelling. Prices are read exactly
 * (no binary floating point). Duplicate keys, comments, trailing commas and trailing content are
 * errors. Every problem is collected before failing. Stateless and thread-safe.
 */
public final class PricingOverrides {

  /** What a whole override must be. */
  public static final String EXPECTED_TABLE =
      "a table of model names to prices, such as \"gpt-4o\" = { prompt = 0.0025, completion = 0.01 }";

  private static final List<String> PRICE_FIELDS =
      List.of("prompt", "completion", "cache_write", "cached_prompt");
  private static final List<String> IGNORED_PRICE_FIELDS =
      List.of("input_audio", "output_audio", "input_image");
  private static final int MAX_SHOWN = 80;
  private static final int MAX_NESTING = 64;

  // Exact decimals, and the strict reading of JSON that a hand-edited override deserves.
  private static final ObjectMapper JSON =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                  .build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
          .build();

  private PricingOverrides() {}

  /** The node factory whose numbers keep their exact decimal value, for callers building trees. */
  public static JsonNodeFactory nodeFactory() {
    return JSON.getNodeFactory();
  }

  /**
   * Reads an override from JSON text; blank text is no override.
   *
   * @throws PricingOverrideException if the text is not JSON, not an object, or a model's prices
   *     are invalid
   */
  public static PricingOverride parse(String json) throws PricingOverrideException {
    if (json.isBlank()) {
      return PricingOverride.empty();
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw whole("valid JSON (" + describe(e) + ")");
    }
    return fromTree(root);
  }

  /**
   * Reads an override from a JSON tree (for example one converted from a TOML table). Numbers may
   * be any numeric node; a {@link POJONode} stands for a value JSON cannot hold and is shown as its
   * text.
   *
   * @throws PricingOverrideException if the tree is not an object or a model's prices are invalid
   */
  public static PricingOverride fromTree(JsonNode root) throws PricingOverrideException {
    if (root == null || !root.isObject()) {
      throw whole(EXPECTED_TABLE);
    }
    Map<String, PricePoint> prices = new LinkedHashMap<>();
    List<PricingOverrideException.Problem> problems = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String model = entry.getKey();
      PricePoint price = price(model, entry.getValue(), problems);
      if (price != null) {
        prices.put(model, price);
      }
    }
    if (!problems.isEmpty()) {
      throw new PricingOverrideException(problems);
    }
    return PricingOverride.of(prices);
  }

  /** The prices of one model, or null after adding its problems. */
  private static PricePoint price(
      String model, JsonNode fields, List<PricingOverrideException.Problem> problems) {
    List<String> at = List.of(model);
    if (model.isBlank()) {
      problems.add(
          new PricingOverrideException.Problem(at, show(fields), "a model name, not \"\""));
      return null;
    }
    if (!fields.isObject()) {
      problems.add(
          new PricingOverrideException.Problem(
              at,
              show(fields),
              "a table of prices such as { prompt = 0.0025, completion = 0.01 }"));
      return null;
    }
    BigDecimal[] values = new BigDecimal[PRICE_FIELDS.size()];
    boolean ok = true;
    for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      JsonNode value = field.getValue();
      List<String> fieldAt = List.of(model, name);
      if (name.startsWith("_") || IGNORED_PRICE_FIELDS.contains(name)) {
        continue;
      }
      int index = PRICE_FIELDS.indexOf(name);
      if (index < 0) {
        // The rule of the configuration's key suggestions, over the price fields.
        String suggestion = Suggestions.closest(name, PRICE_FIELDS);
        problems.add(
            new PricingOverrideException.Problem(
                fieldAt,
                show(value),
                "one of prompt, completion, cache_write, cached_prompt"
                    + (suggestion == null ? "" : "; did you mean " + suggestion + "?")));
        ok = false;
      } else if (!value.isNumber()) {
        problems.add(
            new PricingOverrideException.Problem(
                fieldAt, show(value), "a number, in USD per 1,000 tokens"));
        ok = false;
      } else if (value.decimalValue().signum() < 0) {
        problems.add(
            new PricingOverrideException.Problem(
                fieldAt, show(value), ">= 0, in USD per 1,000 tokens"));
        ok = false;
      } else {
        values[index] = value.decimalValue();
      }
    }
    if (ok && (values[0] == null || values[1] == null)) {
      problems.add(
          new PricingOverrideException.Problem(
              at, showFields(fields), "both a prompt and a completion price"));
      return null;
    }
    return ok ? PricePoint.of(values[0], values[1], values[2], values[3]) : null;
  }

  private static PricingOverrideException whole(String expected) {
    return new PricingOverrideException(
        List.of(new PricingOverrideException.Problem(List.of(), null, expected)));
  }

  /** Jackson's reason without its source excerpt, and the column: "... at column 12". */
  private static String describe(JsonProcessingException e) {
    String reason = e.getOriginalMessage();
    int newline = reason.indexOf('\n');
    if (newline >= 0) {
      reason = reason.substring(0, newline);
    }
    // Jackson's hints name its own classes and features, which mean nothing to a user.
    reason =
        reason
            .replaceAll(" \\(bound as `[^`]*`\\): not allowed as per `[^`]*`", "")
            .replaceAll(
                " \\(not recognized as one since Feature '[^']*' not enabled for parser\\)", "");
    JsonLocation location = e.getLocation();
    return location == null || location.getColumnNr() < 0
        ? reason
        : reason + " at column " + location.getColumnNr();
  }

  /** Shows a value as the user wrote it: strings quoted, tables and arrays by their kind. */
  static String show(JsonNode value) {
    if (value.isTextual()) {
      return quote(truncate(value.textValue()));
    }
    if (value.isObject()) {
      return "(table)";
    }
    if (value.isArray()) {
      return "(array)";
    }
    if (value.isNumber()) {
      return truncate(value.decimalValue().toPlainString());
    }
    if (value instanceof POJONode) {
      return truncate(String.valueOf(((POJONode) value).getPojo()));
    }
    return truncate(value.toString());
  }

  private static String showFields(JsonNode fields) {
    StringJoiner joiner = new StringJoiner(", ", "{", "}");
    for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      joiner.add(e.getKey() + "=" + show(e.getValue()));
    }
    return joiner.toString();
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String truncate(String s) {
    return s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "...";
  }
}
