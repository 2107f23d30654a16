/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

/** One entry of the merged table: its key, provider (may be null), prices and layer. Immutable. */
final class PricedModel {

  final String key;
  final String provider;
  final ModelPrice price;
  final PricingSource source;
  final PriceMatch match;

  PricedModel(String key, String provider, ModelPrice price, PricingSource source) {
    this.key = key;
    this.provider = provider;
    this.price = price;
    this.source = source;
    this.match = new PriceMatch(key, price, source);
  }
}
