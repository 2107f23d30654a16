/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.kafka;

import ai.traccia.proxy.codec.OtlpIds;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;

/**
 * Splits an encoded trace request into one request per trace, each keyed by its trace id as the
 * OpenTelemetry Collector's Kafka exporter keys messages with {@code partition_traces_by_id}: the
 * id as 32 lowercase hex characters, so that Kafka's default partitioner sends every span of a
 * trace to one partition.
 *
 * <p>Each part keeps its spans' resources and scopes (with their schema URLs) and their order of
 * arrival. A request whose spans all belong to one trace is returned as the very bytes it came in.
 * Stateless and thread-safe.
 */
final class TraceSplitter {

  private TraceSplitter() {}

  /** The key of a trace's messages: its id as 32 lowercase hex characters. */
  static String key(ByteString traceId) {
    return OtlpIds.hex(traceId);
  }

  /** Whether {@code key} has the form of a trace's key (32 lowercase hex characters). */
  static boolean isTraceKey(String key) {
    if (key == null || key.length() != 32) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /**
   * The partition, of {@code partitions}, that Kafka's default partitioner gives the messages of
   * the trace {@code traceId}: murmur2 of the key's bytes, as the Java producer and the Collector's
   * exporter compute it.
   */
  static int partition(ByteString traceId, int partitions) {
    byte[] key = key(traceId).getBytes(StandardCharsets.US_ASCII);
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }

  /** One trace's share of a request: its key, its encoded request, and its span count. */
  static final class Part {
    final String key;
    final byte[] body;
    final int spans;

    Part(String key, byte[] body, int spans) {
      this.key = key;
      this.body = body;
      this.spans = spans;
    }
  }

  /**
   * The parts of {@code encoded}, one per trace id in order of first appearance; none for a request
   * without spans.
   *
   * @throws InvalidProtocolBufferException when {@code encoded} is not an OTLP trace request
   */
  static List<Part> split(byte[] encoded) throws InvalidProtocolBufferException {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(encoded);
    // Trace id -> its request, built as the spans are met: resource and scope entries are opened
    // per trace when the trace first has a span under them.
    Map<ByteString, Builder> traces = new LinkedHashMap<>();
    int total = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          total++;
          traces.computeIfAbsent(span.getTraceId(), id -> new Builder()).add(rs, ss, span);
        }
      }
    }
    List<Part> parts = new ArrayList<>(traces.size());
    if (traces.size() == 1) {
      Map.Entry<ByteString, Builder> only = traces.entrySet().iterator().next();
      parts.add(new Part(key(only.getKey()), encoded, total));
      return parts;
    }
    for (Map.Entry<ByteString, Builder> e : traces.entrySet()) {
      Builder b = e.getValue();
      parts.add(new Part(key(e.getKey()), b.build().toByteArray(), b.spans));
    }
    return parts;
  }

  /** One trace's request being built; resources and scopes are compared by identity. */
  private static final class Builder {
    private final ExportTraceServiceRequest.Builder request =
        ExportTraceServiceRequest.newBuilder();
    private ResourceSpans lastResource;
    private ScopeSpans lastScope;
    private ResourceSpans.Builder resource;
    private ScopeSpans.Builder scope;
    private int spans;

    void add(ResourceSpans rs, ScopeSpans ss, Span span) {
      if (rs != lastResource) {
        closeResource();
        resource = rs.toBuilder().clearScopeSpans();
        lastResource = rs;
        lastScope = null;
      }
      if (ss != lastScope) {
        closeScope();
        scope = ss.toBuilder().clearSpans();
        lastScope = ss;
      }
      scope.addSpans(span);
      spans++;
    }

    private void closeScope() {
      if (scope != null) {
        resource.addScopeSpans(scope);
        scope = null;
      }
    }

    private void closeResource() {
      closeScope();
      if (resource != null) {
        request.addResourceSpans(resource);
        resource = null;
      }
    }

    ExportTraceServiceRequest build() {
      closeResource();
      return request.build();
    }
  }
}
