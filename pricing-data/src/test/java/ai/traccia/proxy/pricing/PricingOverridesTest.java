/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PricingOverridesTest {

  private static List<String> problems(String json) {
    try {
      PricingOverrides.parse(json);
    } catch (PricingOverrideException e) {
      return e.problems().stream().map(PricingOverrideException.Problem::toString).toList();
    }
    throw new AssertionError("expected a PricingOverrideException");
  }

  @Test
  void parse_keepsOrderAndExactPrices() throws Exception {
    PricingOverride override =
        PricingOverrides.parse(
            "{\"z-model\": {\"prompt\": 0.0000025, \"completion\": 1e-3, \"cached_prompt\": 0},"
                + " \"a-model\": {\"prompt\": 1, \"completion\": 2, \"cache_write\": 0.50}}");

    assertThat(override.models().keySet()).containsExactly("z-model", "a-model");
    PricePoint z = override.models().get("z-model");
    assertThat(z.prompt()).isEqualByComparingTo("0.0000025");
    assertThat(z.prompt().toPlainString()).isEqualTo("0.0000025");
    assertThat(z.completion()).isEqualByComparingTo("0.001");
    assertThat(z.cachedPrompt()).hasValueSatisfying(p -> assertThat(p).isZero());
    assertThat(override.models().get("a-model").cacheWrite())
        .hasValueSatisfying(p -> assertThat(p).isEqualByComparingTo("0.5"));
  }

  @Test
  void parse_blankIsNoOverride() throws Exception {
    assertThat(PricingOverrides.parse(" \n")).isSameAs(PricingOverride.empty());
    assertThat(PricingOverrides.parse("{}")).isSameAs(PricingOverride.empty());
  }

  @Test
  void parse_ignoresTableOnlyAndUnderscoreFields() throws Exception {
    PricingOverride override =
        PricingOverrides.parse(
            "{\"m\": {\"prompt\": 1, \"completion\": 2, \"input_audio\": 9, \"output_audio\": \"x\","
                + " \"input_image\": null, \"_comment\": \"copied from the table\"}}");

    assertThat(override.models().get("m"))
        .isEqualTo(PricePoint.of(BigDecimal.ONE, new BigDecimal("2")));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"a\": 1,}          | Unexpected character ('}' (code 125)): was expecting double-quote to start field name at column 9",
        "{\"a\" 1}            | Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value at column 6",
        "{\"a\": {}, \"a\": {}} | Duplicate field 'a' at column 14",
        "{} x                 | Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false') at column 4",
        "{} {}                | Trailing token (of type START_OBJECT) found after value at column 4",
        "// comment           | Unexpected character ('/' (code 47)): maybe a (non-standard) comment? at column 1",
        "{\"a\": tru}         | Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false') at column 7",
        "\"abc                | Unexpected end-of-input: was expecting closing quote for a string value at column 5",
      })
  void parse_malformedJson_namesReasonAndColumn(String json, String reason) {
    assertThat(problems(json))
        .containsExactly("pricing override (expected: valid JSON (" + reason + "))");
  }

  @Test
  void parse_deepNesting_isRefused() {
    String deep = "{\"m\": " + "[".repeat(100) + "]".repeat(100) + "}";

    assertThat(problems(deep)).singleElement().asString().contains("nesting depth", "64");
  }

  @Test
  void parse_notAnObject() {
    assertThat(problems("[1]"))
        .containsExactly(
            "pricing override (expected: a table of model names to prices, such as \"gpt-4o\" ="
                + " { prompt = 0.0025, completion = 0.01 })");
    assertThat(problems("1")).hasSize(1);
  }

  @Test
  void parse_invalidPrices_everyProblemNamesModelAndField() {
    assertThat(
            problems(
                "{\"gpt-4o\": {\"prompt\": -1, \"completion\": \"0.01\"},"
                    + " \"o1\": {\"promt\": 1, \"completion\": 2},"
                    + " \"o3\": {\"completion\": 2},"
                    + " \"o4\": 5,"
                    + " \"\": {\"prompt\": 1, \"completion\": 2},"
                    + " \"ok\": {\"prompt\": 1, \"completion\": 2, \"cache_write\": true}}"))
        .containsExactly(
            "gpt-4o.prompt: -1 (expected: >= 0, in USD per 1,000 tokens)",
            "gpt-4o.completion: \"0.01\" (expected: a number, in USD per 1,000 tokens)",
            "o1.promt: 1 (expected: one of prompt, completion, cache_write, cached_prompt; did you"
                + " mean prompt?)",
            "o3: {completion=2} (expected: both a prompt and a completion price)",
            "o4: 5 (expected: a table of prices such as { prompt = 0.0025, completion = 0.01 })",
            ": (table) (expected: a model name, not \"\")",
            "ok.cache_write: true (expected: a number, in USD per 1,000 tokens)");
  }

  @Test
  void parse_unknownFieldWithoutSuggestion() {
    assertThat(problems("{\"m\": {\"prompt\": 1, \"completion\": 2, \"price\": [1]}}"))
        .containsExactly(
            "m.price: (array) (expected: one of prompt, completion, cache_write, cached_prompt)");
  }

  @Test
  void parse_exceptionMessageJoinsProblems() {
    assertThatThrownBy(() -> PricingOverrides.parse("{\"a\": {\"prompt\": -2}, \"b\": null}"))
        .isInstanceOf(PricingOverrideException.class)
        .hasMessage(
            "a.prompt: -2 (expected: >= 0, in USD per 1,000 tokens); b: null (expected: a table"
                + " of prices such as { prompt = 0.0025, completion = 0.01 })");
  }

  @Test
  void fromTree_showsValuesJsonCannotHoldAsWritten() {
    ObjectNode root = PricingOverrides.nodeFactory().objectNode();
    root.putObject("m").put("completion", 1).putPOJO("prompt", LocalDate.of(2026, 1, 2));

    assertThatThrownBy(() -> PricingOverrides.fromTree(root))
        .isInstanceOf(PricingOverrideException.class)
        .hasMessage("m.prompt: 2026-01-02 (expected: a number, in USD per 1,000 tokens)");
  }

  @Test
  void fromTree_longStringsAreShortened() {
    assertThat(problems("{\"m\": {\"prompt\": \"" + "x".repeat(100) + "\", \"completion\": 1}}"))
        .containsExactly(
            "m.prompt: \""
                + "x".repeat(80)
                + "...\" (expected: a number, in USD per 1,000 tokens)");
  }
}
