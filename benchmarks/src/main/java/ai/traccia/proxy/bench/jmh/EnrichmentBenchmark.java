/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.bench.jmh;

import ai.traccia.proxy.bench.RequestFactory;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.pricing.PriceBook;
import ai.traccia.proxy.pricing.PriceBooks;
import ai.traccia.proxy.processor.EnrichmentProcessors;
import ai.traccia.proxy.processor.redaction.RedactionListener;
import ai.traccia.proxy.processor.redaction.RedactionMode;
import ai.traccia.proxy.processor.redaction.RedactionProcessor;
import ai.traccia.proxy.processor.redaction.RedactionRules;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Clock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * The enrichment chain (token counting, then cost) per span: an LLM inference span without usage
 * (the counter encodes its text), an LLM span with usage (priced only), and a plain span (read and
 * left alone). Each includes sealing the batch, which re-encodes only edited spans. The {@code
 * ...Redacted} and {@code ...Hashed} cases run the same chain with the redaction stage after it
 * (mask with every built-in pattern, or keyed hash), on the same spans and on an LLM span whose
 * prompt carries an e-mail address, a card number and an API key.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar EnrichmentBenchmark -prof gc
 * </pre>
 */
public class EnrichmentBenchmark extends Defaults {

  private SpanPipeline pipeline;
  private SpanPipeline masking;
  private SpanPipeline hashing;
  private byte[] llmWithPii;
  private byte[] llmWithoutUsage;
  private byte[] llmWithUsage;
  private byte[] plain;
  private byte[] plainRequest;
  private PriceBook prices;

  @Setup
  public void setUp() {
    ProxyConfig config = ProxyConfig.defaults();
    prices = PriceBooks.fromSettings(config.pricingSettings(), Clock.systemUTC());
    SpanPipeline.Builder builder = SpanPipeline.builder();
    EnrichmentProcessors.fromConfig(config, prices, model -> {}).forEach(builder::addProcessor);
    pipeline = builder.build();
    masking = redacting(config, RedactionMode.MASK);
    hashing = redacting(config, RedactionMode.HASH);
    RequestFactory factory = RequestFactory.create(3, 1.0);
    Span llm = factory.llmSpan();
    Span.Builder withoutUsage = llm.toBuilder().clearAttributes();
    Span.Builder withUsage = llm.toBuilder();
    llm.getAttributesList().stream()
        .filter(kv -> !kv.getKey().startsWith("gen_ai.usage."))
        .forEach(withoutUsage::addAttributes);
    if (llm.getAttributesList().stream().noneMatch(kv -> kv.getKey().startsWith("gen_ai.usage."))) {
      withUsage
          .addAttributes(TestAttributes.longKv("gen_ai.usage.input_tokens", 120))
          .addAttributes(TestAttributes.longKv("gen_ai.usage.output_tokens", 40));
    }
    llmWithoutUsage = wrap(withoutUsage.build());
    llmWithUsage = wrap(withUsage.build());
    plain = wrap(factory.plainSpan());
    llmWithPii =
        wrap(
            withoutUsage
                .addAttributes(
                    io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
                        .setKey("llm.prompt")
                        .setValue(
                            io.opentelemetry.proto.common.v1.AnyValue.newBuilder()
                                .setStringValue(
                                    "Please email jane.doe@example.com about card 4111 1111 1111"
                                        + " 1111; the key is sk-proj-abcdefghijklmnop1234 and the"
                                        + " server is 10.0.0.12. Summarise the last three orders"
                                        + " and suggest a reply in a friendly tone.")))
                .build());
    plainRequest = RequestFactory.create(5, 0.0).request(100).toByteArray();
  }

  @Benchmark
  public byte[] llmSpanWithoutUsage() throws InvalidProtocolBufferException {
    return run(llmWithoutUsage);
  }

  @Benchmark
  public byte[] llmSpanWithUsage() throws InvalidProtocolBufferException {
    return run(llmWithUsage);
  }

  @Benchmark
  public byte[] plainSpan() throws InvalidProtocolBufferException {
    return run(plain);
  }

  /** A request of 100 plain spans, checked, read from its bytes, run through the chain, sealed. */
  @Benchmark
  public byte[] plainRequestOf100Spans() throws InvalidProtocolBufferException {
    return run(plainRequest);
  }

  @Benchmark
  public byte[] llmSpanWithoutUsageRedacted() throws InvalidProtocolBufferException {
    return run(masking, llmWithoutUsage);
  }

  @Benchmark
  public byte[] llmSpanWithPii() throws InvalidProtocolBufferException {
    return run(pipeline, llmWithPii);
  }

  @Benchmark
  public byte[] llmSpanWithPiiRedacted() throws InvalidProtocolBufferException {
    return run(masking, llmWithPii);
  }

  @Benchmark
  public byte[] llmSpanWithPiiHashed() throws InvalidProtocolBufferException {
    return run(hashing, llmWithPii);
  }

  @Benchmark
  public byte[] plainRequestOf100SpansRedacted() throws InvalidProtocolBufferException {
    return run(masking, plainRequest);
  }

  @Benchmark
  public Object priceLookup() {
    return prices.find("gpt-4o-2024-08-06", "openai");
  }

  // As the proxy meets a request: bytes, checked and read afresh every time.
  private byte[] run(byte[] request) throws InvalidProtocolBufferException {
    return run(pipeline, request);
  }

  private static byte[] run(SpanPipeline chain, byte[] request)
      throws InvalidProtocolBufferException {
    SpanBatch batch = SpanBatch.parse(request);
    chain.process(batch);
    return batch.toByteArray();
  }

  private SpanPipeline redacting(ProxyConfig config, RedactionMode mode) {
    SpanPipeline.Builder b = SpanPipeline.builder();
    EnrichmentProcessors.fromConfig(config, prices, model -> {}).forEach(b::addProcessor);
    b.addProcessor(
        RedactionProcessor.create(
            RedactionRules.builder()
                .setEnabled(true)
                .setMode(mode)
                .setHashKey("benchmark-key-0123456789")
                .build(),
            RedactionListener.noop()));
    return b.build();
  }

  private static byte[] wrap(Span span) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
        .build()
        .toByteArray();
  }

  /** Small attribute builders. */
  static final class TestAttributes {
    private TestAttributes() {}

    static io.opentelemetry.proto.common.v1.KeyValue longKv(String key, long value) {
      return io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
          .setKey(key)
          .setValue(io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setIntValue(value))
          .build();
    }
  }
}
