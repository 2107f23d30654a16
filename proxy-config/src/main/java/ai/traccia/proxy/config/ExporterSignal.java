/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

/** The OTLP signals an exporter can take, as they are spelled in its {@code signals} key. */
public enum ExporterSignal {
  TRACES("traces"),
  METRICS("metrics"),
  LOGS("logs");

  private final String configValue;

  ExporterSignal(String configValue) {
    this.configValue = configValue;
  }

  /** The spelling in traccia.toml: {@code traces}, {@code metrics} or {@code logs}. */
  public String configValue() {
    return configValue;
  }

  /** Returns {@link #configValue()}. */
  @Override
  public String toString() {
    return configValue;
  }
}
