/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import ai.traccia.proxy.codec.SpanLimits;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.pricing.PriceBooks;
import ai.traccia.proxy.pricing.ReloadablePriceBook;
import ai.traccia.proxy.processor.EnrichmentProcessors;
import ai.traccia.proxy.processor.guardrail.GuardrailFindingsProcessor;
import ai.traccia.proxy.processor.guardrail.GuardrailListener;
import ai.traccia.proxy.processor.guardrail.GuardrailProcessor;
import ai.traccia.proxy.processor.metrics.DerivedMetrics;
import ai.traccia.proxy.processor.redaction.RedactionProcessor;
import ai.traccia.proxy.processor.redaction.RedactionRules;
import ai.traccia.proxy.processor.sampling.TraceSamplingProcessor;
import ai.traccia.proxy.processor.tier.EnrichedMark;
import ai.traccia.proxy.processor.tier.SkipEnrichedProcessor;
import ai.traccia.proxy.server.export.ThrottlingLogger;
import ai.traccia.proxy.server.kafka.KafkaReceiver;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.ratelimit.SpanRateLimiter;
import ai.traccia.proxy.server.receiver.BearerAuth;
import ai.traccia.proxy.server.receiver.ReceiverLimits;
import ai.traccia.proxy.server.ui.LivePage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole proxy built from one {@link ProxyConfig}: price book, processors, pipeline, exporters
 * and their queues, receivers and admin port. It owns what it builds: {@link #reload} applies a new
 * configuration to what can change live, {@link #close} stops everything in order.
 *
 * <p><b>Design.</b> The command line parses and loads a configuration and calls {@link #start};
 * everything that turns a configuration into running parts is here, once, so that a test and the
 * {@code serve} command run the same proxy. Values come from the configuration (whose catalog holds
 * every default); nothing here repeats a default.
 *
 * <p>The pipeline runs, in this order: token counting, cost, metrics derivation, guardrails,
 * redaction, the live page's tap, sampling (see {@link #pipeline}). The guardrail stage is a
 * holding stage: a root span it held goes, when released, through the stages after it and into the
 * queues by the same hand-off as a request ({@code Ingest}), never around them. {@code server.role}
 * splits these stages between a sidecar and a gateway tier ({@link Role}).
 *
 * <p>Thread-safe; close is idempotent.
 */
public final class ProxyAssembly implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(ProxyAssembly.class);

  private final ProxyConfig config;
  private final ScheduledExecutorService retries;
  private final ScheduledExecutorService guardrailClock;
  private final Stages stages;
  private final ProxyServer server;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile KafkaReceiver kafka; // null unless kafka.receive

  private ProxyAssembly(
      ProxyConfig config,
      ScheduledExecutorService retries,
      ScheduledExecutorService guardrailClock,
      Stages stages,
      ProxyServer server) {
    this.config = config;
    this.retries = retries;
    this.guardrailClock = guardrailClock;
    this.stages = stages;
    this.server = server;
  }

  /**
   * Builds and starts the proxy {@code config} describes; returns once every port is bound.
   *
   * @throws IllegalArgumentException when a part cannot be built from the configuration (an
   *     exporter's endpoint, a TLS file that exists but cannot be used): the user's to fix
   * @throws java.io.UncheckedIOException when a durable queue cannot be opened
   * @throws IOException when a port cannot be bound
   */
  public static ProxyAssembly start(ProxyConfig config) throws IOException, InterruptedException {
    Objects.requireNonNull(config, "config");
    SelfMetrics metrics = new SelfMetrics(config.metricsMaxLabelLength());
    ScheduledExecutorService retries = daemonScheduler("traccia-export-retry");
    ScheduledExecutorService guardrailClock = daemonScheduler("traccia-guardrail");
    Stages stages = null;
    try {
      List<Exporters.Configured> exporters = Exporters.fromConfig(config, metrics, retries);
      stages = Stages.build(config, metrics, guardrailClock);
      ProxyServer.Options.Builder settings = settings(config, stages, metrics);
      exporters.forEach(e -> settings.addExporter(e.exporter(), e.queue()));
      ProxyServer server = ProxyServer.start(settings.build());
      // Picks up a cache written by `traccia-proxy pricing refresh` without a restart.
      retries.scheduleWithFixedDelay(stages.prices()::checkCacheFile, 30, 30, TimeUnit.SECONDS);
      ProxyAssembly assembly = new ProxyAssembly(config, retries, guardrailClock, stages, server);
      if (config.kafkaReceive()) {
        try {
          assembly.startKafkaReceiver(metrics);
        } catch (RuntimeException e) {
          assembly.close();
          throw e;
        }
      }
      return assembly;
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (stages != null && stages.derived() != null) {
        stages.derived().shutdown();
      }
      retries.shutdownNow();
      guardrailClock.shutdownNow();
      throw e;
    }
  }

  /**
   * Starts consuming traces from Kafka into the running server's Ingest. When the group takes
   * partitions away, the guardrail stage releases at once the roots it holds of their traces (those
   * go on at another proxy), counted as {@code root_released} with reason {@code rebalance}; roots
   * of the partitions it keeps wait for their children as before.
   */
  private void startKafkaReceiver(SelfMetrics metrics) {
    GuardrailProcessor guardrails = stages.guardrails();
    KafkaReceiver.RevokedTraces onRevoked =
        guardrails == null
            ? traceIds -> {}
            : traceIds -> {
              int released = guardrails.releaseHeld(traceIds);
              if (released > 0) {
                logger.info(
                    "Kafka partitions were revoked: released {} held root spans early", released);
              }
            };
    KafkaReceiver receiver =
        KafkaReceiver.fromConfig(config, server.ingest()::traces, onRevoked, metrics.registry());
    kafka = receiver;
    receiver.start();
  }

  /** What {@link ProxyServer} is started with, from {@code config}. */
  private static ProxyServer.Options.Builder settings(
      ProxyConfig config, Stages stages, SelfMetrics metrics) {
    ProxyServer.Options.Builder settings =
        ProxyServer.options()
            .setPipeline(stages.pipeline())
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
            .setReceiverLimits(ReceiverLimits.fromConfig(config))
            .setShutdownTimeout(config.shutdownTimeout())
            .setMaxQueueSize(config.maxQueueSize())
            .setMaxExportBatchSize(config.maxExportBatchSize())
            .setScheduleDelay(config.scheduleDelay())
            .setMaxSpansPerSecond(config.maxSpansPerSecond().orElse(0))
            .setMaxBlock(config.maxBlock())
            .setRateLimitPolicy(SpanRateLimiter.Policy.parse(config.rateLimitPolicy()))
            .setMaxBufferBytes(config.maxBufferBytes().orElse(0))
            .setDurableQueueDir(config.durableQueueInUse() ? config.durableQueueDir() : null)
            .setDurableQueueMaxBytes(config.durableQueueMaxBytes())
            .setMetrics(metrics)
            .setReceiverAuth(
                BearerAuth.of(
                    config.receiverAuthTokens(),
                    config.receiverAuthTenants(),
                    config.tenantAttribute()))
            .setLivePage(stages.livePage())
            .setDerivedMetrics(stages.derived());
    if (config.receiverTlsEnabled()) {
      settings.setReceiverTls(
          config.receiverTlsCertFile().orElseThrow(),
          config.receiverTlsKeyFile().orElseThrow(),
          config.receiverTlsClientCaFile().orElse(null),
          config.receiverTlsMinVersion(),
          config.receiverTlsReloadInterval());
    }
    return settings;
  }

  /** The running server: its ports, metrics and memory budget. */
  public ProxyServer server() {
    return server;
  }

  /** The pipeline every trace request goes through. */
  public SpanPipeline pipeline() {
    return stages.pipeline();
  }

  /** The configuration the proxy was started with; a reload changes only what can change live. */
  public ProxyConfig config() {
    return config;
  }

  /** Whether the live page is served on the admin port. */
  public boolean servesLivePage() {
    return stages.livePage() != null;
  }

  /**
   * Applies what can change live from {@code current}: prices, guardrail heuristics, redaction
   * rules, the sample rate and the rate limit. Everything else keeps the value the proxy started
   * with until a restart. {@code current} is a configuration the loader validated, so this does not
   * throw. Thread-safe.
   */
  public void reload(ProxyConfig current) {
    stages.prices().reload(current.pricingSettings());
    if (stages.guardrails() != null) {
      stages.guardrails().setHeuristicsEnabled(current.guardrailHeuristics());
    }
    if (stages.findings() != null) {
      stages.findings().setHeuristicsEnabled(current.guardrailHeuristics());
    }
    if (stages.redaction() != null) {
      // Checked by the loader (a hash mode has its key), so this does not throw.
      stages.redaction().setRules(RedactionRules.fromConfig(current));
    }
    if (stages.sampler() != null) {
      stages.sampler().setSampleRate(current.sampleRate());
    }
    server.updateRateLimit(
        current.maxSpansPerSecond().orElse(0),
        current.maxBlock(),
        SpanRateLimiter.Policy.parse(current.rateLimitPolicy()));
  }

  /**
   * Stops the proxy: the receivers stop accepting, the pipeline shuts down (releasing held root
   * spans through the stages after the guardrail stage into the queues), the derived metrics make
   * their last collection into the queues, the queues drain within {@code
   * server.shutdown_timeout_ms}, then the clocks stop ({@link ProxyServer#close}). Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    KafkaReceiver receiver = kafka;
    if (receiver != null) {
      // First: what it read is then accepted or left uncommitted, never refused for shutting down.
      receiver.close(config.shutdownTimeout());
    }
    server.close();
    retries.shutdownNow();
    guardrailClock.shutdownNow();
  }

  private static ScheduledExecutorService daemonScheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * The pipeline and the stages a reload reaches. Package-private for tests, which build the
   * pipeline of a configuration without starting a server.
   */
  record Stages(
      ReloadablePriceBook prices,
      DerivedMetrics derived, // null when metrics derivation is off
      GuardrailProcessor guardrails, // null when guardrails are off, or in a sidecar
      GuardrailFindingsProcessor findings, // a sidecar's guardrail stage, else null
      RedactionProcessor redaction, // null in a sidecar
      LivePage livePage, // null when the live page is off
      TraceSamplingProcessor sampler, // null in a sidecar
      SpanPipeline pipeline) {

    /**
     * The stages of {@code config} and the pipeline in its required order, with disabled stages
     * left out; a stage that throws is counted and logged, and the chain goes on.
     *
     * <p>Order: token counting, then cost (EnrichmentProcessors); metrics from every span, with the
     * usage and cost just written; guardrails, which hold root spans back (so they come after the
     * metrics, which skip held spans); redaction, after everything that reads content (counts,
     * costs and findings stay those of the original text); the live page's tap, which reads what
     * the others wrote (redacted); sampling last, after everything has seen every span. A held root
     * goes through the stages after the guardrail stage when it is released, so it is redacted,
     * shown and sampled as every span. Redaction is always in the chain, since a reload can switch
     * it on; off, it returns at once. The rate limiter runs after the pipeline, in Ingest.
     *
     * <p>{@code server.role} leaves stages out as {@link Role} says: a sidecar runs the per-span
     * stages and marks the spans; a gateway runs the rest, and the per-span stages only for spans
     * that arrive unmarked.
     */
    static Stages build(
        ProxyConfig config, SelfMetrics metrics, ScheduledExecutorService guardrailClock) {
      Role role = Role.of(config.role());
      ReloadablePriceBook prices =
          PriceBooks.fromSettings(config.pricingSettings(), Clock.systemUTC());
      DerivedMetrics derived =
          config.metricsEnabled() && role.tracesWork() ? DerivedMetrics.fromConfig(config) : null;
      if (derived != null) {
        // The GenAI metrics derived from spans, on the admin port's /metrics beside the proxy's.
        derived.registerWith(metrics.registry());
      }
      LivePage livePage =
          config.livePageEnabled()
              ? LivePage.create(config.livePageMaxTraces(), config.livePageMaxSpans(), metrics)
              : null;
      RedactionProcessor redaction = role.redacts() ? redaction(config, metrics) : null;
      TraceSamplingProcessor sampler =
          role.tracesWork() ? TraceSamplingProcessor.builder().fromConfig(config).build() : null;
      ThrottlingLogger errors = ThrottlingLogger.create(logger, 6);
      SpanPipeline.Builder builder =
          SpanPipeline.builder()
              .setErrorHandler(
                  (processor, error) -> {
                    metrics.processorError(processor.name());
                    errors.warn(
                        "Processor {} failed on a batch; the chain went on",
                        processor.name(),
                        error);
                  });
      for (SpanBatchProcessor stage :
          EnrichmentProcessors.fromConfig(config, prices, metrics::unpricedSpan)) {
        builder.addProcessor(perSpan(role, stage));
      }
      if (derived != null) {
        builder.addProcessor(derived.processor());
      }
      GuardrailProcessor guardrails = null;
      GuardrailFindingsProcessor findings = null;
      if (config.guardrailsEnabled() && role.tracesWork()) {
        GuardrailProcessor.Builder settings =
            guardrailSettings(config)
                .setSkipFindingsOfMarkedSpans(role.skipsMarkedSpans())
                .setScheduler(guardrailClock)
                .setListener(
                    new GuardrailMetrics(
                        metrics, Duration.ofMillis(config.guardrailRootSpanWaitMs())));
        guardrails = builder.addHoldingProcessor(next -> settings.setNext(next).build());
      } else if (config.guardrailsEnabled()) {
        findings = GuardrailFindingsProcessor.create(config.guardrailHeuristics());
        builder.addProcessor(perSpan(role, findings));
      }
      if (role.marksSpans()) {
        builder.addProcessor(EnrichedMark.create());
      }
      if (redaction != null) {
        builder.addProcessor(redaction);
      }
      if (livePage != null) {
        builder.addProcessor(livePage.tap());
      }
      if (sampler != null) {
        builder.addProcessor(sampler);
      }
      return new Stages(
          prices, derived, guardrails, findings, redaction, livePage, sampler, builder.build());
    }

    /** A per-span stage as {@code role} runs it: on every span, or on unmarked spans only. */
    private static SpanBatchProcessor perSpan(Role role, SpanBatchProcessor stage) {
      return role.skipsMarkedSpans() ? SkipEnrichedProcessor.wrap(stage) : stage;
    }

    /** The guardrail stage's settings from {@code config}. */
    private static GuardrailProcessor.Builder guardrailSettings(ProxyConfig config) {
      GuardrailProcessor.Builder settings = GuardrailProcessor.builder().fromConfig(config);
      if (config.durableQueueInUse() && config.guardrailRootSpanWaitMs() > 0) {
        // A held root is in memory only; with the durable queue on, every acknowledged span must
        // survive a crash, so roots are summarised from what has arrived and written at once.
        logger.info(
            "exporters.durable_queue is on, so root spans are not held for their children"
                + " (guardrails.root_span_wait_ms = {} is not applied): a held span would be lost"
                + " in a crash",
            config.guardrailRootSpanWaitMs());
        settings.setRootSpanWait(Duration.ZERO);
      }
      return settings;
    }

    /** The redaction stage with the rules of {@code config}, counted on /metrics. */
    static RedactionProcessor redaction(ProxyConfig config, SelfMetrics metrics) {
      return RedactionProcessor.create(
          RedactionRules.fromConfig(config),
          (rule, mode, count) -> metrics.redacted(rule, mode.label(), count));
    }
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
}
