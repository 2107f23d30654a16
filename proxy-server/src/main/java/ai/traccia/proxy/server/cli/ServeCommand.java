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
import ai.traccia.proxy.export.Exporter;
import ai.traccia.proxy.pipeline.SpanLimits;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.pipeline.SpanProcessor;
import ai.traccia.proxy.pricing.PriceBooks;
import ai.traccia.proxy.pricing.ReloadablePriceBook;
import ai.traccia.proxy.processor.EnrichmentProcessors;
import ai.traccia.proxy.processor.guardrail.GuardrailListener;
import ai.traccia.proxy.processor.guardrail.GuardrailProcessor;
import ai.traccia.proxy.processor.guardrail.ReleasedRoot;
import ai.traccia.proxy.processor.metrics.DerivedMetrics;
import ai.traccia.proxy.processor.redaction.RedactionProcessor;
import ai.traccia.proxy.processor.redaction.RedactionRules;
import ai.traccia.proxy.processor.sampling.TraceSamplingProcessor;
import ai.traccia.proxy.server.Exporters;
import ai.traccia.proxy.server.ProxyServer;
import ai.traccia.proxy.server.export.ThrottlingLogger;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.ratelimit.SpanRateLimiter;
import ai.traccia.proxy.server.receiver.BearerAuth;
import ai.traccia.proxy.server.receiver.ReceiverLimits;
import ai.traccia.proxy.server.ui.LivePage;
import ch.qos.logback.classic.Level;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code traccia-proxy serve}, the default command: receives OTLP, runs the pipeline and forwards.
 *
 * <p>Runs until SIGTERM or SIGINT, then stops accepting, drains the queues within {@code
 * server.shutdown_timeout_ms} and exits 0. SIGHUP, or a change of the config file, reloads the
 * configuration: settings that are safe to change live take effect, an invalid file is reported and
 * the running configuration kept.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Receives OTLP traces, metrics and logs on gRPC (4317) and HTTP (4318), enriches spans,"
          + " and forwards everything to the configured backend.",
      "With no configuration it writes to ./traces.jsonl."
    })
public final class ServeCommand implements Callable<Integer> {

  private static final Logger logger = LoggerFactory.getLogger(ServeCommand.class);

  @Spec CommandSpec spec;

  @Mixin ConfigOptions configOptions = new ConfigOptions();

  @Option(
      names = "--grpc-port",
      paramLabel = "PORT",
      description = "OTLP/gRPC port (server.grpc_port); 0 picks a free one.")
  Integer grpcPort;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      description = "OTLP/HTTP port (server.http_port); 0 picks a free one.")
  Integer httpPort;

  @Option(
      names = "--admin-port",
      paramLabel = "PORT",
      description = "Port of /healthz, /readyz and /metrics (server.admin_port); 0 picks one.")
  Integer adminPort;

  @Option(
      names = "--bind-address",
      paramLabel = "ADDRESS",
      description = "Address to listen on (server.bind_address). Default: 127.0.0.1.")
  String bindAddress;

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description = "Backend to forward to (tracing.endpoint).")
  String endpoint;

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

    SelfMetrics metrics = new SelfMetrics(config.metricsMaxLabelLength());
    ScheduledExecutorService retries =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "traccia-export-retry");
              t.setDaemon(true);
              return t;
            });
    List<Exporter> exporters;
    try {
      exporters = Exporters.create(config, metrics, retries);
    } catch (IllegalArgumentException e) {
      err.println("traccia-proxy: " + e.getMessage());
      err.flush();
      return 2;
    }
    ReloadablePriceBook prices = PriceBooks.load(config, Clock.systemUTC());
    DerivedMetrics derived = config.metricsEnabled() ? DerivedMetrics.create(config) : null;
    if (derived != null) {
      // The GenAI metrics derived from spans, on the admin port's /metrics beside the proxy's own.
      derived.registerWith(metrics.registry());
    }
    TraceSamplingProcessor sampler = TraceSamplingProcessor.builder(config).build();
    ScheduledExecutorService guardrailClock =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "traccia-guardrail");
              t.setDaemon(true);
              return t;
            });
    // Held root spans go straight to the queues once released, with the sampling decision of the
    // rest of their trace; the server exists by then, since nothing is held before it starts.
    AtomicReference<ProxyServer> running = new AtomicReference<>();
    LivePage livePage =
        config.livePageEnabled()
            ? LivePage.create(config.livePageMaxTraces(), config.livePageMaxSpans(), metrics)
            : null;
    GuardrailProcessor.Builder guardrailSettings = GuardrailProcessor.builder().fromConfig(config);
    if (config.guardrailsEnabled()
        && config.durableQueue()
        && config.guardrailRootSpanWaitMs() > 0) {
      // A held root is in memory only; with the durable queue on, every acknowledged span must
      // survive a crash, so roots are summarised from what has arrived and written at once.
      logger.info(
          "exporters.durable_queue is on, so root spans are not held for their children"
              + " (guardrails.root_span_wait_ms = {} is not applied): a held span would be lost"
              + " in a crash",
          config.guardrailRootSpanWaitMs());
      guardrailSettings.setRootSpanWait(Duration.ZERO);
    }
    RedactionProcessor redaction = redaction(config, metrics);
    GuardrailProcessor guardrails =
        guardrailSettings
            .setScheduler(guardrailClock)
            .setReleaser(
                request -> releaseHeld(request, sampler, redaction, livePage, running.get()))
            .setListener(
                new GuardrailMetrics(metrics, Duration.ofMillis(config.guardrailRootSpanWaitMs())))
            .build();
    SpanPipeline pipeline =
        pipeline(
            config,
            prices,
            derived,
            guardrails,
            redaction,
            livePage == null ? null : livePage.tap(),
            sampler,
            metrics);
    ProxyServer.Settings.Builder settings =
        ProxyServer.settings()
            .setPipeline(pipeline)
            .setBindAddress(config.bindAddress())
            .setGrpcPort(config.grpcPort())
            .setHttpPort(config.httpPort())
            .setAdminPort(config.adminPort())
            .setAdminBindAddress(config.adminBindAddress())
            .setAdminHeaderTimeout(config.adminHeaderTimeout())
            .setAdminIdleTimeout(config.adminIdleTimeout())
            .setAdminMaxConnections(config.adminMaxConnections())
            .setMaxRequestBytes(config.maxRequestBytes())
            .setSpanLimits(new SpanLimits(config.maxAttributes(), config.maxAttributeValueBytes()))
            .setReceiverLimits(
                new ReceiverLimits(
                    config.maxConnections(),
                    config.headerTimeout(),
                    config.bodyTimeout(),
                    config.idleTimeout(),
                    config.maxHeaderBytes(),
                    config.maxConcurrentStreams()))
            .setShutdownTimeout(config.shutdownTimeout())
            .setMaxQueueSize(config.maxQueueSize())
            .setMaxExportBatchSize(config.maxExportBatchSize())
            .setScheduleDelay(config.scheduleDelay())
            .setMaxSpansPerSecond(config.maxSpansPerSecond().orElse(0))
            .setMaxBlock(config.maxBlock())
            .setRateLimitPolicy(SpanRateLimiter.Policy.parse(config.rateLimitPolicy()))
            .setMaxBufferBytes(config.maxBufferBytes().orElse(0))
            .setDurableQueueDir(config.durableQueue() ? config.durableQueueDir() : null)
            .setDurableQueueMaxBytes(config.durableQueueMaxBytes())
            .setMetrics(metrics)
            .setReceiverAuth(
                BearerAuth.of(
                    config.receiverAuthTokens(),
                    config.receiverAuthTenants(),
                    config.tenantAttribute()))
            .setLivePage(livePage);
    if (config.receiverTlsEnabled()) {
      settings.setReceiverTls(
          config.receiverTlsCertFile().orElseThrow(),
          config.receiverTlsKeyFile().orElseThrow(),
          config.receiverTlsClientCaFile().orElse(null),
          config.receiverTlsMinVersion(),
          config.receiverTlsReloadInterval());
    }
    exporters.forEach(settings::addExporter);
    // Before the receivers report ready: from then on a test or an orchestrator may signal.
    Signals.install();
    ProxyServer server;
    try {
      server = ProxyServer.start(settings.build());
    } catch (java.io.UncheckedIOException e) {
      err.println("traccia-proxy: " + e.getMessage());
      err.flush();
      return 1;
    } catch (IllegalArgumentException e) {
      // A TLS file that exists but cannot be used: a configuration mistake.
      err.println("traccia-proxy: " + e.getMessage());
      err.flush();
      return 2;
    } catch (java.io.IOException e) {
      err.println(
          "traccia-proxy: could not listen on "
              + config.bindAddress()
              + ": "
              + e.getMessage()
              + ". Is another process using the port? Change it with --grpc-port, --http-port or"
              + " --admin-port (0 picks a free one).");
      err.flush();
      return 1;
    }
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
        livePage == null ? "" : ", the live page on /",
        Exporters.describe(config)
            + (config.otlpEnabled()
                ? ""
                : " (no backend configured: to forward, set TRACCIA_ENDPOINT or --endpoint, for"
                    + " example http://tempo:4317 with TRACCIA_EXPORTER_PROTOCOL=grpc, or"
                    + " TRACCIA_API_KEY for the Traccia platform)"));
    running.set(server);
    logger.info(
        "Processors: {}",
        pipeline.processors().isEmpty() ? "none (pass-through)" : processorNames(pipeline));

    ConfigReloader reloader =
        ConfigReloader.builder(loader, loaded)
            .addListener(new ReloadListener(prices, guardrails, redaction, sampler, server))
            .build();
    reloader.start();
    Signals.onReload(reloader::reload);
    // Picks up a cache written by `traccia-proxy pricing refresh` without a restart.
    retries.scheduleWithFixedDelay(prices::checkCacheFile, 30, 30, TimeUnit.SECONDS);
    Runnable stop =
        () -> {
          reloader.close();
          server.close();
          if (derived != null) {
            try {
              derived.shutdown().get(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
              logger.warn("The derived metrics could not be flushed at shutdown", e);
            }
          }
          retries.shutdownNow();
          guardrailClock.shutdownNow();
          stopped.countDown();
        };
    Signals.onStop(stop);
    stopped.await();
    return 0;
  }

  /**
   * The enrichment chain in its required order (token counting before cost), with disabled
   * processors left out; a processor that throws is counted and logged, and the chain goes on.
   */
  static SpanPipeline pipeline(
      ProxyConfig config,
      ReloadablePriceBook prices,
      DerivedMetrics derived,
      GuardrailProcessor guardrails,
      RedactionProcessor redaction,
      SpanProcessor liveTap,
      TraceSamplingProcessor sampler,
      SelfMetrics metrics) {
    ThrottlingLogger errors = ThrottlingLogger.create(logger, 6);
    SpanPipeline.Builder builder =
        SpanPipeline.builder()
            .setErrorHandler(
                (processor, error) -> {
                  metrics.processorError(processor.name());
                  errors.warn(
                      "Processor {} failed on a batch; the chain went on", processor.name(), error);
                });
    // Order: token counting, then cost (EnrichmentProcessors); metrics from every span, with the
    // usage and cost just written; guardrails, which hold root spans back (so they come after the
    // metrics, which skip held spans); redaction, after everything that reads content (counts,
    // costs and findings stay those of the original text); the live page's tap, which reads what
    // the others wrote (redacted) and gets held roots when they are released; sampling last, after
    // everything has seen every span. Redaction is always in the chain, since it can be switched
    // on by a reload; off, it returns at once. Held roots pass through it when released
    // (releaseHeld). The rate limiter runs after the pipeline, in Ingest.
    EnrichmentProcessors.create(config, prices, metrics::unpricedSpan)
        .forEach(builder::addProcessor);
    if (derived != null) {
      builder.addProcessor(derived.processor());
    }
    if (config.guardrailsEnabled()) {
      builder.addProcessor(guardrails);
    }
    builder.addProcessor(redaction);
    if (liveTap != null) {
      builder.addProcessor(liveTap);
    }
    builder.addProcessor(sampler);
    return builder.build();
  }

  /** The redaction stage with the rules of {@code config}, counted on /metrics. */
  static RedactionProcessor redaction(ProxyConfig config, SelfMetrics metrics) {
    return RedactionProcessor.create(
        RedactionRules.fromConfig(config),
        (rule, mode, count) -> metrics.redacted(rule, mode.label(), count));
  }

  /**
   * Queues a released root span unless its trace was sampled out. The guardrail processor held it
   * before the redaction stage ran, so it is redacted here, with the rules in force now: no root
   * leaves the process unredacted. The live page, which like the metrics sees traces before
   * sampling, is shown the redacted root.
   */
  static void releaseHeld(
      ReleasedRoot root,
      TraceSamplingProcessor sampler,
      RedactionProcessor redaction,
      LivePage livePage,
      ProxyServer server) {
    byte[] redacted = redaction.redactRequest(root.encodedRequest());
    if (livePage != null) {
      livePage.tap().released(redacted);
    }
    if (sampler.keeps(root.traceId(), root.traceState())) {
      server.release(redacted, 1);
    }
  }

  private static String processorNames(SpanPipeline pipeline) {
    StringBuilder names = new StringBuilder();
    for (SpanProcessor p : pipeline.processors()) {
      names.append(names.length() == 0 ? "" : " -> ").append(p.name());
    }
    return names.toString();
  }

  private ConfigLoader loader() {
    Map<String, String> flags = new LinkedHashMap<>(configOptions.flags());
    putFlag(flags, "grpc-port", grpcPort);
    putFlag(flags, "http-port", httpPort);
    putFlag(flags, "admin-port", adminPort);
    putFlag(flags, "bind-address", bindAddress);
    putFlag(flags, "endpoint", endpoint);
    flags.putAll(keyFlags(otherFlags));
    return configOptions.loaderBuilder().setFlags(flags).build();
  }

  /**
   * Every other configuration key as a flag of its own, {@code --max-queue-size 1000} or {@code
   * --max-queue-size=1000}, as config/README.md lists them; the loader validates the names and
   * suggests the closest key for a misspelt one. A flag without a value is {@code true}.
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

  private static void putFlag(Map<String, String> flags, String name, Object value) {
    if (value != null) {
      flags.put(name, String.valueOf(value));
    }
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

  /**
   * Counts the guardrail processor's trace-level bookkeeping on /metrics, and says once why the
   * first root span does not reach the backend at once.
   */
  static final class GuardrailMetrics implements GuardrailListener {
    private final SelfMetrics metrics;
    private final Duration rootSpanWait;
    private final AtomicBoolean heldOnce = new AtomicBoolean();

    GuardrailMetrics(SelfMetrics metrics, Duration rootSpanWait) {
      this.metrics = metrics;
      this.rootSpanWait = rootSpanWait;
    }

    @Override
    public void onRootHeld() {
      metrics.guardrailEvent("root_held", "");
      // A first-time user sends one span and sees nothing arrive for seconds; say why, once.
      if (heldOnce.compareAndSet(false, true)) {
        logger.info(rootHeldMessage(rootSpanWait));
      }
    }

    @Override
    public void onRootReleased(Release reason) {
      metrics.guardrailEvent("root_released", reason.label());
    }

    @Override
    public void onReleaseFailed(RuntimeException error) {
      metrics.guardrailEvent("release_failed", "");
      logger.warn("A held root span could not be queued", error);
    }

    @Override
    public void onLateSpan() {
      metrics.guardrailEvent("late_span", "");
    }

    @Override
    public void onTraceEvicted() {
      metrics.guardrailEvent("trace_evicted", "");
    }

    @Override
    public void onTraceExpiredWithoutRoot() {
      metrics.guardrailEvent("trace_without_root", "");
    }

    @Override
    public void onTraceSummarized(
        List<String> detected, List<String> triggered, List<String> missing) {
      metrics.guardrailSummary(detected, triggered, missing);
    }
  }

  /** What is logged when the first root span is held for its children. */
  static String rootHeldMessage(Duration rootSpanWait) {
    return "Root spans are held for "
        + rootSpanWait.toMillis()
        + " ms (guardrails.root_span_wait_ms) before they are forwarded, so that the guardrail"
        + " summary written on a trace's root includes children that arrive after it: a root span"
        + " reaches the backend about that much later than the rest of its trace. Set"
        + " guardrails.root_span_wait_ms = 0 (TRACCIA_GUARDRAIL_ROOT_SPAN_WAIT_MS=0) to forward"
        + " roots at once. (Said once, at the first held root.)";
  }

  /** Applies what can change live and says what needs a restart. */
  private static final class ReloadListener implements ConfigReloader.Listener {
    private final ReloadablePriceBook prices;
    private final GuardrailProcessor guardrails;
    private final RedactionProcessor redaction;
    private final TraceSamplingProcessor sampler;
    private final ProxyServer server;

    ReloadListener(
        ReloadablePriceBook prices,
        GuardrailProcessor guardrails,
        RedactionProcessor redaction,
        TraceSamplingProcessor sampler,
        ProxyServer server) {
      this.prices = prices;
      this.guardrails = guardrails;
      this.redaction = redaction;
      this.sampler = sampler;
      this.server = server;
    }

    @Override
    public void onChange(ConfigChange change) {
      ProxyConfig current = change.current();
      applyLogLevel(current);
      prices.reload(current);
      guardrails.setHeuristicsEnabled(current.guardrailHeuristics());
      // Checked by the loader (a hash mode has its key), so this does not throw.
      redaction.setRules(RedactionRules.fromConfig(current));
      sampler.setSampleRate(current.sampleRate());
      server.updateRateLimit(
          current.maxSpansPerSecond().orElse(0),
          current.maxBlock(),
          SpanRateLimiter.Policy.parse(current.rateLimitPolicy()));
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
