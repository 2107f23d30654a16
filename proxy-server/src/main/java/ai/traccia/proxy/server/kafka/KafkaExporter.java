/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.kafka;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.server.export.ExportRequest;
import ai.traccia.proxy.server.export.ExportResult;
import ai.traccia.proxy.server.export.Exporter;
import ai.traccia.proxy.server.export.Signal;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces OTLP requests to Kafka in the encoding the OpenTelemetry Collector's Kafka exporter and
 * receiver use by default, {@code otlp_proto}: each message value is one serialized {@code
 * Export*ServiceRequest}.
 *
 * <p>A trace request is split into one message per trace, keyed by the trace id as 32 lowercase hex
 * characters (the Collector's {@code partition_traces_by_id}), so that every span of a trace lands
 * in one partition and so with one consumer of a group. Metrics and logs requests go as they
 * arrived, unkeyed, to their own topics.
 *
 * <p>The producer is idempotent and waits for every in-sync replica ({@code acks=all}). An export
 * completes only when the brokers acknowledged every message of the request, so the queues and
 * retries in front of this exporter keep the proxy's guarantee: an acknowledged span is in Kafka or
 * still queued. Failures are classified as the other exporters' are: timeouts, unavailable brokers
 * and unknown partitions are retryable; a message too large, refused authentication or
 * authorization, an invalid topic are permanent. A partly delivered request that is retried sends
 * its delivered messages again (at least once).
 *
 * <p>Thread-safe. {@link #export} does not wait: the producer's {@code send}, which blocks while
 * the brokers' metadata is unknown, runs on one thread of its own, and the producer's I/O thread
 * completes the future.
 */
public final class KafkaExporter implements Exporter {

  private final String name;
  private final Producer<String, byte[]> producer;
  private final Map<Signal, String> topics;
  private final String brokers;
  private final Duration timeout;
  private final ExecutorService sender;
  private final AtomicBoolean closed = new AtomicBoolean();

  KafkaExporter(
      Producer<String, byte[]> producer,
      Map<Signal, String> topics,
      String brokers,
      Duration timeout) {
    this.name = "kafka";
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topics = new EnumMap<>(topics);
    this.brokers = brokers;
    this.timeout = timeout;
    this.sender =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "traccia-kafka-producer");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * A producer for the {@code [kafka]} keys of {@code config}.
   *
   * @throws IllegalArgumentException when the brokers or a TLS setting cannot be used
   */
  public static KafkaExporter fromConfig(ProxyConfig config) {
    Map<String, Object> props = KafkaClients.common(config);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.kafkaCompression());
    // The proxy batches before it exports; a short linger still packs the messages of one export
    // (one per trace) into few produce requests.
    int lingerMs = 5;
    int deliveryMs = (int) config.kafkaProduceTimeout().toMillis();
    props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryMs);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(30_000, deliveryMs - lingerMs));
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, deliveryMs);
    Map<Signal, String> topics = new EnumMap<>(Signal.class);
    topics.put(Signal.TRACES, config.kafkaTracesTopic());
    topics.put(Signal.METRICS, config.kafkaMetricsTopic());
    topics.put(Signal.LOGS, config.kafkaLogsTopic());
    KafkaProducer<String, byte[]> producer;
    try {
      producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    } catch (KafkaException e) {
      throw new IllegalArgumentException(
          "kafka: cannot create the producer for kafka.brokers "
              + props.get("bootstrap.servers")
              + ": "
              + rootMessage(e),
          e);
    }
    return new KafkaExporter(
        producer, topics, String.join(",", config.kafkaBrokers()), config.kafkaProduceTimeout());
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * Produces {@code request}: traces one message per trace, keyed by trace id; metrics and logs as
   * one unkeyed message. The future completes once the brokers acknowledged every message, or with
   * the first failure, never exceptionally.
   */
  @Override
  public CompletableFuture<ExportResult> export(ExportRequest request) {
    if (closed.get()) {
      return CompletableFuture.completedFuture(
          ExportResult.permanent(name + " exporter is shut down; the request was not sent"));
    }
    String topic = topics.get(request.signal());
    List<ProducerRecord<String, byte[]>> records;
    try {
      records = records(request, topic);
    } catch (InvalidProtocolBufferException e) {
      return CompletableFuture.completedFuture(
          ExportResult.permanent(
              "could not split " + request + " by trace: it is not valid protobuf"));
    }
    if (records.isEmpty()) {
      return CompletableFuture.completedFuture(ExportResult.success());
    }
    CompletableFuture<ExportResult> result = new CompletableFuture<>();
    try {
      sender.execute(() -> send(records, request, result));
    } catch (RejectedExecutionException e) {
      result.complete(
          ExportResult.permanent(name + " exporter is shut down; the request was not sent"));
    }
    return result;
  }

  /** The messages of {@code request} for {@code topic}. */
  static List<ProducerRecord<String, byte[]>> records(ExportRequest request, String topic)
      throws InvalidProtocolBufferException {
    if (request.signal() != Signal.TRACES) {
      return Collections.singletonList(new ProducerRecord<>(topic, null, request.body()));
    }
    List<TraceSplitter.Part> parts = TraceSplitter.split(request.body());
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(parts.size());
    for (TraceSplitter.Part part : parts) {
      records.add(new ProducerRecord<>(topic, part.key, part.body));
    }
    return records;
  }

  /** Sends every record; completes {@code result} when the last is acknowledged or one failed. */
  private void send(
      List<ProducerRecord<String, byte[]>> records,
      ExportRequest request,
      CompletableFuture<ExportResult> result) {
    Completion completion = new Completion(records.size(), request, result);
    for (ProducerRecord<String, byte[]> record : records) {
      try {
        producer.send(record, (metadata, error) -> completion.done(error));
      } catch (RuntimeException e) {
        // Thrown by send itself: metadata not available within max.block.ms, a closed producer,
        // a record the serializer refuses. The messages after it are not sent.
        completion.failNow(e);
        return;
      }
    }
  }

  /** Counts acknowledgements of one request's messages; the first failure decides. */
  private final class Completion {
    private final ExportRequest request;
    private final CompletableFuture<ExportResult> result;
    private int left; // guarded by this
    private ExportResult failure; // guarded by this

    Completion(int count, ExportRequest request, CompletableFuture<ExportResult> result) {
      this.left = count;
      this.request = request;
      this.result = result;
    }

    void done(Exception error) {
      ExportResult outcome = null;
      synchronized (this) {
        if (error != null) {
          ExportResult r = classify(error, request, topics.get(request.signal()));
          // A permanent failure outranks a retryable one: resending cannot deliver the request.
          if (failure == null || r.outcome() == ExportResult.Outcome.PERMANENT) {
            failure = r;
          }
        }
        if (--left == 0) {
          outcome = failure != null ? failure : ExportResult.success();
        }
      }
      if (outcome != null) {
        result.complete(outcome);
      }
    }

    void failNow(RuntimeException e) {
      result.complete(classify(e, request, topics.get(request.signal())));
    }
  }

  /** How a failure to produce {@code request} to {@code topic} is reported. */
  ExportResult classify(Throwable error, ExportRequest request, String topic) {
    Throwable e = error;
    while (e instanceof KafkaException
        && !(e instanceof ApiException)
        && e.getCause() instanceof KafkaException) {
      e = e.getCause();
    }
    String what = request + " to Kafka topic " + topic;
    if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException) {
      return ExportResult.permanent(
          "could not produce "
              + what
              + ": a message is larger than the brokers or the producer accept ("
              + rootMessage(e)
              + "); lower exporters.max_export_batch_size, or raise the topic's max.message.bytes");
    }
    if (e instanceof AuthenticationException) {
      return ExportResult.permanent(
          "could not produce "
              + what
              + ": the brokers refused the authentication ("
              + rootMessage(e)
              + "); check kafka.sasl_mechanism, kafka.sasl_username, kafka.sasl_password and the"
              + " TLS settings");
    }
    if (e instanceof AuthorizationException) {
      return ExportResult.permanent(
          "could not produce "
              + what
              + ": not authorized ("
              + rootMessage(e)
              + "); grant this client WRITE on the topic (and IDEMPOTENT_WRITE on the cluster)");
    }
    if (e instanceof InvalidTopicException) {
      return ExportResult.permanent(
          "could not produce " + what + ": the brokers refuse the topic (" + rootMessage(e) + ")");
    }
    if (e instanceof SerializationException) {
      return ExportResult.permanent("could not produce " + what + ": " + rootMessage(e));
    }
    if (e instanceof IllegalStateException) {
      return ExportResult.permanent(
          name + " exporter is shut down; " + request + " was not sent (" + rootMessage(e) + ")");
    }
    if (e instanceof RetriableException || e instanceof InterruptException) {
      return ExportResult.retryable(
          "could not produce "
              + what
              + " within "
              + timeout.toMillis()
              + " ms ("
              + rootMessage(e)
              + "): make sure the brokers "
              + brokers
              + " are running and reachable from this network",
          null);
    }
    if (e instanceof ApiException) {
      return ExportResult.permanent("could not produce " + what + ": " + rootMessage(e));
    }
    // Anything else from the client (a connection or protocol failure) may pass.
    return ExportResult.retryable(
        "could not produce "
            + what
            + " ("
            + rootMessage(e)
            + "); check the brokers "
            + brokers
            + " and kafka.* settings",
        null);
  }

  private static String rootMessage(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /**
   * Stops accepting requests, waits up to the produce timeout for the messages in flight, and
   * closes the producer. Idempotent.
   */
  @Override
  public CompletableFuture<Void> shutdown() {
    if (!closed.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.runAsync(
        () -> {
          sender.shutdown();
          try {
            sender.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          producer.close(timeout);
        },
        runnable -> {
          Thread t = new Thread(runnable, "traccia-kafka-producer-close");
          t.setDaemon(true);
          t.start();
        });
  }

  @Override
  public String toString() {
    return "KafkaExporter{" + brokers + ", " + topics + "}";
  }
}
