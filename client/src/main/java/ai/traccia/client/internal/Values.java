/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Turns Java values into span attributes the way {@code @Observe} records arguments and results,
 * and records errors. Internal: not part of the client's API and may change without notice.
 *
 * <p>Rules, after the Python SDK's {@code @observe}:
 *
 * <ul>
 *   <li>strings, booleans and numbers are kept as they are (strings are cut only when {@code
 *       advanced.attr_truncation_limit} is set);
 *   <li>collections and arrays become arrays of at most 100 items: booleans or numbers stay typed
 *       when every item has that type, otherwise every item becomes a string (strings as they are,
 *       other values as JSON cut to the limit);
 *   <li>maps become JSON, anything else its {@code toString()}, both cut to the limit (1000
 *       characters unless {@code advanced.attr_truncation_limit} says otherwise);
 *   <li>{@code null} records nothing.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class Values {

  /** The cut for non-primitive values when {@code advanced.attr_truncation_limit} is not set. */
  public static final int DEFAULT_VALUE_LIMIT = 1000;

  /** At most this many items of a collection or array are recorded. */
  public static final int MAX_LIST_ITEMS = 100;

  /** {@code error.stack_trace} is cut to this many characters. */
  public static final int STACK_TRACE_LIMIT = 2000;

  private final int valueLimit;
  private final int stringLimit;

  private Values(int valueLimit, int stringLimit) {
    this.valueLimit = valueLimit;
    this.stringLimit = stringLimit;
  }

  /** The rules for {@code attrTruncationLimit} ({@code advanced.attr_truncation_limit}). */
  public static Values of(OptionalInt attrTruncationLimit) {
    return attrTruncationLimit.isPresent()
        ? new Values(attrTruncationLimit.getAsInt(), attrTruncationLimit.getAsInt())
        : new Values(DEFAULT_VALUE_LIMIT, Integer.MAX_VALUE);
  }

  /** The length that maps, objects and list items are cut to. */
  public int valueLimit() {
    return valueLimit;
  }

  /** Sets attribute {@code key} on {@code span} to {@code value} converted; null sets nothing. */
  public void put(Span span, String key, Object value) {
    if (value == null || key == null || key.isEmpty()) {
      return;
    }
    if (value instanceof CharSequence || value instanceof Character) {
      span.setAttribute(key, cut(value.toString(), stringLimit));
    } else if (value instanceof Boolean) {
      span.setAttribute(key, (Boolean) value);
    } else if (isIntegral(value)) {
      span.setAttribute(key, ((Number) value).longValue());
    } else if (value instanceof Double || value instanceof Float) {
      span.setAttribute(key, ((Number) value).doubleValue());
    } else if (value instanceof Enum) {
      span.setAttribute(key, ((Enum<?>) value).name());
    } else if (value instanceof Collection || value.getClass().isArray()) {
      putList(span, key, items(value));
    } else if (value instanceof Map) {
      span.setAttribute(key, text(value));
    } else {
      span.setAttribute(key, cut(safeToString(value), valueLimit));
    }
  }

  /** Sets every entry of {@code attributes} on {@code span} with {@link #put}. */
  public void putAll(Span span, Map<String, ?> attributes) {
    if (attributes == null) {
      return;
    }
    for (Map.Entry<String, ?> e : attributes.entrySet()) {
      put(span, e.getKey(), e.getValue());
    }
  }

  /** {@code value} as one string: JSON for maps, collections and arrays, cut to the limit. */
  public String text(Object value) {
    if (value instanceof CharSequence) {
      return cut(value.toString(), valueLimit);
    }
    if (value instanceof Map || value instanceof Collection || isArray(value)) {
      return cut(Json.write(value, valueLimit), valueLimit);
    }
    return cut(safeToString(value), valueLimit);
  }

  /** {@code value} as strings, one per item (at most 100), for prompts made of messages. */
  public List<String> textList(Object value) {
    List<String> out = new ArrayList<>();
    for (Object item : items(value)) {
      out.add(item instanceof CharSequence ? item.toString() : text(item));
    }
    return out;
  }

  private void putList(Span span, String key, List<Object> items) {
    boolean allBoolean = !items.isEmpty();
    boolean allIntegral = !items.isEmpty();
    boolean allNumeric = !items.isEmpty();
    for (Object item : items) {
      allBoolean &= item instanceof Boolean;
      allIntegral &= isIntegral(item);
      allNumeric &= isIntegral(item) || item instanceof Double || item instanceof Float;
    }
    if (allBoolean) {
      List<Boolean> list = new ArrayList<>();
      for (Object item : items) {
        list.add((Boolean) item);
      }
      span.setAttribute(AttributeKey.booleanArrayKey(key), list);
    } else if (allIntegral) {
      List<Long> list = new ArrayList<>();
      for (Object item : items) {
        list.add(((Number) item).longValue());
      }
      span.setAttribute(AttributeKey.longArrayKey(key), list);
    } else if (allNumeric) {
      List<Double> list = new ArrayList<>();
      for (Object item : items) {
        list.add(((Number) item).doubleValue());
      }
      span.setAttribute(AttributeKey.doubleArrayKey(key), list);
    } else {
      List<String> list = new ArrayList<>();
      for (Object item : items) {
        if (item == null) {
          list.add("null");
        } else if (item instanceof CharSequence) {
          list.add(cut(item.toString(), stringLimit));
        } else if (item instanceof Boolean || item instanceof Number) {
          list.add(item.toString());
        } else {
          list.add(text(item));
        }
      }
      span.setAttribute(AttributeKey.stringArrayKey(key), list);
    }
  }

  /**
   * Records {@code error} on {@code span}: {@code error.type} (the class name), {@code
   * error.message}, {@code error.stack_trace} (cut to 2000 characters), an {@code exception} event
   * and status ERROR with the message as description.
   */
  public static void recordError(Span span, Throwable error) {
    String message = error.getMessage() == null ? "" : error.getMessage();
    span.setAttribute("error.type", error.getClass().getName());
    span.setAttribute("error.message", message);
    span.setAttribute("error.stack_trace", cut(stackTrace(error), STACK_TRACE_LIMIT));
    span.recordException(error);
    span.setStatus(StatusCode.ERROR, message);
  }

  /** {@code s} cut to at most {@code limit} characters, never splitting a surrogate pair. */
  public static String cut(String s, int limit) {
    if (s.length() <= limit) {
      return s;
    }
    int end = limit;
    if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }

  /** {@code value.toString()}, or the class name if {@code toString()} throws. */
  static String safeToString(Object value) {
    try {
      return String.valueOf(value);
    } catch (RuntimeException | LinkageError e) {
      return value.getClass().getName();
    }
  }

  private static String stackTrace(Throwable error) {
    StringWriter out = new StringWriter();
    try (PrintWriter writer = new PrintWriter(out)) {
      error.printStackTrace(writer);
    }
    return out.toString();
  }

  private static boolean isIntegral(Object value) {
    return value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte;
  }

  private static boolean isArray(Object value) {
    return value != null && value.getClass().isArray();
  }

  private static List<Object> items(Object value) {
    List<Object> items = new ArrayList<>();
    if (value instanceof Iterable) {
      for (Object item : (Iterable<?>) value) {
        if (items.size() == MAX_LIST_ITEMS) {
          break;
        }
        items.add(item);
      }
    } else if (isArray(value)) {
      int n = Math.min(Array.getLength(value), MAX_LIST_ITEMS);
      for (int i = 0; i < n; i++) {
        items.add(Array.get(value, i));
      }
    } else if (value != null) {
      items.add(value);
    }
    return items;
  }
}
