/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

/**
 * Bounds on what a client may put in the spans of one trace request, checked on the wire by {@link
 * OtlpWire} before anything else reads the request. A request over a bound is refused whole, with
 * the path of the offending field.
 *
 * <p>Bounds that are not here are fixed: nesting follows protobuf-java's recursion limit of 100
 * messages (about 30 levels of key-value lists inside key-value lists), and the request's size is
 * bounded by the receivers ({@code server.max_request_bytes}).
 *
 * @param maxAttributes most attributes of one span, span event, span link, resource or scope, and
 *     most entries of one key-value list value ({@code advanced.max_attributes})
 * @param maxAttributeValueBytes most bytes of one string or bytes attribute value, at any depth of
 *     an array or key-value list ({@code advanced.max_attribute_value_bytes})
 */
public record SpanLimits(int maxAttributes, int maxAttributeValueBytes) {

  /**
   * The default of {@link #maxAttributes}: eight times the OpenTelemetry SDKs' default attribute
   * count limit (128), past which SDKs drop attributes themselves, so only a sender that raised
   * that limit far, or wrote spans by hand, meets it.
   */
  public static final int DEFAULT_MAX_ATTRIBUTES = 1024;

  /**
   * The default of {@link #maxAttributeValueBytes}, 1 MiB: a quarter of a million tokens of prompt
   * text, and small enough that a span fits the 3 MiB export batches the proxy sends to backends
   * that accept 4 MiB.
   */
  public static final int DEFAULT_MAX_ATTRIBUTE_VALUE_BYTES = 1024 * 1024;

  /** No bounds beyond the fixed ones; for metrics and logs, which these bounds do not cover. */
  static final SpanLimits NONE = new SpanLimits(Integer.MAX_VALUE, Integer.MAX_VALUE);

  private static final SpanLimits DEFAULTS =
      new SpanLimits(DEFAULT_MAX_ATTRIBUTES, DEFAULT_MAX_ATTRIBUTE_VALUE_BYTES);

  /** Checks the bounds. */
  public SpanLimits {
    if (maxAttributes <= 0) {
      throw new IllegalArgumentException("maxAttributes: " + maxAttributes + " (expected: > 0)");
    }
    if (maxAttributeValueBytes <= 0) {
      throw new IllegalArgumentException(
          "maxAttributeValueBytes: " + maxAttributeValueBytes + " (expected: > 0)");
    }
  }

  /** The documented defaults. */
  public static SpanLimits defaults() {
    return DEFAULTS;
  }
}
