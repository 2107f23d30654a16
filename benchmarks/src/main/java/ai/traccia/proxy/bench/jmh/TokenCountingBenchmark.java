/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.bench.jmh;

import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.processor.tokens.TokenCountingProcessor;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Token counting of one span's prompt and completion by model family and text length: tiktoken
 * encodings (o200k for gpt-4o, cl100k for gpt-4) and the heuristic for other vendors.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TokenCountingBenchmark
 * </pre>
 */
public class TokenCountingBenchmark extends Defaults {

  @Param({"gpt-4o", "gpt-4", "claude-sonnet-4-20250514"})
  String model;

  @Param({"1000", "16000", "200000"})
  int chars;

  private TokenCountingProcessor counter;
  private byte[] request;

  @Setup
  public void setUp() {
    counter = TokenCountingProcessor.create();
    StringBuilder text = new StringBuilder(chars + 16);
    String[] words = {"the ", "agent ", "summarises ", "order ", "status ", "refund ", "policy. "};
    for (int i = 0; text.length() < chars; i++) {
      text.append(words[i % words.length]);
    }
    Span span =
        Span.newBuilder()
            .setTraceId(ByteString.copyFromUtf8("0123456789abcdef"))
            .setSpanId(ByteString.copyFromUtf8("01234567"))
            .setName("chat " + model)
            .addAttributes(kv("gen_ai.operation.name", "chat"))
            .addAttributes(kv("gen_ai.request.model", model))
            .addAttributes(kv("gen_ai.prompt.0.role", "user"))
            .addAttributes(kv("gen_ai.prompt.0.content", text.substring(0, chars)))
            .addAttributes(kv("gen_ai.completion.0.content", "Your refund was approved."))
            .build();
    request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
            .build()
            .toByteArray();
  }

  @Benchmark
  public SpanBatch count() throws InvalidProtocolBufferException {
    SpanBatch batch = SpanBatch.parse(request);
    counter.process(batch);
    return batch;
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
