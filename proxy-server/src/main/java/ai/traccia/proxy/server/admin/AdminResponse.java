/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.admin;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/** What a handler answers: a status, a content type, extra headers and a body. Immutable. */
public final class AdminResponse {

  /** The content type of plain-text answers. */
  public static final String TEXT = "text/plain; charset=utf-8";

  private final int status;
  private final String contentType;
  private final Map<String, String> headers;
  private final byte[] body;

  private AdminResponse(int status, String contentType, Map<String, String> headers, byte[] body) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 100 to 599)");
    }
    this.status = status;
    this.contentType = Objects.requireNonNull(contentType, "contentType");
    this.headers = Map.copyOf(headers);
    this.body = Objects.requireNonNull(body, "body");
  }

  /** A response whose body is {@code body}; the array is owned by the response from now on. */
  public static AdminResponse of(int status, String contentType, byte[] body) {
    return new AdminResponse(status, contentType, Map.of(), body);
  }

  /**
   * A response with headers of its own besides the content type (a page's {@code
   * Content-Security-Policy}, say), set after the server's defaults so they win.
   */
  public static AdminResponse of(
      int status, String contentType, Map<String, String> headers, byte[] body) {
    return new AdminResponse(status, contentType, headers, body);
  }

  /** A plain-text response. */
  public static AdminResponse text(int status, String body) {
    return new AdminResponse(status, TEXT, Map.of(), body.getBytes(StandardCharsets.UTF_8));
  }

  public int status() {
    return status;
  }

  public String contentType() {
    return contentType;
  }

  /** Headers besides the content type; empty for most answers. */
  public Map<String, String> headers() {
    return headers;
  }

  /** The body; not copied, callers must not change it. */
  byte[] body() {
    return body;
  }
}
