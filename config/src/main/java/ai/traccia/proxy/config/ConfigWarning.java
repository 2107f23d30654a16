/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.util.Objects;

/**
 * Something in the configuration that works but deserves a look, such as a deprecated environment
 * variable or an application-only setting the proxy ignores.
 *
 * <p>The loader never prints warnings itself; it returns them in {@link LoadedConfig#warnings()} so
 * the caller can log them or show them in {@code doctor}. Messages never contain secrets. Instances
 * are immutable.
 */
public final class ConfigWarning {

  private final String key;
  private final String message;

  ConfigWarning(String key, String message) {
    this.key = Objects.requireNonNull(key, "key");
    this.message = Objects.requireNonNull(message, "message");
  }

  /** The setting concerned ({@code section.key}), or the environment variable's name. */
  public String key() {
    return key;
  }

  /** The complete, user-facing sentence, ending with where the value came from. */
  public String message() {
    return message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigWarning && ((ConfigWarning) o).message.equals(message);
  }

  @Override
  public int hashCode() {
    return message.hashCode();
  }

  /** Returns {@link #message()}. */
  @Override
  public String toString() {
    return message;
  }
}
