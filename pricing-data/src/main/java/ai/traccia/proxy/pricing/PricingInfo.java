/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Metadata of the table in force, for the {@code llm.pricing.*} attributes, {@code pricing status}
 * and the staleness log. Immutable.
 */
public record PricingInfo(
    PricingSource source,
    PricingSource baseSource,
    Optional<Instant> generatedAt,
    OptionalLong ageDays,
    Optional<String> snapshotVersion,
    int modelCount) {

  /**
   * @param source the highest layer that contributes entries: {@link PricingSource#CONFIG_OVERRIDE}
   *     when the config has an override, else {@link PricingSource#ENV_OVERRIDE} when the
   *     environment has one, else the base table's source. A single lookup's layer is {@link
   *     PriceMatch#source()}.
   * @param baseSource the base table: {@link PricingSource#CACHE} or {@link PricingSource#BUNDLED}
   * @param generatedAt when the base table's prices were taken from their source: the date of the
   *     upstream revision for the bundled snapshot, the download time for a refreshed cache.
   *     Overrides do not change it.
   * @param ageDays whole days from {@code generatedAt} to when the table was loaded; never negative
   * @param snapshotVersion the base table's version, such as {@code 2025-11-21.caddc6dd}
   * @param modelCount distinct model keys in force, the base table's and the overrides' together
   */
  public PricingInfo {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(baseSource, "baseSource");
    Objects.requireNonNull(generatedAt, "generatedAt");
    Objects.requireNonNull(ageDays, "ageDays");
    Objects.requireNonNull(snapshotVersion, "snapshotVersion");
  }

  /** Returns the fields, for logs. */
  @Override
  public String toString() {
    return "PricingInfo{source="
        + source.label()
        + ", base="
        + baseSource.label()
        + ", generatedAt="
        + generatedAt.map(Instant::toString).orElse("unknown")
        + ", ageDays="
        + (ageDays.isPresent() ? Long.toString(ageDays.getAsLong()) : "unknown")
        + ", snapshotVersion="
        + snapshotVersion.orElse(null)
        + ", models="
        + modelCount
        + "}";
  }
}
