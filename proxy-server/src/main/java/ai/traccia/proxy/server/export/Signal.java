/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

/** The three OTLP signals, with where each is sent over OTLP/HTTP and OTLP/gRPC. */
public enum Signal {
  TRACES("traces", "/v1/traces", "opentelemetry.proto.collector.trace.v1.TraceService", "spans"),
  METRICS(
      "metrics",
      "/v1/metrics",
      "opentelemetry.proto.collector.metrics.v1.MetricsService",
      "metric points"),
  LOGS("logs", "/v1/logs", "opentelemetry.proto.collector.logs.v1.LogsService", "log records");

  private final String label;
  private final String httpPath;
  private final String grpcService;
  private final String itemName;

  Signal(String label, String httpPath, String grpcService, String itemName) {
    this.label = label;
    this.httpPath = httpPath;
    this.grpcService = grpcService;
    this.itemName = itemName;
  }

  /** The lower-case name used in self-metrics labels. */
  public String label() {
    return label;
  }

  /** The OTLP/HTTP path, for example {@code /v1/traces}. */
  public String httpPath() {
    return httpPath;
  }

  /** The fully qualified gRPC service name. */
  public String grpcService() {
    return grpcService;
  }

  /** The full gRPC method name of the service's {@code Export} call. */
  public String grpcExportMethod() {
    return grpcService + "/Export";
  }

  /** What one item of this signal is called in messages: spans, metric points or log records. */
  public String itemName() {
    return itemName;
  }
}
