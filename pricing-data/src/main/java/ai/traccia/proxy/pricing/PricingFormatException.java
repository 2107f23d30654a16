/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

/**
 * A pricing table that cannot be used: not JSON, not a table, an invalid price, or no model that
 * can be priced. The message names the origin, the value and what was expected.
 */
public final class PricingFormatException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that names the origin and the problem. */
  public PricingFormatException(String message) {
    super(message);
  }

  /** Creates the exception with a message and the parser's exception as its cause. */
  public PricingFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
