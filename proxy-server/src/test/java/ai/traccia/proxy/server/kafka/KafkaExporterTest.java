/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.kafka;

import static ai.traccia.proxy.server.kafka.KafkaTestRequests.TRACE_A;
import static ai.traccia.proxy.server.kafka.KafkaTestRequests.TRACE_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.server.export.ExportRequest;
import ai.traccia.proxy.server.export.ExportResult;
import ai.traccia.proxy.server.export.Signal;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KafkaExporterTest {

  // Not auto-completing: a send is acknowledged only when the test says so.
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
  private final KafkaExporter exporter =
      new KafkaExporter(producer, topics(), "k1:9092", Duration.ofSeconds(30));

  @AfterEach
  void tearDown() throws Exception {
    exporter.shutdown().get(10, TimeUnit.SECONDS);
  }

  private static Map<Signal, String> topics() {
    Map<Signal, String> topics = new EnumMap<>(Signal.class);
    topics.put(Signal.TRACES, "otlp_spans");
    topics.put(Signal.METRICS, "otlp_metrics");
    topics.put(Signal.LOGS, "otlp_logs");
    return topics;
  }

  private static ExportRequest traces(ExportTraceServiceRequest request, int spans) {
    return ExportRequest.of(Signal.TRACES, request.toByteArray(), spans);
  }

  private void awaitSent(int records) {
    await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == records);
  }

  @Test
  void export_tracesOneMessagePerTraceKeyedByTraceId() throws Exception {
    CompletableFuture<ExportResult> result =
        exporter.export(traces(KafkaTestRequests.twoTraces(), 5));

    awaitSent(2);
    List<ProducerRecord<String, byte[]>> sent = producer.history();
    assertThat(sent).extracting(ProducerRecord::topic).containsOnly("otlp_spans");
    assertThat(sent).extracting(ProducerRecord::key).containsExactly(TRACE_A, TRACE_B);
    assertThat(ExportTraceServiceRequest.parseFrom(sent.get(0).value()).getResourceSpansCount())
        .isEqualTo(2);
    // Done only once the brokers acknowledged every message.
    assertThat(producer.completeNext()).isTrue();
    assertThat(result).isNotDone();
    assertThat(producer.completeNext()).isTrue();
    assertThat(result.get(5, TimeUnit.SECONDS).isSuccess()).isTrue();
  }

  @Test
  void export_metricsAndLogsUnkeyedToTheirTopics() throws Exception {
    byte[] metrics = {0x0a, 0x00};
    byte[] logs = {0x0a, 0x00, 0x0a, 0x00};
    CompletableFuture<ExportResult> m =
        exporter.export(ExportRequest.of(Signal.METRICS, metrics, 1));
    CompletableFuture<ExportResult> l = exporter.export(ExportRequest.of(Signal.LOGS, logs, 2));

    awaitSent(2);
    producer.completeNext();
    producer.completeNext();

    assertThat(m.get(5, TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(l.get(5, TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(producer.history())
        .extracting(ProducerRecord::topic)
        .containsExactly("otlp_metrics", "otlp_logs");
    assertThat(producer.history()).extracting(ProducerRecord::key).containsOnlyNulls();
    assertThat(producer.history().get(0).value()).isSameAs(metrics);
  }

  @Test
  void export_brokerTimeoutIsRetryable() throws Exception {
    CompletableFuture<ExportResult> result =
        exporter.export(traces(KafkaTestRequests.oneTrace(TRACE_A, 2), 2));

    awaitSent(1);
    producer.errorNext(new TimeoutException("Expiring 1 record(s) for otlp_spans-0"));

    ExportResult r = result.get(5, TimeUnit.SECONDS);
    assertThat(r.outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(r.message())
        .isEqualTo(
            "could not produce ExportRequest{traces, 2 spans, "
                + KafkaTestRequests.oneTrace(TRACE_A, 2).getSerializedSize()
                + " bytes} to Kafka topic otlp_spans within 30000 ms (TimeoutException: Expiring"
                + " 1 record(s) for otlp_spans-0): make sure the brokers k1:9092 are running and"
                + " reachable from this network");
  }

  @Test
  void export_permanentFailureOutranksRetryable() throws Exception {
    CompletableFuture<ExportResult> result =
        exporter.export(traces(KafkaTestRequests.twoTraces(), 5));

    awaitSent(2);
    producer.errorNext(new NotEnoughReplicasException("2 of 3"));
    producer.errorNext(new RecordTooLargeException("too large"));

    ExportResult r = result.get(5, TimeUnit.SECONDS);
    assertThat(r.outcome()).isEqualTo(ExportResult.Outcome.PERMANENT);
    assertThat(r.message()).contains("a message is larger than the brokers or the producer accept");
  }

  @Test
  void classify_authenticationAndAuthorizationArePermanent() {
    ExportRequest request = traces(KafkaTestRequests.oneTrace(TRACE_A, 1), 1);

    assertThat(
            exporter
                .classify(new SaslAuthenticationException("bad password"), request, "t")
                .message())
        .contains(
            "the brokers refused the authentication (SaslAuthenticationException: bad password)")
        .contains("kafka.sasl_password");
    assertThat(exporter.classify(new TopicAuthorizationException("t"), request, "t").outcome())
        .isEqualTo(ExportResult.Outcome.PERMANENT);
    assertThat(exporter.classify(new SaslAuthenticationException("x"), request, "t").outcome())
        .isEqualTo(ExportResult.Outcome.PERMANENT);
  }

  @Test
  void export_sendThrowingIsClassified() throws Exception {
    producer.sendException =
        new TimeoutException("Topic otlp_spans not present in metadata after 30000 ms.");

    ExportResult r =
        exporter.export(traces(KafkaTestRequests.oneTrace(TRACE_A, 1), 1)).get(5, TimeUnit.SECONDS);

    assertThat(r.outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(r.message()).contains("not present in metadata");
  }

  @Test
  void export_notProtobufIsPermanent() throws Exception {
    ExportResult r =
        exporter
            .export(ExportRequest.of(Signal.TRACES, new byte[] {0x0a, 0x7f}, 1))
            .get(5, TimeUnit.SECONDS);

    assertThat(r.outcome()).isEqualTo(ExportResult.Outcome.PERMANENT);
    assertThat(r.message()).endsWith("it is not valid protobuf");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void shutdown_isIdempotentAndRefusesLaterRequests() throws Exception {
    exporter.shutdown().get(10, TimeUnit.SECONDS);
    exporter.shutdown().get(10, TimeUnit.SECONDS);

    ExportResult r =
        exporter.export(traces(KafkaTestRequests.oneTrace(TRACE_B, 1), 1)).get(5, TimeUnit.SECONDS);

    assertThat(r.outcome()).isEqualTo(ExportResult.Outcome.PERMANENT);
    assertThat(r.message()).isEqualTo("kafka exporter is shut down; the request was not sent");
    assertThat(producer.closed()).isTrue();
    assertThat(producer.history()).isEmpty();
  }
}
