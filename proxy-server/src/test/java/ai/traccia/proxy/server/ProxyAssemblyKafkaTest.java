/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.config.ConfigLoader;
import ai.traccia.proxy.config.ProxyConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka parts of a proxy built from its configuration, with no broker to talk to. */
class ProxyAssemblyKafkaTest {

  @TempDir Path dir;
  private ProxyAssembly proxy;

  @AfterEach
  void tearDown() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private ProxyConfig config(Map<String, String> env) {
    return ConfigLoader.builder()
        .setEnvironment(env)
        .setWorkingDirectory(dir)
        .setHomeDirectory(dir)
        .build()
        .load()
        .toBuilder()
        .setGrpcPort(0)
        .setHttpPort(0)
        .setAdminPort(0)
        .setShutdownTimeout(Duration.ofSeconds(5))
        .build();
  }

  // A loopback port nothing listens on: the clients connect lazily and keep retrying.
  private static String deadBroker() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return "127.0.0.1:" + s.getLocalPort();
    }
  }

  @Test
  void describe_namesTheKafkaTopicAndNoFileBesideIt() throws Exception {
    String broker = deadBroker();
    ProxyConfig config =
        config(Map.of("TRACCIA_KAFKA_EXPORT", "true", "TRACCIA_KAFKA_BROKERS", broker));

    assertThat(config.fileEnabled()).isFalse();
    assertThat(Exporters.describe(config)).isEqualTo("Kafka topic otlp_spans at " + broker);
  }

  @Test
  void start_receiverWithoutBrokerStartsAndClosesWithinTheShutdownTimeout() throws Exception {
    proxy =
        ProxyAssembly.start(
            config(
                Map.of(
                    "TRACCIA_KAFKA_RECEIVE", "true",
                    "TRACCIA_KAFKA_BROKERS", deadBroker(),
                    "TRACCIA_ENABLE_FILE", "true")));
    assertThat(proxy.server().isReady()).isTrue();

    long started = System.nanoTime();
    proxy.close();

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    assertThat(proxy.server().isReady()).isFalse();
  }

  @Test
  void start_exporterWithoutBrokerStartsAndCloses() throws Exception {
    proxy =
        ProxyAssembly.start(
            config(Map.of("TRACCIA_KAFKA_EXPORT", "true", "TRACCIA_KAFKA_BROKERS", deadBroker())));

    assertThat(proxy.server().isReady()).isTrue();
  }
}
