/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.util.Locale;

/** Compression of export requests to the backend: {@code exporters.compression}. */
public enum Compression {
  /** gzip, as every OTLP receiver must accept. */
  GZIP,
  /** Uncompressed bodies. */
  NONE;

  /** The spelling used in traccia.toml and TRACCIA_EXPORTER_COMPRESSION. */
  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Returns {@link #configValue()}. */
  @Override
  public String toString() {
    return configValue();
  }
}
