/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * How one kind of value is read from TOML and from text (environment variables and flags), and how
 * it is shown in messages.
 *
 * <p>Reading only converts: range and cross-field rules live in {@link Setting}'s check and in the
 * builders of the configurations. Instances are stateless and thread-safe.
 */
abstract class ValueType<T> {

  static final String REDACTED = Redaction.MASK;
  private static final int MAX_SHOWN = 80;
  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");

  /** Where relative and {@code ~} paths are resolved. */
  static final class Context {
    final Path home;
    final Path workingDirectory;

    Context(Path home, Path workingDirectory) {
      this.home = home;
      this.workingDirectory = workingDirectory;
    }
  }

  /** One reason a raw value could not be read; {@code subPath} names a nested part, if any. */
  static final class Issue {
    final List<String> subPath;
    final String shown; // null: show the whole raw value
    final String expected;

    Issue(List<String> subPath, String shown, String expected) {
      this.subPath = subPath;
      this.shown = shown;
      this.expected = expected;
    }
  }

  /** The raw value could not be read; carries every issue found in it. */
  static final class InvalidValue extends Exception {
    private static final long serialVersionUID = 1L;
    final transient List<Issue> issues;

    InvalidValue(List<Issue> issues) {
      super(issues.get(0).expected, null, false, false);
      this.issues = issues;
    }

    static InvalidValue expected(String expected) {
      return new InvalidValue(
          Collections.singletonList(new Issue(Collections.emptyList(), null, expected)));
    }
  }

  /** Converts a value parsed by tomlj ({@code Long}, {@code Double}, {@code String}, tables...). */
  abstract T fromToml(Object raw, Context context) throws InvalidValue;

  /** Converts the text of an environment variable or flag. */
  abstract T fromText(String raw, Context context) throws InvalidValue;

  /** A short name of the form values take, for help texts. */
  String label() {
    if (this == INT || this == LONG) {
      return "INT";
    }
    if (this == DOUBLE) {
      return "NUMBER";
    }
    if (this == BOOLEAN) {
      return "BOOL";
    }
    if (this == URL) {
      return "URL";
    }
    if (this == PATH) {
      return "PATH";
    }
    if (this == HEADERS) {
      return "K=V,...";
    }
    if (this == SECRET_LIST) {
      return "A,B,...";
    }
    return "TEXT";
  }

  /** Shows a converted, non-null value in messages and {@code describe()}; never a secret. */
  String show(T value) {
    return String.valueOf(value);
  }

  /** Shows a raw value as the user wrote it: TOML strings quoted, text as is. */
  String showRaw(Object raw, boolean fromToml) {
    return showPlain(raw, fromToml);
  }

  static String showPlain(Object raw, boolean fromToml) {
    if (raw instanceof String) {
      String s = (String) raw;
      if (fromToml || s.isEmpty()) {
        return quote(truncate(s));
      }
      return truncate(s);
    }
    if (raw instanceof TomlTable || raw instanceof Map) {
      return "(table)";
    }
    if (raw instanceof TomlArray || raw instanceof List) {
      return "(array)";
    }
    if (raw instanceof BigDecimal) {
      return ((BigDecimal) raw).toPlainString();
    }
    return truncate(String.valueOf(raw));
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  static String truncate(String s) {
    return s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "...";
  }

  // ---------------------------------------------------------------------------------------------
  // Scalars

  static final ValueType<Integer> INT =
      new ValueType<Integer>() {
        @Override
        Integer fromToml(Object raw, Context context) throws InvalidValue {
          if (!(raw instanceof Long)) {
            throw InvalidValue.expected("an integer");
          }
          return narrow((Long) raw);
        }

        @Override
        Integer fromText(String raw, Context context) throws InvalidValue {
          return narrow(LONG.fromText(raw, context));
        }

        private Integer narrow(long value) throws InvalidValue {
          if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw InvalidValue.expected("an integer from -2147483648 to 2147483647");
          }
          return (int) value;
        }
      };

  static final ValueType<Long> LONG =
      new ValueType<Long>() {
        @Override
        Long fromToml(Object raw, Context context) throws InvalidValue {
          if (!(raw instanceof Long)) {
            throw InvalidValue.expected("an integer");
          }
          return (Long) raw;
        }

        @Override
        Long fromText(String raw, Context context) throws InvalidValue {
          String s = raw.trim();
          if (!INTEGER.matcher(s).matches()) {
            throw InvalidValue.expected("an integer");
          }
          try {
            return Long.parseLong(s);
          } catch (NumberFormatException e) {
            throw InvalidValue.expected("an integer");
          }
        }
      };

  static final ValueType<Double> DOUBLE =
      new ValueType<Double>() {
        @Override
        Double fromToml(Object raw, Context context) throws InvalidValue {
          if (raw instanceof Long) {
            return ((Long) raw).doubleValue();
          }
          if (raw instanceof Double && Double.isFinite((Double) raw)) {
            return (Double) raw;
          }
          throw InvalidValue.expected("a number");
        }

        @Override
        Double fromText(String raw, Context context) throws InvalidValue {
          String s = raw.trim();
          if (!DECIMAL.matcher(s).matches()) {
            throw InvalidValue.expected("a number");
          }
          double d = Double.parseDouble(s);
          if (!Double.isFinite(d)) {
            throw InvalidValue.expected("a number");
          }
          return d;
        }
      };

  static final ValueType<Boolean> BOOLEAN =
      new ValueType<Boolean>() {
        @Override
        Boolean fromToml(Object raw, Context context) throws InvalidValue {
          if (!(raw instanceof Boolean)) {
            throw InvalidValue.expected("true or false");
          }
          return (Boolean) raw;
        }

        // Stricter than the Python SDK, which reads every unknown word as false: a typo such as
        // "ture" should not silently switch a feature off.
        @Override
        Boolean fromText(String raw, Context context) throws InvalidValue {
          String s = raw.trim().toLowerCase(Locale.ROOT);
          if (s.equals("true") || s.equals("1") || s.equals("yes")) {
            return Boolean.TRUE;
          }
          if (s.equals("false") || s.equals("0") || s.equals("no")) {
            return Boolean.FALSE;
          }
          throw InvalidValue.expected("true, false, 1, 0, yes or no");
        }
      };

  static final ValueType<String> STRING =
      new ValueType<String>() {
        @Override
        String fromToml(Object raw, Context context) throws InvalidValue {
          if (!(raw instanceof String)) {
            throw InvalidValue.expected("a string");
          }
          return (String) raw;
        }

        @Override
        String fromText(String raw, Context context) {
          return raw;
        }
      };

  /**
   * A list of secret strings (bearer tokens): a TOML array of strings, or comma-separated text.
   * Shown as one {@code ****} per entry, so the count is visible and the values never are.
   */
  static final ValueType<List<String>> SECRET_LIST =
      new ValueType<List<String>>() {
        @Override
        List<String> fromToml(Object raw, Context context) throws InvalidValue {
          if (raw instanceof String) {
            return fromText((String) raw, context);
          }
          if (!(raw instanceof TomlArray)) {
            throw InvalidValue.expected("an array of strings");
          }
          TomlArray array = (TomlArray) raw;
          List<String> values = new ArrayList<>();
          List<Issue> issues = new ArrayList<>();
          for (int i = 0; i < array.size(); i++) {
            Object value = array.get(i);
            if (value instanceof String) {
              values.add((String) value);
            } else {
              issues.add(
                  new Issue(Collections.singletonList(Integer.toString(i)), null, "a string"));
            }
          }
          if (!issues.isEmpty()) {
            throw new InvalidValue(issues);
          }
          return Collections.unmodifiableList(values);
        }

        @Override
        List<String> fromText(String raw, Context context) {
          List<String> values = new ArrayList<>();
          for (String entry : raw.split(",", -1)) {
            if (!entry.trim().isEmpty()) {
              values.add(entry.trim());
            }
          }
          return Collections.unmodifiableList(values);
        }

        @Override
        String show(List<String> value) {
          return value.isEmpty()
              ? "(none)"
              : Collections.nCopies(value.size(), REDACTED).toString();
        }

        @Override
        String showRaw(Object raw, boolean fromToml) {
          return REDACTED;
        }
      };

  static final ValueType<URI> URL =
      new ValueType<URI>() {
        @Override
        URI fromToml(Object raw, Context context) throws InvalidValue {
          return fromText(STRING.fromToml(raw, context), context);
        }

        @Override
        URI fromText(String raw, Context context) throws InvalidValue {
          try {
            return new URI(raw.trim());
          } catch (URISyntaxException e) {
            throw InvalidValue.expected(EXPECTED_URL);
          }
        }

        @Override
        String show(URI value) {
          return showUri(value.toString());
        }

        @Override
        String showRaw(Object raw, boolean fromToml) {
          return raw instanceof String
              ? showPlain(showUri((String) raw), fromToml)
              : showPlain(raw, fromToml);
        }
      };

  static final String EXPECTED_URL = "an http or https URL with a host";

  // A URL may carry credentials in its user information or query; neither is ever shown.
  static String showUri(String uri) {
    return Redaction.url(uri);
  }

  static final ValueType<Path> PATH =
      new ValueType<Path>() {
        @Override
        Path fromToml(Object raw, Context context) throws InvalidValue {
          return fromText(STRING.fromToml(raw, context), context);
        }

        @Override
        Path fromText(String raw, Context context) throws InvalidValue {
          String s = raw.trim();
          if (s.isEmpty()) {
            throw InvalidValue.expected("a file path");
          }
          try {
            Path path;
            if (s.equals("~")) {
              path = context.home;
            } else if (s.startsWith("~/") || s.startsWith("~\\")) {
              path = context.home.resolve(s.substring(2));
            } else {
              path = Path.of(s);
            }
            if (!path.isAbsolute()) {
              path = context.workingDirectory.resolve(path);
            }
            return path.normalize();
          } catch (InvalidPathException e) {
            throw InvalidValue.expected("a file path");
          }
        }
      };

  /** One of a fixed set of words, case-insensitive. */
  static <E> ValueType<E> choice(Map<String, E> words) {
    String expected = "one of " + String.join(", ", words.keySet());
    return new ValueType<E>() {
      @Override
      E fromToml(Object raw, Context context) throws InvalidValue {
        if (!(raw instanceof String)) {
          throw InvalidValue.expected(expected);
        }
        return fromText((String) raw, context);
      }

      @Override
      E fromText(String raw, Context context) throws InvalidValue {
        E value = words.get(raw.trim().toLowerCase(Locale.ROOT));
        if (value == null) {
          throw InvalidValue.expected(expected);
        }
        return value;
      }

      @Override
      String label() {
        return String.join("|", words.keySet());
      }

      @Override
      String show(E value) {
        for (Map.Entry<String, E> e : words.entrySet()) {
          if (e.getValue().equals(value)) {
            return e.getKey();
          }
        }
        return String.valueOf(value);
      }
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Headers: values are secrets (they usually carry tokens), names are not.

  static final ValueType<Map<String, String>> HEADERS =
      new ValueType<Map<String, String>>() {
        @Override
        Map<String, String> fromToml(Object raw, Context context) throws InvalidValue {
          if (!(raw instanceof TomlTable)) {
            throw InvalidValue.expected("a table of header names to values");
          }
          TomlTable table = (TomlTable) raw;
          Map<String, String> headers = new LinkedHashMap<>();
          List<Issue> issues = new ArrayList<>();
          for (String name : table.keySet()) {
            Object value = table.get(Collections.singletonList(name));
            if (value instanceof String) {
              headers.put(name, (String) value);
            } else {
              issues.add(
                  new Issue(Collections.singletonList(name), showPlain(value, true), "a string"));
            }
          }
          if (!issues.isEmpty()) {
            throw new InvalidValue(issues);
          }
          return headers;
        }

        @Override
        Map<String, String> fromText(String raw, Context context) throws InvalidValue {
          Map<String, String> headers = new LinkedHashMap<>();
          for (String entry : raw.split(",", -1)) {
            if (entry.trim().isEmpty()) {
              continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
              throw InvalidValue.expected(EXPECTED_HEADER_TEXT);
            }
            String name = entry.substring(0, eq).trim();
            String value = percentDecode(entry.substring(eq + 1).trim());
            if (name.isEmpty() || value == null) {
              throw InvalidValue.expected(EXPECTED_HEADER_TEXT);
            }
            headers.put(name, value);
          }
          return headers;
        }

        @Override
        String show(Map<String, String> value) {
          StringJoiner joiner = new StringJoiner(", ", "{", "}");
          for (String name : value.keySet()) {
            joiner.add(name + "=" + REDACTED);
          }
          return joiner.toString();
        }

        @Override
        String showRaw(Object raw, boolean fromToml) {
          if (raw instanceof TomlTable) {
            StringJoiner joiner = new StringJoiner(", ", "{", "}");
            for (String name : ((TomlTable) raw).keySet()) {
              joiner.add(name + "=" + REDACTED);
            }
            return joiner.toString();
          }
          if (raw instanceof String) {
            StringJoiner joiner = new StringJoiner(",");
            for (String entry : ((String) raw).split(",", -1)) {
              int eq = entry.indexOf('=');
              joiner.add(eq < 0 ? REDACTED : entry.substring(0, eq) + "=" + REDACTED);
            }
            return joiner.toString();
          }
          return showPlain(raw, fromToml);
        }
      };

  static final String EXPECTED_HEADER_TEXT =
      "name=value pairs separated by commas, values percent-encoded";

  /**
   * Decodes %XX escapes (UTF-8); a '+' stays a '+', so base64 tokens survive. Null if malformed.
   */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
          bytes = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        out.write(bytes, 0, bytes.length);
      }
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }
}
