/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.kafka;

import static ai.traccia.proxy.server.kafka.KafkaTestRequests.TRACE_A;
import static ai.traccia.proxy.server.kafka.KafkaTestRequests.TRACE_B;
import static ai.traccia.proxy.server.kafka.KafkaTestRequests.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.traccia.proxy.codec.OtlpIds;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class TraceSplitterTest {

  @Test
  void hex_isTheCollectorsLowercaseTraceIdString() {
    assertThat(OtlpIds.hex(id(TRACE_A))).isEqualTo(TRACE_A);
    assertThat(OtlpIds.hex(id("FFFFFFFFFFFFFFFF0000000000000001")))
        .isEqualTo("ffffffffffffffff0000000000000001")
        .hasSize(32);
    assertThat(OtlpIds.hex(ByteString.EMPTY)).isEmpty();
  }

  @Test
  void split_oneMessagePerTraceKeyedByTraceId() throws Exception {
    ExportTraceServiceRequest request = KafkaTestRequests.twoTraces();

    List<TraceSplitter.Part> parts = TraceSplitter.split(request.toByteArray());

    assertThat(parts).extracting(p -> p.key).containsExactly(TRACE_A, TRACE_B);
    assertThat(parts).extracting(p -> p.spans).containsExactly(3, 2);
    ExportTraceServiceRequest a = ExportTraceServiceRequest.parseFrom(parts.get(0).body);
    ExportTraceServiceRequest b = ExportTraceServiceRequest.parseFrom(parts.get(1).body);
    assertThat(names(a)).containsExactly("agent/openai/a1", "agent/langchain/a2", "tool/http/a3");
    assertThat(names(b)).containsExactly("agent/openai/b1", "tool/http/b2");
    // Resources, scopes and schema URLs come along whole.
    assertThat(a.getResourceSpans(0).getResource())
        .isEqualTo(request.getResourceSpans(0).getResource());
    assertThat(a.getResourceSpans(0).getScopeSpans(0).getSchemaUrl())
        .isEqualTo("https://opentelemetry.io/schemas/1.26.0");
    for (ExportTraceServiceRequest part : List.of(a, b)) {
      assertThat(spans(part)).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(traceOf(part)));
    }
  }

  @Test
  void split_oneTraceKeepsTheBytesAsTheyCame() throws Exception {
    byte[] body = KafkaTestRequests.oneTrace(TRACE_B, 4).toByteArray();

    List<TraceSplitter.Part> parts = TraceSplitter.split(body);

    assertThat(parts).hasSize(1);
    assertThat(parts.get(0).key).isEqualTo(TRACE_B);
    assertThat(parts.get(0).body).isSameAs(body);
    assertThat(parts.get(0).spans).isEqualTo(4);
  }

  @Test
  void split_emptyRequestHasNoParts() throws Exception {
    assertThat(TraceSplitter.split(new byte[0])).isEmpty();
  }

  @Test
  void split_notProtobuf() {
    assertThatThrownBy(() -> TraceSplitter.split(new byte[] {0x0a, 0x7f, 0x01}))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  private static ByteString traceOf(ExportTraceServiceRequest request) {
    return request.getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId();
  }

  private static List<Span> spans(ExportTraceServiceRequest request) {
    return request.getResourceSpansList().stream()
        .flatMap(rs -> rs.getScopeSpansList().stream())
        .flatMap(ss -> ss.getSpansList().stream())
        .collect(Collectors.toList());
  }

  private static List<String> names(ExportTraceServiceRequest request) {
    return request.getResourceSpansList().stream()
        .flatMap(
            (ResourceSpans rs) ->
                rs.getScopeSpansList().stream()
                    .flatMap(
                        ss ->
                            ss.getSpansList().stream()
                                .map(
                                    s ->
                                        rs.getResource()
                                                .getAttributes(0)
                                                .getValue()
                                                .getStringValue()
                                            + "/"
                                            + ss.getScope().getName()
                                            + "/"
                                            + s.getName())))
        .collect(Collectors.toList());
  }

  @Test
  void partition_isWhereKafkasProducerSendsTheTracesMessages() {
    int partitions = 6;
    StringSerializer keys = new StringSerializer();
    SplittableRandom random = new SplittableRandom(11);
    Set<Integer> seen = new HashSet<>();
    for (int n = 0; n < 200; n++) {
      byte[] bytes = new byte[16];
      random.nextBytes(bytes);
      ByteString traceId = ByteString.copyFrom(bytes);
      // What KafkaProducer does with a keyed record and no partitioner configured.
      int chosen =
          BuiltInPartitioner.partitionForKey(
              keys.serialize("traces", TraceSplitter.key(traceId)), partitions);
      assertThat(TraceSplitter.partition(traceId, partitions)).isEqualTo(chosen);
      seen.add(chosen);
    }
    // The ids spread over every partition: the check is not of one partition only.
    assertThat(seen).hasSize(partitions);
  }

  @Test
  void isTraceKey_onlyThirtyTwoLowercaseHexCharacters() {
    assertThat(TraceSplitter.isTraceKey(TRACE_A)).isTrue();
    assertThat(TraceSplitter.isTraceKey(null)).isFalse();
    assertThat(TraceSplitter.isTraceKey("")).isFalse();
    assertThat(TraceSplitter.isTraceKey(TRACE_A.toUpperCase(Locale.ROOT))).isFalse();
    assertThat(TraceSplitter.isTraceKey(TRACE_A.substring(1))).isFalse();
    assertThat(TraceSplitter.isTraceKey(TRACE_A.substring(1) + "g")).isFalse();
  }
}
