/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader for the pricing override, so that this module needs no JSON library.
 *
 * <p>Objects become {@link LinkedHashMap}s (key order kept), arrays {@link ArrayList}s, numbers
 * {@link BigDecimal}s (exact, as prices should be), strings, booleans and {@link #NULL}. Duplicate
 * keys, trailing commas, comments and trailing content are errors. Not thread-safe; one instance
 * reads one document.
 */
final class Json {

  /** JSON {@code null}. */
  static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  /** A syntax error, with the 1-based column where it was found. */
  static final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;

    JsonException(String message, int column) {
      super(message + " at column " + column);
    }
  }

  private final String text;
  private int pos;

  private Json(String text) {
    this.text = text;
  }

  /** Reads one JSON document. */
  static Object parse(String text) throws JsonException {
    Json json = new Json(text);
    json.skipSpace();
    Object value = json.value(0);
    json.skipSpace();
    if (json.pos < text.length()) {
      throw json.error("unexpected " + json.describe(json.pos) + " after the end of the value");
    }
    return value;
  }

  private Object value(int depth) throws JsonException {
    if (depth > 64) {
      throw error("nesting deeper than 64 levels");
    }
    if (pos >= text.length()) {
      throw error("unexpected end of input, expected a value");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", NULL);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected " + describe(pos) + ", expected a value");
    }
  }

  private Map<String, Object> object(int depth) throws JsonException {
    Map<String, Object> map = new LinkedHashMap<>();
    pos++; // '{'
    skipSpace();
    if (peek() == '}') {
      pos++;
      return map;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw error("unexpected " + describe(pos) + ", expected a quoted key");
      }
      int keyStart = pos;
      String key = string();
      if (map.containsKey(key)) {
        pos = keyStart;
        throw error("duplicate key \"" + key + "\"");
      }
      skipSpace();
      expect(':');
      skipSpace();
      map.put(key, value(depth + 1));
      skipSpace();
      char c = peek();
      if (c == ',') {
        pos++;
      } else if (c == '}') {
        pos++;
        return map;
      } else {
        throw error("unexpected " + describe(pos) + ", expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) throws JsonException {
    List<Object> list = new ArrayList<>();
    pos++; // '['
    skipSpace();
    if (peek() == ']') {
      pos++;
      return list;
    }
    while (true) {
      skipSpace();
      list.add(value(depth + 1));
      skipSpace();
      char c = peek();
      if (c == ',') {
        pos++;
      } else if (c == ']') {
        pos++;
        return list;
      } else {
        throw error("unexpected " + describe(pos) + ", expected ',' or ']'");
      }
    }
  }

  private String string() throws JsonException {
    pos++; // opening quote
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        pos--;
        throw error("control character in a string");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case '"':
        case '\\':
        case '/':
          sb.append(e);
          break;
        case 'b':
          sb.append('\b');
          break;
        case 'f':
          sb.append('\f');
          break;
        case 'n':
          sb.append('\n');
          break;
        case 'r':
          sb.append('\r');
          break;
        case 't':
          sb.append('\t');
          break;
        case 'u':
          if (pos + 4 > text.length()) {
            throw error("incomplete \\u escape");
          }
          try {
            sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          } catch (NumberFormatException ex) {
            throw error("invalid \\u escape");
          }
          pos += 4;
          break;
        default:
          pos -= 2;
          throw error("invalid escape \\" + e);
      }
    }
  }

  private BigDecimal number() throws JsonException {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      digits();
    } else {
      throw error("unexpected " + describe(pos) + ", expected a digit");
    }
    if (peek() == '.') {
      pos++;
      if (!isDigit(peek())) {
        throw error("unexpected " + describe(pos) + ", expected a digit after '.'");
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw error("unexpected " + describe(pos) + ", expected a digit in the exponent");
      }
      digits();
    }
    try {
      return new BigDecimal(text.substring(start, pos));
    } catch (NumberFormatException | ArithmeticException e) {
      pos = start;
      throw error("number out of range");
    }
  }

  private void digits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private Object literal(String word, Object value) throws JsonException {
    if (!text.startsWith(word, pos)) {
      throw error("unexpected " + describe(pos) + ", expected a value");
    }
    pos += word.length();
    return value;
  }

  private void expect(char c) throws JsonException {
    if (peek() != c) {
      throw error("unexpected " + describe(pos) + ", expected '" + c + "'");
    }
    pos++;
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void skipSpace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private String describe(int at) {
    return at >= text.length() ? "end of input" : "'" + text.charAt(at) + "'";
  }

  private JsonException error(String message) {
    return new JsonException(message, pos + 1);
  }
}
