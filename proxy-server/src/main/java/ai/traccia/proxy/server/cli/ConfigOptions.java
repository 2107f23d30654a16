/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import ai.traccia.proxy.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine.Option;

/**
 * The options every command shares, as a picocli mixin: {@code --config PATH} and {@code --set
 * KEY=VALUE}, plus what the loader reads from the process (environment, working and home
 * directories), which tests replace.
 *
 * <p>Include it with {@code @Mixin ConfigOptions configOptions = new ConfigOptions();} so that a
 * test can configure the instance before picocli parses the arguments. Not thread-safe; one
 * instance belongs to one command invocation.
 */
public final class ConfigOptions {

  @Option(
      names = "--config",
      paramLabel = "PATH",
      description =
          "Config file to read; it must exist. Default: ./traccia.toml, else"
              + " ~/.traccia/config.toml, else none.")
  private Path configFile;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Sets any configuration key, as a flag would, such as"
              + " --set rate_limiting.max_queue_size=1000. Repeatable.")
  private Map<String, String> settings = new LinkedHashMap<>();

  /** Values of the per-key options ({@link KeyOptions}), by flag name without dashes. */
  private Map<String, String> keyFlags = new LinkedHashMap<>();

  private Map<String, String> environment = System.getenv();
  private Path workingDirectory = Path.of(System.getProperty("user.dir"));
  private Path homeDirectory = Path.of(System.getProperty("user.home", "."));

  /** Creates options that read the real environment and directories. */
  public ConfigOptions() {}

  /** The {@code --config} path as given, or null. */
  public Path configFile() {
    return configFile;
  }

  /**
   * The {@code --set} values, keyed by the key as written, then the per-key options ({@code
   * --max-queue-size 1000}), keyed by the flag without dashes.
   */
  public Map<String, String> flags() {
    Map<String, String> flags = new LinkedHashMap<>(settings);
    flags.putAll(keyFlags);
    return Collections.unmodifiableMap(flags);
  }

  /** Records the value of a per-key option; called by picocli through {@link KeyOptions}. */
  void putKeyFlag(String flag, String value) {
    keyFlags.put(flag, value);
  }

  /** The environment the loader reads; the process environment unless replaced. */
  public Map<String, String> environment() {
    return environment;
  }

  /** The directory {@code ./traccia.toml} and relative paths are resolved against. */
  public Path workingDirectory() {
    return workingDirectory;
  }

  /** Replaces the environment (for tests). */
  public ConfigOptions setEnvironment(Map<String, String> environment) {
    this.environment = Objects.requireNonNull(environment, "environment");
    return this;
  }

  /** Replaces the working directory (for tests). */
  public ConfigOptions setWorkingDirectory(Path workingDirectory) {
    this.workingDirectory = Objects.requireNonNull(workingDirectory, "workingDirectory");
    return this;
  }

  /** Replaces the home directory (for tests). */
  public ConfigOptions setHomeDirectory(Path homeDirectory) {
    this.homeDirectory = Objects.requireNonNull(homeDirectory, "homeDirectory");
    return this;
  }

  /**
   * A loader builder (its {@code load} reads the proxy's keys) with this invocation's config file,
   * {@code --set} values as flags, environment and directories. Callers may add their own flags
   * with {@link ConfigLoader.Builder#setFlags}, starting from {@link #flags()}.
   */
  public ConfigLoader.Builder loaderBuilder() {
    return ConfigLoader.builder()
        .setConfigFile(configFile)
        .setEnvironment(environment)
        .setFlags(flags())
        .setWorkingDirectory(workingDirectory)
        .setHomeDirectory(homeDirectory);
  }

  /**
   * These options with a subcommand's own {@code --config} and {@code --set} laid on top, so that
   * both {@code config --config x init} and {@code config init --config x} work.
   */
  ConfigOptions overriddenBy(ConfigOptions sub) {
    ConfigOptions merged = new ConfigOptions();
    merged.configFile = sub.configFile != null ? sub.configFile : configFile;
    merged.settings = new LinkedHashMap<>(settings);
    merged.settings.putAll(sub.settings);
    merged.keyFlags = new LinkedHashMap<>(keyFlags);
    merged.keyFlags.putAll(sub.keyFlags);
    merged.environment = environment;
    merged.workingDirectory = workingDirectory;
    merged.homeDirectory = homeDirectory;
    return merged;
  }
}
