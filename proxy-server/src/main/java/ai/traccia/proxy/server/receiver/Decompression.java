/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * Inflates request bodies with a limit on the inflated size, so a small, highly compressed body (a
 * "gzip bomb") is refused after {@code limit} bytes instead of being inflated in full.
 */
final class Decompression {

  /** The inflated body would exceed the limit. */
  static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(String message) {
      super(message);
    }
  }

  private Decompression() {}

  /**
   * Inflates {@code in} according to {@code contentEncoding} ({@code gzip}, {@code deflate}, or
   * {@code identity} / absent).
   *
   * @throws TooLargeException when the result would be larger than {@code limit} bytes
   * @throws IOException when the body is not valid for its encoding
   */
  static byte[] inflate(InputStream in, String contentEncoding, long limit) throws IOException {
    InputStream inflating;
    try {
      if ("gzip".equals(contentEncoding) || "x-gzip".equals(contentEncoding)) {
        inflating = new GZIPInputStream(in, 8192);
      } else {
        inflating = new InflaterInputStream(in);
      }
    } catch (ZipException e) {
      throw new IOException("the body is not valid " + contentEncoding + ": " + e.getMessage(), e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    byte[] buffer = new byte[8192];
    long total = 0;
    try (InputStream source = inflating) {
      int n;
      while ((n = source.read(buffer)) != -1) {
        total += n;
        if (total > limit) {
          throw new TooLargeException(
              "the request body inflates to more than the limit of " + limit + " bytes");
        }
        out.write(buffer, 0, n);
      }
    } catch (ZipException | java.io.EOFException e) {
      throw new IOException("the body is not valid " + contentEncoding + ": " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /** Whether {@code contentEncoding} is one this receiver inflates. */
  static boolean isSupported(String contentEncoding) {
    return contentEncoding == null
        || contentEncoding.isEmpty()
        || "identity".equals(contentEncoding)
        || "gzip".equals(contentEncoding)
        || "x-gzip".equals(contentEncoding)
        || "deflate".equals(contentEncoding);
  }

  /** Whether the body must be inflated. */
  static boolean isCompressed(String contentEncoding) {
    return contentEncoding != null
        && !contentEncoding.isEmpty()
        && !"identity".equals(contentEncoding);
  }
}
