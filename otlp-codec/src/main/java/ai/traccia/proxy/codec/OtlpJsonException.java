/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

/**
 * A body that is not valid OTLP JSON. The message says what was wrong and where: a line and column
 * for broken JSON, or the path of the offending field, for example {@code
 * resourceSpans[0].scopeSpans[0].spans[2].traceId: "xyz" is not 32 hex characters}.
 *
 * <p>The message is meant to be returned to the client as is (an HTTP 400 body).
 */
public final class OtlpJsonException extends Exception {
  private static final long serialVersionUID = 1L;

  OtlpJsonException(String message) {
    super(message);
  }

  OtlpJsonException(String message, Throwable cause) {
    super(message, cause);
  }
}
