/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static ai.traccia.proxy.it.TwoServiceTraces.assertSameAsOneNode;
import static ai.traccia.proxy.it.TwoServiceTraces.assertSameMetricTotals;
import static ai.traccia.proxy.it.TwoServiceTraces.attributes;
import static ai.traccia.proxy.it.TwoServiceTraces.input;
import static ai.traccia.proxy.it.TwoServiceTraces.key;
import static ai.traccia.proxy.it.TwoServiceTraces.post;
import static ai.traccia.proxy.it.TwoServiceTraces.service;
import static ai.traccia.proxy.it.TwoServiceTraces.spansByKey;
import static ai.traccia.proxy.it.TwoServiceTraces.written;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scale-out of {@link RoleSplitIT} with a real Kafka broker as the router: two sidecars ({@code
 * role = sidecar}, {@code kafka.export}) produce each trace to a topic of six partitions, keyed by
 * trace id, and three gateways ({@code role = gateway}, {@code kafka.receive}, one consumer group)
 * consume it and export to one OTLP/HTTP sink.
 *
 * <p>The first test compares the gateways' output and summed derived metrics with one {@code role =
 * all} node given the same input. The second kills one gateway with {@code kill -9} in the middle
 * of the input: the group gives its partitions to the other two after the session timeout, they
 * read again what it had not committed, and no acknowledged span is lost. The third starts a second
 * gateway beside one that holds roots: the first gives up the newcomer's partitions and releases
 * the roots of their traces at once, and only those.
 */
@ExtendWith(KafkaBroker.IfAvailable.class)
class KafkaGatewaysIT {

  private static final Duration WITHIN = Duration.ofSeconds(60);
  private static final int PARTITIONS = 6;
  private static final int GATEWAYS = 3;
  private static final HexFormat HEX = HexFormat.of();

  private static KafkaBroker broker;

  private final Path work = LocalProcesses.workDirectory("kafka-gateways", "run-", "the proxies");
  private final List<ProxyProcess> processes = new ArrayList<>();
  private final OtlpHttpSink sink = new OtlpHttpSink();

  @BeforeAll
  static void startBroker() {
    broker = KafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (ProxyProcess p : processes) {
      p.close();
    }
    sink.close();
  }

  @Test
  void sidecarsToKafkaToGateways_writeWhatOneNodeWrites() throws Exception {
    int traces = 12;
    String topic = "spans_compare";
    String group = "gateways-compare";
    broker.createTopic(topic, PARTITIONS);
    sink.start();
    List<ExportTraceServiceRequest> input = input(traces);
    int spanCount = input.stream().mapToInt(TwoServiceTraces::spanCount).sum();

    List<CompletableFuture<ProxyProcess>> starting = new ArrayList<>();
    starting.add(start("single", "all", Map.of()));
    starting.addAll(sidecars(topic));
    starting.addAll(gateways(topic, group));
    List<ProxyProcess> started = join(starting);
    ProxyProcess single = started.get(0);
    Map<String, ProxyProcess> sidecars =
        Map.of("frontend", started.get(1), "search", started.get(2));
    List<ProxyProcess> gateways = started.subList(3, 3 + GATEWAYS);
    awaitGroup(group, GATEWAYS);

    for (ExportTraceServiceRequest request : input) {
      post(single, request);
    }
    // One request at a time, each in the topic before the next is sent: the two sidecars produce
    // independently, and a trace's summary lists its findings in arrival order, so the topic must
    // hold a trace's requests in the order the one node received them.
    long produced = 0;
    for (ExportTraceServiceRequest request : input) {
      post(sidecars.get(service(request)), request);
      long expected = ++produced;
      await().atMost(WITHIN).until(() -> broker.records(topic, PARTITIONS) == expected);
    }

    Map<String, Span> one = new TreeMap<>();
    await()
        .atMost(WITHIN)
        .until(
            () -> {
              one.clear();
              for (ResourceSpans rs : spansByKey(written(single)).values()) {
                Span span = rs.getScopeSpans(0).getSpans(0);
                one.put(key(span), span);
              }
              return one.size() == spanCount;
            });
    await().atMost(WITHIN).until(() -> sink.spans().size() == spanCount);
    Map<String, Span> tiered = new TreeMap<>();
    sink.spans().values().forEach(span -> tiered.put(key(span), span));
    assertSameAsOneNode(one, tiered, traces);
    assertThat(sink.duplicates()).isZero();
    // Each gateway did a share of the traces, and the metrics summed over them are the one node's.
    for (ProxyProcess gateway : gateways) {
      assertThat(
              LoadSupport.counter(
                  gateway.metrics(), "traccia_proxy_received_items", "transport=\"kafka\""))
          .isPositive();
    }
    assertSameMetricTotals(single, gateways, sidecars.values());
  }

  @Test
  void gatewayKilledMidInput_othersTakeOverItsPartitionsAndNoSpanIsLost() throws Exception {
    int traces = 60;
    String topic = "spans_kill";
    String group = "gateways-kill";
    broker.createTopic(topic, PARTITIONS);
    sink.start();
    List<ExportTraceServiceRequest> input = input(traces);
    List<CompletableFuture<ProxyProcess>> starting = new ArrayList<>(sidecars(topic));
    // The victim's backend is down (its sink is not started yet): what it consumes and commits
    // stays in its durable queue, which is what a kill must not lose.
    try (OtlpHttpSink victimSink = new OtlpHttpSink()) {
      starting.add(start("gateway-kill-victim", "gateway", gatewayEnv(topic, group, victimSink)));
      for (int g = 1; g < GATEWAYS; g++) {
        starting.add(start("gateway-kill-" + g, "gateway", gatewayEnv(topic, group, sink)));
      }
      List<ProxyProcess> started = join(starting);
      Map<String, ProxyProcess> sidecars =
          Map.of("frontend", started.get(0), "search", started.get(1));
      ProxyProcess victim = started.get(2);
      awaitGroup(group, GATEWAYS);
      long began = System.nanoTime();

      // A third of the input, produced and consumed: every offset committed, the victim's share
      // in its queue on disk.
      int third = input.size() / 3;
      for (ExportTraceServiceRequest request : input.subList(0, third)) {
        post(sidecars.get(service(request)), request);
      }
      await().atMost(WITHIN).until(() -> broker.records(topic, PARTITIONS) == third);
      await().atMost(WITHIN).until(() -> broker.committed(group, topic) == third);
      // Killed while the next requests are produced and consumed.
      int killAt = third + 6;
      for (ExportTraceServiceRequest request : input.subList(third, killAt)) {
        post(sidecars.get(service(request)), request);
      }
      victim.kill();
      long killed = System.nanoTime();
      for (ExportTraceServiceRequest request : input.subList(killAt, input.size())) {
        post(sidecars.get(service(request)), request);
      }

      // The survivors own all six partitions once the victim's session has expired.
      awaitGroup(group, GATEWAYS - 1);
      double takeover = (System.nanoTime() - killed) / 1e9;
      // kafka.session_timeout_ms is 10 s here; the consumer's own default would take 45 s.
      assertThat(takeover).isLessThan(30);
      // What the victim had not committed is in Kafka, and the survivors read it: every span sent
      // after the kill arrives. What it had committed is on its disk only.
      Set<String> afterKill = spanIds(input.subList(killAt, input.size()));
      await().atMost(WITHIN).until(() -> ids(sink).containsAll(afterKill));
      Set<String> all = spanIds(input);
      Set<String> onlyOnDisk = new HashSet<>(all);
      onlyOnDisk.removeAll(ids(sink));
      // Its two partitions of six had some of the first 20 traces (all but certainly: 1 -
      // (2/3)^20).
      assertThat(onlyOnDisk).as("spans only in the killed gateway's queue").isNotEmpty();
      // Its backend back, the victim restarted on its directory (a pod restarted on its volume)
      // sends what its durable queue holds.
      victimSink.start();
      victim.restart();
      await()
          .atMost(WITHIN)
          .until(
              () -> {
                Set<String> arrived = ids(sink);
                arrived.addAll(ids(victimSink));
                return arrived.containsAll(all);
              });
      double seconds = (System.nanoTime() - began) / 1e9;

      Set<String> both = ids(sink);
      both.retainAll(ids(victimSink));
      long duplicates = sink.duplicates() + victimSink.duplicates() + both.size();
      System.out.printf(
          "KafkaGatewaysIT: %d spans of %d traces; one of %d gateways killed after %d of %d"
              + " requests; its partitions taken over in %.1f s; %d spans were only in its"
              + " durable queue until it restarted; %d spans delivered twice (at least once, as"
              + " documented); %.1f s from the first request%n",
          all.size(),
          traces,
          GATEWAYS,
          killAt,
          input.size(),
          takeover,
          onlyOnDisk.size(),
          duplicates,
          seconds);

      // With the durable queue on, roots are not held (a held span would be lost in a crash): each
      // root is written at once with the summary of what arrived before it, so every root,
      // whichever gateway wrote it, carries one.
      Map<String, Span> delivered = new TreeMap<>();
      victimSink.spans().values().forEach(span -> delivered.put(key(span), span));
      sink.spans().values().forEach(span -> delivered.put(key(span), span));
      assertThat(delivered.keySet()).as("%d duplicates", duplicates).isEqualTo(all);
      List<Span> roots =
          delivered.values().stream()
              .filter(span -> span.getParentSpanId().isEmpty())
              .collect(Collectors.toList());
      assertThat(roots).hasSize(traces);
      assertThat(roots)
          .allSatisfy(root -> assertThat(attributes(root)).containsKey("guardrail.summary"));
    }
  }

  @Test
  void gatewayJoins_theOtherReleasesOnlyTheRootsOfThePartitionsItGaveUp() throws Exception {
    int traces = 40;
    String topic = "spans_rebalance";
    String group = "gateways-rebalance";
    broker.createTopic(topic, PARTITIONS);
    sink.start();
    // Roots wait 50 s for children that never come: only a rebalance lets one go sooner.
    Map<String, String> env = gatewayEnv(topic, group, sink);
    env.remove("TRACCIA_DURABLE_QUEUE");
    env.put("TRACCIA_GUARDRAIL_ROOT_SPAN_WAIT_MS", "50000");
    ProxyProcess first = join(List.of(start("gateway-rebalance-0", "gateway", env))).get(0);
    awaitGroup(group, 1);

    // One root-only trace per message, keyed by trace id, through Kafka's own producer and
    // partitioner: where each trace went is what the producer says.
    Map<String, Integer> partitionOf = new TreeMap<>();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", broker.bootstrap(), "acks", "all"),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (int t = 0; t < traces; t++) {
        ExportTraceServiceRequest request = rootOnly(t);
        ByteString traceId = request.getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId();
        String key = HEX.formatHex(traceId.toByteArray());
        RecordMetadata sent =
            producer.send(new ProducerRecord<>(topic, key, request.toByteArray())).get();
        partitionOf.put(key, sent.partition());
      }
    }
    await().atMost(WITHIN).until(() -> broker.committed(group, topic) == traces);
    await()
        .atMost(WITHIN)
        .until(
            () ->
                LoadSupport.counter(
                        first.metrics(), "traccia_proxy_guardrail_events", "event=\"root_held\"")
                    == traces);
    assertThat(sink.spans()).isEmpty();

    ProxyProcess second = join(List.of(start("gateway-rebalance-1", "gateway", env))).get(0);
    awaitGroup(group, 2);
    // The traces of each member's partitions. The first gateway gave up the newcomer's share,
    // and releases those traces' roots, and only those.
    List<Set<String>> shares = new ArrayList<>();
    for (Set<TopicPartition> owned : broker.assignment(group).values()) {
      Set<Integer> numbers =
          owned.stream().map(TopicPartition::partition).collect(Collectors.toSet());
      shares.add(
          partitionOf.entrySet().stream()
              .filter(e -> numbers.contains(e.getValue()))
              .map(Map.Entry::getKey)
              .collect(Collectors.toCollection(TreeSet::new)));
    }
    assertThat(shares).hasSize(2).allSatisfy(share -> assertThat(share).isNotEmpty());

    await()
        .atMost(WITHIN)
        .until(() -> shares.stream().anyMatch(share -> sink.spans().size() >= share.size()));
    // A moment more: nothing else leaves, as the other roots wait for their children.
    Thread.sleep(2_000);
    Set<String> released =
        sink.spans().values().stream()
            .peek(root -> assertThat(attributes(root)).containsKey("guardrail.summary"))
            .map(root -> HEX.formatHex(root.getTraceId().toByteArray()))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(shares).contains(released);
    assertThat(
            LoadSupport.counter(
                first.metrics(), "traccia_proxy_guardrail_events", "reason=\"rebalance\""))
        .isEqualTo(released.size());
    assertThat(second.isAlive()).isTrue();
  }

  /** A request of one root span, of trace {@code t}, whose children never come. */
  private static ExportTraceServiceRequest rootOnly(int t) {
    ByteBuffer traceId = ByteBuffer.allocate(16).putLong(0x5eed_0000L + t).putLong(t * 7919L + 1);
    long now = System.currentTimeMillis() * 1_000_000L;
    Span root =
        Span.newBuilder()
            .setTraceId(ByteString.copyFrom(traceId.array()))
            .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(t + 1L).array()))
            .setName("agent.run")
            .setStartTimeUnixNano(now - 1_000_000L)
            .setEndTimeUnixNano(now)
            .build();
    return TwoServiceTraces.request("frontend", root);
  }

  // --- The processes --------------------------------------------------------------------------

  private List<CompletableFuture<ProxyProcess>> sidecars(String topic) {
    Map<String, String> kafka =
        Map.of(
            "TRACCIA_KAFKA_EXPORT",
            "true",
            "TRACCIA_KAFKA_BROKERS",
            broker.bootstrap(),
            "TRACCIA_KAFKA_TRACES_TOPIC",
            topic);
    return List.of(
        start("sidecar-frontend", "sidecar", kafka), start("sidecar-search", "sidecar", kafka));
  }

  private List<CompletableFuture<ProxyProcess>> gateways(String topic, String group) {
    List<CompletableFuture<ProxyProcess>> out = new ArrayList<>();
    for (int g = 0; g < GATEWAYS; g++) {
      Map<String, String> env = gatewayEnv(topic, group, sink);
      // Roots held for their children, as on the one node.
      env.remove("TRACCIA_DURABLE_QUEUE");
      out.add(start("gateway-" + topic + "-" + g, "gateway", env));
    }
    return out;
  }

  /**
   * A gateway consuming {@code topic} in {@code group}, with the durable queue, into {@code to}.
   */
  private static Map<String, String> gatewayEnv(String topic, String group, OtlpHttpSink to) {
    return ProxyProcess.env(
        "TRACCIA_KAFKA_RECEIVE", "true",
        "TRACCIA_KAFKA_BROKERS", broker.bootstrap(),
        "TRACCIA_KAFKA_TRACES_TOPIC", topic,
        "TRACCIA_KAFKA_GROUP_ID", group,
        // A killed gateway's partitions move after 10 s rather than the client's default 45 s.
        "TRACCIA_KAFKA_SESSION_TIMEOUT_MS", "10000",
        "TRACCIA_ENDPOINT", to.tracesUrl(),
        "TRACCIA_EXPORTER_PROTOCOL", "http/protobuf",
        "TRACCIA_EXPORTER_COMPRESSION", "none",
        "TRACCIA_DURABLE_QUEUE", "true",
        "TRACCIA_DURABLE_QUEUE_DIR", "traccia-queue",
        // Back quickly once the backend is.
        "TRACCIA_RETRY_INITIAL_BACKOFF_MS", "200",
        "TRACCIA_RETRY_MAX_BACKOFF_MS", "500");
  }

  private CompletableFuture<ProxyProcess> start(
      String name, String role, Map<String, String> extra) {
    return TwoServiceTraces.startNode(work.resolve(name), role, extra);
  }

  private List<ProxyProcess> join(List<CompletableFuture<ProxyProcess>> starting) {
    List<ProxyProcess> started = new ArrayList<>();
    for (CompletableFuture<ProxyProcess> s : starting) {
      started.add(s.join());
    }
    processes.addAll(started);
    return started;
  }

  /** Waits until {@code group} is stable with {@code members} members owning every partition. */
  private static void awaitGroup(String group, int members) {
    await()
        .atMost(WITHIN)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              Map<String, Set<TopicPartition>> assignment = broker.assignment(group);
              return assignment.size() == members
                  && assignment.values().stream().mapToInt(Set::size).sum() == PARTITIONS;
            });
  }

  // --- Reading --------------------------------------------------------------------------------

  /** The keys of the spans {@code sink} received, a new set. */
  private static Set<String> ids(OtlpHttpSink sink) {
    return sink.spans().values().stream()
        .map(TwoServiceTraces::key)
        .collect(Collectors.toCollection(HashSet::new));
  }

  private static Set<String> spanIds(List<ExportTraceServiceRequest> requests) {
    Set<String> out = new HashSet<>();
    for (ExportTraceServiceRequest r : requests) {
      r.getResourceSpans(0).getScopeSpans(0).getSpansList().forEach(s -> out.add(key(s)));
    }
    return out;
  }
}
