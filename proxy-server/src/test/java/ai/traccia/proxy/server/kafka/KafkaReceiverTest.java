/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.kafka;

import static ai.traccia.proxy.server.kafka.KafkaTestRequests.TRACE_A;
import static ai.traccia.proxy.server.kafka.KafkaTestRequests.TRACE_B;
import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.server.ingest.IngestResult;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KafkaReceiverTest {

  private static final String TOPIC = "otlp_spans";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

  private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final MutableClock clock = new MutableClock();
  private final AtomicInteger revoked = new AtomicInteger();
  // The traces the receiver said were revoked, at the last rebalance.
  private Predicate<ByteString> revokedTraces;
  // What Ingest took, and whether it has room: null means accept.
  private final List<String> ingested = new ArrayList<>();
  private IngestResult answer;
  private KafkaReceiver receiver;

  @BeforeEach
  void setUp() {
    receiver =
        new KafkaReceiver(
            consumer,
            TOPIC,
            (bytes, transport) -> {
              assertThat(transport).isEqualTo("kafka");
              ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(bytes);
              String name = request.getResourceSpans(0).getScopeSpans(0).getSpans(0).getName();
              if (name.equals("boom")) {
                throw new IllegalStateException("a processor bug");
              }
              if (answer != null) {
                return answer;
              }
              ingested.add(name);
              return IngestResult.accepted();
            },
            traceIds -> {
              revoked.incrementAndGet();
              revokedTraces = traceIds;
            },
            registry,
            clock);
    receiver.subscribe();
    Map<TopicPartition, Long> beginning = new HashMap<>();
    beginning.put(P0, 0L);
    beginning.put(P1, 0L);
    consumer.updateBeginningOffsets(beginning);
    consumer.rebalance(List.of(P0, P1));
  }

  private void add(TopicPartition p, long offset, String name) {
    add(p, offset, request(name));
  }

  private void add(TopicPartition p, long offset, byte[] value) {
    consumer.addRecord(new ConsumerRecord<>(TOPIC, p.partition(), offset, TRACE_A, value));
  }

  private static byte[] request(String name) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            KafkaTestRequests.resourceSpans(
                "svc", KafkaTestRequests.scope("s", KafkaTestRequests.span(TRACE_B, 1, name))))
        .build()
        .toByteArray();
  }

  private Map<TopicPartition, OffsetAndMetadata> committed() {
    return consumer.committed(Set.of(P0, P1));
  }

  @Test
  void pollOnce_acceptedRecordsAreCommitted() {
    add(P0, 0, "a");
    add(P0, 1, "b");
    add(P1, 0, "c");

    receiver.pollOnce();

    assertThat(ingested).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(committed().get(P0).offset()).isEqualTo(2);
    assertThat(committed().get(P1).offset()).isEqualTo(1);
    assertThat(receiver.isPaused()).isFalse();
  }

  @Test
  void pollOnce_queueFullPausesSeeksBackAndCommitsOnlyWhatWasAccepted() {
    add(P0, 0, "a");
    receiver.pollOnce();
    answer = IngestResult.retryLater("the export queue of otlp is full", Duration.ofSeconds(2));
    add(P0, 1, "b");
    add(P0, 2, "c");
    add(P1, 0, "d");

    receiver.pollOnce();

    assertThat(receiver.isPaused()).isTrue();
    assertThat(consumer.paused()).containsExactlyInAnyOrder(P0, P1);
    // Back to the first record not accepted, on every partition of the poll.
    assertThat(consumer.position(P0)).isEqualTo(1);
    assertThat(consumer.position(P1)).isZero();
    assertThat(committed().get(P0).offset()).isEqualTo(1);
    assertThat(committed().get(P1)).isNull();

    // Still paused before the delay: nothing is read, nothing buffered.
    clock.advance(Duration.ofMillis(1999));
    receiver.pollOnce();
    assertThat(receiver.isPaused()).isTrue();

    // The brokers deliver again from the position; now there is room.
    answer = null;
    clock.advance(Duration.ofMillis(1));
    add(P0, 1, "b");
    add(P0, 2, "c");
    add(P1, 0, "d");
    receiver.pollOnce();

    assertThat(receiver.isPaused()).isFalse();
    assertThat(consumer.paused()).isEmpty();
    assertThat(ingested).containsExactlyInAnyOrder("a", "b", "c", "d");
    assertThat(committed().get(P0).offset()).isEqualTo(3);
    assertThat(committed().get(P1).offset()).isEqualTo(1);
  }

  @Test
  void pollOnce_malformedRecordsAreCountedSkippedAndCommitted() {
    add(P0, 0, new byte[] {0x0a, 0x7f, 0x01});
    add(P0, 1, (byte[]) null);
    add(P0, 2, "ok");

    receiver.pollOnce();

    assertThat(ingested).containsExactly("ok");
    assertThat(committed().get(P0).offset()).isEqualTo(3);
    assertThat(malformedCount()).isEqualTo(2.0);
  }

  @Test
  void pollOnce_unexpectedIngestFailureSkipsTheRecordAndGoesOn() {
    add(P0, 0, "boom");
    add(P0, 1, "after");

    receiver.pollOnce();

    assertThat(ingested).containsExactly("after");
    assertThat(committed().get(P0).offset()).isEqualTo(2);
    assertThat(malformedCount()).isEqualTo(1.0);
  }

  @Test
  void rebalance_revokedPartitionsAreCommittedAndHeldSpansReleased() {
    add(P0, 0, "a");
    receiver.pollOnce();
    assertThat(committed().get(P0).offset()).isEqualTo(1);

    consumer.rebalance(List.of(P1));

    assertThat(revoked.get()).isEqualTo(1);
    assertThat(consumer.assignment()).containsExactly(P1);
    // A rebalance that takes nothing away releases nothing.
    consumer.rebalance(List.of(P1, P0));
    assertThat(revoked.get()).isEqualTo(1);
  }

  @Test
  void rebalance_releasesTheTracesOfTheRevokedPartitionsOnly() {
    consumer.updatePartitions(TOPIC, List.of(info(P0), info(P1)));
    ByteString inP0 = traceIn(0);
    ByteString inP1 = traceIn(1);
    consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, TraceSplitter.key(inP0), request("a")));
    receiver.pollOnce();

    consumer.rebalance(List.of(P1));

    assertThat(revoked.get()).isEqualTo(1);
    assertThat(revokedTraces.test(inP0)).isTrue();
    assertThat(revokedTraces.test(inP1)).isFalse();
  }

  @Test
  void rebalance_afterARecordNotKeyedByTraceEveryTraceCountsAsRevoked() {
    consumer.updatePartitions(TOPIC, List.of(info(P0), info(P1)));
    consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, null, request("a")));
    receiver.pollOnce();

    consumer.rebalance(List.of(P1));

    // Its spans may belong to any trace, so a partition says nothing of which traces moved.
    assertThat(revokedTraces.test(traceIn(0))).isTrue();
    assertThat(revokedTraces.test(traceIn(1))).isTrue();
  }

  @Test
  void rebalance_withThePartitionCountUnknownEveryTraceCountsAsRevoked() {
    add(P0, 0, "a");
    receiver.pollOnce();

    consumer.rebalance(List.of(P1));

    assertThat(revokedTraces.test(traceIn(0))).isTrue();
    assertThat(revokedTraces.test(traceIn(1))).isTrue();
  }

  private static PartitionInfo info(TopicPartition p) {
    return new PartitionInfo(p.topic(), p.partition(), Node.noNode(), new Node[0], new Node[0]);
  }

  /** A trace id whose messages go to {@code partition} of two. */
  private static ByteString traceIn(int partition) {
    for (long n = 1; ; n++) {
      ByteString id =
          ByteString.copyFrom(ByteBuffer.allocate(16).putLong(n).putLong(n * 31).array());
      if (TraceSplitter.partition(id, 2) == partition) {
        return id;
      }
    }
  }

  @Test
  void rebalance_newPartitionsWaitWhileBackingOff() {
    answer = IngestResult.retryLater("full", Duration.ofSeconds(1));
    add(P0, 0, "a");
    receiver.pollOnce();
    assertThat(receiver.isPaused()).isTrue();

    TopicPartition p2 = new TopicPartition(TOPIC, 2);
    consumer.updateBeginningOffsets(Map.of(p2, 0L));
    consumer.rebalance(List.of(P0, P1, p2));

    assertThat(consumer.paused()).contains(p2);
  }

  private double malformedCount() {
    return registry.scrape().stream()
        .filter(s -> s.getMetadata().getName().equals("traccia_proxy_kafka_malformed_records"))
        .map(s -> ((CounterSnapshot) s).getDataPoints().get(0).getValue())
        .findFirst()
        .orElse(0.0);
  }

  /** A clock the test moves by hand. */
  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
