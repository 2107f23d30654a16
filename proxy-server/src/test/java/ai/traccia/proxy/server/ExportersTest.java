/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.config.ExporterProtocol;
import ai.traccia.proxy.config.ProxyConfig;
import java.net.URI;
import org.junit.jupiter.api.Test;

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
