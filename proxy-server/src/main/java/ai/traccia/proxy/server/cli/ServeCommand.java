/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import ai.traccia.proxy.config.ConfigChange;
import ai.traccia.proxy.config.ConfigException;
import ai.traccia.proxy.config.ConfigLoader;
import ai.traccia.proxy.config.ConfigProblem;
import ai.traccia.proxy.config.ConfigReloader;
import ai.traccia.proxy.config.ConfigWarning;
import ai.traccia.proxy.config.LoadedConfig;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.server.Exporters;
import ai.traccia.proxy.server.ProxyAssembly;
import ai.traccia.proxy.server.ProxyServer;
import ai.traccia.proxy.server.receiver.NettyTransport;
import ch.qos.logback.classic.Level;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code traccia-proxy serve}, the default command: receives OTLP, runs the pipeline and forwards.
 *
 * <p>It parses flags, loads and logs the configuration, and hands it to {@link ProxyAssembly},
 * which builds, reloads and stops the proxy; this class only turns failures into exit codes and
 * signals into calls.
 *
 * <p>Runs until SIGTERM or SIGINT, then stops accepting, drains the queues within {@code
 * server.shutdown_timeout_ms} and exits 0. SIGHUP, or a change of the config file, reloads the
 * configuration: settings that are safe to change live take effect, an invalid file is reported and
 * the running configuration kept.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    modelTransformer = KeyOptions.class,
    abbreviateSynopsis = true,
    versionProvider = Main.Version.class,
    description = {
      "Receives OTLP traces, metrics and logs on gRPC (4317) and HTTP (4318), enriches spans,"
          + " and forwards everything to the configured backend.",
      "With no configuration it writes to ./traces.jsonl.",
      "Every configuration key is an option below (value, key, default, environment variables);"
          + " any key can also be set in full with --set KEY=VALUE or --KEY=VALUE. Flags beat"
          + " environment variables, which beat the config file."
    })
public final class ServeCommand implements Callable<Integer> {

  private static final Logger logger = LoggerFactory.getLogger(ServeCommand.class);

  @Spec CommandSpec spec;

  @Mixin ConfigOptions configOptions = new ConfigOptions();

  @Unmatched List<String> otherFlags = new ArrayList<>();

  private final CountDownLatch stopped = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    ConfigLoader loader = loader();
    LoadedConfig loaded;
    try {
      loaded = loader.loadWithReport();
    } catch (ConfigException e) {
      err.println("traccia-proxy: the configuration is invalid; nothing was started.");
      for (ConfigProblem problem : e.getProblems()) {
        err.println("  " + problem);
      }
      err.flush();
      return 2;
    }
    ProxyConfig config = loaded.config();
    applyLogLevel(config);
    logConfiguration(loaded);

    // Before the receivers report ready: from then on a test or an orchestrator may signal.
    Signals.install();
    ProxyAssembly proxy;
    try {
      proxy = ProxyAssembly.start(config);
    } catch (java.io.UncheckedIOException e) {
      return fail(err, 1, e.getMessage());
    } catch (IllegalArgumentException e) {
      // An exporter or a TLS file that cannot be built from the configuration: a mistake in it.
      return fail(err, 2, e.getMessage());
    } catch (java.io.IOException e) {
      return fail(
          err,
          1,
          "could not listen on "
              + config.bindAddress()
              + ": "
              + e.getMessage()
              + ". Is another process using the port? Change it with --grpc-port, --http-port or"
              + " --admin-port (0 picks a free one).");
    }
    logReady(config, proxy);

    ConfigReloader reloader =
        ConfigReloader.builder(loader, loaded).addListener(new ReloadListener(proxy)).build();
    reloader.start();
    Signals.onReload(reloader::reload);
    Signals.onStop(
        () -> {
          reloader.close();
          proxy.close();
          stopped.countDown();
        });
    stopped.await();
    return 0;
  }

  private static int fail(PrintWriter err, int exitCode, String message) {
    err.println("traccia-proxy: " + message);
    err.flush();
    return exitCode;
  }

  private static void logReady(ProxyConfig config, ProxyAssembly proxy) {
    ProxyServer server = proxy.server();
    logger.info(
        "Traccia Proxy {} ready: OTLP/gRPC on {}:{}, OTLP/HTTP on {}:{}, admin on http://{}:{}"
            + " (/healthz, /readyz, /metrics{}); exporting to {}",
        Main.version(),
        config.bindAddress(),
        server.grpcPort(),
        config.bindAddress(),
        server.httpPort(),
        config.adminBindAddress(),
        server.adminPort(),
        proxy.servesLivePage() ? ", the live page on /" : "",
        Exporters.describe(config)
            + (!config.otlpExporters().isEmpty() || config.kafkaExport()
                ? ""
                : " (no backend configured: to forward, set TRACCIA_ENDPOINT or --endpoint, for"
                    + " example http://tempo:4317 with TRACCIA_EXPORTER_PROTOCOL=grpc, or"
                    + " TRACCIA_API_KEY for the Traccia platform)"));
    logger.info(
        "Processors: {}",
        proxy.pipeline().processors().isEmpty()
            ? "none (pass-through)"
            : processorNames(proxy.pipeline()));
    Throwable noEpoll = NettyTransport.epollUnavailabilityCause();
    logger.info(
        "Network transport: {}",
        noEpoll == null
            ? NettyTransport.name()
            : NettyTransport.name() + " (no epoll: " + noEpoll + ")");
  }

  private static String processorNames(SpanPipeline pipeline) {
    StringBuilder names = new StringBuilder();
    for (SpanBatchProcessor p : pipeline.processors()) {
      names.append(names.length() == 0 ? "" : " -> ").append(p.name());
    }
    return names.toString();
  }

  private ConfigLoader loader() {
    // --set and the per-key options first; then the flags no option matched (full keys such as
    // --rate_limiting.max_queue_size=1000, and misspellings, which the loader reports).
    Map<String, String> flags = new LinkedHashMap<>(configOptions.flags());
    flags.putAll(keyFlags(otherFlags));
    return configOptions.loaderBuilder().setFlags(flags).build();
  }

  /**
   * The flags no generated option ({@link KeyOptions}) matched: a key in full, {@code
   * --rate_limiting.max_queue_size 1000} or {@code --rate_limiting.max_queue_size=1000}, or a
   * misspelt flag; the loader validates the names and suggests the closest key for a misspelt one.
   * A flag without a value is {@code true}.
   */
  static Map<String, String> keyFlags(List<String> args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new ParameterException(
            new CommandLine(new ServeCommand()),
            "Unexpected argument: '"
                + arg
                + "'. Configuration flags look like --max-queue-size=1000.");
      }
      String name = arg.substring(2);
      int equals = name.indexOf('=');
      if (equals >= 0) {
        flags.put(name.substring(0, equals), name.substring(equals + 1));
      } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        flags.put(name, args.get(++i));
      } else {
        flags.put(name, "true");
      }
    }
    return flags;
  }

  private static void logConfiguration(LoadedConfig loaded) {
    StringBuilder lines =
        new StringBuilder("Effective configuration (value, then where it came from):");
    for (String line : loaded.config().describe()) {
      lines.append(System.lineSeparator()).append("  ").append(line);
    }
    logger.info("{}", lines);
    for (ConfigWarning warning : loaded.warnings()) {
      logger.warn("{}", warning);
    }
  }

  static void applyLogLevel(ProxyConfig config) {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(config.logLevel(), Level.INFO));
  }

  /** Applies what can change live and says what needs a restart. */
  private static final class ReloadListener implements ConfigReloader.Listener {
    private final ProxyAssembly proxy;

    ReloadListener(ProxyAssembly proxy) {
      this.proxy = proxy;
    }

    @Override
    public void onChange(ConfigChange change) {
      ProxyConfig current = change.current();
      applyLogLevel(current);
      proxy.reload(current);
      for (String line : change.describe()) {
        logger.info("Configuration reloaded: {}", line);
      }
      if (change.requiresRestart()) {
        logger.warn(
            "These settings changed but take effect only after a restart: {}",
            change.restartKeys());
      }
    }

    @Override
    public void onInvalid(ConfigException problems, ProxyConfig kept) {
      StringBuilder lines =
          new StringBuilder("The changed configuration is invalid; the running one is kept:");
      for (ConfigProblem problem : problems.getProblems()) {
        lines.append(System.lineSeparator()).append("  ").append(problem);
      }
      logger.error("{}", lines);
    }
  }
}
