/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceTableTest {

  /**
   * LiteLLM's file as the snapshot was generated from: {@code -Dtraccia.litellm.prices}, else
   * beside the repository. The tests that need it skip, saying how to get it, when it is absent.
   */
  static final Path UPSTREAM =
      Path.of(
          System.getProperty(
              "traccia.litellm.prices", "../../shared/pricing/litellm-model-prices.json"));

  /** Skips the calling test, saying which file is missing and how to provide it. */
  static void assumeUpstreamPresent() {
    Assumptions.assumeTrue(
        Files.isRegularFile(UPSTREAM),
        () ->
            "LiteLLM's price file is not at "
                + UPSTREAM.toAbsolutePath().normalize()
                + "; to run this check, download "
                + PriceTable.UPSTREAM_URL.replace(
                    "/main/", "/" + PriceTable.bundled().sourceRevision().orElse("main") + "/")
                + " to that path, or pass its location with -Dtraccia.litellm.prices=FILE");
  }

  static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");

  @TempDir Path dir;

  @Test
  void bundled_hasHeaderAndModels() {
    PriceTable table = PriceTable.bundled();

    assertThat(table.modelCount()).isEqualTo(1382);
    assertThat(table.source()).isEqualTo("litellm");
    assertThat(table.sourceUrl()).contains(PriceTable.UPSTREAM_URL);
    assertThat(table.sourceRevision()).contains("caddc6dd0fc26931b3fcc4e91e81a3d90080f3ef");
    assertThat(table.pricesAsOf()).contains(Instant.parse("2025-11-21T16:52:25Z"));
    assertThat(table.effectiveDate()).isEqualTo(Instant.parse("2025-11-21T16:52:25Z"));
    assertThat(table.snapshotVersion()).contains("2025-11-21.caddc6dd");
    assertThat(table.provider("gpt-4o")).contains("openai");
    assertThat(table.prices())
        .doesNotContainKey("sample_spec")
        .doesNotContainKey("text-embedding-3-small");
  }

  /** Every snapshot entry against the upstream file, read here independently of the converter. */
  @Test
  void bundled_pricesEqualUpstream() throws IOException {
    assumeUpstreamPresent();
    JsonNode upstream = PriceTable.JSON.readTree(UPSTREAM.toFile());
    PriceTable table = PriceTable.bundled();

    Set<String> expectedKeys = new TreeSet<>();
    List<String> mismatches = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = upstream.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode m = e.getValue();
      if (e.getKey().equals("sample_spec")
          || !m.isObject()
          || !m.has("litellm_provider")
          || !Set.of("chat", "completion", "responses").contains(m.path("mode").asText())
          || !m.path("input_cost_per_token").isNumber()
          || !m.path("output_cost_per_token").isNumber()) {
        continue;
      }
      expectedKeys.add(e.getKey());
      ModelPrice p = table.prices().get(e.getKey());
      if (p == null) {
        mismatches.add(e.getKey() + ": missing");
        continue;
      }
      check(mismatches, e.getKey(), "input", m.get("input_cost_per_token"), p.input());
      check(mismatches, e.getKey(), "output", m.get("output_cost_per_token"), p.output());
      check(
          mismatches,
          e.getKey(),
          "cache_read",
          m.get("cache_read_input_token_cost"),
          p.cacheRead().orElse(null));
      check(
          mismatches,
          e.getKey(),
          "cache_write",
          m.get("cache_creation_input_token_cost"),
          p.cacheWrite5m().orElse(null));
      check(
          mismatches,
          e.getKey(),
          "cache_write_1h",
          m.get("cache_creation_input_token_cost_above_1hr"),
          p.cacheWrite1h().orElse(null));
      check(
          mismatches,
          e.getKey(),
          "reasoning",
          m.has("output_cost_per_reasoning_token")
              ? m.get("output_cost_per_reasoning_token")
              : m.get("output_cost_per_token"),
          p.reasoning().orElse(p.output()));
      check(
          mismatches,
          e.getKey(),
          "provider",
          m.get("litellm_provider"),
          table.provider(e.getKey()).orElse(null));
      int tiers = 0;
      for (String threshold : List.of("128k", "200k")) {
        JsonNode in = m.get("input_cost_per_token_above_" + threshold + "_tokens");
        if (in == null) {
          continue;
        }
        tiers++;
        long above = Long.parseLong(threshold.replace("k", "")) * 1000;
        ModelPrice.LongContextTier tier =
            p.tiers().stream().filter(t -> t.aboveInputTokens() == above).findFirst().orElse(null);
        if (tier == null) {
          mismatches.add(e.getKey() + ": no tier above " + above);
          continue;
        }
        String s = "_above_" + threshold + "_tokens";
        check(mismatches, e.getKey(), "tier input", in, tier.input());
        check(
            mismatches,
            e.getKey(),
            "tier output",
            m.get("output_cost_per_token" + s),
            tier.output().orElse(null));
        check(
            mismatches,
            e.getKey(),
            "tier cache_read",
            m.get("cache_read_input_token_cost" + s),
            tier.cacheRead().orElse(null));
        check(
            mismatches,
            e.getKey(),
            "tier cache_write",
            m.get("cache_creation_input_token_cost" + s),
            tier.cacheWrite5m().orElse(null));
      }
      if (p.tiers().size() != tiers) {
        mismatches.add(e.getKey() + ": " + p.tiers().size() + " tiers, expected " + tiers);
      }
    }

    assertThat(mismatches).isEmpty();
    assertThat(table.prices().keySet()).isEqualTo(expectedKeys);
    assertThat(expectedKeys).hasSize(1382);
  }

  private static void check(
      List<String> mismatches, String key, String field, JsonNode upstream, Object actual) {
    Object expected =
        upstream == null || upstream.isNull()
            ? null
            : upstream.isNumber() ? upstream.decimalValue() : upstream.asText();
    boolean same =
        expected instanceof BigDecimal && actual instanceof BigDecimal
            ? ((BigDecimal) expected).compareTo((BigDecimal) actual) == 0
            : Objects.equals(expected, actual);
    if (!same) {
      mismatches.add(key + "." + field + ": " + actual + ", upstream " + expected);
    }
  }

  @Test
  void write_roundTripsAndReplacesAtomically() throws Exception {
    Path file = dir.resolve("sub/pricing.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "old");
    PriceTable table = PriceTable.bundled();

    table.write(file);

    PriceTable read = PriceTable.read(file);
    assertThat(read.prices()).isEqualTo(table.prices());
    assertThat(read.pricesAsOf()).isEqualTo(table.pricesAsOf());
    assertThat(read.provider("gpt-4o")).contains("openai");
    assertThat(read.toJson()).isEqualTo(table.toJson());
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void parse_convertsLiteLlm() throws PricingFormatException {
    String json =
        "{\"sample_spec\": {\"litellm_provider\": \"x\", \"mode\": \"chat\","
            + " \"input_cost_per_token\": 0.0, \"output_cost_per_token\": 0.0},"
            + " \"fallback_generalizations\": {\"rules\": []},"
            + " \"a-number\": 3,"
            + " \"emb\": {\"litellm_provider\": \"openai\", \"mode\": \"embedding\","
            + " \"input_cost_per_token\": 1e-07, \"output_cost_per_token\": 0},"
            + " \"no-output\": {\"litellm_provider\": \"openai\", \"mode\": \"chat\","
            + " \"input_cost_per_token\": 1e-07},"
            + " \"bad\": {\"litellm_provider\": \"openai\", \"mode\": \"chat\","
            + " \"input_cost_per_token\": \"cheap\", \"output_cost_per_token\": 1},"
            + " \"m\": {\"litellm_provider\": \"acme\", \"mode\": \"responses\","
            + " \"input_cost_per_token\": 2.5e-06, \"output_cost_per_token\": 1e-05,"
            + " \"cache_read_input_token_cost\": 1.25E-6, \"cache_creation_input_token_cost\": 3e-6,"
            + " \"cache_creation_input_token_cost_above_1hr\": 5e-6,"
            + " \"output_cost_per_reasoning_token\": 2e-05, \"unknown_field\": [1],"
            + " \"input_cost_per_token_above_128k_tokens\": 5e-06,"
            + " \"output_cost_per_token_above_128k_tokens\": 2e-05,"
            + " \"aliases\": [\"m-alias\", \"emb\"]}}";

    PriceTable table =
        PriceTable.parse(json.getBytes(StandardCharsets.UTF_8), "t.json", "http://x/p.json", NOW);

    assertThat(table.prices()).containsOnlyKeys("m", "m-alias");
    assertThat(table.skippedInvalidEntries()).isEqualTo(1);
    assertThat(table.generatedAt()).isEqualTo(NOW);
    assertThat(table.pricesAsOf()).isEmpty();
    assertThat(table.sourceUrl()).contains("http://x/p.json");
    assertThat(table.prices().get("m"))
        .hasToString(
            "{input=0.0000025, output=0.00001, cache_read=0.00000125, cache_write=0.000003,"
                + " cache_write_1h=0.000005, reasoning=0.00002, tiers=[{above=128000,"
                + " input=0.000005, output=0.00002}]}");
    assertThat(table.prices().get("m-alias")).isEqualTo(table.prices().get("m"));
  }

  @Test
  void parse_convertsPerThousandTable() throws PricingFormatException {
    String json =
        "{\"generated_at\": \"2026-11-20T10:00:00Z\", \"source\": \"platform\","
            + " \"models\": {\"gpt-4o\": {\"prompt\": 0.0025, \"completion\": 0.01,"
            + " \"cached_prompt\": 0.00125, \"cache_write\": \"0.003\", \"_provider\": \"openai\"},"
            + " \"sample_spec\": {\"prompt\": 0, \"completion\": 0},"
            + " \"half\": {\"prompt\": 1}}}";

    PriceTable table =
        PriceTable.parse(json.getBytes(StandardCharsets.UTF_8), "p", "https://api/x", NOW);

    assertThat(table.prices()).containsOnlyKeys("gpt-4o");
    assertThat(table.prices().get("gpt-4o"))
        .hasToString(
            "{input=0.0000025, output=0.00001, cache_read=0.00000125, cache_write=0.000003,"
                + " cache_write_1h=0.000003}");
    assertThat(table.pricesAsOf()).contains(Instant.parse("2026-11-20T10:00:00Z"));
    assertThat(table.source()).isEqualTo("platform");
    assertThat(table.provider("gpt-4o")).contains("openai");
  }

  @Test
  void parse_rejectsWhatIsNotATable() {
    assertThatThrownBy(() -> parse("[1, 2]"))
        .isInstanceOf(PricingFormatException.class)
        .hasMessage("f.json: a JSON array (expected: a pricing table as a JSON object)");
    assertThatThrownBy(() -> parse("{\"gpt-4o\": "))
        .isInstanceOf(PricingFormatException.class)
        .hasMessageStartingWith("f.json: not valid JSON (")
        .hasMessageEndingWith(") (expected: a pricing table as a JSON object)");
    assertThatThrownBy(() -> parse("{\"x\": {\"mode\": \"chat\"}}"))
        .isInstanceOf(PricingFormatException.class)
        .hasMessage(
            "f.json: no model with per-token input and output prices among 1 entries (expected:"
                + " LiteLLM's model_prices_and_context_window.json, or a table written by"
                + " 'traccia-proxy pricing refresh')");
  }

  @Test
  void read_rejectsInvalidSnapshots() throws IOException {
    String head =
        "{\"format\": \"traccia-pricing\", \"format_version\": 1,"
            + " \"generated_at\": \"2026-11-25T00:00:00Z\", ";
    assertRead(
        "{\"format\": \"other\"}", "f.json: format: \"other\" (expected: \"traccia-pricing\")");
    assertRead(
        "{\"format\": \"traccia-pricing\", \"format_version\": 2}",
        "f.json: format_version: 2 (expected: 1); the file was written by another version of the"
            + " proxy. Run 'traccia-proxy pricing refresh' to rewrite it.");
    assertRead(
        head + "\"models\": {}}", "f.json: models: {} (expected: a non-empty object of models)");
    assertRead(
        head + "\"models\": {\"m\": {\"input\": \"-1\", \"output\": \"1\"}}}",
        "f.json: models.\"m\".input: \"-1\" (expected: a decimal >= 0, in USD per token)");
    assertRead(
        head + "\"models\": {\"m\": {\"input\": \"1\"}}}",
        "f.json: models.\"m\".output: missing (expected: a price in USD per token)");
    assertRead(
        head + "\"model_count\": 2, \"models\": {\"m\": {\"input\": \"1\", \"output\": \"1\"}}}",
        "f.json: model_count: 2 (expected: 1, the number of models); the file is truncated or"
            + " was edited by hand.");
    assertRead(
        "{\"format\": \"traccia-pricing\", \"format_version\": 1, \"generated_at\": \"yesterday\"}",
        "f.json: generated_at: \"yesterday\" (expected: an ISO-8601 UTC time such as"
            + " 2025-11-21T16:52:25Z)");
  }

  private void assertRead(String json, String message) throws IOException {
    Path file = dir.resolve("f.json");
    Files.writeString(file, json);
    assertThatThrownBy(() -> PriceTable.read(file))
        .isInstanceOf(PricingFormatException.class)
        .hasMessage(file + message.substring("f.json".length()));
  }

  private static PriceTable parse(String json) throws PricingFormatException {
    return PriceTable.parse(json.getBytes(StandardCharsets.UTF_8), "f.json", null, NOW);
  }
}
