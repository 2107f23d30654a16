/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import java.util.Objects;

/**
 * One encoded OTLP export request: the protobuf bytes of an {@code Export*ServiceRequest} of its
 * signal, ready to send as they are over OTLP/gRPC or OTLP/HTTP.
 *
 * <p>Immutable by contract: whoever makes one hands the byte array over and must not change it.
 */
public final class ExportRequest {
  private final Signal signal;
  private final byte[] body;
  private final int itemCount;

  private ExportRequest(Signal signal, byte[] body, int itemCount) {
    this.signal = signal;
    this.body = body;
    this.itemCount = itemCount;
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
    return new ExportRequest(signal, body, itemCount);
  }

  public Signal signal() {
    return signal;
  }

  /** The protobuf bytes; callers must not change them. */
  public byte[] body() {
    return body;
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
        + body.length
        + " bytes}";
  }
}
