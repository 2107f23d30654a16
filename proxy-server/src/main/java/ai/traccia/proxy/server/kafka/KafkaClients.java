/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.kafka;

import ai.traccia.proxy.config.ProxyConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The connection settings the Kafka producer and consumer share, from the {@code [kafka]} keys:
 * brokers, client id, and the security protocol with its TLS and SASL settings.
 *
 * <p>TLS material is PEM, as everywhere else in the proxy: the CA file becomes a PEM trust store,
 * the client certificate and key are passed as PEM text (Kafka reads PEM key stores since 2.7).
 * SASL PLAIN and SCRAM take the user name and password through a JAAS line built here, with the
 * values quoted, so a password with quotes or backslashes works.
 */
final class KafkaClients {

  private KafkaClients() {}

  /**
   * The common client properties of {@code config}.
   *
   * @throws UncheckedIOException when a TLS file cannot be read
   */
  static Map<String, Object> common(ProxyConfig config) {
    Map<String, Object> props = new TreeMap<>();
    props.put(
        CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", config.kafkaBrokers()));
    props.put(CommonClientConfigs.CLIENT_ID_CONFIG, config.kafkaClientId());
    String mechanism = config.kafkaSaslMechanism();
    boolean sasl = !"none".equals(mechanism);
    boolean tls = config.kafkaTlsEnabled();
    props.put(
        CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
        tls ? (sasl ? "SASL_SSL" : "SSL") : (sasl ? "SASL_PLAINTEXT" : "PLAINTEXT"));
    if (tls) {
      Optional<Path> ca = config.kafkaTlsCaFile();
      if (ca.isPresent()) {
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, ca.get().toString());
      }
      if (config.kafkaTlsCertFile().isPresent() && config.kafkaTlsKeyFile().isPresent()) {
        props.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
        props.put(
            SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG,
            read(config.kafkaTlsCertFile().get()));
        props.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, read(config.kafkaTlsKeyFile().get()));
      }
    }
    if (sasl) {
      props.put(SaslConfigs.SASL_MECHANISM, mechanism);
      props.put(
          SaslConfigs.SASL_JAAS_CONFIG,
          jaas(
              mechanism,
              config.kafkaSaslUsername().orElse(""),
              config.kafkaSaslPassword().orElse("")));
    }
    return props;
  }

  /** The JAAS line that logs in with {@code username} and {@code password} by {@code mechanism}. */
  static String jaas(String mechanism, String username, String password) {
    String module =
        mechanism.toUpperCase(Locale.ROOT).startsWith("SCRAM")
            ? "org.apache.kafka.common.security.scram.ScramLoginModule"
            : "org.apache.kafka.common.security.plain.PlainLoginModule";
    return module
        + " required username=\""
        + quoted(username)
        + "\" password=\""
        + quoted(password)
        + "\";";
  }

  // JAAS quoted strings take \" and \\ as escapes.
  private static String quoted(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("kafka: cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
