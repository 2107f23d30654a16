/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import ai.traccia.proxy.export.Exporter;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.server.admin.AdminServer;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.queue.BatchingExporter;
import ai.traccia.proxy.server.receiver.GrpcReceiver;
import ai.traccia.proxy.server.receiver.HttpReceiver;
import ai.traccia.proxy.server.receiver.Ingest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * exporter, wired in that order and shut down in the reverse one.
 *
 * <p>Data flows receiver, {@link Ingest} (pipeline), {@link BatchingExporter} (queue and batches),
 * {@link Exporter}. {@link #close()} stops accepting, drains every queue to its exporter within the
 * shutdown timeout, and logs what could not be delivered. Thread-safe; close is idempotent.
 */
public final class ProxyServer implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(ProxyServer.class);

  private final Settings settings;
  private final SelfMetrics metrics;
  private final List<BatchingExporter> queues;
  private final Ingest ingest;
  private final SpanPipeline pipeline;
  private final ExecutorService grpcExecutor;
  private final ExecutorService httpExecutor;
  private final AdminServer admin;
  private final AtomicBoolean ready = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private GrpcReceiver grpc;
  private HttpReceiver http;

  private ProxyServer(Settings settings) throws IOException {
    this.settings = settings;
    this.metrics = settings.metrics;
    this.pipeline = settings.pipeline;
    this.admin = AdminServer.start(settings.bindAddress, settings.adminPort, metrics, ready::get);
    List<BatchingExporter> built = new ArrayList<>();
    for (Exporter exporter : settings.exporters) {
      built.add(
          BatchingExporter.builder(exporter, metrics)
              .setCapacity(settings.maxQueueSize)
              .setMaxBatchItems(settings.maxExportBatchSize)
              .setScheduleDelay(settings.scheduleDelay)
              .build());
    }
    this.queues = List.copyOf(built);
    this.ingest = new Ingest(pipeline, queues, metrics);
    int workers = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.grpcExecutor = workers("traccia-grpc", workers);
    this.httpExecutor = workers("traccia-http", workers);
  }

  /** Starts a proxy with {@code settings}; returns once every port is bound. */
  public static ProxyServer start(Settings settings) throws IOException, InterruptedException {
    ProxyServer server = new ProxyServer(settings);
    try {
      server.grpc =
          GrpcReceiver.start(
              settings.bindAddress,
              settings.grpcPort,
              settings.maxRequestBytes,
              server.ingest,
              server.metrics,
              server.grpcExecutor);
      server.http =
          HttpReceiver.start(
              settings.bindAddress,
              settings.httpPort,
              settings.maxRequestBytes,
              server.ingest,
              server.metrics,
              server.httpExecutor);
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    server.ready.set(true);
    return server;
  }

  /** Returns a builder of the settings {@link #start} takes. */
  public static Settings.Builder settings() {
    return new Settings.Builder();
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

  /** The self-metrics of this proxy. */
  public SelfMetrics metrics() {
    return metrics;
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
   * Stops accepting, drains the queues within the shutdown timeout, and logs anything that could
   * not be delivered. Idempotent.
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
    long undelivered = 0;
    for (BatchingExporter queue : queues) {
      long left = queue.shutdown(settings.shutdownTimeout);
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
    pipeline.shutdown();
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
  public static final class Settings {
    final String bindAddress;
    final int grpcPort;
    final int httpPort;
    final int adminPort;
    final long maxRequestBytes;
    final Duration shutdownTimeout;
    final int maxQueueSize;
    final int maxExportBatchSize;
    final Duration scheduleDelay;
    final SpanPipeline pipeline;
    final List<Exporter> exporters;
    final SelfMetrics metrics;

    private Settings(Builder b) {
      this.bindAddress = b.bindAddress;
      this.grpcPort = b.grpcPort;
      this.httpPort = b.httpPort;
      this.adminPort = b.adminPort;
      this.maxRequestBytes = b.maxRequestBytes;
      this.shutdownTimeout = b.shutdownTimeout;
      this.maxQueueSize = b.maxQueueSize;
      this.maxExportBatchSize = b.maxExportBatchSize;
      this.scheduleDelay = b.scheduleDelay;
      this.pipeline = b.pipeline;
      this.exporters = List.copyOf(b.exporters);
      this.metrics = b.metrics;
    }

    /** Builds {@link Settings}; defaults are the proxy's documented defaults. */
    public static final class Builder {
      private String bindAddress = "127.0.0.1";
      private int grpcPort = 4317;
      private int httpPort = 4318;
      private int adminPort = 13133;
      private long maxRequestBytes = 64L * 1024 * 1024;
      private Duration shutdownTimeout = Duration.ofSeconds(10);
      private int maxQueueSize = 50_000;
      private int maxExportBatchSize = 2048;
      private Duration scheduleDelay = Duration.ofMillis(200);
      private SpanPipeline pipeline = SpanPipeline.empty();
      private final List<Exporter> exporters = new ArrayList<>();
      private SelfMetrics metrics = new SelfMetrics();

      private Builder() {}

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

      public Builder setMaxRequestBytes(long maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
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

      public Builder setPipeline(SpanPipeline pipeline) {
        this.pipeline = Objects.requireNonNull(pipeline);
        return this;
      }

      /** Adds a destination; each gets a queue of its own. */
      public Builder addExporter(Exporter exporter) {
        this.exporters.add(Objects.requireNonNull(exporter));
        return this;
      }

      public Builder setMetrics(SelfMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics);
        return this;
      }

      public Settings build() {
        if (exporters.isEmpty()) {
          throw new IllegalStateException("at least one exporter is required");
        }
        return new Settings(this);
      }
    }
  }
}
