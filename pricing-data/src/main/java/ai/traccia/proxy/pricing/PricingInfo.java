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
public final class PricingInfo {

  private final PricingSource source;
  private final PricingSource baseSource;
  private final Instant generatedAt;
  private final Long ageDays;
  private final String snapshotVersion;
  private final int modelCount;

  PricingInfo(
      PricingSource source,
      PricingSource baseSource,
      Instant generatedAt,
      Long ageDays,
      String snapshotVersion,
      int modelCount) {
    this.source = Objects.requireNonNull(source, "source");
    this.baseSource = Objects.requireNonNull(baseSource, "baseSource");
    this.generatedAt = generatedAt;
    this.ageDays = ageDays;
    this.snapshotVersion = snapshotVersion;
    this.modelCount = modelCount;
  }

  /**
   * The highest layer that contributes entries: {@link PricingSource#CONFIG_OVERRIDE} when the
   * config has an override, else {@link PricingSource#ENV_OVERRIDE} when the environment has one,
   * else the base table's source. A single lookup's layer is {@link PriceMatch#source()}.
   */
  public PricingSource source() {
    return source;
  }

  /** The base table: {@link PricingSource#CACHE} or {@link PricingSource#BUNDLED}. */
  public PricingSource baseSource() {
    return baseSource;
  }

  /**
   * When the base table's prices were taken from their source: the date of the upstream revision
   * for the bundled snapshot, the download time for a refreshed cache. Overrides do not change it.
   */
  public Optional<Instant> generatedAt() {
    return Optional.ofNullable(generatedAt);
  }

  /** Whole days from {@link #generatedAt()} to when the table was loaded; never negative. */
  public OptionalLong ageDays() {
    return ageDays == null ? OptionalLong.empty() : OptionalLong.of(ageDays);
  }

  /** The base table's version, such as {@code 2025-11-21.caddc6dd}. */
  public Optional<String> snapshotVersion() {
    return Optional.ofNullable(snapshotVersion);
  }

  /** Distinct model keys in force, the base table's and the overrides' together. */
  public int modelCount() {
    return modelCount;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PricingInfo)) {
      return false;
    }
    PricingInfo that = (PricingInfo) o;
    return source == that.source
        && baseSource == that.baseSource
        && Objects.equals(generatedAt, that.generatedAt)
        && Objects.equals(ageDays, that.ageDays)
        && Objects.equals(snapshotVersion, that.snapshotVersion)
        && modelCount == that.modelCount;
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, baseSource, generatedAt, ageDays, snapshotVersion, modelCount);
  }

  /** Returns the fields, for logs. */
  @Override
  public String toString() {
    return "PricingInfo{source="
        + source.label()
        + ", base="
        + baseSource.label()
        + ", generatedAt="
        + (generatedAt == null ? "unknown" : generatedAt.toString())
        + ", ageDays="
        + (ageDays == null ? "unknown" : ageDays.toString())
        + ", snapshotVersion="
        + snapshotVersion
        + ", models="
        + modelCount
        + "}";
  }
}
