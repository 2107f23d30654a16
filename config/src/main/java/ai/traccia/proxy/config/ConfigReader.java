/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Reads the configuration from its four layers and validates it, reporting every problem at once.
 *
 * <p>Layers, highest precedence first:
 *
 * <ol>
 *   <li>flags ({@link Builder#setFlags}: {@code --max-queue-size}, or the full key {@code
 *       --rate_limiting.max_queue_size});
 *   <li>environment variables ({@code TRACCIA_MAX_QUEUE_SIZE}, and the older {@code
 *       AGENT_DASHBOARD_*} names where the Python SDK had them, below the {@code TRACCIA_} one);
 *   <li>the config file: the {@code --config} path (which must exist), else {@code ./traccia.toml},
 *       else {@code ~/.traccia/config.toml}; only the first one found is read;
 *   <li>built-in defaults.
 * </ol>
 *
 * <p>Keys are compared after normalising (lower case, {@code _} and {@code -} read as {@code .}),
 * so the TOML key {@code rate_limiting.max_queue_size}, the variable {@code TRACCIA_MAX_QUEUE_SIZE}
 * and the flag {@code --max-queue-size} are one setting. Every value keeps its origin ({@code
 * traccia.toml:14:3}, {@code env TRACCIA_MAX_QUEUE_SIZE}, {@code --max-queue-size}, {@code
 * default}).
 *
 * <p>Differences from the Python SDK, on purpose:
 *
 * <ul>
 *   <li>Environment variables always apply, with or without a config file. The SDK reads most
 *       {@code TRACCIA_*} variables only when it also finds a config file (its quirk Q-15).
 *   <li>Boolean variables accept only true/1/yes and false/0/no (any case); anything else is an
 *       error instead of silently meaning false.
 *   <li>Unknown keys and sections in the file are errors, with a "did you mean" suggestion.
 * </ul>
 *
 * <p>An empty environment variable counts as unset, except {@code TRACCIA_MAX_SPANS_PER_SECOND},
 * where it means unlimited.
 *
 * <p>The file and the variables are shared by the proxy and the applications' SDKs, which read
 * different keys; each read takes one {@link Catalog}. {@link #loadClient()} reads the Java
 * client's ({@link ClientKeys}) and ignores the proxy's keys, unchecked, wherever they are set,
 * except by a flag (a value set in the application's code), which is an error. The proxy's loader,
 * in the proxy's configuration module, reads the proxy's catalog through {@link #read}: there the
 * keys that only an in-process SDK can honour (such as {@code instrumentation.enable_patching} or
 * {@code [runtime]}) are errors when set in the file or by a flag, and are ignored with a warning
 * when set in the environment, which an application and the proxy often share.
 *
 * <p>Instances are immutable and thread-safe; every load reads the file and the given environment
 * afresh. Loading blocks on file I/O.
 */
public final class ConfigReader {

  private static final String FLAG_ORIGIN = "--config";
  private static final String LOCAL_FILE = "traccia.toml";
  private static final String HOME_FILE_NAME = "~/.traccia/config.toml";

  // TRACCIA_* variables that the Python SDK reads but that are not configuration keys; they are
  // not reported as misspellings.
  private static final Set<String> SDK_ONLY_ENV =
      new HashSet<>(
          Arrays.asList(
              "TRACCIA_API_URL",
              "TRACCIA_PROMPT_CACHE_TTL_S",
              "TRACCIA_PROMPT_API_BASE",
              "TRACCIA_PROJECT",
              "TRACCIA_REDACT_PII"));

  private final Path configFile;
  private final String configFileName;
  private final String configFileOrigin;
  private final Map<String, String> environment;
  private final Map<String, String> flags;
  private final Path workingDirectory;
  private final Path homeDirectory;

  private ConfigReader(
      Path configFile,
      String configFileName,
      String configFileOrigin,
      Map<String, String> environment,
      Map<String, String> flags,
      Path workingDirectory,
      Path homeDirectory) {
    this.configFile = configFile;
    this.configFileName = configFileName;
    this.configFileOrigin = configFileOrigin;
    this.environment = environment;
    this.flags = flags;
    this.workingDirectory = workingDirectory;
    this.homeDirectory = homeDirectory;
  }

  /** A builder with the process environment and the JVM's working and home directories. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Loads and validates the Java client's configuration: the keys it reads, from the same file,
   * variables and precedence; the proxy's keys are ignored. Its warnings are in {@link
   * ClientConfig#warnings()}.
   *
   * @throws ConfigException listing every problem found
   */
  public ClientConfig loadClient() {
    ClientConfig.Builder builder = ClientConfig.builder();
    Run run = read(Catalog.CLIENT, null);
    builder.setAllFrom(run.values, run.origins);
    run.problems.addAll(builder.crossFieldProblems(run.failed));
    run.throwIfProblems();
    builder.addWarnings(run.warnings);
    return builder.build();
  }

  /**
   * The config file a load would read, absolute: the explicit one (even if it does not exist), else
   * the first of {@code ./traccia.toml} and {@code ~/.traccia/config.toml} that exists.
   */
  public Optional<Path> locateConfigFile() {
    Located located = locate();
    return located == null ? Optional.empty() : Optional.of(located.path);
  }

  /** Where {@code ~} points, absolute. */
  Path homeDirectory() {
    return homeDirectory;
  }

  /** Where {@code ./traccia.toml} and relative paths are looked up, absolute. */
  Path workingDirectory() {
    return workingDirectory;
  }

  /**
   * Reads the file, environment and flags for {@code catalog}: the values set, their origins, and
   * every problem and warning; nothing is thrown. {@code tables} reads the proxy's named exporters
   * ({@code [exporters.otlp.<name>]}); null skips them, as the client does.
   */
  Run read(Catalog catalog, TableReader tables) {
    Run run = new Run(catalog, tables);
    run.read();
    return run;
  }

  /**
   * Reads the tables below {@code [exporters.otlp]}, which are not keys of a catalog: their names
   * are the user's. Called once per file, on the reading thread.
   */
  interface TableReader {
    /** Reads {@code raw}, the value at {@code path} (at {@code origin}), into {@code run}. */
    void read(Run run, TomlTable root, Object raw, List<String> path, String origin);
  }

  /** The same reader, always reading {@code file} (named {@code name} in origins); for reloads. */
  ConfigReader pinnedTo(Path file, String name) {
    return new ConfigReader(file, name, null, environment, flags, workingDirectory, homeDirectory);
  }

  private static final class Located {
    final Path path;
    final String name;
    final String origin;

    Located(Path path, String name, String origin) {
      this.path = path;
      this.name = name;
      this.origin = origin;
    }
  }

  private Located locate() {
    if (configFile != null) {
      String name = configFileName != null ? configFileName : configFile.toString();
      return new Located(
          workingDirectory.resolve(configFile).toAbsolutePath().normalize(),
          name,
          configFileOrigin);
    }
    Path local = workingDirectory.resolve(LOCAL_FILE);
    if (Files.isRegularFile(local)) {
      return new Located(local.toAbsolutePath().normalize(), LOCAL_FILE, null);
    }
    Path home = homeDirectory.resolve(".traccia").resolve("config.toml");
    if (Files.isRegularFile(home)) {
      return new Located(home.toAbsolutePath().normalize(), HOME_FILE_NAME, null);
    }
    return null;
  }

  /**
   * One load of one catalog: collects the values set in the file, environment and flags (a later
   * layer overwrites an earlier one), with problems and warnings. Confined to one thread.
   */
  final class Run {
    private final Catalog catalog;
    private final TableReader tables;
    final ValueType.Context context = new ValueType.Context(homeDirectory, workingDirectory);
    final Map<Setting<?>, Object> values = new LinkedHashMap<>();
    final Map<Setting<?>, String> origins = new LinkedHashMap<>();
    final List<ConfigProblem> problems = new ArrayList<>();
    final List<ConfigWarning> warnings = new ArrayList<>();
    final Set<Setting<?>> failed = new HashSet<>();
    final List<String> environmentUsed = new ArrayList<>();
    private final Map<Setting<?>, String> seenInFile = new HashMap<>();
    private final Map<Setting<?>, String> seenKeyInFile = new HashMap<>();
    Path source;
    String sourceName;

    Run(Catalog catalog, TableReader tables) {
      this.catalog = catalog;
      this.tables = tables;
    }

    void read() {
      readFile();
      readEnvironment();
      readFlags();
    }

    void throwIfProblems() {
      if (!problems.isEmpty()) {
        throw new ConfigException(problems);
      }
    }

    private void set(Setting<?> setting, Object value, String origin) {
      values.put(setting.target(), value);
      origins.put(setting.target(), origin);
    }

    // --- The file ---------------------------------------------------------------------------

    private void readFile() {
      Located located = locate();
      if (located == null) {
        return;
      }
      if (!Files.isRegularFile(located.path)) {
        problems.add(
            ConfigProblem.of(
                "config_file", located.name, "an existing, readable file", located.origin));
        return;
      }
      TomlParseResult toml;
      try {
        toml = Toml.parse(located.path);
      } catch (IOException e) {
        problems.add(
            ConfigProblem.of(
                "config_file",
                located.name,
                "a readable file (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")",
                located.origin));
        return;
      }
      source = located.path;
      sourceName = located.name;
      if (toml.hasErrors()) {
        for (TomlParseError error : toml.errors()) {
          problems.add(ConfigProblem.syntax(at(error.position()), error.getMessage()));
        }
        return;
      }
      walk(toml, toml, Collections.<String>emptyList());
    }

    private String at(TomlPosition position) {
      return sourceName + ":" + position.line() + ":" + position.column();
    }

    /** The position of {@code path} in the file, or the file's name if tomlj has none. */
    String at(TomlTable root, List<String> path) {
      TomlPosition position = root.inputPositionOf(path);
      return position == null ? sourceName : at(position);
    }

    private void walk(TomlTable root, TomlTable table, List<String> path) {
      for (String key : table.keySet()) {
        List<String> p = append(path, key);
        Object raw = table.get(Collections.singletonList(key));
        String normalized = Setting.normalize(String.join(".", p));
        Setting<?> setting = catalog.byKey(normalized);
        String origin = at(root, p);
        if (p.size() == 2
            && Setting.normalize(key).equals("otlp")
            && Setting.normalize(p.get(0)).equals("exporters")) {
          // The client exports to one endpoint; the proxy's named exporters are not its keys.
          if (tables != null) {
            tables.read(this, root, raw, p, origin);
          }
        } else if (setting != null && setting.inFile) {
          fileValue(setting, raw, origin, root, p);
        } else if (setting == null && catalog.isPrefix(normalized)) {
          if (raw instanceof TomlTable) {
            walk(root, (TomlTable) raw, p);
          } else {
            problems.add(
                ConfigProblem.of(
                    keyPath(p),
                    ValueType.showPlain(raw, true),
                    "a table: [" + keyPath(p) + "] with keys below it",
                    origin));
          }
        } else {
          unknown(p, raw, origin);
        }
      }
    }

    private void fileValue(
        Setting<?> setting, Object raw, String origin, TomlTable root, List<String> path) {
      if (!catalog.reads(setting)) {
        if (catalog.rejectsOthers) {
          rejectClientOnly(setting, setting.showRaw(raw, true), origin);
        }
        return;
      }
      Setting<?> target = setting.target();
      String previous = seenInFile.get(target);
      if (previous != null) {
        problems.add(
            ConfigProblem.of(
                setting.key,
                setting.showRaw(raw, true),
                "set only once; " + seenKeyInFile.get(target) + " is also set [" + previous + "]",
                origin));
        failed.add(target);
        return;
      }
      seenInFile.put(target, origin);
      seenKeyInFile.put(target, setting.key);
      read(setting, raw, true, origin, root, path);
    }

    private void unknown(List<String> path, Object raw, String origin) {
      String key = keyPath(path);
      if (path.size() == 1 && raw instanceof TomlTable) {
        String suggestion = Suggestions.closest(path.get(0), catalog.sections);
        String expected =
            suggestion != null
                ? "a known section; did you mean " + suggestion + "?"
                : "one of the sections " + String.join(", ", catalog.sections);
        problems.add(ConfigProblem.of(key, "(table)", expected, origin));
        return;
      }
      String leaf = path.get(path.size() - 1);
      Setting<?> suggestion = null;
      for (Setting<?> s : catalog.known) {
        if (s.inFile && Setting.normalize(s.name).equals(Setting.normalize(leaf))) {
          suggestion = s;
          break;
        }
      }
      if (suggestion == null) {
        List<String> keys = new ArrayList<>();
        for (Setting<?> s : catalog.known) {
          if (s.inFile) {
            keys.add(s.key);
          }
        }
        String closest = Suggestions.closest(String.join(".", path), keys);
        suggestion = closest == null ? null : catalog.byKey(closest);
      }
      String expected =
          (path.size() == 1
                  ? "a key inside a section"
                  : "a known key of [" + keyPath(path.subList(0, path.size() - 1)) + "]")
              + (suggestion == null ? "" : "; did you mean " + suggestion.key + "?");
      boolean secret = (suggestion != null && suggestion.secret) || looksSecret(leaf);
      String shown =
          secret && raw instanceof String ? ValueType.REDACTED : ValueType.showPlain(raw, true);
      problems.add(ConfigProblem.of(key, shown, expected, origin));
    }

    // --- The environment --------------------------------------------------------------------

    private void readEnvironment() {
      for (Setting<?> setting : catalog.known) {
        String name = null;
        String raw = null;
        for (String candidate : setting.env) {
          String value = environment.get(candidate);
          if (value == null || (value.trim().isEmpty() && !setting.emptyEnvMeansNone)) {
            continue;
          }
          name = candidate;
          raw = value;
          break;
        }
        if (name == null) {
          continue;
        }
        String origin = "env " + name;
        if (!catalog.reads(setting)) {
          if (!catalog.rejectsOthers) {
            continue;
          }
          warnings.add(
              new ConfigWarning(
                  setting.key,
                  setting.key
                      + ": set by "
                      + name
                      + " but ignored; "
                      + setting.clientOnlyReason
                      + ", set it in the application's SDK configuration ["
                      + origin
                      + "]"));
          continue;
        }
        environmentUsed.add(name);
        if (setting.deprecatedEnv.contains(name)) {
          warnings.add(
              new ConfigWarning(
                  setting.key,
                  name
                      + " is deprecated; rename it to "
                      + setting.env.get(0)
                      + " ["
                      + origin
                      + "]"));
        }
        if (raw.trim().isEmpty()) {
          set(setting, null, origin);
          continue;
        }
        read(setting, raw, false, origin, null, null);
      }
      warnAboutMisspeltVariables();
    }

    private void warnAboutMisspeltVariables() {
      List<String> names = new ArrayList<>(environment.keySet());
      Collections.sort(names);
      List<String> known = catalog.envNames();
      for (String name : names) {
        if (!name.startsWith("TRACCIA_")
            || catalog.byEnv(name) != null
            || SDK_ONLY_ENV.contains(name)) {
          continue;
        }
        String suggestion = Suggestions.closest(name, known);
        if (suggestion != null) {
          warnings.add(
              new ConfigWarning(
                  name,
                  name
                      + " is not a Traccia setting and is ignored; did you mean "
                      + suggestion
                      + "? [env "
                      + name
                      + "]"));
        }
      }
    }

    // --- Flags ------------------------------------------------------------------------------

    private void readFlags() {
      for (Map.Entry<String, String> flag : flags.entrySet()) {
        String name = stripDashes(flag.getKey());
        String raw = flag.getValue() == null ? "" : flag.getValue();
        String origin = "--" + name;
        Setting<?> setting = catalog.byFlag(name);
        if (setting == null) {
          String suggestion = Suggestions.closest(origin, catalog.flagNames());
          String shown = looksSecret(name) ? ValueType.REDACTED : ValueType.showPlain(raw, false);
          problems.add(
              ConfigProblem.of(
                  origin,
                  shown,
                  "a known option"
                      + (suggestion == null ? "" : "; did you mean " + suggestion + "?"),
                  origin));
          continue;
        }
        if (!catalog.reads(setting)) {
          if (catalog.rejectsOthers) {
            rejectClientOnly(setting, setting.showRaw(raw, false), origin);
          } else {
            problems.add(
                ConfigProblem.of(
                    origin,
                    setting.showRaw(raw, false),
                    "a key the Java client reads; " + setting.key + " is read by the proxy only",
                    origin));
          }
          continue;
        }
        if (raw.trim().isEmpty() && setting.optional) {
          set(setting, null, origin);
          continue;
        }
        read(setting, raw, false, origin, null, null);
      }
    }

    // --- Shared -----------------------------------------------------------------------------

    private void rejectClientOnly(Setting<?> setting, String shown, String origin) {
      problems.add(
          ConfigProblem.of(
              setting.key,
              shown,
              "not set; "
                  + setting.clientOnlyReason
                  + ", set this in the application's SDK configuration",
              origin));
      failed.add(setting.target());
    }

    /** Converts and checks one raw value; applies it or records why not. */
    private <T> void read(
        Setting<T> setting,
        Object raw,
        boolean fromToml,
        String origin,
        TomlTable root,
        List<String> path) {
      T value;
      try {
        value = setting.convert(raw, fromToml, context);
      } catch (ValueType.InvalidValue invalid) {
        for (ValueType.Issue issue : invalid.issues) {
          String key = setting.key + (issue.subPath.isEmpty() ? "" : "." + keyPath(issue.subPath));
          String shown = setting.shown(issue, raw, fromToml);
          String where = origin;
          if (root != null && !issue.subPath.isEmpty()) {
            List<String> full = new ArrayList<>(path);
            full.addAll(issue.subPath);
            TomlPosition position = root.inputPositionOf(full);
            if (position != null) {
              where = at(position);
            }
          }
          problems.add(ConfigProblem.of(key, shown, issue.expected, where));
        }
        failed.add(setting.target());
        return;
      }
      String expected = setting.problem(value);
      if (expected != null) {
        problems.add(
            ConfigProblem.of(setting.key, setting.showRaw(raw, fromToml), expected, origin));
        failed.add(setting.target());
        return;
      }
      set(setting, value, origin);
    }
  }

  private static List<String> append(List<String> path, String key) {
    List<String> p = new ArrayList<>(path.size() + 1);
    p.addAll(path);
    p.add(key);
    return p;
  }

  /** Joins a key path, quoting parts that are not bare TOML keys: pricing.override."gpt-4.1". */
  static String keyPath(List<String> path) {
    StringBuilder sb = new StringBuilder();
    for (String part : path) {
      if (sb.length() > 0) {
        sb.append('.');
      }
      sb.append(part.matches("[A-Za-z0-9_-]+") ? part : ValueType.quote(part));
    }
    return sb.toString();
  }

  private static String stripDashes(String flag) {
    int i = 0;
    while (i < flag.length() && flag.charAt(i) == '-') {
      i++;
    }
    return flag.substring(i);
  }

  private static boolean looksSecret(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (String fragment :
        new String[] {"key", "token", "secret", "pass", "auth", "header", "cred"}) {
      if (n.contains(fragment)) {
        return true;
      }
    }
    return false;
  }

  /** Builds a {@link ConfigReader}. Not thread-safe. */
  public static final class Builder {
    private Path configFile;
    private Map<String, String> environment;
    private Map<String, String> flags = Collections.emptyMap();
    private Path workingDirectory;
    private Path homeDirectory;

    private Builder() {}

    /**
     * The file given with {@code --config}, which must exist; null (default) searches {@code
     * ./traccia.toml}, then {@code ~/.traccia/config.toml}. A relative path is resolved against the
     * working directory; origins show it as given.
     */
    public Builder setConfigFile(Path configFile) {
      this.configFile = configFile;
      return this;
    }

    /** The environment, copied; defaults to {@link System#getenv()}. */
    public Builder setEnvironment(Map<String, String> environment) {
      this.environment = Collections.unmodifiableMap(new HashMap<>(environment));
      return this;
    }

    /**
     * Flags, copied, in the order given: names without leading dashes ({@code "grpc-port"} or
     * {@code "server.grpc_port"}) to their text ({@code "0"}). An empty value clears an optional
     * key.
     */
    public Builder setFlags(Map<String, String> flags) {
      this.flags = Collections.unmodifiableMap(new LinkedHashMap<>(flags));
      return this;
    }

    /** Where {@code ./traccia.toml} and relative paths are looked up; defaults to user.dir. */
    public Builder setWorkingDirectory(Path workingDirectory) {
      this.workingDirectory = Objects.requireNonNull(workingDirectory, "workingDirectory");
      return this;
    }

    /** Where {@code ~} points; defaults to user.home. */
    public Builder setHomeDirectory(Path homeDirectory) {
      this.homeDirectory = Objects.requireNonNull(homeDirectory, "homeDirectory");
      return this;
    }

    /** Returns the reader; later changes to this builder do not affect it. */
    public ConfigReader build() {
      Path wd =
          workingDirectory != null ? workingDirectory : Path.of(System.getProperty("user.dir"));
      Path home =
          homeDirectory != null ? homeDirectory : Path.of(System.getProperty("user.home", "."));
      return new ConfigReader(
          configFile,
          null,
          FLAG_ORIGIN,
          environment != null ? environment : System.getenv(),
          flags,
          wd.toAbsolutePath(),
          home.toAbsolutePath());
    }

    /**
     * Builds the reader and loads the Java client's configuration.
     *
     * @throws ConfigException listing every problem found
     */
    public ClientConfig loadClient() {
      return build().loadClient();
    }
  }
}
