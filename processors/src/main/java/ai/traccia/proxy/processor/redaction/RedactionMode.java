/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.redaction;

import java.util.Locale;

/** What happens to a content value. */
public enum RedactionMode {
  /** Left as it is: a service or attribute exempted from the default mode. */
  OFF,
  /** Matches of the patterns replaced by {@code [REDACTED:<rule>]}; JSON stays valid. */
  MASK,
  /** Replaced by {@code sha256:<16 hex>}, an HMAC-SHA256 under the configured key. */
  HASH,
  /** Cut to the configured number of characters. */
  TRUNCATE,
  /** Removed from the span. */
  DROP;

  /** The mode's name in configuration and in metric labels. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode named {@code label} (mask, hash, truncate, drop or off). */
  public static RedactionMode parse(String label) {
    return valueOf(label.trim().toUpperCase(Locale.ROOT));
  }
}
