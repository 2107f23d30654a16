/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The result of {@link ConfigLoader#loadWithReport()}: the configuration plus what a user needs to
 * understand it (the file read, the environment variables used, warnings, every value's origin).
 * Immutable.
 */
public final class LoadedConfig {

  private final ProxyConfig config;
  private final List<ConfigWarning> warnings;
  private final Path sourceFile;
  private final String sourceName;
  private final List<String> environmentVariablesUsed;

  LoadedConfig(
      ProxyConfig config,
      List<ConfigWarning> warnings,
      Path sourceFile,
      String sourceName,
      List<String> environmentVariablesUsed) {
    this.config = config;
    this.warnings = Collections.unmodifiableList(new ArrayList<>(warnings));
    this.sourceFile = sourceFile;
    this.sourceName = sourceName;
    this.environmentVariablesUsed =
        Collections.unmodifiableList(new ArrayList<>(environmentVariablesUsed));
  }

  /** The validated configuration. */
  public ProxyConfig config() {
    return config;
  }

  /** Things that work but deserve a look (deprecated names, ignored application-only keys). */
  public List<ConfigWarning> warnings() {
    return warnings;
  }

  /** The config file that was read, absolute; empty if none was found. */
  public Optional<Path> sourceFile() {
    return Optional.ofNullable(sourceFile);
  }

  /**
   * The config file as origins name it: the {@code --config} path as given, {@code traccia.toml} or
   * {@code ~/.traccia/config.toml}; empty if none was read.
   */
  public Optional<String> sourceName() {
    return Optional.ofNullable(sourceName);
  }

  /** The environment variables whose values were applied (names only, never values). */
  public List<String> environmentVariablesUsed() {
    return environmentVariablesUsed;
  }

  /** Every key ({@code section.key}, documentation order) with the origin of its value. */
  public Map<String, String> origins() {
    Map<String, String> origins = new LinkedHashMap<>();
    for (Setting<?> s : ProxyKeys.ALL) {
      if (s.target() == s) {
        origins.put(s.key, config.origin(s.key));
      }
    }
    return Collections.unmodifiableMap(origins);
  }
}
