/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.server.export.ExportRequest;
import ai.traccia.proxy.server.export.Exporter;
import ai.traccia.proxy.server.export.ExporterContract;
import ai.traccia.proxy.server.export.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@link KafkaExporter} against the exporter contract, with Kafka's {@link MockProducer} as the
 * destination. What the topics hold for a request: a trace request of one trace is one message with
 * its very bytes, keyed by its trace id; an empty trace request is no message at all; metrics and
 * logs are one unkeyed message each, as they came.
 */
class KafkaExporterContractTest extends ExporterContract {

  private MockProducer<String, byte[]> producer;

  @Override
  protected Exporter newExporter() {
    producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    Map<Signal, String> topics = new EnumMap<>(Signal.class);
    for (Signal signal : Signal.values()) {
      topics.put(signal, "otlp_" + signal.label());
    }
    return new KafkaExporter(producer, topics, "k:9092", Duration.ofSeconds(5));
  }

  @Override
  protected boolean decodesBodies() {
    // Trace requests are read, to split them by trace; a body that is not protobuf is refused.
    return true;
  }

  @Override
  protected void assertDestinationHolds(List<ExportRequest> sent) {
    List<ExportRequest> expected = new ArrayList<>();
    for (ExportRequest request : sent) {
      if (request.signal() != Signal.TRACES || request.body().length > 0) {
        expected.add(request);
      }
    }
    List<ProducerRecord<String, byte[]>> history = producer.history();
    assertThat(history).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      ExportRequest request = expected.get(i);
      ProducerRecord<String, byte[]> record = history.get(i);
      assertThat(record.topic()).isEqualTo("otlp_" + request.signal().label());
      assertThat(record.value()).isEqualTo(request.body());
      if (request.signal() == Signal.TRACES) {
        assertThat(record.key()).isEqualTo("0102030405060708090a0b0c0d0e0f10");
      } else {
        assertThat(record.key()).isNull();
      }
    }
  }
}
