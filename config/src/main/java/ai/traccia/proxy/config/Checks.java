/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The rules of values that both catalogs use. Each returns what would be accepted, or null when the
 * value is fine, as {@link Setting}'s check expects.
 */
final class Checks {

  private Checks() {}

  static String positive(Number n) {
    return n.doubleValue() > 0 ? null : "> 0";
  }

  static String nonNegative(Number n) {
    return n.doubleValue() >= 0 ? null : ">= 0";
  }

  static String fraction(Double d) {
    return d >= 0 && d <= 1 ? null : "a number from 0 to 1";
  }

  static String nonBlank(String s) {
    return s.trim().isEmpty() ? "a non-empty string" : null;
  }

  static String readableFile(Path path) {
    return Files.isRegularFile(path) && Files.isReadable(path)
        ? null
        : "an existing, readable file";
  }

  static String httpUrl(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
      return ValueType.EXPECTED_URL;
    }
    if (uri.getRawUserInfo() != null) {
      return "a URL without user information; put credentials in tracing.api_key or"
          + " exporters.headers";
    }
    if (uri.getHost() == null) {
      String authority = uri.getRawAuthority();
      return authority != null && authority.indexOf('_') >= 0
          ? "a host name without '_' (use '-' or an IP address)"
          : ValueType.EXPECTED_URL;
    }
    return null;
  }

  // The same character sets the exporters accept, so a header they would refuse fails here, at
  // load time, with the key and origin in the message.
  static String headers(Map<String, String> headers) {
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (!e.getKey().matches("[A-Za-z0-9_.-]+")) {
        return "header names of letters, digits, '-', '_' or '.'";
      }
      if (!e.getValue().matches("[\\x20-\\x7E\\t]*")) {
        return "header values of printable ASCII characters, without line breaks";
      }
    }
    return null;
  }

  // The key becomes a header value, so it has the same rule as one (the exporters check it too).
  static String apiKey(String key) {
    return key.matches("[\\x20-\\x7E\\t]*")
        ? null
        : "printable ASCII characters, without line breaks";
  }
}
