/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.queue.MemoryBudget;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * Inflates request bodies with a limit on the inflated size, so a small, highly compressed body (a
 * "gzip bomb") is refused after {@code limit} bytes instead of being inflated in full, and with the
 * inflated bytes taken from the memory budget as they grow, so that concurrent bombs stop at the
 * budget instead of each inflating up to the limit.
 */
final class Decompression {

  /** The inflated body would exceed the limit. */
  static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(String message) {
      super(message);
    }
  }

  /** The memory budget has no room for the inflated body; retryable. */
  static final class OverBudgetException extends IOException {
    private static final long serialVersionUID = 1L;

    OverBudgetException() {
      super("the memory budget has no room for the inflated body");
    }
  }

  /** The first buffer's size; it doubles from there, so small bodies stay cheap. */
  private static final int INITIAL_CAPACITY = 16 * 1024;

  /**
   * Bytes counted per byte of buffer: the buffer, and the copy that trims it or the previous buffer
   * while it grows, and then the decoded form.
   */
  private static final long MEMORY_FACTOR = 2;

  private Decompression() {}

  /**
   * Inflates {@code in} according to {@code contentEncoding} ({@code gzip}, {@code deflate}, or
   * {@code identity} / absent), growing {@code reservation} with the inflated bytes.
   *
   * @throws TooLargeException when the result would be larger than {@code limit} bytes
   * @throws OverBudgetException when {@code reservation} cannot grow enough
   * @throws IOException when the body is not valid for its encoding
   */
  static byte[] inflate(
      InputStream in, String contentEncoding, long limit, MemoryBudget.Reservation reservation)
      throws IOException {
    InputStream inflating;
    try {
      if ("gzip".equals(contentEncoding) || "x-gzip".equals(contentEncoding)) {
        inflating = new GZIPInputStream(in, 8192);
      } else {
        inflating = new InflaterInputStream(in);
      }
    } catch (ZipException | java.io.EOFException e) {
      throw new IOException("the body is not valid " + contentEncoding + ": " + e.getMessage(), e);
    }
    try (InputStream source = inflating) {
      return readCharged(source, limit, reservation);
    } catch (ZipException | java.io.EOFException e) {
      throw new IOException("the body is not valid " + contentEncoding + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads {@code source} to its end into one array, growing {@code reservation} (when not null)
   * before each buffer is allocated, on top of what it held on entry.
   *
   * @throws TooLargeException when there are more than {@code limit} bytes
   * @throws OverBudgetException when {@code reservation} cannot grow enough
   */
  static byte[] readCharged(InputStream source, long limit, MemoryBudget.Reservation reservation)
      throws IOException {
    long base = reservation == null ? 0 : reservation.held();
    int max = (int) Math.min(limit, Integer.MAX_VALUE - 8);
    byte[] buffer = new byte[0];
    int length = 0;
    while (true) {
      if (length == buffer.length) {
        if (length == max) {
          if (source.read() == -1) {
            return buffer;
          }
          throw new TooLargeException(
              "the request body inflates to more than the limit of " + limit + " bytes");
        }
        int capacity = (int) Math.min(max, Math.max(INITIAL_CAPACITY, 2L * buffer.length));
        if (reservation != null && !reservation.tryGrowTo(base + MEMORY_FACTOR * capacity)) {
          throw new OverBudgetException();
        }
        buffer = Arrays.copyOf(buffer, capacity);
      }
      int n = source.read(buffer, length, buffer.length - length);
      if (n == -1) {
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
      }
      length += n;
    }
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
