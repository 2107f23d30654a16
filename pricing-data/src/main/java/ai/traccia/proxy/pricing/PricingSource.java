/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

/**
 * Which layer of the pricing precedence a price came from, highest first.
 *
 * <p>{@link #label()} is the value written as {@code llm.pricing.source}; the labels are those of
 * the Traccia SDK.
 */
public enum PricingSource {
  /** The override of traccia.toml ({@code [pricing.override]}) or {@code --set}. */
  CONFIG_OVERRIDE("override"),
  /**
   * {@code TRACCIA_PRICING_OVERRIDE_JSON} (or the deprecated {@code AGENT_DASHBOARD_PRICING_JSON}).
   */
  ENV_OVERRIDE("env"),
  /** The local cache written by {@code traccia-proxy pricing refresh}. */
  CACHE("local_cache"),
  /** The snapshot bundled in the proxy. */
  BUNDLED("bundled");

  private final String label;

  PricingSource(String label) {
    this.label = label;
  }

  /** The attribute value: {@code override}, {@code env}, {@code local_cache} or {@code bundled}. */
  public String label() {
    return label;
  }
}
