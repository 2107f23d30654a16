/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.Map;

/**
 * Bounds the length of metric label values that come from clients (a span's model, service, agent
 * and the like, {@code metrics.max_label_length}).
 *
 * <p>Without it a client decides how large every series is: ten spans with a 64 KiB model name made
 * a scrape of {@code /metrics} 34 MB, since a histogram repeats its labels on every bucket line.
 * The number of series is bounded separately, per metric ({@code metrics.cardinality_limit}).
 * Stateless and thread-safe.
 */
public final class MetricLabels {

  /** The default of {@code metrics.max_label_length}, in characters. */
  public static final int DEFAULT_MAX_LENGTH = 128;

  private MetricLabels() {}

  /**
   * {@code value} cut to at most {@code maxLength} characters, never inside a surrogate pair (so
   * the result is still valid UTF-16 and encodes to valid UTF-8); {@code value} itself when it is
   * short enough.
   */
  public static String truncate(String value, int maxLength) {
    if (value.length() <= maxLength) {
      return value;
    }
    int end = maxLength;
    if (end > 0 && Character.isHighSurrogate(value.charAt(end - 1))) {
      end--;
    }
    return value.substring(0, end);
  }

  /** {@code attributes} with every string value truncated; the same object when none is long. */
  static Attributes truncate(Attributes attributes, int maxLength) {
    boolean anyLong = false;
    for (Object value : attributes.asMap().values()) {
      if (value instanceof String && ((String) value).length() > maxLength) {
        anyLong = true;
        break;
      }
    }
    if (!anyLong) {
      return attributes;
    }
    AttributesBuilder b = Attributes.builder();
    for (Map.Entry<AttributeKey<?>, Object> e : attributes.asMap().entrySet()) {
      put(b, e.getKey(), e.getValue(), maxLength);
    }
    return b.build();
  }

  @SuppressWarnings("unchecked")
  private static <T> void put(AttributesBuilder b, AttributeKey<T> key, Object value, int max) {
    if (key.getType() == AttributeType.STRING) {
      b.put((AttributeKey<String>) key, truncate((String) value, max));
    } else {
      b.put(key, (T) value);
    }
  }
}
