/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A read-only description of one configuration key, for help texts and generated command-line
 * options: its names in every layer, its default and what it does.
 *
 * <p>Values are still read and checked by {@link ConfigLoader}; a program that offers a key as an
 * option hands the text it received to the loader as a flag ({@link
 * ConfigLoader.Builder#setFlags}), so precedence and messages stay the loader's. Immutable.
 */
public final class ConfigKey {

  private final Setting<?> setting;

  private ConfigKey(Setting<?> setting) {
    this.setting = setting;
  }

  /** Every key the proxy reads, in documentation order. */
  public static List<ConfigKey> proxyKeys() {
    return describe(ProxyKeys.CATALOG.reads);
  }

  /** Every key the Java client reads, in documentation order. */
  public static List<ConfigKey> clientKeys() {
    return describe(Catalog.CLIENT.reads);
  }

  private static List<ConfigKey> describe(List<Setting<?>> settings) {
    List<ConfigKey> keys = new ArrayList<>();
    for (Setting<?> s : settings) {
      if (s.target() == s) {
        keys.add(new ConfigKey(s));
      }
    }
    return Collections.unmodifiableList(keys);
  }

  /** The key as written in the file: {@code rate_limiting.max_queue_size}. */
  public String key() {
    return setting.key;
  }

  /**
   * The short flag, with its dashes ({@code --max-queue-size}); empty for keys set only in full
   * ({@code --set pricing.override_json=...}) or not by flags at all.
   */
  public Optional<String> flag() {
    return setting.flag == null ? Optional.empty() : Optional.of("--" + setting.flag);
  }

  /** The environment variables that set it, highest precedence first; may be empty. */
  public List<String> environmentVariables() {
    return setting.env;
  }

  /**
   * The default as the startup log shows it: {@code 50000}, {@code (none)} for keys without one,
   * which the description then explains.
   */
  public String defaultValue() {
    return setting.show(cast(setting.defaultValue));
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object value) {
    return (T) value;
  }

  /** What the key does, in one or two sentences. */
  public String description() {
    return setting.description;
  }

  /** A short name of the value's form for help texts: {@code INT}, {@code BOOL}, {@code URL}. */
  public String valueLabel() {
    return setting.type.label();
  }

  /** Whether the value is a flag that may be given without a value, meaning {@code true}. */
  public boolean isBoolean() {
    return setting.type == ValueType.BOOLEAN;
  }

  /** Whether the running proxy applies a change of this key without a restart. */
  public boolean isLive() {
    return setting.live;
  }

  @Override
  public String toString() {
    return setting.key;
  }
}
