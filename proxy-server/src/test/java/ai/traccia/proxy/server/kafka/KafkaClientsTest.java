/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.config.ConfigLoader;
import ai.traccia.proxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientsTest {

  @TempDir Path dir;

  private ProxyConfig config(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("TRACCIA_KAFKA_EXPORT", "true");
    env.put("TRACCIA_KAFKA_BROKERS", "k1:9092, k2:9093");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return ConfigLoader.builder()
        .setEnvironment(env)
        .setWorkingDirectory(dir)
        .setHomeDirectory(dir)
        .build()
        .load();
  }

  @Test
  void common_plaintextByDefault() {
    Map<String, Object> props = KafkaClients.common(config());

    assertThat(props)
        .containsEntry("bootstrap.servers", "k1:9092,k2:9093")
        .containsEntry("client.id", "traccia-proxy")
        .containsEntry("security.protocol", "PLAINTEXT")
        .doesNotContainKeys("sasl.mechanism", "sasl.jaas.config", "ssl.truststore.type");
  }

  @Test
  void common_tlsWithPemFiles() throws IOException {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nCA\n");
    Path cert = Files.writeString(dir.resolve("c.pem"), "-----BEGIN CERTIFICATE-----\nC\n");
    Path key = Files.writeString(dir.resolve("k.pem"), "-----BEGIN PRIVATE KEY-----\nK\n");

    Map<String, Object> props =
        KafkaClients.common(
            config(
                "TRACCIA_KAFKA_TLS_ENABLED", "true",
                "TRACCIA_KAFKA_TLS_CA_FILE", ca.toString(),
                "TRACCIA_KAFKA_TLS_CERT_FILE", cert.toString(),
                "TRACCIA_KAFKA_TLS_KEY_FILE", key.toString()));

    assertThat(props)
        .containsEntry("security.protocol", "SSL")
        .containsEntry("ssl.truststore.type", "PEM")
        .containsEntry("ssl.truststore.location", ca.toString())
        .containsEntry("ssl.keystore.type", "PEM")
        .containsEntry("ssl.keystore.certificate.chain", "-----BEGIN CERTIFICATE-----\nC\n")
        .containsEntry("ssl.keystore.key", "-----BEGIN PRIVATE KEY-----\nK\n");
  }

  @Test
  void common_scramOverTls() {
    Map<String, Object> props =
        KafkaClients.common(
            config(
                "TRACCIA_KAFKA_TLS_ENABLED", "true",
                "TRACCIA_KAFKA_SASL_MECHANISM", "scram-sha-512",
                "TRACCIA_KAFKA_SASL_USERNAME", "proxy",
                "TRACCIA_KAFKA_SASL_PASSWORD", "p\"a\\ss"));

    assertThat(props)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"proxy\" password=\"p\\\"a\\\\ss\";");
  }

  @Test
  void common_plainWithoutTls() {
    Map<String, Object> props =
        KafkaClients.common(
            config(
                "TRACCIA_KAFKA_SASL_MECHANISM", "PLAIN",
                "TRACCIA_KAFKA_SASL_USERNAME", "u",
                "TRACCIA_KAFKA_SASL_PASSWORD", "p"));

    assertThat(props)
        .containsEntry("security.protocol", "SASL_PLAINTEXT")
        .containsEntry("sasl.mechanism", "PLAIN")
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\""
                + " password=\"p\";");
  }
}
