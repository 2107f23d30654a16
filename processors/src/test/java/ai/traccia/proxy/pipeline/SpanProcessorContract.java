/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SpanProcessor} must do, whatever it is for. A processor's test extends this
 * class and supplies the processor; the inherited tests feed it odd spans.
 */
public abstract class SpanProcessorContract {

  /** A new processor, configured as it would be in production. */
  protected abstract SpanProcessor newProcessor();

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

  @Test
  void process_oddSpansNeverThrow() {
    SpanProcessor processor = newProcessor();
    SpanBatch batch = SpanBatch.of(oddSpans(), null);

    assertThatCode(() -> processor.process(batch)).doesNotThrowAnyException();
    assertThatCode(batch::toRequest).doesNotThrowAnyException();
  }

  @Test
  void process_emptyBatch() {
    SpanProcessor processor = newProcessor();

    assertThatCode(
            () ->
                processor.process(
                    SpanBatch.of(ExportTraceServiceRequest.getDefaultInstance(), new byte[0])))
        .doesNotThrowAnyException();
  }

  @Test
  void shutdown_isIdempotent() throws Exception {
    SpanProcessor processor = newProcessor();

    processor.shutdown().get(10, TimeUnit.SECONDS);
    processor.shutdown().get(10, TimeUnit.SECONDS);

    assertThat(processor.name()).isNotBlank();
  }
}
