/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import ai.traccia.proxy.config.ConfigException;
import ai.traccia.proxy.config.ConfigLoader;
import ai.traccia.proxy.config.ConfigProblem;
import ai.traccia.proxy.config.ConfigWarning;
import ai.traccia.proxy.config.ExporterSignal;
import ai.traccia.proxy.config.ExporterSpec;
import ai.traccia.proxy.config.LoadedConfig;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.config.Redaction;
import ai.traccia.proxy.processor.redaction.RedactionRules;
import ai.traccia.proxy.server.ProxyServer;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code doctor}: explains the configuration. Which file was read, which Traccia environment
 * variables are set (names only), every validation problem, a summary of what the proxy will do,
 * and warnings.
 *
 * <p>Exit code 0 when the configuration is valid, 1 otherwise. Secrets are never printed. Having no
 * config file is not a problem: defaults and environment variables are a valid way to run.
 */
@Command(
    name = "doctor",
    modelTransformer = KeyOptions.class,
    abbreviateSynopsis = true,
    mixinStandardHelpOptions = true,
    description =
        "Checks the configuration and explains where each part of it comes from. Exit code 0"
            + " when it is valid.")
public final class DoctorCommand implements Callable<Integer> {

  static final String OK = "[ok]";
  static final String FAIL = "[x]";
  static final String WARN = "[!]";
  static final String INFO = "[i]";

  @Spec private CommandSpec spec;

  @Mixin private ConfigOptions configOptions = new ConfigOptions();

  private BooleanSupplier hangUpIgnored = Signals::hangUpIgnored;

  /** Creates the command; picocli calls this. */
  public DoctorCommand() {}

  /** Replaces the check for an ignored SIGHUP, for tests. */
  DoctorCommand setHangUpIgnored(BooleanSupplier hangUpIgnored) {
    this.hangUpIgnored = hangUpIgnored;
    return this;
  }

  /** The shared options, to replace the environment and directories in tests. */
  public ConfigOptions configOptions() {
    return configOptions;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    ConfigLoader loader = configOptions.loaderBuilder().build();
    LoadedConfig loaded = null;
    ConfigException invalid = null;
    try {
      loaded = loader.loadWithReport();
    } catch (ConfigException e) {
      invalid = e;
    }

    out.println("Traccia Proxy doctor");
    configFile(out, loader);
    environment(out, loaded);
    validation(out, invalid);
    if (loaded != null) {
      summary(out, loaded);
      warnings(out, loaded.warnings());
    }
    if (hangUpIgnored.getAsBoolean()) {
      out.println();
      out.println("Signals");
      out.println(
          "  "
              + WARN
              + " SIGHUP is ignored here (started under nohup?): a proxy started the same way"
              + " does not reload on `kill -HUP`. Saving the config file still reloads it.");
    }
    out.println();
    out.println("Result");
    if (invalid == null) {
      out.println(
          "  "
              + OK
              + " No problems found. Next: `traccia-proxy check` sends an empty export to the"
              + " backend.");
    } else {
      int n = invalid.getProblems().size();
      out.println(
          "  "
              + FAIL
              + " "
              + n
              + (n == 1 ? " problem" : " problems")
              + " found. Fix "
              + (n == 1 ? "it" : "them")
              + " and run `traccia-proxy doctor` again.");
    }
    out.flush();
    return invalid == null ? 0 : 1;
  }

  private void configFile(PrintWriter out, ConfigLoader loader) {
    out.println();
    out.println("Config file");
    Optional<Path> file = loader.locateConfigFile();
    if (!file.isPresent()) {
      out.println(
          "  "
              + INFO
              + " None found (looked for ./traccia.toml and ~/.traccia/config.toml). That is"
              + " fine: defaults and environment variables apply.");
      out.println("       `traccia-proxy config init` writes a commented template.");
    } else if (!Files.isRegularFile(file.get())) {
      out.println("  " + FAIL + " " + file.get() + " does not exist (given with --config).");
    } else {
      out.println("  " + OK + " " + file.get());
    }
  }

  private void environment(PrintWriter out, LoadedConfig loaded) {
    out.println();
    out.println("Environment variables (names only)");
    Map<String, String> env = new TreeMap<>(configOptions.environment());
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      String name = e.getKey();
      if (!name.startsWith("TRACCIA_") && !name.startsWith("AGENT_DASHBOARD_")) {
        continue;
      }
      Optional<String> key = ConfigLoader.keyForEnvironmentVariable(name);
      if (!key.isPresent()) {
        lines.add("  " + INFO + " " + name + " is set; it is not a Traccia Proxy setting");
      } else if (loaded == null) {
        lines.add("  " + INFO + " " + name + " is set (" + key.get() + ")");
      } else if (loaded.environmentVariablesUsed().contains(name)) {
        lines.add("  " + OK + " " + name + " sets " + key.get());
      } else if (e.getValue().trim().isEmpty()) {
        lines.add("  " + INFO + " " + name + " is empty, so it counts as unset");
      } else if (hasWarning(loaded, key.get())) {
        lines.add("  " + WARN + " " + name + " is ignored by the proxy (see Warnings)");
      } else {
        lines.add(
            "  "
                + INFO
                + " "
                + name
                + " is set but another variable for "
                + key.get()
                + " takes precedence");
      }
    }
    if (lines.isEmpty()) {
      out.println("  " + INFO + " No TRACCIA_* or AGENT_DASHBOARD_* variable is set.");
    }
    lines.forEach(out::println);
  }

  private static boolean hasWarning(LoadedConfig loaded, String key) {
    for (ConfigWarning warning : loaded.warnings()) {
      if (warning.key().equals(key)) {
        return true;
      }
    }
    return false;
  }

  private static void validation(PrintWriter out, ConfigException invalid) {
    out.println();
    out.println("Validation");
    if (invalid == null) {
      out.println("  " + OK + " The configuration is valid.");
      return;
    }
    int n = invalid.getProblems().size();
    out.println("  " + FAIL + " " + n + (n == 1 ? " problem" : " problems") + ", all listed here:");
    for (ConfigProblem problem : invalid.getProblems()) {
      out.println("      " + problem.message());
    }
  }

  private static void summary(PrintWriter out, LoadedConfig loaded) {
    ProxyConfig config = loaded.config();
    out.println();
    out.println("Summary");
    Optional<URI> traces = config.tracesEndpoint();
    if (traces.isPresent()) {
      String source =
          config.endpoint().isPresent()
              ? "tracing.endpoint from " + config.origin("tracing.endpoint")
              : "the Traccia platform, because tracing.api_key is set";
      out.println(
          "  "
              + OK
              + " OTLP export: "
              + shown(traces.get())
              + " over "
              + config.exporterProtocol()
              + ", "
              + config.compression()
              + " ("
              + source
              + ")");
    } else if (!config.useOtlp()) {
      out.println("  " + INFO + " OTLP export: off (tracing.use_otlp is false)");
    } else if (!config.otlpExporters().isEmpty()) {
      out.println(
          "  "
              + INFO
              + " OTLP export: only the named exporters listed below (tracing.endpoint is not"
              + " set)");
    } else {
      out.println(
          "  " + INFO + " OTLP export: off (neither tracing.endpoint nor tracing.api_key is set)");
    }
    boolean platform =
        traces.isPresent() && "api.traccia.ai".equalsIgnoreCase(traces.get().getHost());
    if (config.apiKey().isPresent()) {
      out.println("  " + OK + " API key: set (" + config.origin("tracing.api_key") + ")");
    } else if (platform) {
      out.println(
          "  "
              + WARN
              + " API key: not set, but the Traccia platform needs one: set TRACCIA_API_KEY");
    } else {
      out.println("  " + INFO + " API key: not set");
    }
    List<String> exporters = new ArrayList<>();
    for (ExporterSpec spec : config.otlpExporters()) {
      exporters.add(spec.name());
    }
    if (config.fileEnabled()) {
      exporters.add("file (" + config.filePath() + ")");
    }
    if (config.consoleEnabled()) {
      exporters.add("console");
    }
    out.println("  " + OK + " Exporters: " + String.join(", ", exporters));
    out.println(
        "  "
            + OK
            + " Listening on "
            + config.bindAddress()
            + ": gRPC "
            + port(config.grpcPort())
            + ", HTTP "
            + port(config.httpPort())
            + ", admin "
            + port(config.adminPort()));
    out.println(
        "  "
            + OK
            + " Queue: up to "
            + config.maxQueueSize()
            + " spans; batches of up to "
            + config.maxExportBatchSize()
            + ", sent at least every "
            + config.scheduleDelay().toMillis()
            + " ms");
    for (ExporterSpec spec : config.otlpExporters()) {
      exporter(out, config, spec);
    }
    if (config.maxSpansPerSecond().isPresent()) {
      out.println(
          "  "
              + OK
              + " Rate limit: "
              + config.maxSpansPerSecond().getAsDouble()
              + " spans per second");
    } else {
      out.println("  " + OK + " Rate limit: none (every span is accepted)");
    }
    List<String> redaction = RedactionRules.fromConfig(config).describe();
    out.println(
        "  " + (config.redactionEnabled() ? OK : INFO) + " " + capitalized(redaction.get(0)));
    for (String line : redaction.subList(1, redaction.size())) {
      out.println("     " + line);
    }
  }

  /** One OTLP exporter: where each signal goes, how, and how its queue is kept. */
  private static void exporter(PrintWriter out, ProxyConfig config, ExporterSpec spec) {
    StringJoiner signals = new StringJoiner(", ");
    spec.signals().forEach(s -> signals.add(s.configValue()));
    String queue =
        spec.durableQueue()
            ? "on disk in "
                + ProxyServer.durableQueueDirectory(config.durableQueueDir(), spec.name())
                + " (up to "
                + config.durableQueueMaxBytes()
                + " bytes)"
            : "up to " + spec.maxQueueSize() + " items in memory";
    out.println(
        "  "
            + OK
            + " Exporter "
            + spec.name()
            + ": "
            + spec.protocol()
            + ", "
            + spec.compression()
            + "; signals "
            + signals
            + "; queue "
            + queue
            + "; timeout "
            + spec.timeout().toMillis()
            + " ms, retries for up to "
            + spec.retryMaxElapsed().toMillis()
            + " ms");
    for (ExporterSignal signal : spec.signals()) {
      out.println(
          "       "
              + signal
              + ": "
              + spec.endpoint(signal).map(DoctorCommand::shown).orElse("(no endpoint)"));
    }
  }

  private static String capitalized(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static void warnings(PrintWriter out, List<ConfigWarning> warnings) {
    if (warnings.isEmpty()) {
      return;
    }
    out.println();
    out.println("Warnings");
    for (ConfigWarning warning : warnings) {
      out.println("  " + WARN + " " + warning.message());
    }
  }

  private static String port(int port) {
    return port == 0 ? "a free port" : Integer.toString(port);
  }

  // An endpoint's user information or query may carry a token; it is never printed.
  static String shown(URI uri) {
    return Redaction.url(uri);
  }
}
