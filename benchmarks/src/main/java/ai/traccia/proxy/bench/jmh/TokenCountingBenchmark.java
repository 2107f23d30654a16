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
 * Token counting of one span's prompt and completion by model family, text length and kind of text:
 * tiktoken encodings (o200k for gpt-4o, cl100k for gpt-4) and the heuristic for other vendors.
 * {@code prose} is common English words, nearly every piece of which is one token; {@code mixed} is
 * JSON, code, identifiers, numbers, URLs, other scripts and emoji, whose pieces are mostly merged
 * from several tokens. 200,000 chars is over the processor's bound, so it measures the heuristic
 * and the parse.
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

  @Param({"prose", "mixed"})
  String text;

  private static final String[] PROSE = {
    "the ", "agent ", "summarises ", "order ", "status ", "refund ", "policy. "
  };

  private static final String[] MIXED = {
    "{\"tool_calls\":[{\"id\":\"call_8fZq2LmX\",\"type\":\"function\",",
    "\"arguments\":\"{\\\"orderId\\\":\\\"ORD-2026-004711\\\",\\\"limit\\\":25}\"}]}\n",
    "def fetchOrderStatus(customerId: str, includeHistory=False) -> dict:\n",
    "    return self._client.get(f\"/v2/customers/{customerId}/orders?page=3\")\n\n",
    "Error: ConnectionResetException at 2026-12-06T17:40:34.512Z (retry 3/5) ",
    "https://api.example.com/v1/chat/completions?trace=0x7fffa3c2 ",
    "Die Rückerstattung für Bestellung Nr. 4711 wurde genehmigt. ",
    "Заказ №4711 отправлен, ожидайте доставку завтра. ",
    "您的退款已批准，预计三到五个工作日到账。",
    "Great news 🎉👍🏽 — your refund (US$1,234.56) is on its way! ",
  };

  private TokenCountingProcessor counter;
  private byte[] request;

  @Setup
  public void setUp() {
    counter = TokenCountingProcessor.create();
    StringBuilder content = new StringBuilder(chars + 128);
    String[] words = text.equals("prose") ? PROSE : MIXED;
    for (int i = 0; content.length() < chars; i++) {
      content.append(words[i % words.length]);
    }
    Span span =
        Span.newBuilder()
            .setTraceId(ByteString.copyFromUtf8("0123456789abcdef"))
            .setSpanId(ByteString.copyFromUtf8("01234567"))
            .setName("chat " + model)
            .addAttributes(kv("gen_ai.operation.name", "chat"))
            .addAttributes(kv("gen_ai.request.model", model))
            .addAttributes(kv("gen_ai.prompt.0.role", "user"))
            .addAttributes(kv("gen_ai.prompt.0.content", content.substring(0, chars)))
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
