/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import java.util.List;

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
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
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
          if (c < ' ' || c > '~') {
            // Non-ASCII as UTF-16 units, which is also how Python escapes astral characters.
            out.append("\\u")
                .append(HEX[(c >> 12) & 0xf])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }

  /** Appends an array of strings. */
  static void strings(StringBuilder out, List<String> values) {
    out.append('[');
    for (int k = 0; k < values.size(); k++) {
      if (k > 0) {
        out.append(", ");
      }
      string(out, values.get(k));
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
