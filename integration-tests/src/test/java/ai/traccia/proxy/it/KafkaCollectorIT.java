/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.codec.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The proxy and the OpenTelemetry Collector's own Kafka components read each other's messages: the
 * Collector's {@code kafkareceiver} consumes what a sidecar proxy produces, and a gateway proxy
 * consumes what the Collector's {@code kafkaexporter} produces with {@code partition_traces_by_id}.
 * Needs the Collector that {@code integration-tests/scripts/build-otelcol.sh} builds, which has
 * both components since they were added to its manifest.
 */
@ExtendWith({KafkaBroker.IfAvailable.class, CollectorBackend.IfAvailable.class})
class KafkaCollectorIT {

  private static final Duration WITHIN = Duration.ofSeconds(90);

  @Test
  void collectorConsumesOurMessages_andWeConsumeTheCollectors() throws Exception {
    Path binary = CollectorBinary.locate().path().orElseThrow();
    assumeKafkaComponents(binary);
    Path work = LocalProcesses.workDirectory("kafka", "interop-", "the Kafka interop test");
    try (KafkaBroker broker = KafkaBroker.start()) {
      broker.createTopic("from_proxy", 3);
      broker.createTopic("from_collector", 3);
      int otlpHttpPort = LocalProcesses.freePorts(1)[0];
      Path received = work.resolve("collector-traces.json");
      Process collector = startCollector(binary, work, broker.bootstrap(), otlpHttpPort, received);
      try (OtlpHttpSink sink = new OtlpHttpSink();
          ProxyProcess sidecar =
              ProxyProcess.start(
                  work.resolve("sidecar"),
                  ProxyProcess.env(
                      "TRACCIA_KAFKA_EXPORT", "true",
                      "TRACCIA_KAFKA_BROKERS", broker.bootstrap(),
                      "TRACCIA_KAFKA_TRACES_TOPIC", "from_proxy",
                      "TRACCIA_GUARDRAIL_ROOT_SPAN_WAIT_MS", "0",
                      "TRACCIA_SCHEDULE_DELAY_MILLIS", "50"))) {
        // Proxy -> Kafka -> Collector.
        assertThat(KafkaIT.post(sidecar.httpEndpoint(), KafkaIT.request(0, 20)).statusCode())
            .isEqualTo(200);
        await().atMost(WITHIN).until(() -> spansIn(received).size() >= 40);
        assertThat(spansIn(received))
            .filteredOn(s -> s.getName().startsWith("agent run"))
            .allSatisfy(s -> assertThat(KafkaIT.attributes(s)).containsKey("guardrail.summary"));

        // Collector -> Kafka -> proxy.
        await().atMost(WITHIN).until(() -> LocalProcesses.accepts(otlpHttpPort));
        assertThat(
                KafkaIT.post("http://127.0.0.1:" + otlpHttpPort, KafkaIT.request(1000, 20))
                    .statusCode())
            .isEqualTo(200);
        List<ConsumerRecord<String, byte[]>> records =
            KafkaIT.readAll(broker.bootstrap(), "from_collector", 20);
        for (ConsumerRecord<String, byte[]> record : records) {
          ExportTraceServiceRequest value = ExportTraceServiceRequest.parseFrom(record.value());
          // The Collector's key is ours: the trace id in lowercase hex.
          assertThat(KafkaIT.spans(value))
              .allSatisfy(s -> assertThat(KafkaIT.hex(s.getTraceId())).isEqualTo(record.key()));
        }
        sink.start();
        try (ProxyProcess gateway =
            ProxyProcess.start(
                work.resolve("gateway"),
                ProxyProcess.env(
                    "TRACCIA_KAFKA_RECEIVE", "true",
                    "TRACCIA_KAFKA_BROKERS", broker.bootstrap(),
                    "TRACCIA_KAFKA_TRACES_TOPIC", "from_collector",
                    "TRACCIA_ENDPOINT", sink.tracesUrl(),
                    "TRACCIA_EXPORTER_PROTOCOL", "http/protobuf",
                    "TRACCIA_EXPORTER_COMPRESSION", "none",
                    "TRACCIA_GUARDRAIL_ROOT_SPAN_WAIT_MS", "0",
                    "TRACCIA_SCHEDULE_DELAY_MILLIS", "50"))) {
          await().atMost(WITHIN).until(() -> sink.spans().size() >= 40);
          assertThat(sink.spans().values())
              .filteredOn(s -> s.getName().startsWith("chat"))
              .allSatisfy(s -> assertThat(KafkaIT.attributes(s)).containsKey("llm.cost.usd"));
        }
      } finally {
        LocalProcesses.terminate(collector);
      }
    }
  }

  /** Skips (fails under CI=true) when the built Collector predates the Kafka components. */
  private static void assumeKafkaComponents(Path binary) throws Exception {
    Process p =
        new ProcessBuilder(binary.toString(), "components").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    boolean has = out.contains("kafka");
    String why =
        binary
            + " has no Kafka receiver and exporter: it was built before they were added; run"
            + " integration-tests/scripts/build-otelcol.sh, which builds it again";
    if (!has && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(why);
    }
    Assumptions.assumeTrue(has, why);
  }

  private static Process startCollector(
      Path binary, Path work, String brokers, int httpPort, Path received) throws IOException {
    String config =
        String.join(
            "\n",
            "receivers:",
            "  otlp:",
            "    protocols:",
            "      http:",
            "        endpoint: 127.0.0.1:" + httpPort,
            "  kafka:",
            "    brokers: [\"" + brokers + "\"]",
            "    group_id: otelcol-interop",
            "    initial_offset: earliest",
            "    traces:",
            "      topics: [from_proxy]",
            "      encoding: otlp_proto",
            "exporters:",
            "  file:",
            "    path: \"" + received + "\"",
            "    format: json",
            "    flush_interval: 100ms",
            "  kafka:",
            "    brokers: [\"" + brokers + "\"]",
            "    partition_traces_by_id: true",
            "    traces:",
            "      topic: from_collector",
            "      encoding: otlp_proto",
            "service:",
            "  telemetry:",
            "    metrics:",
            "      level: none",
            "  pipelines:",
            "    traces/in:",
            "      receivers: [kafka]",
            "      exporters: [file]",
            "    traces/out:",
            "      receivers: [otlp]",
            "      exporters: [kafka]",
            "");
    Path file = work.resolve("collector.yaml");
    Files.writeString(file, config, StandardCharsets.UTF_8);
    return new ProcessBuilder(binary.toString(), "--config=" + file)
        .directory(work.toFile())
        .redirectErrorStream(true)
        .redirectOutput(work.resolve("collector.log").toFile())
        .start();
  }

  private static List<Span> spansIn(Path file) {
    List<Span> spans = new ArrayList<>();
    try {
      if (!Files.exists(file)) {
        return spans;
      }
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          spans.addAll(KafkaIT.spans(OtlpJson.parseTraces(line.getBytes(StandardCharsets.UTF_8))));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      // A line being written: read again at the next poll.
    }
    return spans;
  }
}
