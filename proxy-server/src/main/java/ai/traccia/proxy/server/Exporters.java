/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import ai.traccia.proxy.config.Compression;
import ai.traccia.proxy.config.ExporterProtocol;
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
import ai.traccia.proxy.server.metrics.SelfMetrics;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/** Builds the exporters a {@link ProxyConfig} asks for, each wrapped in retries. */
public final class Exporters {

  private Exporters() {}

  /**
   * Returns the configured destinations in a fixed order: OTLP, file, console. Each is wrapped in a
   * {@link RetryingExporter} that reports retries to {@code metrics}.
   *
   * @throws IllegalArgumentException when a TLS file cannot be read or an endpoint is unusable for
   *     its protocol; the message says which and why
   */
  public static List<Exporter> create(
      ProxyConfig config, SelfMetrics metrics, ScheduledExecutorService scheduler) {
    List<Exporter> exporters = new ArrayList<>();
    Optional<URI> traces = config.tracesEndpoint();
    if (traces.isPresent()) {
      exporters.add(retrying(otlp(config, traces.get()), config, metrics, scheduler));
    }
    if (config.fileEnabled()) {
      exporters.add(
          retrying(
              FileExporter.builder()
                  .setPath(config.filePath())
                  .setReset(config.resetTraceFile())
                  .build(),
              config,
              metrics,
              scheduler));
    }
    if (config.consoleEnabled()) {
      exporters.add(retrying(ConsoleExporter.create(), config, metrics, scheduler));
    }
    return exporters;
  }

  /** One line for the startup log: where data goes. */
  public static String describe(ProxyConfig config) {
    List<String> parts = new ArrayList<>();
    config
        .tracesEndpoint()
        .ifPresent(
            uri ->
                parts.add(
                    (config.exporterProtocol() == ExporterProtocol.GRPC
                            ? "OTLP/gRPC "
                            : "OTLP/HTTP ")
                        + Redaction.url(uri)));
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

  private static Exporter otlp(ProxyConfig config, URI traces) {
    String compression = config.compression() == Compression.GZIP ? "gzip" : "none";
    if (config.exporterProtocol() == ExporterProtocol.GRPC) {
      OtlpGrpcExporter.Builder b =
          OtlpGrpcExporter.builder()
              .setEndpoint(traces)
              .setHeaders(config.exporterHeaders())
              .setCompression(compression)
              .setTimeout(config.exporterTimeout());
      config.apiKey().ifPresent(b::setApiKey);
      config.caFile().ifPresent(b::setCaFile);
      if (config.clientCertFile().isPresent()) {
        b.setClientCertificate(config.clientCertFile().get(), config.clientKeyFile().get());
      }
      return b.build();
    }
    OtlpHttpExporter.Builder b =
        OtlpHttpExporter.builder()
            .setEndpoint(Signal.TRACES, traces)
            .setHeaders(config.exporterHeaders())
            .setCompression(compression)
            .setTimeout(config.exporterTimeout());
    config.metricsEndpoint().ifPresent(uri -> b.setEndpoint(Signal.METRICS, uri));
    config.logsEndpoint().ifPresent(uri -> b.setEndpoint(Signal.LOGS, uri));
    config.apiKey().ifPresent(b::setApiKey);
    config.caFile().ifPresent(b::setCaFile);
    if (config.clientCertFile().isPresent()) {
      b.setClientCertificate(config.clientCertFile().get(), config.clientKeyFile().get());
    }
    return b.build();
  }

  /** {@code exporter} wrapped in the configured retries, which it reports to {@code metrics}. */
  static Exporter retrying(
      Exporter exporter,
      ProxyConfig config,
      SelfMetrics metrics,
      ScheduledExecutorService scheduler) {
    String name = exporter.name();
    return RetryingExporter.builder(exporter)
        .setInitialBackoff(config.retryInitialBackoff())
        .setMaxBackoff(config.retryMaxBackoff())
        .setMaxElapsedTime(config.retryMaxElapsed())
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
