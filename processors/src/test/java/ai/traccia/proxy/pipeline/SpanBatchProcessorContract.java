/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SpanBatchProcessor} must do, whatever it is for. A processor's test extends
 * this class and supplies the processor; the inherited tests feed it odd spans and empty batches
 * and pin what comes out: every span still there unless the processor refuses it by design, every
 * attribute the processor does not own unchanged, and an empty batch forwarded byte for byte.
 */
public abstract class SpanBatchProcessorContract {

  /** A new processor, configured as it would be in production. */
  protected abstract SpanBatchProcessor newProcessor();

  /** Spans that are valid OTLP but unusual: no ids, no name, values of every type, huge text. */
  protected static ExportTraceServiceRequest oddSpans() {
    AnyValue nested =
        AnyValue.newBuilder()
            .setKvlistValue(
                KeyValueList.newBuilder()
                    .addValues(
                        KeyValue.newBuilder()
                            .setKey("inner")
                            .setValue(
                                AnyValue.newBuilder()
                                    .setArrayValue(
                                        ArrayValue.newBuilder()
                                            .addValues(AnyValue.newBuilder().setIntValue(1))
                                            .addValues(AnyValue.newBuilder().setBoolValue(true))))))
            .build();
    ScopeSpans.Builder scope =
        ScopeSpans.newBuilder()
            .addSpans(Span.getDefaultInstance())
            .addSpans(
                Span.newBuilder()
                    .setName("odd")
                    .setTraceId(ByteString.copyFrom(new byte[3]))
                    .addAttributes(KeyValue.newBuilder().setKey("gen_ai.request.model"))
                    .addAttributes(
                        KeyValue.newBuilder()
                            .setKey("gen_ai.usage.input_tokens")
                            .setValue(AnyValue.newBuilder().setStringValue("not a number")))
                    .addAttributes(
                        KeyValue.newBuilder()
                            .setKey("llm.prompt")
                            .setValue(AnyValue.newBuilder().setStringValue("x".repeat(1 << 20))))
                    .addAttributes(KeyValue.newBuilder().setKey("nested").setValue(nested))
                    .addAttributes(
                        KeyValue.newBuilder()
                            .setKey("bytes")
                            .setValue(
                                AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("b"))))
                    .setEndTimeUnixNano(1)
                    .setStartTimeUnixNano(2));
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.getDefaultInstance())
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
        .build();
  }

  /**
   * The attribute keys the processor documents that it writes; an entry ending in {@code *} is a
   * prefix. The contract checks that every other attribute leaves the processor as it came.
   */
  protected Set<String> keysWritten() {
    return Set.of();
  }

  /**
   * The reasons for which the processor may refuse a valid span by design (a sampler samples out,
   * the guardrail holds roots); a span refused for any other reason fails the contract.
   */
  protected Set<RejectReason> refusesFor() {
    return Set.of();
  }

  /**
   * A value nested {@code depth} levels deep in key-value lists and arrays; 24 stays within
   * protobuf's default recursion limit of 100 messages once the request around it is counted.
   */
  private static AnyValue deeplyNested(int depth) {
    AnyValue value = AnyValue.newBuilder().setStringValue("bottom").build();
    for (int d = 0; d < depth; d++) {
      value =
          d % 2 == 0
              ? AnyValue.newBuilder()
                  .setKvlistValue(
                      KeyValueList.newBuilder()
                          .addValues(KeyValue.newBuilder().setKey("level" + d).setValue(value)))
                  .build()
              : AnyValue.newBuilder()
                  .setArrayValue(ArrayValue.newBuilder().addValues(value))
                  .build();
    }
    return value;
  }

  /**
   * More valid but unusual spans: no attributes, an unknown kind, full ids with a parent, an LLM
   * span a processor may enrich, and values nested deeper than any SDK writes.
   */
  protected static ExportTraceServiceRequest moreOddSpans() {
    ByteString traceId =
        ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
    Span llm =
        Span.newBuilder()
            .setTraceId(traceId)
            .setSpanId(ByteString.copyFrom(new byte[] {1, 1, 1, 1, 1, 1, 1, 2}))
            .setParentSpanId(ByteString.copyFrom(new byte[] {1, 1, 1, 1, 1, 1, 1, 1}))
            .setName("chat gpt-4o")
            .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
            .setStartTimeUnixNano(1_000)
            .setEndTimeUnixNano(2_000)
            .addAttributes(string("gen_ai.system", "openai"))
            .addAttributes(string("gen_ai.request.model", "gpt-4o"))
            .addAttributes(string("gen_ai.response.model", "gpt-4o-2024-08-06"))
            .addAttributes(integer("gen_ai.usage.input_tokens", 12))
            .addAttributes(integer("gen_ai.usage.output_tokens", 3))
            .addAttributes(string("gen_ai.prompt", "Say hello"))
            .addAttributes(string("gen_ai.completion", "Hello!"))
            .addAttributes(string("user.attribute", "kept"))
            .addEvents(Span.Event.newBuilder().setName("event").setTimeUnixNano(1_500))
            .build();
    Span unknownKind =
        Span.newBuilder()
            .setTraceId(traceId)
            .setSpanId(ByteString.copyFrom(new byte[] {2, 2, 2, 2, 2, 2, 2, 2}))
            .setName("unknown kind")
            .setKindValue(99)
            .build();
    Span deep =
        Span.newBuilder()
            .setTraceId(traceId)
            .setSpanId(ByteString.copyFrom(new byte[] {3, 3, 3, 3, 3, 3, 3, 3}))
            .setName("deep")
            .addAttributes(KeyValue.newBuilder().setKey("deep").setValue(deeplyNested(24)))
            .build();
    Resource resource =
        Resource.newBuilder().addAttributes(string("service.name", "contract")).build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(resource)
                .addScopeSpans(
                    ScopeSpans.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName("scope"))
                        .addSpans(Span.newBuilder().setName("no attributes").setTraceId(traceId))
                        .addSpans(unknownKind)
                        .addSpans(llm)
                        .addSpans(deep))
                .addScopeSpans(ScopeSpans.getDefaultInstance()))
        .build();
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

  private boolean owned(String key) {
    for (String written : keysWritten()) {
      if (written.endsWith("*")
          ? key.startsWith(written.substring(0, written.length() - 1))
          : key.equals(written)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every span of {@code request} with its resource and scope, and with the attributes the
   * processor owns left out, so that what the processor may not touch can be compared as a whole.
   */
  private List<String> notOwned(ExportTraceServiceRequest request, Set<Integer> leftOut) {
    List<String> spans = new ArrayList<>();
    int i = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          if (!leftOut.contains(i)) {
            Span.Builder kept = span.toBuilder().clearAttributes();
            for (KeyValue attribute : span.getAttributesList()) {
              if (!owned(attribute.getKey())) {
                kept.addAttributes(attribute);
              }
            }
            spans.add(
                rs.getResource()
                    + "|"
                    + rs.getSchemaUrl()
                    + "|"
                    + ss.getScope()
                    + "|"
                    + ss.getSchemaUrl()
                    + "|"
                    + kept.build());
          }
          i++;
        }
      }
    }
    return spans;
  }

  private void assertKeepsWhatItDoesNotOwn(ExportTraceServiceRequest in) throws Exception {
    SpanBatchProcessor processor = newProcessor();
    byte[] arrived = in.toByteArray();
    SpanBatch batch = SpanBatch.of(in, arrived);

    processor.process(batch);

    Set<Integer> refused = new HashSet<>();
    for (int i = 0; i < batch.size(); i++) {
      if (batch.isRejected(i)) {
        refused.add(i);
      }
    }
    for (int i : refused) {
      assertThat(batch.rejectReason(i)).as("why span %d was refused", i).isIn(refusesFor());
    }
    assertThat(batch.acceptedCount()).isEqualTo(batch.size() - refused.size());
    ExportTraceServiceRequest out = batch.toRequest();
    ExportTraceServiceRequest wire = ExportTraceServiceRequest.parseFrom(batch.toByteArray());
    assertThat(wire).as("the bytes forwarded decode to the request forwarded").isEqualTo(out);
    assertThat(notOwned(out, Set.of())).isEqualTo(notOwned(in, refused));
    if (!batch.isModified()) {
      assertThat(batch.toByteArray()).isSameAs(arrived);
    }
  }

  @Test
  void process_oddSpans_keepsWhatItDoesNotOwn() throws Exception {
    assertKeepsWhatItDoesNotOwn(oddSpans());
  }

  @Test
  void process_moreOddSpans_keepsWhatItDoesNotOwn() throws Exception {
    assertKeepsWhatItDoesNotOwn(moreOddSpans());
  }

  @Test
  void process_emptyBatch_staysEmptyAndUnmodified() {
    SpanBatchProcessor processor = newProcessor();
    byte[] arrived = new byte[0];
    SpanBatch batch = SpanBatch.of(ExportTraceServiceRequest.getDefaultInstance(), arrived);

    processor.process(batch);

    assertThat(batch.isModified()).isFalse();
    assertThat(batch.acceptedCount()).isZero();
    assertThat(batch.toByteArray()).isSameAs(arrived);
    assertThat(batch.toRequest()).isEqualTo(ExportTraceServiceRequest.getDefaultInstance());
  }

  @Test
  void process_resourcesWithoutSpans_forwardedByteForByte() {
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(
                        Resource.newBuilder().addAttributes(string("service.name", "idle")))
                    .addScopeSpans(
                        ScopeSpans.newBuilder()
                            .setScope(InstrumentationScope.newBuilder().setName("s"))))
            .build();
    byte[] arrived = request.toByteArray();
    SpanBatch batch = SpanBatch.of(request, arrived);

    newProcessor().process(batch);

    assertThat(batch.isModified()).isFalse();
    assertThat(batch.toByteArray()).isEqualTo(request.toByteArray());
    assertThat(batch.toRequest()).isEqualTo(request);
  }

  @Test
  void shutdown_isIdempotentAndCompletes() throws Exception {
    SpanBatchProcessor processor = newProcessor();

    CompletableFuture<Void> first = processor.shutdown();
    first.get(10, TimeUnit.SECONDS);
    CompletableFuture<Void> second = processor.shutdown();
    second.get(10, TimeUnit.SECONDS);

    assertThat(first).isCompleted();
    assertThat(second).isCompleted();
    assertThat(processor.name()).isNotBlank();
  }
}
