/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.config.ExporterProtocol;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.server.export.Exporter;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportersTest {

  // Issue "Hostile input and exposure", case 8: the startup line printed the endpoint's token.
  @Test
  void describe_hidesTheEndpointsQuery() {
    ProxyConfig config =
        ProxyConfig.builder()
            .setEndpoint(URI.create("https://otlp.example.com/v1/traces?key=sk-live-secret"))
            .setConsoleEnabled(true)
            .build();

    assertThat(Exporters.describe(config))
        .isEqualTo("OTLP/HTTP https://otlp.example.com/v1/traces?****, console");
  }

  @Test
  void describe_grpc() {
    ProxyConfig config =
        ProxyConfig.builder()
            .setExporterProtocol(ExporterProtocol.GRPC)
            .setEndpoint(URI.create("http://collector:4317"))
            .build();

    assertThat(Exporters.describe(config)).isEqualTo("OTLP/gRPC http://collector:4317");
  }

  /** Each exporter {@code config} builds, as {@code name=takesDerivedMetrics}. */
  private static List<String> derivedMetricsTargets(ProxyConfig config) {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      List<String> out = new ArrayList<>();
      for (Exporters.Configured configured :
          Exporters.fromConfig(config, new SelfMetrics(), scheduler)) {
        Exporter exporter = configured.exporter();
        out.add(exporter.name() + "=" + exporter.takesDerivedMetrics());
        exporter.shutdown();
      }
      return out;
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void create_derivedMetricsGoToOtlpWithAMetricsEndpointOnly(@TempDir Path dir) {
    ProxyConfig http =
        ProxyConfig.builder()
            .setEndpoint(URI.create("http://127.0.0.1:4318/v1/traces"))
            .setFileEnabled(true)
            .setFilePath(dir.resolve("traces.jsonl"))
            .setConsoleEnabled(true)
            .build();
    // A traces path with no /traces segment gives no derived metrics endpoint.
    ProxyConfig noMetricsEndpoint =
        ProxyConfig.builder().setEndpoint(URI.create("http://127.0.0.1:4318/ingest")).build();
    ProxyConfig grpc =
        ProxyConfig.builder()
            .setExporterProtocol(ExporterProtocol.GRPC)
            .setEndpoint(URI.create("http://127.0.0.1:4317"))
            .build();

    assertThat(derivedMetricsTargets(http))
        .containsExactly("otlp=true", "file=false", "console=false");
    assertThat(derivedMetricsTargets(noMetricsEndpoint)).containsExactly("otlp=false");
    assertThat(derivedMetricsTargets(grpc)).containsExactly("otlp=true");
  }

  @Test
  void describe_listsEveryExporterByName() {
    ProxyConfig config =
        ProxyConfig.builder()
            .setEndpoint(URI.create("http://collector:4318"))
            .addOtlpExporter(
                "tempo",
                java.util.Map.of(
                    "endpoint", "http://tempo:4317", "protocol", "grpc", "signals", "traces"))
            .setConsoleEnabled(true)
            .build();

    assertThat(Exporters.describe(config))
        .isEqualTo(
            "otlp: OTLP/HTTP http://collector:4318/v1/traces [traces, metrics, logs], otlp/tempo:"
                + " OTLP/gRPC http://tempo:4317 [traces], console");
  }
}
