/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.util.Locale;
import java.util.Set;

/** How spans are sent to the OTLP backend: {@code exporters.protocol}. */
public enum ExporterProtocol {
  /** OTLP over gRPC, usually on port 4317. */
  GRPC("grpc", Set.of("content-type", "te", "user-agent", "host", ":authority")),
  /** OTLP over HTTP with protobuf bodies, usually on port 4318 and path {@code /v1/traces}. */
  HTTP_PROTOBUF(
      "http/protobuf",
      Set.of(
          "content-type",
          "content-encoding",
          "content-length",
          "host",
          "connection",
          "expect",
          "upgrade",
          "te",
          "transfer-encoding",
          "user-agent"));

  private final String configValue;
  private final Set<String> reservedHeaders;

  ExporterProtocol(String configValue, Set<String> reservedHeaders) {
    this.configValue = configValue;
    this.reservedHeaders = reservedHeaders;
  }

  /**
   * Whether a header {@code name} cannot be configured with this protocol: the exporter sets it
   * itself or the transport forbids it (for gRPC also every {@code grpc-*} and binary {@code *-bin}
   * name). The one list used by configuration validation and by the exporters.
   */
  public boolean reservesHeader(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return reservedHeaders.contains(lower)
        || this == GRPC && (lower.startsWith("grpc-") || lower.endsWith("-bin"));
  }

  /** The spelling used in traccia.toml and TRACCIA_EXPORTER_PROTOCOL. */
  public String configValue() {
    return configValue;
  }

  /** Returns {@link #configValue()}. */
  @Override
  public String toString() {
    return configValue;
  }
}
