/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadablePriceBookTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  private Path cache() {
    return dir.resolve("cache/pricing.json");
  }

  private PricingSettings config() {
    return PricingSettings.of(cache());
  }

  private static PricingOverride override(String model, String prompt, String completion) {
    return PricingOverride.of(
        Map.of(model, PricePoint.of(new BigDecimal(prompt), new BigDecimal(completion))));
  }

  /** A cache with gpt-4o at 1 and 2 USD per token and one model of its own. */
  private void writeCache(String gpt4oInput) throws IOException {
    String json =
        "{\"format\": \"traccia-pricing\", \"format_version\": 1,"
            + " \"snapshot_version\": \"cache-1\", \"generated_at\": \"2026-11-20T00:00:00Z\","
            + " \"source\": \"litellm\", \"models\": {"
            + "\"gpt-4o\": {\"provider\": \"openai\", \"input\": \""
            + gpt4oInput
            + "\", \"output\": \"2\"},"
            + " \"cache-only\": {\"input\": \"3\", \"output\": \"4\"}}}";
    Files.createDirectories(cache().getParent());
    Files.writeString(cache(), json);
  }

  private static String input(PriceBook book, String model) {
    return book.find(model, null).orElseThrow().price().input().toPlainString();
  }

  @Test
  void load_bundledWhenNothingElse() {
    ReloadablePriceBook book = PriceBooks.fromSettings(config(), CLOCK);

    PriceMatch match = book.find("gpt-4o", "openai").orElseThrow();
    assertThat(match.source()).isEqualTo(PricingSource.BUNDLED);
    assertThat(match.price().input()).isEqualByComparingTo("0.0000025");
    PricingInfo info = book.info();
    assertThat(info.source()).isEqualTo(PricingSource.BUNDLED);
    assertThat(info.baseSource()).isEqualTo(PricingSource.BUNDLED);
    assertThat(info.generatedAt()).contains(Instant.parse("2025-11-21T16:52:25Z"));
    assertThat(info.ageDays()).hasValue(368);
    assertThat(info.snapshotVersion()).contains("2025-11-21.caddc6dd");
    assertThat(info.modelCount()).isEqualTo(1382);
  }

  @Test
  void load_cacheReplacesBundledTable() throws IOException {
    writeCache("1");

    ReloadablePriceBook book = PriceBooks.fromSettings(config(), CLOCK);

    assertThat(book.find("gpt-4o", null).orElseThrow().source()).isEqualTo(PricingSource.CACHE);
    assertThat(input(book, "gpt-4o")).isEqualTo("1");
    assertThat(input(book, "cache-only")).isEqualTo("3");
    // The cache is a whole table: the bundled one no longer applies.
    assertThat(book.find("claude-sonnet-4-5", null)).isEmpty();
    assertThat(book.info().source()).isEqualTo(PricingSource.CACHE);
    assertThat(book.info().ageDays()).hasValue(5);
    assertThat(book.info().snapshotVersion()).contains("cache-1");
    assertThat(book.info().modelCount()).isEqualTo(2);
  }

  @Test
  void load_brokenCacheFallsBackToBundled() throws IOException {
    Files.createDirectories(cache().getParent());
    Files.writeString(cache(), "{\"format\": \"traccia-pricing\", \"format_version\": 1}");

    ReloadablePriceBook book = PriceBooks.fromSettings(config(), CLOCK);

    assertThat(book.info().baseSource()).isEqualTo(PricingSource.BUNDLED);
    assertThat(input(book, "gpt-4o")).isEqualTo("0.0000025");
  }

  @Test
  void load_envOverrideBeatsCache() throws IOException {
    writeCache("1");

    ReloadablePriceBook book =
        PriceBooks.fromSettings(config().withEnvOverride(override("gpt-4o", "5", "10")), CLOCK);

    PriceMatch match = book.find("gpt-4o", null).orElseThrow();
    assertThat(match.source()).isEqualTo(PricingSource.ENV_OVERRIDE);
    assertThat(match.price().input()).isEqualByComparingTo("0.005");
    assertThat(match.price().output()).isEqualByComparingTo("0.01");
    assertThat(input(book, "cache-only")).isEqualTo("3");
    assertThat(book.info().source()).isEqualTo(PricingSource.ENV_OVERRIDE);
    assertThat(book.info().baseSource()).isEqualTo(PricingSource.CACHE);
  }

  @Test
  void load_envOverrideBeatsBundled() {
    ReloadablePriceBook book =
        PriceBooks.fromSettings(config().withEnvOverride(override("gpt-4o", "5", "10")), CLOCK);

    assertThat(book.find("gpt-4o", null).orElseThrow().source())
        .isEqualTo(PricingSource.ENV_OVERRIDE);
    assertThat(book.find("gpt-4o-mini", null).orElseThrow().source())
        .isEqualTo(PricingSource.BUNDLED);
    assertThat(book.info().modelCount()).isEqualTo(1382);
  }

  @Test
  void load_configOverrideBeatsEnvCacheAndBundled() throws IOException {
    writeCache("1");
    PricingOverride config =
        PricingOverride.of(
            Map.of(
                "gpt-4o",
                PricePoint.of(
                    new BigDecimal("0.0025"),
                    new BigDecimal("0.01"),
                    new BigDecimal("0.003125"),
                    new BigDecimal("0.00125")),
                "my-fine-tune",
                PricePoint.of(new BigDecimal("1"), new BigDecimal("2"))));
    PricingOverride env =
        PricingOverride.of(
            Map.of(
                "gpt-4o", PricePoint.of(new BigDecimal("5"), new BigDecimal("10")),
                "env-only", PricePoint.of(new BigDecimal("7"), new BigDecimal("8"))));

    ReloadablePriceBook book =
        PriceBooks.fromSettings(config().withConfigOverride(config).withEnvOverride(env), CLOCK);

    PriceMatch match = book.find("gpt-4o", null).orElseThrow();
    assertThat(match.source()).isEqualTo(PricingSource.CONFIG_OVERRIDE);
    assertThat(match.price())
        .hasToString(
            "{input=0.0000025, output=0.00001, cache_read=0.00000125, cache_write=0.000003125,"
                + " cache_write_1h=0.000003125}");
    assertThat(book.find("env-only", null).orElseThrow().source())
        .isEqualTo(PricingSource.ENV_OVERRIDE);
    assertThat(book.find("cache-only", null).orElseThrow().source()).isEqualTo(PricingSource.CACHE);
    assertThat(book.find("my-fine-tune", "openai").orElseThrow().source())
        .isEqualTo(PricingSource.CONFIG_OVERRIDE);
    assertThat(book.info().source()).isEqualTo(PricingSource.CONFIG_OVERRIDE);
    assertThat(book.info().modelCount()).isEqualTo(4);
  }

  @Test
  void load_configOverrideBeatsBundled() {
    ReloadablePriceBook book =
        PriceBooks.fromSettings(config().withConfigOverride(override("GPT-4O", "1", "1")), CLOCK);

    // An override replaces the entry whose key differs only by case.
    PriceMatch match = book.find("gpt-4o", null).orElseThrow();
    assertThat(match.modelKey()).isEqualTo("GPT-4O");
    assertThat(match.source()).isEqualTo(PricingSource.CONFIG_OVERRIDE);
    assertThat(book.info().modelCount()).isEqualTo(1382);
  }

  @Test
  void checkCacheFile_picksUpWrittenChangedAndDeletedCache() throws IOException {
    ReloadablePriceBook book = PriceBooks.fromSettings(config(), CLOCK);
    book.checkCacheFile();
    assertThat(book.info().baseSource()).isEqualTo(PricingSource.BUNDLED);

    writeCache("1");
    book.checkCacheFile();
    assertThat(input(book, "gpt-4o")).isEqualTo("1");

    writeCache("1.5");
    book.checkCacheFile();
    assertThat(input(book, "gpt-4o")).isEqualTo("1.5");

    Files.delete(cache());
    book.checkCacheFile();
    assertThat(book.info().baseSource()).isEqualTo(PricingSource.BUNDLED);
    assertThat(input(book, "gpt-4o")).isEqualTo("0.0000025");
  }

  @Test
  void reload_appliesChangedOverride() {
    ReloadablePriceBook book =
        PriceBooks.fromSettings(config().withConfigOverride(override("gpt-4o", "1", "1")), CLOCK);
    assertThat(input(book, "gpt-4o")).isEqualTo("0.001");

    book.reload(config().withConfigOverride(override("gpt-4o", "2", "1")));
    assertThat(input(book, "gpt-4o")).isEqualTo("0.002");

    book.reload(config());
    assertThat(book.find("gpt-4o", null).orElseThrow().source()).isEqualTo(PricingSource.BUNDLED);
  }

  @Test
  void staleness_messagesByAge() {
    assertThat(ReloadablePriceBook.staleness(info(7), false)).isEmpty();
    assertThat(ReloadablePriceBook.staleness(info(8), true)).isEmpty();
    assertThat(ReloadablePriceBook.staleness(info(8), false))
        .contains(
            "Pricing table (local_cache) is 8 days old (prices from 2026-11-01). Run"
                + " 'traccia-proxy pricing refresh' for the latest prices.");
    assertThat(ReloadablePriceBook.staleness(info(30), true)).isEmpty();
    assertThat(ReloadablePriceBook.staleness(info(31), false)).isEmpty();
    assertThat(ReloadablePriceBook.staleness(info(31), true))
        .contains(
            "Pricing table (local_cache) is 31 days old (prices from 2026-11-01). Run"
                + " 'traccia-proxy pricing refresh' to download the latest prices; costs of"
                + " newer models and changed prices are missing or wrong until then.");
  }

  private static PricingInfo info(long ageDays) {
    return new PricingInfo(
        PricingSource.CACHE,
        PricingSource.CACHE,
        Optional.of(Instant.parse("2026-11-01T00:00:00Z")),
        OptionalLong.of(ageDays),
        Optional.of("v"),
        1);
  }
}
