/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tomlj.TomlTable;

/**
 * Loads the proxy's configuration from its four layers and validates it, reporting every problem at
 * once.
 *
 * <p>The layers, their precedence and the reading rules are {@link ConfigReader}'s; this class
 * reads the proxy's catalog ({@link ProxyKeys}) with them, adds the named exporters ({@code
 * [exporters.otlp.<name>]}) and the cross-field rules of {@link ProxyConfig}. The keys that only an
 * in-process SDK can honour (such as {@code instrumentation.enable_patching} or {@code [runtime]})
 * are errors when set in the file or by a flag, and are ignored with a warning when set in the
 * environment, which an application and the proxy often share. An invalid {@code
 * TRACCIA_PRICING_OVERRIDE_JSON} is an error rather than being ignored.
 *
 * <p>Instances are immutable and thread-safe; every load reads the file and the given environment
 * afresh. Loading blocks on file I/O.
 */
public final class ConfigLoader {

  private final ConfigReader reader;

  private ConfigLoader(ConfigReader reader) {
    this.reader = reader;
  }

  /** A builder with the process environment and the JVM's working and home directories. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Loads and validates the proxy's configuration.
   *
   * @throws ConfigException listing every problem found
   */
  public ProxyConfig load() {
    return loadWithReport().config();
  }

  /**
   * Loads and validates the proxy's configuration, returning it with its warnings, the file read
   * and the environment variables used.
   *
   * @throws ConfigException listing every problem found
   */
  public LoadedConfig loadWithReport() {
    ProxyConfig.Builder builder = ProxyConfig.builder();
    // Defaults that depend on the directories this loader was given.
    builder.setFrom(
        ProxyKeys.PRICING_CACHE_PATH,
        reader.homeDirectory().resolve(".cache").resolve("traccia").resolve("pricing.json"),
        ProxyConfig.DEFAULT_ORIGIN);
    builder.setFrom(
        ProxyKeys.FILE_EXPORTER_PATH,
        reader.workingDirectory().resolve("traces.jsonl").toAbsolutePath().normalize(),
        ProxyConfig.DEFAULT_ORIGIN);
    OtlpSections sections = new OtlpSections();
    ConfigReader.Run run = reader.read(ProxyKeys.CATALOG, sections);
    builder.setAllFrom(run.values, run.origins);
    builder.setOtlpSections(sections.sections);
    run.problems.addAll(builder.crossFieldProblems(run.failed));
    run.throwIfProblems();
    return new LoadedConfig(
        builder.buildChecked(), run.warnings, run.source, run.sourceName, run.environmentUsed);
  }

  /**
   * The config file a load would read, absolute: the explicit one (even if it does not exist), else
   * the first of {@code ./traccia.toml} and {@code ~/.traccia/config.toml} that exists.
   */
  public Optional<Path> locateConfigFile() {
    return reader.locateConfigFile();
  }

  /**
   * The key an environment variable sets ({@code TRACCIA_MAX_QUEUE_SIZE} gives {@code
   * rate_limiting.max_queue_size}), or empty if the variable is not a configuration variable.
   */
  public static Optional<String> keyForEnvironmentVariable(String name) {
    Setting<?> setting = ProxyKeys.CATALOG.byEnv(name);
    return setting == null ? Optional.empty() : Optional.of(setting.key);
  }

  /** The same loader, always reading {@code file} (named {@code name} in origins); for reloads. */
  ConfigLoader pinnedTo(Path file, String name) {
    return new ConfigLoader(reader.pinnedTo(file, name));
  }

  /** Collects the named exporters, {@code [exporters.otlp.<name>]}, of one load. */
  private static final class OtlpSections implements ConfigReader.TableReader {
    final List<ExporterSections.Section> sections = new ArrayList<>();

    @Override
    public void read(
        ConfigReader.Run run, TomlTable root, Object raw, List<String> path, String origin) {
      if (!(raw instanceof TomlTable)) {
        run.problems.add(
            ConfigProblem.of(
                ConfigReader.keyPath(path),
                ValueType.showPlain(raw, true),
                "a table of named exporters: [" + ExporterSections.TABLE + ".<name>]",
                origin));
        return;
      }
      sections.addAll(
          ExporterSections.fromToml(
              (TomlTable) raw, path, run.context, p -> run.at(root, p), run.problems));
    }
  }

  /** Builds a {@link ConfigLoader}. Not thread-safe. */
  public static final class Builder {
    private final ConfigReader.Builder reader = ConfigReader.builder();

    private Builder() {}

    /**
     * The file given with {@code --config}, which must exist; null (default) searches {@code
     * ./traccia.toml}, then {@code ~/.traccia/config.toml}. A relative path is resolved against the
     * working directory; origins show it as given.
     */
    public Builder setConfigFile(Path configFile) {
      reader.setConfigFile(configFile);
      return this;
    }

    /** The environment, copied; defaults to {@link System#getenv()}. */
    public Builder setEnvironment(Map<String, String> environment) {
      reader.setEnvironment(environment);
      return this;
    }

    /**
     * Flags, copied, in the order given: names without leading dashes ({@code "grpc-port"} or
     * {@code "server.grpc_port"}) to their text ({@code "0"}). An empty value clears an optional
     * key.
     */
    public Builder setFlags(Map<String, String> flags) {
      reader.setFlags(flags);
      return this;
    }

    /** Where {@code ./traccia.toml} and relative paths are looked up; defaults to user.dir. */
    public Builder setWorkingDirectory(Path workingDirectory) {
      reader.setWorkingDirectory(workingDirectory);
      return this;
    }

    /** Where {@code ~} points; defaults to user.home. */
    public Builder setHomeDirectory(Path homeDirectory) {
      reader.setHomeDirectory(homeDirectory);
      return this;
    }

    /** Returns the loader; later changes to this builder do not affect it. */
    public ConfigLoader build() {
      return new ConfigLoader(reader.build());
    }

    /**
     * Builds the loader and loads.
     *
     * @throws ConfigException listing every problem found
     */
    public ProxyConfig load() {
      return build().load();
    }

    /**
     * Builds the loader and loads, with the report.
     *
     * @throws ConfigException listing every problem found
     */
    public LoadedConfig loadWithReport() {
      return build().loadWithReport();
    }
  }
}
