/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One resolved table: a base table (cache or bundled) with the env and config overrides laid over
 * it, model by model. Immutable apart from the lookup cache and the staleness flag; thread-safe.
 */
final class LayeredPriceBook implements PriceBook {

  private final ModelIndex index;
  private final PricingInfo info;
  private final PriceTable base;
  final AtomicBoolean stalenessLogged;

  private LayeredPriceBook(
      ModelIndex index, PricingInfo info, PriceTable base, AtomicBoolean stalenessLogged) {
    this.index = index;
    this.info = info;
    this.base = base;
    this.stalenessLogged = stalenessLogged;
  }

  /**
   * Lays {@code envOverride}, then {@code configOverride}, over {@code base}. An override entry
   * replaces the base entries whose key is the same ignoring case, whole (fields are not merged).
   *
   * @param previous the book this one replaces, or null; its staleness flag carries over when the
   *     base table has the same source, date and age, so the message is logged once per table
   */
  static LayeredPriceBook create(
      PriceTable base,
      PricingSource baseSource,
      PricingOverride envOverride,
      PricingOverride configOverride,
      Instant now,
      LayeredPriceBook previous) {
    Map<String, PricedModel> entries = new LinkedHashMap<>();
    for (Map.Entry<String, ModelPrice> e : base.prices().entrySet()) {
      entries.put(
          e.getKey(),
          new PricedModel(
              e.getKey(), base.provider(e.getKey()).orElse(null), e.getValue(), baseSource));
    }
    layer(entries, envOverride, PricingSource.ENV_OVERRIDE);
    layer(entries, configOverride, PricingSource.CONFIG_OVERRIDE);
    PricingSource source =
        !configOverride.isEmpty()
            ? PricingSource.CONFIG_OVERRIDE
            : !envOverride.isEmpty() ? PricingSource.ENV_OVERRIDE : baseSource;
    Instant date = base.effectiveDate();
    long age = Math.max(0, Duration.between(date, now).toDays());
    PricingInfo info =
        new PricingInfo(
            source,
            baseSource,
            Optional.of(date),
            OptionalLong.of(age),
            base.snapshotVersion(),
            entries.size());
    AtomicBoolean logged =
        previous != null
                && previous.info.baseSource() == baseSource
                && previous.info.generatedAt().equals(info.generatedAt())
                && previous.info.ageDays().equals(info.ageDays())
            ? previous.stalenessLogged
            : new AtomicBoolean();
    return new LayeredPriceBook(new ModelIndex(entries), info, base, logged);
  }

  private static void layer(
      Map<String, PricedModel> entries, PricingOverride override, PricingSource source) {
    if (override.isEmpty()) {
      return;
    }
    Map<String, String> lowerKeys = new LinkedHashMap<>();
    for (String key : override.models().keySet()) {
      lowerKeys.put(key.toLowerCase(Locale.ROOT), key);
    }
    for (Iterator<String> it = entries.keySet().iterator(); it.hasNext(); ) {
      if (lowerKeys.containsKey(it.next().toLowerCase(Locale.ROOT))) {
        it.remove();
      }
    }
    for (Map.Entry<String, PricePoint> e : override.models().entrySet()) {
      entries.put(e.getKey(), new PricedModel(e.getKey(), null, perToken(e.getValue()), source));
    }
  }

  /**
   * An override's prices, given per 1,000 tokens, per token: divided by 1,000 exactly. Its one
   * cache-write price applies to 5-minute and 1-hour writes alike.
   */
  static ModelPrice perToken(PricePoint point) {
    return ModelPrice.builder()
        .setInput(point.prompt().movePointLeft(3))
        .setOutput(point.completion().movePointLeft(3))
        .setCacheRead(point.cachedPrompt().map(p -> p.movePointLeft(3)).orElse(null))
        .setCacheWrite5m(point.cacheWrite().map(p -> p.movePointLeft(3)).orElse(null))
        .setCacheWrite1h(point.cacheWrite().map(p -> p.movePointLeft(3)).orElse(null))
        .build();
  }

  @Override
  public Optional<PriceMatch> find(String model, String provider) {
    return index.find(model, provider);
  }

  @Override
  public PricingInfo info() {
    return info;
  }

  PriceTable base() {
    return base;
  }
}
