/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import ai.traccia.proxy.config.Compression;
import ai.traccia.proxy.config.ExporterProtocol;
import ai.traccia.proxy.config.ExporterSignal;
import ai.traccia.proxy.config.ExporterSpec;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.config.Redaction;
import ai.traccia.proxy.server.export.ConsoleExporter;
import ai.traccia.proxy.server.export.ExportListener;
import ai.traccia.proxy.server.export.ExportRequest;
import ai.traccia.proxy.server.export.ExportResult;
import ai.traccia.proxy.server.export.Exporter;
import ai.traccia.proxy.server.export.FileExporter;
import ai.traccia.proxy.server.export.OtlpGrpcExporter;
import ai.traccia.proxy.server.export.OtlpHttpExporter;
import ai.traccia.proxy.server.export.RetryingExporter;
import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.kafka.KafkaExporter;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Builds the exporters a {@link ProxyConfig} asks for, each wrapped in retries, with the options of
 * its queue. Every OTLP exporter is built from its {@link ExporterSpec} and nothing else, so what
 * {@code serve} sends, {@code check} checks and {@code doctor} shows cannot differ.
 */
public final class Exporters {

  private Exporters() {}

  /** An exporter and how its queue is kept. */
  public record Configured(Exporter exporter, ProxyServer.QueueOptions queue) {}

  /**
   * Returns the configured destinations in a fixed order: every OTLP exporter of {@link
   * ProxyConfig#otlpExporters()} (the flat one first), then file, then console. Each is wrapped in
   * a {@link RetryingExporter} that reports retries to {@code metrics} under the exporter's name.
   *
   * @throws IllegalArgumentException when a TLS file cannot be read or an endpoint is unusable for
   *     its protocol; the message says which and why
   */
  public static List<Configured> fromConfig(
      ProxyConfig config, SelfMetrics metrics, ScheduledExecutorService scheduler) {
    List<Configured> exporters = new ArrayList<>();
    for (ExporterSpec spec : config.otlpExporters()) {
      exporters.add(
          new Configured(
              retrying(
                  otlp(spec),
                  spec.retryInitialBackoff(),
                  spec.retryMaxBackoff(),
                  spec.retryMaxElapsed(),
                  metrics,
                  scheduler),
              new ProxyServer.QueueOptions(
                  signals(spec.signals()), spec.maxQueueSize(), spec.durableQueue())));
    }
    ProxyServer.QueueOptions everything =
        new ProxyServer.QueueOptions(
            EnumSet.allOf(Signal.class), config.maxQueueSize(), config.durableQueue());
    if (config.kafkaExport()) {
      exporters.add(
          new Configured(
              retrying(KafkaExporter.fromConfig(config), config, metrics, scheduler), everything));
    }
    if (config.fileEnabled()) {
      exporters.add(
          new Configured(
              retrying(
                  FileExporter.builder()
                      .setPath(config.filePath())
                      .setReset(config.resetTraceFile())
                      .build(),
                  config,
                  metrics,
                  scheduler),
              everything));
    }
    if (config.consoleEnabled()) {
      exporters.add(
          new Configured(
              retrying(ConsoleExporter.create(), config, metrics, scheduler), everything));
    }
    return exporters;
  }

  /**
   * One line for the startup log: where data goes. With only the flat backend, {@code OTLP/HTTP
   * <url>}; with named ones, each as {@link ExporterSpec#describe()}; then file and console.
   */
  public static String describe(ProxyConfig config) {
    List<String> parts = new ArrayList<>();
    List<ExporterSpec> specs = config.otlpExporters();
    for (ExporterSpec spec : specs) {
      if (specs.size() == 1 && spec.isDefault()) {
        parts.add(
            (spec.protocol() == ExporterProtocol.GRPC ? "OTLP/gRPC " : "OTLP/HTTP ")
                + Redaction.url(spec.primaryEndpoint()));
      } else {
        parts.add(spec.describe());
      }
    }
    if (config.fileEnabled()) {
      parts.add("file " + config.filePath());
    }
    if (config.consoleEnabled()) {
      parts.add("console");
    }
    if (config.kafkaExport()) {
      parts.add(
          "Kafka topic "
              + config.kafkaTracesTopic()
              + " at "
              + String.join(",", config.kafkaBrokers()));
    }
    return String.join(", ", parts);
  }

  /** The proxy's signals for the configuration's. */
  static Set<Signal> signals(Set<ExporterSignal> signals) {
    Set<Signal> result = EnumSet.noneOf(Signal.class);
    for (ExporterSignal s : signals) {
      result.add(Signal.valueOf(s.name()));
    }
    return result;
  }

  /**
   * The OTLP exporter of {@code spec}, without retries: named as the spec, sending each signal it
   * takes to that signal's endpoint with the spec's headers, api key, compression, timeout and TLS
   * files.
   *
   * @throws IllegalArgumentException when a TLS file cannot be read or an endpoint is unusable
   */
  public static Exporter otlp(ExporterSpec spec) {
    return otlp(spec, spec.timeout());
  }

  /**
   * The exporter {@code spec} describes, with {@code timeout} instead of its own, without retries;
   * {@code traccia-proxy check} sends through it.
   */
  public static Exporter otlp(ExporterSpec spec, Duration timeout) {
    String compression = spec.compression() == Compression.GZIP ? "gzip" : "none";
    if (spec.protocol() == ExporterProtocol.GRPC) {
      OtlpGrpcExporter.Builder b =
          OtlpGrpcExporter.builder()
              .setName(spec.name())
              .setEndpoint(spec.primaryEndpoint())
              .setHeaders(spec.headers())
              .setCompression(compression)
              .setTimeout(timeout);
      spec.apiKey().ifPresent(b::setApiKey);
      spec.caFile().ifPresent(b::setCaFile);
      if (spec.clientCertFile().isPresent()) {
        b.setClientCertificate(spec.clientCertFile().get(), spec.clientKeyFile().get());
      }
      return b.build();
    }
    OtlpHttpExporter.Builder b =
        OtlpHttpExporter.builder()
            .setName(spec.name())
            .setHeaders(spec.headers())
            .setCompression(compression)
            .setTimeout(timeout);
    for (ExporterSignal signal : ExporterSignal.values()) {
      spec.endpoint(signal).ifPresent(uri -> b.setEndpoint(Signal.valueOf(signal.name()), uri));
    }
    spec.apiKey().ifPresent(b::setApiKey);
    spec.caFile().ifPresent(b::setCaFile);
    if (spec.clientCertFile().isPresent()) {
      b.setClientCertificate(spec.clientCertFile().get(), spec.clientKeyFile().get());
    }
    return b.build();
  }

  /** {@code exporter} wrapped in the configured retries, which it reports to {@code metrics}. */
  private static Exporter retrying(
      Exporter exporter,
      ProxyConfig config,
      SelfMetrics metrics,
      ScheduledExecutorService scheduler) {
    return retrying(
        exporter,
        config.retryInitialBackoff(),
        config.retryMaxBackoff(),
        config.retryMaxElapsed(),
        metrics,
        scheduler);
  }

  private static Exporter retrying(
      Exporter exporter,
      Duration initialBackoff,
      Duration maxBackoff,
      Duration maxElapsed,
      SelfMetrics metrics,
      ScheduledExecutorService scheduler) {
    String name = exporter.name();
    return RetryingExporter.builder(exporter)
        .setInitialBackoff(initialBackoff)
        .setMaxBackoff(maxBackoff)
        .setMaxElapsedTime(maxElapsed)
        .setScheduler(scheduler)
        .setListener(
            new ExportListener() {
              @Override
              public void onRetry(ExportRequest request, ExportResult result, Duration delay) {
                metrics.exportRetried(name);
              }
            })
        .build();
  }
}
