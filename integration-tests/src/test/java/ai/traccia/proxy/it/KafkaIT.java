/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proxies sharing the work through a real Kafka broker (KRaft, a child JVM): a sidecar proxy
 * produces, a gateway proxy consumes, and what the gateway forwards is what the application sent,
 * enriched by the sidecar.
 */
@ExtendWith(KafkaBroker.IfAvailable.class)
class KafkaIT {

  private static final Duration WITHIN = Duration.ofSeconds(90);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static KafkaBroker broker;
  private static Path work;

  @BeforeAll
  static void startBroker() {
    broker = KafkaBroker.start();
    work = LocalProcesses.workDirectory("kafka", "proxies-", "the proxies");
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void sidecarProducesTraceByTrace_gatewayConsumesAndForwardsEnriched() throws Exception {
    String topic = "spans_ab";
    broker.createTopic(topic, 3);
    int traces = 300;
    try (OtlpHttpSink sink = new OtlpHttpSink();
        ProxyProcess sidecar =
            ProxyProcess.start(
                work.resolve("sidecar"),
                ProxyProcess.env(
                    "TRACCIA_KAFKA_EXPORT", "true",
                    "TRACCIA_KAFKA_BROKERS", broker.bootstrap(),
                    "TRACCIA_KAFKA_TRACES_TOPIC", topic,
                    "TRACCIA_KAFKA_COMPRESSION", "lz4",
                    "TRACCIA_GUARDRAIL_ROOT_SPAN_WAIT_MS", "0",
                    "TRACCIA_SCHEDULE_DELAY_MILLIS", "50"))) {
      // Ten traces per request, so that the sidecar splits every request it exports.
      long started = System.nanoTime();
      for (int first = 0; first < traces; first += 10) {
        HttpResponse<Void> r = post(sidecar.httpEndpoint(), request(first, 10));
        assertThat(r.statusCode()).isEqualTo(200);
      }

      List<ConsumerRecord<String, byte[]>> records = readAll(broker.bootstrap(), topic, traces);
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(
          "KafkaIT: %d traces through the sidecar into Kafka in %.2f s (%.0f messages/s)%n",
          traces, seconds, traces / seconds);
      assertThat(records).hasSize(traces);
      Map<String, Integer> partitionOfKey = new HashMap<>();
      for (ConsumerRecord<String, byte[]> record : records) {
        ExportTraceServiceRequest value = ExportTraceServiceRequest.parseFrom(record.value());
        List<Span> spans = spans(value);
        assertThat(spans).hasSize(2);
        Set<String> ids = spans.stream().map(s -> hex(s.getTraceId())).collect(Collectors.toSet());
        // One trace per message, keyed as the Collector keys it: 32 lowercase hex characters.
        assertThat(ids).containsExactly(record.key());
        assertThat(record.key()).matches("[0-9a-f]{32}");
        assertThat(partitionOfKey.put(record.key(), record.partition())).isNull();
      }
      assertThat(new HashSet<>(partitionOfKey.values())).hasSizeGreaterThan(1);

      sink.start();
      try (ProxyProcess gateway =
          ProxyProcess.start(work.resolve("gateway"), gatewayEnv(sink, topic, "it-gateways"))) {
        long consuming = System.nanoTime();
        await().atMost(WITHIN).until(() -> sink.spans().size() >= 2 * traces);
        double s = (System.nanoTime() - consuming) / 1e9;
        System.out.printf(
            "KafkaIT: the gateway consumed and forwarded %d traces in %.2f s (%.0f messages/s,"
                + " including its start-up and group join)%n",
            traces, s, traces / s);
        for (Span span : sink.spans().values()) {
          Map<String, AnyValue> attributes = attributes(span);
          if (span.getName().startsWith("chat")) {
            assertThat(attributes).containsKey("llm.cost.usd");
          } else {
            assertThat(attributes).containsKey("guardrail.summary");
          }
        }
        String metrics = gateway.metrics();
        assertThat(
                LoadSupport.counter(metrics, "traccia_proxy_received_items", "transport=\"kafka\""))
            .isGreaterThanOrEqualTo(2.0 * traces);
      }
    }
  }

  @Test
  void throughput_sidecarToKafkaToGateway() throws Exception {
    // Bounded: 5,000 traces (10,000 spans) in 50 requests; prints messages per second each way.
    String topic = "spans_load";
    broker.createTopic(topic, 3);
    int traces = 5_000;
    try (OtlpHttpSink sink = new OtlpHttpSink();
        ProxyProcess sidecar =
            ProxyProcess.start(
                work.resolve("load-sidecar"),
                ProxyProcess.env(
                    "TRACCIA_KAFKA_EXPORT", "true",
                    "TRACCIA_KAFKA_BROKERS", broker.bootstrap(),
                    "TRACCIA_KAFKA_TRACES_TOPIC", topic,
                    "TRACCIA_GUARDRAIL_ROOT_SPAN_WAIT_MS", "0",
                    "TRACCIA_SCHEDULE_DELAY_MILLIS", "50"))) {
      long started = System.nanoTime();
      for (int first = 0; first < traces; first += 100) {
        assertThat(post(sidecar.httpEndpoint(), request(first, 100)).statusCode()).isEqualTo(200);
      }
      assertThat(readAll(broker.bootstrap(), topic, traces)).hasSize(traces);
      double produced = (System.nanoTime() - started) / 1e9;
      sink.start();
      try (ProxyProcess gateway =
          ProxyProcess.start(work.resolve("load-gateway"), gatewayEnv(sink, topic, "it-load"))) {
        long consuming = System.nanoTime();
        await().atMost(WITHIN).until(() -> sink.spans().size() >= 2 * traces);
        double consumed = (System.nanoTime() - consuming) / 1e9;
        System.out.printf(
            "KafkaIT throughput: sidecar %d traces -> %d messages in %.2f s (%.0f messages/s,"
                + " HTTP requests sent one at a time); gateway %d messages -> sink in %.2f s"
                + " (%.0f messages/s, %.0f spans/s)%n",
            traces,
            traces,
            produced,
            traces / produced,
            traces,
            consumed,
            traces / consumed,
            2 * traces / consumed);
      }
    }
  }

  @Test
  void gatewayBackendDown_uncommittedRecordsAreReadAgainAndNothingIsLost() throws Exception {
    String topic = "spans_down";
    String group = "it-down";
    broker.createTopic(topic, 3);
    int traces = 400;
    produceDirectly(topic, traces);
    try (OtlpHttpSink sink = new OtlpHttpSink()) {
      // The backend is down; the durable queue is small, so the gateway's queue fills and its
      // consumer pauses with part of the topic uncommitted.
      Map<String, String> env =
          ProxyProcess.env(
              "TRACCIA_KAFKA_RECEIVE", "true",
              "TRACCIA_KAFKA_BROKERS", broker.bootstrap(),
              "TRACCIA_KAFKA_TRACES_TOPIC", topic,
              "TRACCIA_KAFKA_GROUP_ID", group,
              "TRACCIA_KAFKA_MAX_POLL_RECORDS", "20",
              "TRACCIA_ENDPOINT", sink.tracesUrl(),
              "TRACCIA_EXPORTER_PROTOCOL", "http/protobuf",
              "TRACCIA_EXPORTER_COMPRESSION", "none",
              "TRACCIA_DURABLE_QUEUE", "true",
              "TRACCIA_DURABLE_QUEUE_DIR", work.resolve("down-queue").toString(),
              "TRACCIA_DURABLE_QUEUE_MAX_BYTES", "40000",
              "TRACCIA_RETRY_INITIAL_BACKOFF_MS", "200",
              "TRACCIA_RETRY_MAX_BACKOFF_MS", "500",
              "TRACCIA_SCHEDULE_DELAY_MILLIS", "50");
      ProxyProcess gateway = ProxyProcess.start(work.resolve("down-gateway"), env);
      try {
        await()
            .atMost(WITHIN)
            .until(
                () ->
                    LoadSupport.counter(
                            gateway.metrics(), "traccia_proxy_refused_items", "transport=\"kafka\"")
                        > 0);
        long committed = broker.committed(group, topic);
        assertThat(committed).isGreaterThan(0).isLessThan(traces);
        // A crash: whatever was committed is on the gateway's disk, the rest still in Kafka.
        gateway.kill();

        sink.start();
        gateway.restart();
        await().atMost(WITHIN).until(() -> sink.spans().size() >= traces);
        assertThat(sink.spans().keySet())
            .containsAll(
                java.util.stream.LongStream.range(0, traces)
                    .mapToObj(n -> ByteString.copyFrom(LoadSupport.spanId(n)))
                    .collect(Collectors.toList()));
        await().atMost(WITHIN).until(() -> broker.committed(group, topic) == traces);
      } finally {
        gateway.close();
      }
    }
  }

  // --- Helpers -----------------------------------------------------------------------------------

  static HttpResponse<Void> post(String endpoint, byte[] body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(endpoint + "/v1/traces"))
            .header("Content-Type", "application/x-protobuf")
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  /** {@code count} traces from number {@code first}: a root and an LLM call under it each. */
  static byte[] request(int first, int count) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int t = first; t < first + count; t++) {
      ByteString traceId =
          ByteString.copyFrom(ByteBuffer.allocate(16).putLong(0x4b1dL).putLong(t + 1).array());
      ByteString root = ByteString.copyFrom(ByteBuffer.allocate(8).putLong(2L * t + 1).array());
      scope.addSpans(
          Span.newBuilder()
              .setTraceId(traceId)
              .setSpanId(root)
              .setName("agent run " + t)
              .setStartTimeUnixNano(1_700_000_000_000_000_000L)
              .setEndTimeUnixNano(1_700_000_000_900_000_000L));
      scope.addSpans(
          Span.newBuilder()
              .setTraceId(traceId)
              .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(2L * t + 2).array()))
              .setParentSpanId(root)
              .setName("chat gpt-4o-mini")
              .setStartTimeUnixNano(1_700_000_000_100_000_000L)
              .setEndTimeUnixNano(1_700_000_000_800_000_000L)
              .addAttributes(string("gen_ai.system", "openai"))
              .addAttributes(string("gen_ai.request.model", "gpt-4o-mini"))
              .addAttributes(integer("gen_ai.usage.input_tokens", 1000))
              .addAttributes(integer("gen_ai.usage.output_tokens", 200)));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(string("service.name", "agent")))
                .addScopeSpans(scope))
        .build()
        .toByteArray();
  }

  private static KeyValue string(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static KeyValue integer(String key, long value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setIntValue(value))
        .build();
  }

  static Map<String, AnyValue> attributes(Span span) {
    Map<String, AnyValue> map = new HashMap<>();
    span.getAttributesList().forEach(kv -> map.put(kv.getKey(), kv.getValue()));
    return map;
  }

  static List<Span> spans(ExportTraceServiceRequest request) {
    return request.getResourceSpansList().stream()
        .flatMap(rs -> rs.getScopeSpansList().stream())
        .flatMap(ss -> ss.getSpansList().stream())
        .collect(Collectors.toList());
  }

  static String hex(ByteString id) {
    return HexFormat.of().formatHex(id.toByteArray());
  }

  /** Every record of {@code topic}, read by a new consumer group, until {@code count} arrived. */
  static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic, int count) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + System.nanoTime());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      await()
          .atMost(WITHIN)
          .pollInterval(Duration.ofMillis(10))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
              });
    }
    return records;
  }

  /** Produces {@code count} one-span traces, each keyed by its trace id, as a sidecar would. */
  private static void produceDirectly(String topic, int count) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (int n = 0; n < count; n++) {
        ExportTraceServiceRequest r =
            ExportTraceServiceRequest.parseFrom(LoadSupport.request(n, 1));
        String key = hex(spans(r).get(0).getTraceId());
        producer.send(new ProducerRecord<>(topic, key, r.toByteArray()));
      }
      producer.flush();
    }
  }

  /** A gateway consuming {@code topic} in {@code group} and forwarding to {@code sink} at once. */
  private static Map<String, String> gatewayEnv(OtlpHttpSink sink, String topic, String group) {
    return ProxyProcess.env(
        "TRACCIA_KAFKA_RECEIVE", "true",
        "TRACCIA_KAFKA_BROKERS", broker.bootstrap(),
        "TRACCIA_KAFKA_TRACES_TOPIC", topic,
        "TRACCIA_KAFKA_GROUP_ID", group,
        "TRACCIA_ENDPOINT", sink.tracesUrl(),
        "TRACCIA_EXPORTER_PROTOCOL", "http/protobuf",
        "TRACCIA_EXPORTER_COMPRESSION", "none",
        "TRACCIA_GUARDRAIL_ROOT_SPAN_WAIT_MS", "0",
        "TRACCIA_SCHEDULE_DELAY_MILLIS", "50");
  }
}
