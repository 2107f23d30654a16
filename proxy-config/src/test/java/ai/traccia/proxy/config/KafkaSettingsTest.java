/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSettingsTest {

  @TempDir Path dir;

  private ConfigLoader.Builder loader(String toml) throws IOException {
    Files.write(dir.resolve("traccia.toml"), toml.getBytes(StandardCharsets.UTF_8));
    Path home = Files.createDirectories(dir.resolve("home"));
    return ConfigLoader.builder()
        .setEnvironment(Collections.emptyMap())
        .setWorkingDirectory(dir)
        .setHomeDirectory(home);
  }

  private static List<String> problems(ConfigLoader.Builder builder) {
    try {
      builder.load();
    } catch (ConfigException e) {
      return e.getProblems().stream().map(ConfigProblem::message).collect(Collectors.toList());
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void load_defaults() throws IOException {
    ProxyConfig config = loader("").load();

    assertThat(config.kafkaExport()).isFalse();
    assertThat(config.kafkaReceive()).isFalse();
    assertThat(config.kafkaBrokers()).isEmpty();
    assertThat(config.kafkaTracesTopic()).isEqualTo("otlp_spans");
    assertThat(config.kafkaMetricsTopic()).isEqualTo("otlp_metrics");
    assertThat(config.kafkaLogsTopic()).isEqualTo("otlp_logs");
    assertThat(config.kafkaGroupId()).isEqualTo("traccia-proxy");
    assertThat(config.kafkaClientId()).isEqualTo("traccia-proxy");
    assertThat(config.kafkaCompression()).isEqualTo("none");
    assertThat(config.kafkaProduceTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.kafkaMaxPollRecords()).isEqualTo(500);
    assertThat(config.kafkaSessionTimeoutMs()).isEqualTo(45_000);
    assertThat(config.kafkaSaslMechanism()).isEqualTo("none");
  }

  @Test
  void load_brokersListTrimmed() throws IOException {
    ProxyConfig config =
        loader("[kafka]\nbrokers = \"a:9092, b:9093\"\nexport = true\ncompression = \"zstd\"\n")
            .load();

    assertThat(config.kafkaBrokers()).containsExactly("a:9092", "b:9093");
    assertThat(config.kafkaExport()).isTrue();
    assertThat(config.kafkaCompression()).isEqualTo("zstd");
    // Producing to Kafka is a destination: no traces.jsonl beside it unless asked for.
    assertThat(config.fileEnabled()).isFalse();
  }

  @Test
  void load_exportWithoutBrokers() throws IOException {
    assertThat(problems(loader("[kafka]\nexport = true\n")))
        .containsExactly(
            "kafka.brokers: (none) (expected: set when kafka.export, which is true"
                + " [traccia.toml:2:1]) [default]");
  }

  @Test
  void load_receiveWithoutBrokers() throws IOException {
    assertThat(problems(loader("[kafka]\nreceive = true\n")))
        .containsExactly(
            "kafka.brokers: (none) (expected: set when kafka.receive, which is true"
                + " [traccia.toml:2:1]) [default]");
  }

  @Test
  void load_exportAndReceiveTogether() throws IOException {
    assertThat(problems(loader("[kafka]\nbrokers = \"k:9092\"\nexport = true\nreceive = true\n")))
        .containsExactly(
            "kafka.receive: true (expected: not true together with kafka.export, which is true"
                + " [traccia.toml:3:1]: a proxy would consume the traces it produces to"
                + " otlp_spans; run the producing and the consuming tiers as separate proxies)"
                + " [traccia.toml:4:1]");
  }

  @Test
  void load_badBrokersTopicAndBounds() throws IOException {
    assertThat(
            problems(
                loader(
                    "[kafka]\nbrokers = \"k\"\ntraces_topic = \"a b\"\nmax_poll_records = 0\n"
                        + "compression = \"brotli\"\nproduce_timeout_ms = 10\n")))
        .hasSize(5)
        .anySatisfy(p -> assertThat(p).startsWith("kafka.brokers: \"k\" (expected: host:port"))
        .anySatisfy(p -> assertThat(p).startsWith("kafka.traces_topic: \"a b\" (expected: a topic"))
        .anySatisfy(
            p -> assertThat(p).startsWith("kafka.max_poll_records: 0 (expected: an integer from 1"))
        .anySatisfy(p -> assertThat(p).startsWith("kafka.compression: \"brotli\""))
        .anySatisfy(p -> assertThat(p).startsWith("kafka.produce_timeout_ms: 10 (expected:"));
  }

  @Test
  void load_sessionTimeoutWithinTheBrokersDefaultBounds() throws IOException {
    assertThat(loader("[kafka]\nsession_timeout_ms = 10000\n").load().kafkaSessionTimeoutMs())
        .isEqualTo(10_000);
    assertThat(problems(loader("[kafka]\nsession_timeout_ms = 5999\n")))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p)
                    .startsWith(
                        "kafka.session_timeout_ms: 5999 (expected: an integer from 6000 to"
                            + " 300000"));
    assertThat(problems(loader("[kafka]\nsession_timeout_ms = 300001\n"))).hasSize(1);
  }

  @Test
  void load_saslNeedsCredentials() throws IOException {
    assertThat(
            problems(
                loader(
                    "[kafka]\nbrokers = \"k:9092\"\nexport = true\n"
                        + "sasl_mechanism = \"SCRAM-SHA-512\"\nsasl_username = \"u\"\n")))
        .containsExactly(
            "kafka.sasl_password: (none) (expected: set when kafka.sasl_mechanism, which is"
                + " scram-sha-512 [traccia.toml:4:1]) [default]");
  }

  @Test
  void describe_hidesSaslPassword() throws IOException {
    ProxyConfig config =
        loader(
                "[kafka]\nbrokers = \"k:9092\"\nexport = true\nsasl_mechanism = \"PLAIN\"\n"
                    + "sasl_username = \"u\"\nsasl_password = \"hunter2-secret\"\n")
            .load();

    assertThat(config.kafkaSaslPassword()).contains("hunter2-secret");
    assertThat(String.join("\n", config.describe())).doesNotContain("hunter2-secret");
    assertThat(config.toString()).doesNotContain("hunter2-secret");
  }
}
