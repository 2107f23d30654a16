/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.kafka;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.server.export.ThrottlingLogger;
import ai.traccia.proxy.server.ingest.IngestResult;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes OTLP trace requests from a Kafka topic, in a consumer group, and hands each record's
 * value to the same path as an OTLP/HTTP protobuf traces request ({@code Ingest.traces}), so its
 * spans run through the pipeline into the export queues.
 *
 * <p><b>Design.</b> One thread owns the consumer (Kafka's consumer is not thread-safe) and loops:
 * poll, hand each record to Ingest in offset order, commit. The guarantee is at least once:
 *
 * <ul>
 *   <li>A partition's offset is committed only past records Ingest accepted into every export queue
 *       (with the durable queue on, after they are written to disk), or that are malformed and were
 *       skipped. A crash before the commit makes the group read them again.
 *   <li>When Ingest refuses for lack of room (queue full, memory budget, rate limit), the consumer
 *       seeks every partition of the poll back to its first record not accepted, pauses all its
 *       partitions, and resumes after the delay Ingest asks of any client. Polling goes on while
 *       paused, which keeps the group membership alive and reads nothing: at most one poll ({@code
 *       kafka.max_poll_records}) is held in memory, never more.
 *   <li>When partitions are revoked in a rebalance, what was accepted is committed first, then
 *       {@code onRevoked} is given the traces of those partitions: the proxy releases their held
 *       root spans, since their later spans now go to another consumer, and goes on holding the
 *       others. A trace's partition is computed from its id as producers key and partition its
 *       messages ({@link TraceSplitter#partition}); once a record without such a key was read, the
 *       mapping says nothing and every trace counts as revoked. Lost partitions (the group moved on
 *       without us) cannot be committed; the new owner reads from the last commit.
 *   <li>A record whose value is not an OTLP trace request is counted ({@code
 *       traccia_proxy_kafka_malformed_records_total}), logged at most a few times a minute, and
 *       skipped: one bad record never stops a partition.
 * </ul>
 *
 * <p>{@link #close} stops the loop (the consumer's {@code wakeup}), commits what was accepted and
 * leaves the group; it is called before the proxy stops accepting, so that nothing read is refused
 * for shutting down. Thread-safe; start and close are idempotent.
 */
public final class KafkaReceiver implements AutoCloseable {

  /** The transport label of spans that came from Kafka, in self-metrics. */
  public static final String TRANSPORT = "kafka";

  private static final Logger logger = LoggerFactory.getLogger(KafkaReceiver.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
  // While paused, polls are short so that the consumer resumes close to the asked delay.
  private static final Duration PAUSED_POLL_TIMEOUT = Duration.ofMillis(50);

  /** How long a rebalance waits for the topic's partition count, which is normally known. */
  private static final Duration PARTITIONS_TIMEOUT = Duration.ofSeconds(5);

  private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

  /** What the proxy does with the traces of partitions taken away in a rebalance. */
  @FunctionalInterface
  public interface RevokedTraces {
    /**
     * Called on the consumer's thread after partitions were revoked or lost.
     *
     * @param traceIds selects the ids of the traces those partitions carried
     */
    void release(Predicate<ByteString> traceIds);
  }

  /** Where records go: {@code Ingest::traces}. */
  @FunctionalInterface
  public interface TraceIngest {
    /**
     * Processes and queues one encoded trace request.
     *
     * @throws InvalidProtocolBufferException when it is not an OTLP trace request
     */
    IngestResult traces(byte[] encoded, String transport) throws InvalidProtocolBufferException;
  }

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final TraceIngest ingest;
  private final RevokedTraces onRevoked;
  private final Clock clock;
  private final Counter malformed;
  private final ThrottlingLogger warnings = ThrottlingLogger.create(logger, 6);

  // Owned by the polling thread.
  private final Map<TopicPartition, OffsetAndMetadata> accepted = new HashMap<>();
  private long resumeAtMillis = -1; // -1: not paused
  // Whether a record was read whose key is not a trace's: then partitions say nothing of traces.
  private boolean untracedKeys;

  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile Thread thread;

  KafkaReceiver(
      Consumer<String, byte[]> consumer,
      String topic,
      TraceIngest ingest,
      RevokedTraces onRevoked,
      PrometheusRegistry registry,
      Clock clock) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.ingest = Objects.requireNonNull(ingest, "ingest");
    this.onRevoked = Objects.requireNonNull(onRevoked, "onRevoked");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.malformed =
        SelfMetrics.counter()
            .name("traccia_proxy_kafka_malformed_records")
            .help("Kafka records skipped because their value is not an OTLP trace request.")
            .register(registry);
  }

  /**
   * A receiver for the {@code [kafka]} keys of {@code config}; call {@link #start}.
   *
   * @param onRevoked given the traces of partitions revoked or lost, on the consumer's thread
   * @throws IllegalArgumentException when the brokers or a TLS setting cannot be used
   */
  public static KafkaReceiver fromConfig(
      ProxyConfig config,
      TraceIngest ingest,
      RevokedTraces onRevoked,
      PrometheusRegistry registry) {
    Map<String, Object> props = KafkaClients.common(config);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, config.kafkaGroupId());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A new group starts at the oldest record: spans produced before the first gateway started
    // are not skipped.
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.kafkaMaxPollRecords());
    // A gateway that died keeps its partitions, and the traces in them wait, for this long.
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, config.kafkaSessionTimeoutMs());
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, config.kafkaSessionTimeoutMs() / 3);
    // Cooperative rebalancing: a gateway gives up only the partitions that move, so it goes on
    // consuming the others and keeps their traces' held roots. The client's default list starts
    // with an eager assignor, which takes every partition from every member at each rebalance;
    // it also names this one, so a rolling restart moves a running group over.
    props.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    KafkaConsumer<String, byte[]> consumer;
    try {
      consumer =
          new KafkaConsumer<>(
              props,
              new org.apache.kafka.common.serialization.StringDeserializer(),
              new ByteArrayDeserializer());
    } catch (KafkaException e) {
      throw new IllegalArgumentException(
          "kafka: cannot create the consumer for kafka.brokers "
              + props.get("bootstrap.servers")
              + ": "
              + e.getMessage(),
          e);
    }
    return new KafkaReceiver(
        consumer, config.kafkaTracesTopic(), ingest, onRevoked, registry, Clock.systemUTC());
  }

  /** Subscribes and starts consuming on a thread of its own. Idempotent. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(this::run, "traccia-kafka-receiver");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  private void run() {
    try {
      subscribe();
      while (!closed.get()) {
        try {
          pollOnce();
        } catch (WakeupException e) {
          throw e;
        } catch (KafkaException e) {
          // Brokers unreachable, authentication refused, a commit timed out: said, and tried
          // again, rather than a receiver that silently stopped.
          warnings.warn("Kafka receiver: {}; trying again in 1 s", e.toString());
          LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        }
      }
    } catch (WakeupException e) {
      // close() woke the consumer up.
    } catch (RuntimeException e) {
      logger.error(
          "The Kafka receiver stopped: {}; records not committed are read again after a restart",
          e.toString(),
          e);
    } finally {
      try {
        commitAccepted();
      } catch (RuntimeException e) {
        logger.warn("Could not commit the last Kafka offsets at shutdown: {}", e.toString());
      }
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        logger.warn("Could not close the Kafka consumer cleanly: {}", e.toString());
      }
      stopped.countDown();
    }
  }

  /** Joins the group on the topic; package-private for tests, which drive the loop themselves. */
  void subscribe() {
    consumer.subscribe(Collections.singletonList(topic), new Rebalance());
    logger.info("Consuming traces from Kafka topic {}", topic);
  }

  /**
   * One turn of the loop: resume when the pause is over, poll, hand the records to Ingest, commit.
   * Package-private for tests, which drive it on their own thread.
   */
  void pollOnce() {
    if (resumeAtMillis >= 0 && clock.millis() >= resumeAtMillis) {
      consumer.resume(consumer.paused());
      resumeAtMillis = -1;
    }
    ConsumerRecords<String, byte[]> records =
        consumer.poll(resumeAtMillis >= 0 ? PAUSED_POLL_TIMEOUT : POLL_TIMEOUT);
    if (!records.isEmpty()) {
      handle(records);
    }
    commitAccepted();
  }

  private void handle(ConsumerRecords<String, byte[]> records) {
    Duration retryAfter = null;
    Map<TopicPartition, Long> rewind = new HashMap<>();
    for (TopicPartition partition : records.partitions()) {
      List<ConsumerRecord<String, byte[]>> list = records.records(partition);
      if (retryAfter != null) {
        // Ingest is refusing: read the rest again later.
        rewind.put(partition, list.get(0).offset());
        continue;
      }
      for (ConsumerRecord<String, byte[]> record : list) {
        Duration refused = offer(record);
        if (refused != null) {
          retryAfter = refused;
          rewind.put(partition, record.offset());
          break;
        }
        accepted.put(partition, new OffsetAndMetadata(record.offset() + 1));
      }
    }
    if (retryAfter != null) {
      rewind.forEach((partition, offset) -> consumer.seek(partition, offset));
      consumer.pause(consumer.assignment());
      resumeAtMillis = clock.millis() + retryAfter.toMillis();
    }
  }

  /** Hands {@code record} to Ingest: null when it is done with, or the delay before a retry. */
  private Duration offer(ConsumerRecord<String, byte[]> record) {
    if (!untracedKeys && !TraceSplitter.isTraceKey(record.key())) {
      untracedKeys = true;
      logger.info(
          "Kafka record {}-{}@{} is not keyed by trace id: a rebalance now releases every held"
              + " root, not only those of the revoked partitions",
          record.topic(),
          record.partition(),
          record.offset());
    }
    byte[] value = record.value();
    if (value == null) {
      skip(record, "it has no value");
      return null;
    }
    IngestResult result;
    try {
      result = ingest.traces(value, TRANSPORT);
    } catch (InvalidProtocolBufferException e) {
      skip(record, "it is not an OTLP trace request (" + e.getMessage() + ")");
      return null;
    } catch (RuntimeException e) {
      // Never expected; skipping one record is better than a consumer stuck on it.
      skip(record, "processing it failed (" + e + ")");
      return null;
    }
    if (result.isRetryable()) {
      Duration delay = result.retryAfter() != null ? result.retryAfter() : DEFAULT_RETRY_AFTER;
      warnings.warn(
          "Kafka receiver paused for {} ms: {}; partitions resume at the first record not"
              + " accepted",
          delay.toMillis(),
          result.message());
      return delay;
    }
    return null;
  }

  private void skip(ConsumerRecord<String, byte[]> record, String why) {
    malformed.inc();
    warnings.warn(
        "Skipped Kafka record {}-{}@{}: {}",
        record.topic(),
        record.partition(),
        record.offset(),
        why);
  }

  /** Commits the offsets past what was accepted; keeps them for a retry when the commit fails. */
  private void commitAccepted() {
    if (accepted.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(accepted);
    try {
      consumer.commitSync(offsets);
      offsets.forEach(accepted::remove);
    } catch (CommitFailedException e) {
      // The group rebalanced under us: these partitions belong to another member, which reads
      // from the last commit (at least once).
      accepted.clear();
      warnings.warn("Kafka offsets could not be committed: {}", e.getMessage());
    }
  }

  /** Commits on revocation and lets the pipeline release what it holds for those partitions. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      try {
        commitAccepted();
      } catch (KafkaException e) {
        warnings.warn("Kafka offsets could not be committed before a rebalance: {}", e.toString());
      }
      released(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      partitions.forEach(accepted::remove);
      released(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (resumeAtMillis >= 0) {
        // Still backing off: new partitions wait too.
        consumer.pause(partitions);
      }
    }

    private void released(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      try {
        onRevoked.release(tracesOf(partitions));
      } catch (RuntimeException e) {
        logger.warn("Releasing held spans after a rebalance failed", e);
      }
    }
  }

  /**
   * The ids of the traces whose messages {@code partitions} of the topic carry; every trace when a
   * record without a trace key was read or the topic's partition count is not known.
   */
  private Predicate<ByteString> tracesOf(Collection<TopicPartition> partitions) {
    if (untracedKeys) {
      return traceId -> true;
    }
    List<PartitionInfo> all;
    try {
      // The subscribed topic's metadata is at hand; the timeout only bounds the unexpected.
      all = consumer.partitionsFor(topic, PARTITIONS_TIMEOUT);
    } catch (KafkaException e) {
      logger.warn("Partitions of {} unknown after a rebalance: {}", topic, e.toString());
      return traceId -> true;
    }
    if (all == null || all.isEmpty()) {
      return traceId -> true;
    }
    int count = all.size();
    Set<Integer> revoked = new HashSet<>();
    for (TopicPartition p : partitions) {
      if (p.topic().equals(topic)) {
        revoked.add(p.partition());
      }
    }
    return traceId -> revoked.contains(TraceSplitter.partition(traceId, count));
  }

  /** Whether the consumer is paused, backing off from a refusal; for tests. */
  boolean isPaused() {
    return resumeAtMillis >= 0;
  }

  /**
   * Stops consuming: wakes the consumer up, commits what was accepted, leaves the group, and waits
   * for that up to {@code timeout}. Idempotent.
   */
  public void close(Duration timeout) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (thread == null) {
      consumer.close(Duration.ZERO);
      return;
    }
    consumer.wakeup();
    try {
      if (!stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        logger.warn("The Kafka receiver did not stop within {} ms", timeout.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  @Override
  public String toString() {
    return "KafkaReceiver{" + topic + "}";
  }
}
