/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import com.google.protobuf.ByteString;
import java.util.HexFormat;

/**
 * Trace and span ids as OTLP JSON, the W3C trace context and the Collector's Kafka keys write them:
 * lowercase hex, two characters a byte. Stateless and thread-safe.
 */
public final class OtlpIds {

  private static final HexFormat HEX = HexFormat.of();

  private OtlpIds() {}

  /** {@code id} as lowercase hex; empty for an empty id. */
  public static String hex(ByteString id) {
    return HEX.formatHex(id.toByteArray());
  }
}
