/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a price book is built from: the local cache file, the override from the environment ({@code
 * TRACCIA_PRICING_OVERRIDE_JSON}) and the override from the configuration ({@code
 * [pricing.override]}, flags), which wins. The proxy's configuration gives one; this module reads
 * no configuration itself.
 *
 * @param cachePath the local pricing cache, which need not exist
 * @param envOverride the environment's override, or {@link PricingOverride#empty()}
 * @param configOverride the configuration's override, or {@link PricingOverride#empty()}
 */
public record PricingSettings(
    Path cachePath, PricingOverride envOverride, PricingOverride configOverride) {

  /** Checks that no part is null. */
  public PricingSettings {
    Objects.requireNonNull(cachePath, "cachePath");
    Objects.requireNonNull(envOverride, "envOverride");
    Objects.requireNonNull(configOverride, "configOverride");
  }

  /** The cache at {@code cachePath}, without overrides. */
  public static PricingSettings of(Path cachePath) {
    return new PricingSettings(cachePath, PricingOverride.empty(), PricingOverride.empty());
  }

  /** A copy with the environment's override. */
  public PricingSettings withEnvOverride(PricingOverride override) {
    return new PricingSettings(cachePath, override, configOverride);
  }

  /** A copy with the configuration's override. */
  public PricingSettings withConfigOverride(PricingOverride override) {
    return new PricingSettings(cachePath, envOverride, override);
  }
}
