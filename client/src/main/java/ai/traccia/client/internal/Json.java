/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client.internal;

import java.lang.reflect.Array;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * A small JSON writer for the values {@code @Observe} records: maps, collections, arrays, strings,
 * numbers, booleans, enums and {@code null}; anything else is written as its {@code toString()} in
 * quotes.
 *
 * <p>The layout is the one the Python SDK produces ({@code ", "} and {@code ": "} as separators,
 * non-ASCII escaped as {@code \\uXXXX}), so the same value looks the same whichever client recorded
 * it. Writing stops a little after {@code maxChars} characters, since the caller cuts the text to
 * that length anyway; cycles end at a fixed depth. Stateless and thread-safe.
 */
final class Json {

  private static final int MAX_DEPTH = 8;

  private Json() {}

  /** {@code value} as JSON, at most about {@code maxChars} characters long (callers cut it). */
  static String write(Object value, int maxChars) {
    StringBuilder out = new StringBuilder();
    write(value, out, 0, maxChars);
    return out.toString();
  }

  private static void write(Object value, StringBuilder out, int depth, int maxChars) {
    if (out.length() > maxChars) {
      return;
    }
    if (value instanceof Optional) {
      value = ((Optional<?>) value).orElse(null);
    }
    if (value == null) {
      out.append("null");
    } else if (value instanceof Boolean) {
      out.append(value);
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      out.append(Double.isFinite(d) ? value.toString() : "null");
    } else if (value instanceof Number) {
      out.append(value);
    } else if (value instanceof CharSequence || value instanceof Character) {
      string(value.toString(), out);
    } else if (value instanceof Enum) {
      string(((Enum<?>) value).name(), out);
    } else if (depth >= MAX_DEPTH) {
      string(Values.safeToString(value), out);
    } else if (value instanceof Map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        if (out.length() > maxChars) {
          break;
        }
        if (!first) {
          out.append(", ");
        }
        first = false;
        string(String.valueOf(e.getKey()), out);
        out.append(": ");
        write(e.getValue(), out, depth + 1, maxChars);
      }
      out.append('}');
    } else if (value instanceof Iterable) {
      out.append('[');
      Iterator<?> it = ((Iterable<?>) value).iterator();
      boolean first = true;
      while (it.hasNext() && out.length() <= maxChars) {
        if (!first) {
          out.append(", ");
        }
        first = false;
        write(it.next(), out, depth + 1, maxChars);
      }
      out.append(']');
    } else if (value.getClass().isArray()) {
      out.append('[');
      int n = Array.getLength(value);
      for (int i = 0; i < n && out.length() <= maxChars; i++) {
        if (i > 0) {
          out.append(", ");
        }
        write(Array.get(value, i), out, depth + 1, maxChars);
      }
      out.append(']');
    } else {
      string(Values.safeToString(value), out);
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        case '\b':
          out.append("\\b");
          break;
        case '\f':
          out.append("\\f");
          break;
        default:
          if (c < 0x20 || c > 0x7e) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }
}
