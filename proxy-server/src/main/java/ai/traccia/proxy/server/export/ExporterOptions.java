/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import ai.traccia.proxy.config.ExporterProtocol;
import ai.traccia.proxy.config.Redaction;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The settings the OTLP/gRPC and OTLP/HTTP exporter builders share, with their validation: a bad
 * value fails in its setter, a bad combination in {@link #headers}, so configuration mistakes stop
 * the proxy at startup. Not thread-safe, like the builders that hold it.
 */
final class ExporterOptions {

  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final Pattern HEADER_VALUE = Pattern.compile("[\\x20-\\x7E\\t]*");

  private final Map<String, String> headers = new LinkedHashMap<>();
  private final ExporterProtocol protocol;
  String apiKey;
  boolean gzip;
  Duration timeout = DEFAULT_TIMEOUT;

  /**
   * @param protocol the exporter's protocol, which says which header names it reserves ({@link
   *     ExporterProtocol#reservesHeader})
   */
  ExporterOptions(ExporterProtocol protocol) {
    this.protocol = protocol;
  }

  void addHeader(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (!HEADER_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "header name: \""
              + name
              + "\" (expected: letters, digits, '-', '_' or '.', such as x-api-key)");
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (protocol.reservesHeader(lower)) {
      throw new IllegalArgumentException(
          "header name: \"" + name + "\" (expected: a header the exporter does not set itself)");
    }
    if (!HEADER_VALUE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "header "
              + name
              + ": the value has a line break or a non-ASCII character (expected: printable"
              + " ASCII)");
    }
    headers.put(lower, value);
  }

  void setApiKey(String apiKey) {
    Objects.requireNonNull(apiKey, "apiKey");
    if (apiKey.isBlank() || !HEADER_VALUE.matcher(apiKey).matches()) {
      // The key itself is a secret and stays out of the message.
      throw new IllegalArgumentException(
          "apiKey: "
              + (apiKey.isBlank() ? "empty" : "has a line break or a non-ASCII character")
              + " (expected: the key the backend issued, printable ASCII)");
    }
    this.apiKey = apiKey;
  }

  void setCompression(String compression) {
    Objects.requireNonNull(compression, "compression");
    switch (compression) {
      case "gzip":
        gzip = true;
        break;
      case "none":
        gzip = false;
        break;
      default:
        throw new IllegalArgumentException(
            "compression: \"" + compression + "\" (expected: gzip or none)");
    }
  }

  void setTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout.toMillis() + " ms (expected: > 0)");
    }
    this.timeout = timeout;
  }

  /** The headers to send, lower-case names, with {@code authorization} for the api key. */
  Map<String, String> headers() {
    Map<String, String> all = new LinkedHashMap<>(headers);
    if (apiKey != null) {
      if (all.containsKey("authorization")) {
        throw new IllegalArgumentException(
            "apiKey: set together with an authorization header (expected: one of them; the api"
                + " key is sent as authorization: Bearer <apiKey>)");
      }
      all.put("authorization", "Bearer " + apiKey);
    }
    return Collections.unmodifiableMap(all);
  }

  /** Fails unless {@code endpoint} is an absolute http:// or https:// URL with a host. */
  static URI checkEndpoint(String what, URI endpoint) {
    Objects.requireNonNull(endpoint, what);
    String scheme = endpoint.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || endpoint.getHost() == null) {
      throw new IllegalArgumentException(
          what
              + ": "
              + Redaction.url(endpoint)
              + " (expected: an http:// or https:// URL with a host, such as"
              + " https://collector.example.com:4318)");
    }
    return endpoint;
  }

  static boolean isTls(URI endpoint) {
    return endpoint.getScheme().equalsIgnoreCase("https");
  }

  /** {@code User-Agent} of every export: the proxy's name and, in a release jar, its version. */
  static String userAgent() {
    String version = ExporterOptions.class.getPackage().getImplementationVersion();
    return version == null ? "traccia-proxy" : "traccia-proxy/" + version;
  }
}
