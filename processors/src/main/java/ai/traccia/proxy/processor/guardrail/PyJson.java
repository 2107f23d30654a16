/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import java.util.Collection;

/**
 * Writes JSON the way Python's {@code json.dumps} does by default: separators {@code ", "} and
 * {@code ": "}, and every character outside printable ASCII escaped ({@code ensure_ascii}), so the
 * attributes this package writes are byte for byte those of the Traccia SDK. Stateless.
 */
final class PyJson {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private PyJson() {}

  /** Appends {@code s} as a JSON string, or {@code null}. */
  static void string(StringBuilder out, String s) {
    if (s == null) {
      out.append("null");
      return;
    }
    out.append('"');
    // Runs of characters written as they are go in with one append each, not one per character.
    int run = 0;
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c >= ' ' && c <= '~' && c != '"' && c != '\\') {
        continue;
      }
      out.append(s, run, k);
      escape(out, c);
      run = k + 1;
    }
    out.append(s, run, s.length());
    out.append('"');
  }

  /** {@code s} as a JSON string, or {@code null}; for constants written many times. */
  static String quoted(String s) {
    StringBuilder out = new StringBuilder(s == null ? 4 : s.length() + 2);
    string(out, s);
    return out.toString();
  }

  private static void escape(StringBuilder out, char c) {
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
        // Non-ASCII as UTF-16 units, which is also how Python escapes astral characters.
        out.append("\\u")
            .append(HEX[(c >> 12) & 0xf])
            .append(HEX[(c >> 8) & 0xf])
            .append(HEX[(c >> 4) & 0xf])
            .append(HEX[c & 0xf]);
    }
  }

  /** Appends an array of strings, in the collection's order. */
  static void strings(StringBuilder out, Collection<String> values) {
    out.append('[');
    boolean first = true;
    for (String value : values) {
      if (!first) {
        out.append(", ");
      }
      first = false;
      string(out, value);
    }
    out.append(']');
  }

  /** Appends {@code "key": } (with the separator that precedes it unless it is the first key). */
  static void key(StringBuilder out, String key, boolean first) {
    if (!first) {
      out.append(", ");
    }
    string(out, key);
    out.append(": ");
  }
}
