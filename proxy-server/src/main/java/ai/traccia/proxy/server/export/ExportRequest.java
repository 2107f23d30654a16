/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;

/**
 * One encoded OTLP export request: the protobuf bytes of an {@code Export*ServiceRequest} of its
 * signal, ready to send as they are over OTLP/gRPC or OTLP/HTTP.
 *
 * <p>A batch of requests is one request without a copy ({@link #join}): its bytes are the requests'
 * bytes one after another, which protobuf reads as one message whose repeated fields hold all of
 * theirs. The OTLP/gRPC exporter and gzip write the parts as they are ({@link #writeTo}); {@link
 * #body()} joins them into one array only for the writers that need one.
 *
 * <p>Immutable by contract: whoever makes one hands the byte arrays over and must not change them.
 * Thread-safe.
 */
public final class ExportRequest {
  private final Signal signal;
  private final byte[][] parts;
  private final int size;
  private final int itemCount;
  private volatile byte[] joined;

  private ExportRequest(Signal signal, byte[][] parts, int size, int itemCount) {
    this.signal = signal;
    this.parts = parts;
    this.size = size;
    this.itemCount = itemCount;
    this.joined = parts.length == 1 ? parts[0] : null;
  }

  /**
   * Returns a request of {@code signal} whose protobuf encoding is {@code body} and which holds
   * {@code itemCount} spans, metric points or log records. The array is not copied.
   */
  public static ExportRequest of(Signal signal, byte[] body, int itemCount) {
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(body, "body");
    if (itemCount < 0) {
      throw new IllegalArgumentException("itemCount: " + itemCount + " (expected: >= 0)");
    }
    return new ExportRequest(signal, new byte[][] {body}, body.length, itemCount);
  }

  /**
   * The requests of {@code signal} as one request, holding all their items, without copying their
   * bytes: protobuf reads concatenated encodings of a message as one message.
   *
   * @throws IllegalArgumentException when {@code requests} is empty, holds a request of another
   *     signal, or adds up to 2 GiB or more
   */
  public static ExportRequest join(Signal signal, List<ExportRequest> requests) {
    Objects.requireNonNull(signal, "signal");
    if (requests.isEmpty()) {
      throw new IllegalArgumentException("no requests to join");
    }
    if (requests.size() == 1 && requests.get(0).signal == signal) {
      return requests.get(0);
    }
    int count = 0;
    for (ExportRequest r : requests) {
      if (r.signal != signal) {
        throw new IllegalArgumentException(
            "a " + r.signal.label() + " request among " + signal.label() + " requests");
      }
      count += r.parts.length;
    }
    byte[][] parts = new byte[count][];
    long size = 0;
    long items = 0;
    int at = 0;
    for (ExportRequest r : requests) {
      System.arraycopy(r.parts, 0, parts, at, r.parts.length);
      at += r.parts.length;
      size += r.size;
      items += r.itemCount;
    }
    if (size > Integer.MAX_VALUE - 8 || items > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "joined requests of " + size + " bytes and " + items + " items are too large");
    }
    return new ExportRequest(signal, parts, (int) size, (int) items);
  }

  public Signal signal() {
    return signal;
  }

  /**
   * The protobuf bytes, joined into one array on the first call when the request was joined from
   * several (and kept); callers must not change them. {@link #writeTo} writes them without joining.
   */
  public byte[] body() {
    byte[] body = joined;
    if (body == null) {
      body = new byte[size];
      int offset = 0;
      for (byte[] part : parts) {
        System.arraycopy(part, 0, body, offset, part.length);
        offset += part.length;
      }
      joined = body;
    }
    return body;
  }

  /** The length of the protobuf encoding in bytes. */
  public int size() {
    return size;
  }

  /** Writes the protobuf bytes to {@code out}, part by part, and returns how many were written. */
  public int writeTo(OutputStream out) throws IOException {
    byte[] body = joined;
    if (body != null) {
      out.write(body);
    } else {
      for (byte[] part : parts) {
        out.write(part);
      }
    }
    return size;
  }

  /** The number of spans, metric points or log records in the request. */
  public int itemCount() {
    return itemCount;
  }

  @Override
  public String toString() {
    return "ExportRequest{"
        + signal.label()
        + ", "
        + itemCount
        + " "
        + signal.itemName()
        + ", "
        + size
        + " bytes}";
  }
}
