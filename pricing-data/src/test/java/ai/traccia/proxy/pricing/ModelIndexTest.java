/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelIndexTest {

  private static final PriceBook BUNDLED = PriceBooks.bundled(Clock.systemUTC());

  static Stream<Arguments> matches() {
    return Stream.of(
        Arguments.of("exact", "gpt-4o", null, "gpt-4o"),
        Arguments.of("exact dated key", "gpt-4o-2024-08-06", null, "gpt-4o-2024-08-06"),
        Arguments.of("exact deep key", "azure/gpt-4o", null, "azure/gpt-4o"),
        Arguments.of("trimmed", "  gpt-4o\n", null, "gpt-4o"),
        Arguments.of("case", "GPT-4o", null, "gpt-4o"),
        Arguments.of("provider prefix", "openai/gpt-4o", null, "gpt-4o"),
        Arguments.of("provider prefix and case", "OpenAI/GPT-4o-Mini", null, "gpt-4o-mini"),
        Arguments.of("provider picks its key", "gpt-4o", "azure", "azure/gpt-4o"),
        Arguments.of("provider without own key", "gpt-4o", "openai", "gpt-4o"),
        Arguments.of("provider alias", "gemini-2.5-pro", "gcp.gemini", "gemini/gemini-2.5-pro"),
        Arguments.of(
            "provider by key", "mistral-large-latest", "mistral", "mistral/mistral-large-latest"),
        Arguments.of(
            "bedrock region kept when priced",
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "aws.bedrock",
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        Arguments.of(
            "bedrock region prefix",
            "au.anthropic.claude-3-haiku-20240307-v1:0",
            null,
            "anthropic.claude-3-haiku-20240307-v1:0"),
        Arguments.of(
            "bedrock region path",
            "bedrock/us-east-1/anthropic.claude-3-haiku-20240307-v1:0",
            null,
            "anthropic.claude-3-haiku-20240307-v1:0"),
        Arguments.of("date suffix", "gpt-4o-2099-01-01", null, "gpt-4o"),
        Arguments.of(
            "compact date suffix", "claude-sonnet-4-5-20990101", null, "claude-sonnet-4-5"),
        Arguments.of(
            "vertex @ version",
            "vertex_ai/claude-sonnet-4-5@20990101",
            null,
            "vertex_ai/claude-sonnet-4-5"),
        Arguments.of(
            "version suffix",
            "claude-sonnet-4-5-20250929-v1:0",
            "anthropic",
            "claude-sonnet-4-5-20250929"),
        Arguments.of("numeric version", "gemini-1.5-flash-009", null, "gemini-1.5-flash"),
        Arguments.of("fine-tune", "ft:gpt-4o-mini:my-org::abc123", null, "gpt-4o-mini"),
        Arguments.of("longest prefix", "gpt-4o-mini-custom-build", null, "gpt-4o-mini"),
        Arguments.of("prefix needs a separator", "o1-mini-tuned", null, "o1-mini"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("matches")
  void find_matchesKey(String rule, String model, String provider, String key) {
    Optional<PriceMatch> match = BUNDLED.find(model, provider);

    assertThat(match).isPresent();
    assertThat(match.get().modelKey()).isEqualTo(key);
    assertThat(match.get().source()).isEqualTo(PricingSource.BUNDLED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "   ", "no-such-model", "gpt-4omega", "my-deployment", "acme/secret-model"})
  void find_unknownIsEmpty(String model) {
    assertThat(BUNDLED.find(model, null)).isEmpty();
    assertThat(BUNDLED.find(model, "openai")).isEmpty();
  }

  @Test
  void find_nullModelIsEmpty() {
    assertThat(BUNDLED.find(null, "openai")).isEmpty();
  }

  @Test
  void find_bedrockRegionKeepsItsOwnPrice() {
    BigDecimal regional =
        BUNDLED
            .find("us.anthropic.claude-sonnet-4-5-20250929-v1:0", null)
            .orElseThrow()
            .price()
            .input();
    BigDecimal direct = BUNDLED.find("claude-sonnet-4-5", null).orElseThrow().price().input();

    assertThat(regional).isEqualByComparingTo("0.0000033");
    assertThat(direct).isEqualByComparingTo("0.000003");
  }

  @Test
  void find_keysDifferingByCasePreferProvider() {
    Map<String, PricedModel> entries = new LinkedHashMap<>();
    entries.put("Model-X", entry("Model-X", "acme", "1"));
    entries.put("model-x", entry("model-x", "other", "2"));
    ModelIndex index = new ModelIndex(entries);

    assertThat(index.find("Model-X", "other").orElseThrow().modelKey()).isEqualTo("model-x");
    assertThat(index.find("MODEL-X", "acme").orElseThrow().modelKey()).isEqualTo("Model-X");
    assertThat(index.find("Model-X", null).orElseThrow().modelKey()).isEqualTo("Model-X");
  }

  @Test
  void find_cachesResultsWithinBound() {
    Map<String, PricedModel> entries = new LinkedHashMap<>();
    entries.put("m", entry("m", "acme", "1"));
    ModelIndex index = new ModelIndex(entries);

    for (int i = 0; i < ModelIndex.MAX_CACHED * 2; i++) {
      assertThat(index.find("m-" + i, null)).isPresent();
    }
    assertThat(index.find("m", null).orElseThrow()).isSameAs(index.find("m", null).orElseThrow());
  }

  private static PricedModel entry(String key, String provider, String price) {
    ModelPrice p =
        ModelPrice.builder()
            .setInput(new BigDecimal(price))
            .setOutput(new BigDecimal(price))
            .build();
    return new PricedModel(key, provider, p, PricingSource.BUNDLED);
  }
}
