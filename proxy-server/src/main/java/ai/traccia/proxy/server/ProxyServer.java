/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import ai.traccia.proxy.codec.SpanLimits;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.processor.metrics.DerivedMetrics;
import ai.traccia.proxy.server.admin.AdminHandler;
import ai.traccia.proxy.server.admin.AdminResponse;
import ai.traccia.proxy.server.admin.AdminServer;
import ai.traccia.proxy.server.export.Exporter;
import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.ingest.Ingest;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.queue.BatchingExporter;
import ai.traccia.proxy.server.queue.MemoryBudget;
import ai.traccia.proxy.server.queue.durable.DiskQueue;
import ai.traccia.proxy.server.ratelimit.SpanRateLimiter;
import ai.traccia.proxy.server.receiver.BearerAuth;
import ai.traccia.proxy.server.receiver.GrpcReceiver;
import ai.traccia.proxy.server.receiver.HttpReceiver;
import ai.traccia.proxy.server.receiver.ReceiverLimits;
import ai.traccia.proxy.server.receiver.ReceiverTls;
import ai.traccia.proxy.server.receiver.Receivers;
import ai.traccia.proxy.server.ui.LivePage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running proxy: admin port, OTLP receivers, the span pipeline and one batching queue per
 * exporter, wired in that order and shut down in the reverse one; the metrics derived from spans
 * are queued like a client's metrics request.
 *
 * <p>Data flows receiver, {@link Ingest} (pipeline), {@link BatchingExporter} (queue and batches),
 * {@link Exporter}. {@link #close()} stops accepting, drains every queue to its exporter within the
 * shutdown timeout, and logs what could not be delivered. Thread-safe; close is idempotent.
 */
public final class ProxyServer implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(ProxyServer.class);

  private final Options settings;
  private final SelfMetrics metrics;
  private final MemoryBudget budget;
  private final List<BatchingExporter> queues;
  private final Ingest ingest;
  private final SpanPipeline pipeline;
  private final ExecutorService grpcExecutor;
  private final ExecutorService httpExecutor;
  private final AdminServer admin;
  private final AtomicBoolean ready = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private Receivers receivers;
  private GrpcReceiver grpc;
  private HttpReceiver http;
  private ReceiverTls tls;

  private ProxyServer(Options settings) throws IOException {
    this.settings = settings;
    this.metrics = settings.metrics;
    this.pipeline = settings.pipeline;
    this.budget =
        settings.maxBufferBytes > 0
            ? MemoryBudget.of(settings.maxBufferBytes)
            : MemoryBudget.fromHeap();
    metrics.registerMemoryBudget(budget::used, budget.limit());
    this.queues = buildQueues(settings, metrics, budget);
    try {
      AdminServer.Builder adminBuilder =
          AdminServer.builder(metrics, ready::get)
              .setBindAddress(
                  settings.adminBindAddress != null
                      ? settings.adminBindAddress
                      : settings.bindAddress)
              .setPort(settings.adminPort)
              .setHeaderTimeout(settings.adminHeaderTimeout)
              .setIdleTimeout(settings.adminIdleTimeout)
              .setMaxConnections(settings.adminMaxConnections);
      if (settings.livePage != null) {
        addLivePage(adminBuilder, settings.livePage);
      }
      this.admin = adminBuilder.start();
    } catch (IOException | RuntimeException e) {
      for (BatchingExporter queue : queues) {
        queue.shutdown(Duration.ZERO);
      }
      throw e;
    }
    SpanRateLimiter limiter =
        SpanRateLimiter.create(
            settings.maxSpansPerSecond,
            settings.maxBlock,
            settings.rateLimitPolicy,
            SpanRateLimiter.Ticker.system());
    this.ingest = new Ingest(pipeline, queues, metrics, limiter, settings.spanLimits);
    if (settings.derivedMetrics != null
        && queues.stream().anyMatch(BatchingExporter::takesDerivedMetrics)) {
      // Collected metrics go where a client's metrics request goes, queued and counted alike.
      settings.derivedMetrics.connect(ingest::derivedMetrics);
    }
    int workers = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.grpcExecutor = workers("traccia-grpc", workers);
    this.httpExecutor = workers("traccia-http", workers);
  }

  /**
   * Routes the live page on the admin port: its static files as probes (bytes held in memory,
   * answered at once), and everything under {@code /api/} as a page, rendered off the event loop
   * (the page answers unknown API paths itself, with its own headers).
   */
  private static void addLivePage(AdminServer.Builder admin, LivePage page) {
    AdminHandler handler =
        request ->
            page.handle(request.path(), request.parameters())
                .map(r -> AdminResponse.of(r.status(), r.contentType(), r.headers(), r.body()))
                .orElseGet(() -> AdminResponse.text(404, "not found\n"));
    for (String path : LivePage.paths()) {
      if (!path.startsWith("/api/")) {
        admin.addProbe(path, handler);
      }
    }
    admin.addPage("/api/*", handler);
  }

  private static List<BatchingExporter> buildQueues(
      Options settings, SelfMetrics metrics, MemoryBudget budget) {
    List<BatchingExporter> built = new ArrayList<>();
    try {
      for (int i = 0; i < settings.exporters.size(); i++) {
        Exporter exporter = settings.exporters.get(i);
        QueueOptions options = settings.queueOptions.get(i);
        int capacity = options != null ? options.capacity() : settings.maxQueueSize;
        boolean durable = options != null ? options.durable() : settings.durableQueueDir != null;
        if (durable && settings.durableQueueDir == null) {
          throw new IllegalStateException(
              "exporter " + exporter.name() + " has a durable queue but there is no directory");
        }
        BatchingExporter.Builder b =
            BatchingExporter.builder(exporter, metrics)
                .setCapacity(capacity)
                // A queue smaller than a batch sends batches of its size.
                .setMaxBatchItems(Math.min(settings.maxExportBatchSize, capacity))
                .setScheduleDelay(settings.scheduleDelay);
        if (options != null) {
          b.setSignals(options.signals());
        }
        if (durable) {
          b.setDiskQueue(openDiskQueue(settings, metrics, exporter.name()));
        } else {
          b.setMemoryBudget(budget);
        }
        built.add(b.build());
      }
    } catch (RuntimeException e) {
      for (BatchingExporter queue : built) {
        queue.shutdown(Duration.ZERO);
      }
      throw e;
    }
    return List.copyOf(built);
  }

  private static DiskQueue openDiskQueue(Options settings, SelfMetrics metrics, String name) {
    Path dir = durableQueueDirectory(settings.durableQueueDir, name);
    try {
      adoptLegacyQueue(settings.durableQueueDir, name, dir);
      DiskQueue disk =
          DiskQueue.open(
              dir,
              settings.durableQueueMaxBytes,
              settings.durableSegmentBytes,
              nanos -> metrics.durableFsync(name, nanos));
      metrics.durableReplayed(name, disk.replayedItems());
      return disk;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not open the durable queue of exporter "
              + name
              + " in "
              + dir.toAbsolutePath()
              + ": "
              + e
              + "; check that the directory can be created and written"
              + " (exporters.durable_queue_dir)",
          e);
    }
  }

  /**
   * The directory of exporter {@code name}'s durable queue under {@code root}: the name with every
   * character other than letters, digits, '.', '-' and '_' replaced by '_' ({@code otlp/tempo}
   * gives {@code otlp_tempo}).
   */
  public static Path durableQueueDirectory(Path root, String name) {
    return root.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_"));
  }

  /**
   * Before exporters had configured names, the one OTLP exporter's queue was kept under {@code
   * otlp-http} or {@code otlp-grpc}; it is now {@code otlp}. A queue left there by an older version
   * is moved, so what it holds is still sent.
   */
  private static void adoptLegacyQueue(Path root, String name, Path dir) throws IOException {
    if (!name.equals("otlp") || Files.exists(dir)) {
      return;
    }
    for (String legacy : new String[] {"otlp-http", "otlp-grpc"}) {
      Path old = root.resolve(legacy);
      if (Files.isDirectory(old)) {
        Files.move(old, dir);
        logger.info("Moved the durable queue of exporter otlp from {} to {}", old, dir);
        return;
      }
    }
  }

  /**
   * How one exporter's queue differs from the proxy-wide defaults: the signals it takes, the items
   * it holds in memory at most, and whether it is kept on disk (under its own subdirectory of
   * {@link Options.Builder#setDurableQueueDir}).
   */
  public record QueueOptions(Set<Signal> signals, int capacity, boolean durable) {
    /** Copies {@code signals}; at least one signal and a positive capacity are required. */
    public QueueOptions {
      if (signals.isEmpty() || capacity <= 0) {
        throw new IllegalArgumentException(
            "queue options: signals " + signals + ", capacity " + capacity);
      }
      signals = Set.copyOf(EnumSet.copyOf(signals));
    }
  }

  /**
   * Starts a proxy with {@code settings}; returns once every port is bound.
   *
   * @throws UncheckedIOException if a durable queue cannot be opened
   */
  public static ProxyServer start(Options settings) throws IOException, InterruptedException {
    ProxyServer server = new ProxyServer(settings);
    try {
      if (settings.tlsCertFile != null) {
        server.tls =
            ReceiverTls.start(
                settings.tlsCertFile,
                settings.tlsKeyFile,
                settings.tlsClientCaFile,
                settings.tlsMinVersion,
                settings.tlsReloadInterval);
      } else if (settings.auth.isEnabled()) {
        logger.warn(
            "Bearer tokens are required but the receivers do not use TLS: tokens and data cross"
                + " the network in clear text; set server.tls_cert_file and server.tls_key_file");
      }
      server.receivers =
          new Receivers(
              settings.maxRequestBytes,
              settings.receiverLimits,
              server.ingest,
              server.metrics,
              server.budget,
              server.tls,
              settings.auth);
      server.grpc =
          server.receivers.startGrpc(settings.bindAddress, settings.grpcPort, server.grpcExecutor);
      server.http =
          server.receivers.startHttp(settings.bindAddress, settings.httpPort, server.httpExecutor);
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    server.ready.set(true);
    return server;
  }

  /** Returns a builder of the settings {@link #start} takes. */
  public static Options.Builder options() {
    return new Options.Builder();
  }

  public int grpcPort() {
    return grpc.port();
  }

  public int httpPort() {
    return http.port();
  }

  public int adminPort() {
    return admin.port();
  }

  /**
   * Changes the rate limit for the requests that come next: {@code maxSpansPerSecond <= 0} means
   * unlimited. For configuration reloads; thread-safe.
   */
  public void updateRateLimit(
      double maxSpansPerSecond, Duration maxBlock, SpanRateLimiter.Policy policy) {
    ingest.rateLimiter().update(maxSpansPerSecond, maxBlock, policy);
  }

  /** The memory budget of requests in flight and queued in memory. */
  public MemoryBudget memoryBudget() {
    return budget;
  }

  /** The self-metrics of this proxy. */
  public SelfMetrics metrics() {
    return metrics;
  }

  /**
   * Where requests enter the pipeline and queues; receivers other than the OTLP ports (the Kafka
   * consumer) hand their requests here as the OTLP receivers do.
   */
  public Ingest ingest() {
    return ingest;
  }

  /** Whether the receivers are bound and accepting. */
  public boolean isReady() {
    return ready.get() && !closed.get();
  }

  /** Sends everything queued now and waits for it; for tests and tools. */
  public void flush(Duration timeout) {
    List<java.util.concurrent.CompletableFuture<Void>> all = new ArrayList<>();
    for (BatchingExporter queue : queues) {
      all.add(queue.forceFlush());
    }
    try {
      java.util.concurrent.CompletableFuture.allOf(
              all.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      logger.warn("Flush did not finish within {} ms", timeout.toMillis(), e);
    }
  }

  /**
   * Stops accepting, shuts the pipeline down, queues the last derived metrics, drains the queues
   * within the shutdown timeout, and logs anything that could not be delivered. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ready.set(false);
    long timeoutMillis = settings.shutdownTimeout.toMillis();
    ingest.stopAccepting();
    if (grpc != null) {
      grpc.stop(Math.min(timeoutMillis, 5_000));
    }
    if (http != null) {
      http.stop(Math.min(timeoutMillis, 5_000));
    }
    if (receivers != null) {
      receivers.close(Math.min(timeoutMillis, 5_000));
    }
    if (tls != null) {
      tls.close();
    }
    // Before the queues close: processors that hold spans back (a root waiting for its children)
    // release them now, through the stages after them into queues that still take them.
    try {
      pipeline.shutdown().get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      logger.warn("The processors did not shut down within {} ms", timeoutMillis, e);
    }
    // After the pipeline (every span recorded) and before the queues close: the last collection
    // of the derived metrics is queued, so it is exported with the rest.
    if (settings.derivedMetrics != null) {
      try {
        settings.derivedMetrics.shutdown().get(timeoutMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        logger.warn("The derived metrics could not be queued at shutdown", e);
      }
    }
    long undelivered = 0;
    ingest.closeQueues();
    for (BatchingExporter queue : queues) {
      long left = queue.shutdown(settings.shutdownTimeout);
      if (left > 0 && queue.isDurable()) {
        logger.info(
            "Exporter {}: {} items were not exported within the shutdown timeout of {} ms; they"
                + " stay in the durable queue and are sent after the next start",
            queue.name(),
            left,
            timeoutMillis);
        continue;
      }
      if (left > 0) {
        logger.warn(
            "Exporter {}: {} items were still undelivered when the shutdown timeout of {} ms ran"
                + " out (server.shutdown_timeout_ms)",
            queue.name(),
            left,
            timeoutMillis);
      }
      undelivered += left;
    }
    grpcExecutor.shutdownNow();
    httpExecutor.shutdownNow();
    admin.stop();
    if (undelivered == 0) {
      logger.info("Traccia Proxy stopped; every accepted item was delivered");
    }
  }

  private static ExecutorService workers(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    // Bounded: when every worker is busy and this queue is full, the HTTP receiver answers 503
    // with Retry-After instead of letting requests pile up in memory.
    return new ThreadPoolExecutor(
        threads,
        threads,
        0,
        TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(4096),
        r -> {
          Thread t = new Thread(r, name + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /** What a proxy is started with. Immutable; built by {@link Builder}. */
  public static final class Options {
    final String bindAddress;
    final int grpcPort;
    final int httpPort;
    final int adminPort;
    final String adminBindAddress;
    final Duration adminHeaderTimeout;
    final Duration adminIdleTimeout;
    final int adminMaxConnections;
    final long maxRequestBytes;
    final SpanLimits spanLimits;
    final ReceiverLimits receiverLimits;
    final Duration shutdownTimeout;
    final int maxQueueSize;
    final int maxExportBatchSize;
    final Duration scheduleDelay;
    final double maxSpansPerSecond;
    final Duration maxBlock;
    final SpanRateLimiter.Policy rateLimitPolicy;
    final long maxBufferBytes;
    final Path durableQueueDir;
    final long durableQueueMaxBytes;
    final long durableSegmentBytes;
    final SpanPipeline pipeline;
    final List<Exporter> exporters;
    final List<QueueOptions> queueOptions; // parallel to exporters; null entries: defaults
    final SelfMetrics metrics;
    final Path tlsCertFile;
    final Path tlsKeyFile;
    final Path tlsClientCaFile;
    final String tlsMinVersion;
    final Duration tlsReloadInterval;
    final BearerAuth auth;
    final LivePage livePage;
    final DerivedMetrics derivedMetrics;

    private Options(Builder b) {
      this.bindAddress = b.bindAddress;
      this.grpcPort = b.grpcPort;
      this.httpPort = b.httpPort;
      this.adminPort = b.adminPort;
      this.adminBindAddress = b.adminBindAddress;
      this.adminHeaderTimeout = b.adminHeaderTimeout;
      this.adminIdleTimeout = b.adminIdleTimeout;
      this.adminMaxConnections = b.adminMaxConnections;
      this.maxRequestBytes = b.maxRequestBytes;
      this.spanLimits = b.spanLimits;
      this.receiverLimits = b.receiverLimits;
      this.shutdownTimeout = b.shutdownTimeout;
      this.maxQueueSize = b.maxQueueSize;
      this.maxExportBatchSize = b.maxExportBatchSize;
      this.scheduleDelay = b.scheduleDelay;
      this.maxSpansPerSecond = b.maxSpansPerSecond;
      this.maxBlock = b.maxBlock;
      this.rateLimitPolicy = b.rateLimitPolicy;
      this.maxBufferBytes = b.maxBufferBytes;
      this.durableQueueDir = b.durableQueueDir;
      this.durableQueueMaxBytes = b.durableQueueMaxBytes;
      this.durableSegmentBytes = b.durableSegmentBytes;
      this.pipeline = b.pipeline;
      this.exporters = List.copyOf(b.exporters);
      this.queueOptions = java.util.Collections.unmodifiableList(new ArrayList<>(b.queueOptions));
      this.metrics = b.metrics;
      this.tlsCertFile = b.tlsCertFile;
      this.tlsKeyFile = b.tlsKeyFile;
      this.tlsClientCaFile = b.tlsClientCaFile;
      this.tlsMinVersion = b.tlsMinVersion;
      this.tlsReloadInterval = b.tlsReloadInterval;
      this.auth = b.auth;
      this.livePage = b.livePage;
      this.derivedMetrics = b.derivedMetrics;
    }

    /**
     * Builds {@link Options}. Defaults are those of the configuration catalog ({@link
     * ProxyConfig#defaults()}), so a proxy built here and one started from an empty configuration
     * agree.
     */
    public static final class Builder {
      private static final ProxyConfig DEFAULTS = ProxyConfig.defaults();

      private String bindAddress = DEFAULTS.bindAddress();
      private int grpcPort = DEFAULTS.grpcPort();
      private int httpPort = DEFAULTS.httpPort();
      private int adminPort = DEFAULTS.adminPort();
      private String adminBindAddress;
      private Duration adminHeaderTimeout = DEFAULTS.adminHeaderTimeout();
      private Duration adminIdleTimeout = DEFAULTS.adminIdleTimeout();
      private int adminMaxConnections = DEFAULTS.adminMaxConnections();
      private long maxRequestBytes = DEFAULTS.maxRequestBytes();
      private SpanLimits spanLimits = SpanLimits.defaults();
      private ReceiverLimits receiverLimits = ReceiverLimits.DEFAULTS;
      private Duration shutdownTimeout = DEFAULTS.shutdownTimeout();
      private int maxQueueSize = DEFAULTS.maxQueueSize();
      private int maxExportBatchSize = DEFAULTS.maxExportBatchSize();
      private Duration scheduleDelay = DEFAULTS.scheduleDelay();
      private double maxSpansPerSecond = DEFAULTS.maxSpansPerSecond().orElse(0);
      private Duration maxBlock = DEFAULTS.maxBlock();
      private SpanRateLimiter.Policy rateLimitPolicy =
          SpanRateLimiter.Policy.parse(DEFAULTS.rateLimitPolicy());
      private long maxBufferBytes = DEFAULTS.maxBufferBytes().orElse(0);
      private Path durableQueueDir;
      private long durableQueueMaxBytes = DEFAULTS.durableQueueMaxBytes();
      private long durableSegmentBytes = 16L * 1024 * 1024;
      private SpanPipeline pipeline = SpanPipeline.empty();
      private final List<Exporter> exporters = new ArrayList<>();
      private final List<QueueOptions> queueOptions = new ArrayList<>();
      private SelfMetrics metrics = new SelfMetrics();
      private Path tlsCertFile;
      private Path tlsKeyFile;
      private Path tlsClientCaFile;
      private String tlsMinVersion = DEFAULTS.receiverTlsMinVersion();
      private Duration tlsReloadInterval = DEFAULTS.receiverTlsReloadInterval();
      private BearerAuth auth = BearerAuth.none();
      private LivePage livePage;
      private DerivedMetrics derivedMetrics;

      private Builder() {}

      /**
       * Serves both OTLP ports over TLS with the PEM certificate chain and key in these files,
       * checked for changes every {@code reloadInterval} (zero: never). With {@code clientCaFile}
       * set, clients must present a certificate signed by one of its CAs. Default: plaintext.
       *
       * @param minVersion {@code "1.2"} or {@code "1.3"}
       */
      public Builder setReceiverTls(
          Path certFile,
          Path keyFile,
          Path clientCaFile,
          String minVersion,
          Duration reloadInterval) {
        this.tlsCertFile = Objects.requireNonNull(certFile);
        this.tlsKeyFile = Objects.requireNonNull(keyFile);
        this.tlsClientCaFile = clientCaFile;
        this.tlsMinVersion = Objects.requireNonNull(minVersion);
        this.tlsReloadInterval = Objects.requireNonNull(reloadInterval);
        return this;
      }

      /** Requires a bearer token on both OTLP ports. Default: {@link BearerAuth#none()}. */
      public Builder setReceiverAuth(BearerAuth auth) {
        this.auth = Objects.requireNonNull(auth);
        return this;
      }

      public Builder setBindAddress(String bindAddress) {
        this.bindAddress = Objects.requireNonNull(bindAddress);
        return this;
      }

      public Builder setGrpcPort(int grpcPort) {
        this.grpcPort = grpcPort;
        return this;
      }

      public Builder setHttpPort(int httpPort) {
        this.httpPort = httpPort;
        return this;
      }

      public Builder setAdminPort(int adminPort) {
        this.adminPort = adminPort;
        return this;
      }

      /** The admin port's address; null (the default) means the receivers' bind address. */
      public Builder setAdminBindAddress(String adminBindAddress) {
        this.adminBindAddress = adminBindAddress;
        return this;
      }

      /** How long an admin connection has to send a request head. */
      public Builder setAdminHeaderTimeout(Duration timeout) {
        this.adminHeaderTimeout = Objects.requireNonNull(timeout);
        return this;
      }

      /** How long an admin connection may stay idle. */
      public Builder setAdminIdleTimeout(Duration timeout) {
        this.adminIdleTimeout = Objects.requireNonNull(timeout);
        return this;
      }

      /** Most admin connections open at once. */
      public Builder setAdminMaxConnections(int maxConnections) {
        this.adminMaxConnections = maxConnections;
        return this;
      }

      public Builder setMaxRequestBytes(long maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
        return this;
      }

      /**
       * Bounds on the attributes of the spans of one trace request; a request over them is refused.
       * Default {@link SpanLimits#defaults()}.
       */
      public Builder setSpanLimits(SpanLimits spanLimits) {
        this.spanLimits = Objects.requireNonNull(spanLimits);
        return this;
      }

      /**
       * Bounds on connections, header and body time and header size; see {@link ReceiverLimits}.
       */
      public Builder setReceiverLimits(ReceiverLimits receiverLimits) {
        this.receiverLimits = Objects.requireNonNull(receiverLimits);
        return this;
      }

      public Builder setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout);
        return this;
      }

      public Builder setMaxQueueSize(int maxQueueSize) {
        this.maxQueueSize = maxQueueSize;
        return this;
      }

      public Builder setMaxExportBatchSize(int maxExportBatchSize) {
        this.maxExportBatchSize = maxExportBatchSize;
        return this;
      }

      public Builder setScheduleDelay(Duration scheduleDelay) {
        this.scheduleDelay = Objects.requireNonNull(scheduleDelay);
        return this;
      }

      /** Spans per second accepted at most; 0 (the default) or less means unlimited. */
      public Builder setMaxSpansPerSecond(double maxSpansPerSecond) {
        this.maxSpansPerSecond = maxSpansPerSecond;
        return this;
      }

      /** How long a request waits for rate-limit tokens. */
      public Builder setMaxBlock(Duration maxBlock) {
        this.maxBlock = Objects.requireNonNull(maxBlock);
        return this;
      }

      /** What happens to spans over the rate limit. */
      public Builder setRateLimitPolicy(SpanRateLimiter.Policy policy) {
        this.rateLimitPolicy = Objects.requireNonNull(policy);
        return this;
      }

      /**
       * Bytes of requests held in memory at most; 0 (the default) means {@value
       * MemoryBudget#DEFAULT_HEAP_FRACTION} of the maximum heap.
       */
      public Builder setMaxBufferBytes(long maxBufferBytes) {
        this.maxBufferBytes = maxBufferBytes;
        return this;
      }

      /**
       * Keeps the queues on disk under {@code dir}, one subdirectory per exporter: every queue of
       * an exporter added without {@link QueueOptions}, and those whose options say durable. Null
       * (the default) keeps them in memory.
       */
      public Builder setDurableQueueDir(Path dir) {
        this.durableQueueDir = dir;
        return this;
      }

      /** Bytes each durable queue holds at most. */
      public Builder setDurableQueueMaxBytes(long maxBytes) {
        this.durableQueueMaxBytes = maxBytes;
        return this;
      }

      /** The size at which a durable queue starts a new segment file. Default 16 MiB. */
      public Builder setDurableSegmentBytes(long segmentBytes) {
        this.durableSegmentBytes = segmentBytes;
        return this;
      }

      public Builder setPipeline(SpanPipeline pipeline) {
        this.pipeline = Objects.requireNonNull(pipeline);
        return this;
      }

      /** Adds a destination; each gets a queue of its own. */
      public Builder addExporter(Exporter exporter) {
        this.exporters.add(Objects.requireNonNull(exporter));
        this.queueOptions.add(null);
        return this;
      }

      /**
       * Adds a destination whose queue takes only {@code options.signals()}, holds {@code
       * options.capacity()} items and is on disk when {@code options.durable()} (which needs {@link
       * #setDurableQueueDir}); each destination gets a queue of its own.
       */
      public Builder addExporter(Exporter exporter, QueueOptions options) {
        this.exporters.add(Objects.requireNonNull(exporter));
        this.queueOptions.add(Objects.requireNonNull(options));
        return this;
      }

      public Builder setMetrics(SelfMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics);
        return this;
      }

      /**
       * Serves {@code page} on the admin port ({@code /} and {@code /api/*}); null (the default)
       * serves none. Its {@link LivePage#tap()} must be in the pipeline for it to show anything.
       */
      public Builder setLivePage(LivePage page) {
        this.livePage = page;
        return this;
      }

      /**
       * Queues what {@code derived} collects on every exporter that takes derived metrics ({@link
       * Exporter#takesDerivedMetrics}), and shuts it down on close after the pipeline and before
       * the queues drain, so its last points are exported. {@code derived} must come from {@link
       * DerivedMetrics#create}; its processor belongs in the pipeline. Null (the default): none.
       */
      public Builder setDerivedMetrics(DerivedMetrics derived) {
        this.derivedMetrics = derived;
        return this;
      }

      public Options build() {
        if (exporters.isEmpty()) {
          throw new IllegalStateException("at least one exporter is required");
        }
        return new Options(this);
      }
    }
  }
}
