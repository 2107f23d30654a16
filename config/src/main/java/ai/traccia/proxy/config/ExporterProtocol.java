/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

/** How spans are sent to the OTLP backend: {@code exporters.protocol}. */
public enum ExporterProtocol {
  /** OTLP over gRPC, usually on port 4317. */
  GRPC("grpc"),
  /** OTLP over HTTP with protobuf bodies, usually on port 4318 and path {@code /v1/traces}. */
  HTTP_PROTOBUF("http/protobuf");

  private final String configValue;

  ExporterProtocol(String configValue) {
    this.configValue = configValue;
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
