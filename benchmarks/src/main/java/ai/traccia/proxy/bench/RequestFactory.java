/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.bench;

import ai.traccia.proxy.codec.OtlpIds;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Realistic OTLP trace requests for benchmarks: a fraction of LLM inference spans carrying model,
 * provider and prompt and completion text (some with usage, some without, so token counting has
 * work), the rest plain server, client and internal spans; 10 to 30 attributes per span.
 *
 * <p>Deterministic for a seed, so runs compare like with like.
 */
public final class RequestFactory {

  /** The share of LLM spans in the default mix. */
  public static final double DEFAULT_LLM_FRACTION = 0.2;

  private static final String[] MODELS = {
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1",
    "claude-sonnet-4-20250514",
    "claude-3-5-haiku-20241022",
    "gemini-1.5-pro",
    "o3-mini",
    "mistral-large-latest"
  };
  private static final String[] PROVIDERS = {
    "openai", "openai", "openai", "anthropic", "anthropic", "gcp.gemini", "openai", "mistral_ai"
  };
  private static final String[] WORDS = {
    "the",
    "agent",
    "calls",
    "a",
    "tool",
    "to",
    "look",
    "up",
    "order",
    "status",
    "and",
    "then",
    "summarises",
    "result",
    "for",
    "customer",
    "with",
    "refund",
    "policy",
    "details",
    "shipping",
    "delayed",
    "because",
    "of",
    "weather",
    "please",
    "confirm",
    "address"
  };

  private final SplittableRandom random;
  private final double llmFraction;
  private final double usageFraction;

  private RequestFactory(long seed, double llmFraction, double usageFraction) {
    this.random = new SplittableRandom(seed);
    this.llmFraction = llmFraction;
    this.usageFraction = usageFraction;
  }

  /** A factory with the default mix. */
  public static RequestFactory create(long seed) {
    return create(seed, DEFAULT_LLM_FRACTION);
  }

  /** A factory with {@code llmFraction} LLM spans, half of them with usage. */
  public static RequestFactory create(long seed, double llmFraction) {
    return new RequestFactory(seed, llmFraction, 0.5);
  }

  /**
   * A factory with {@code llmFraction} LLM spans, {@code usageFraction} of which report usage (the
   * rest leave token counting to the proxy).
   */
  public static RequestFactory create(long seed, double llmFraction, double usageFraction) {
    return new RequestFactory(seed, llmFraction, usageFraction);
  }

  /** One request of {@code spans} spans from one service, in traces of about ten spans. */
  public ExportTraceServiceRequest request(int spans) {
    ScopeSpans.Builder scope =
        ScopeSpans.newBuilder()
            .setScope(
                InstrumentationScope.newBuilder()
                    .setName("io.opentelemetry.benchmark")
                    .setVersion("1.0.0"));
    ByteString traceId = bytes(16);
    ByteString parent = ByteString.EMPTY;
    for (int i = 0; i < spans; i++) {
      if (i % 10 == 0) {
        traceId = bytes(16);
        parent = ByteString.EMPTY;
      }
      Span span =
          random.nextDouble() < llmFraction ? llmSpan(traceId, parent) : plainSpan(traceId, parent);
      if (parent.isEmpty()) {
        parent = span.getSpanId();
      }
      scope.addSpans(span);
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource()).addScopeSpans(scope))
        .build();
  }

  /** {@code count} different requests of {@code spans} spans each. */
  public List<ExportTraceServiceRequest> requests(int count, int spans) {
    List<ExportTraceServiceRequest> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(request(spans));
    }
    return out;
  }

  /** A single LLM inference span, for per-span benchmarks. */
  public Span llmSpan() {
    return llmSpan(bytes(16), bytes(8));
  }

  /** A single plain span, for per-span benchmarks. */
  public Span plainSpan() {
    return plainSpan(bytes(16), bytes(8));
  }

  private Resource resource() {
    return Resource.newBuilder()
        .addAttributes(kv("service.name", "checkout-agent"))
        .addAttributes(kv("service.version", "2.3.1"))
        .addAttributes(kv("service.instance.id", OtlpIds.hex(bytes(8))))
        .addAttributes(kv("deployment.environment.name", "production"))
        .addAttributes(kv("telemetry.sdk.name", "opentelemetry"))
        .addAttributes(kv("telemetry.sdk.language", "python"))
        .addAttributes(kv("telemetry.sdk.version", "1.38.0"))
        .addAttributes(kv("host.name", "worker-" + random.nextInt(100)))
        .build();
  }

  private Span llmSpan(ByteString traceId, ByteString parent) {
    int m = random.nextInt(MODELS.length);
    long start = 1_750_000_000_000_000_000L + random.nextLong(1_000_000_000_000L);
    Span.Builder span =
        base(traceId, parent, "chat " + MODELS[m], Span.SpanKind.SPAN_KIND_CLIENT, start)
            .addAttributes(kv("gen_ai.operation.name", "chat"))
            .addAttributes(kv("gen_ai.provider.name", PROVIDERS[m]))
            .addAttributes(kv("gen_ai.request.model", MODELS[m]))
            .addAttributes(kv("gen_ai.response.model", MODELS[m]))
            .addAttributes(kv("gen_ai.request.temperature", 0.2))
            .addAttributes(kv("gen_ai.request.max_tokens", 1024L))
            .addAttributes(kv("gen_ai.response.id", "chatcmpl-" + OtlpIds.hex(bytes(12))))
            .addAttributes(kv("gen_ai.response.finish_reasons", "stop"))
            .addAttributes(kv("server.address", "api.example.com"))
            .addAttributes(kv("server.port", 443L));
    String prompt = text(40 + random.nextInt(400));
    String completion = text(20 + random.nextInt(200));
    span.addAttributes(
        kv(
            "gen_ai.input.messages",
            "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\""
                + prompt
                + "\"}]}]"));
    span.addAttributes(
        kv(
            "gen_ai.output.messages",
            "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\""
                + completion
                + "\"}],\"finish_reason\":\"stop\"}]"));
    // Some LLM spans report usage (half by default); the others leave it to the proxy to count.
    if (random.nextDouble() < usageFraction) {
      span.addAttributes(kv("gen_ai.usage.input_tokens", (long) (prompt.length() / 4)));
      span.addAttributes(kv("gen_ai.usage.output_tokens", (long) (completion.length() / 4)));
    }
    addFillers(span, 4 + random.nextInt(8));
    return span.build();
  }

  private Span plainSpan(ByteString traceId, ByteString parent) {
    long start = 1_750_000_000_000_000_000L + random.nextLong(1_000_000_000_000L);
    Span.Builder span =
        base(
                traceId,
                parent,
                parent.isEmpty() ? "POST /v1/checkout" : "SELECT orders",
                parent.isEmpty() ? Span.SpanKind.SPAN_KIND_SERVER : Span.SpanKind.SPAN_KIND_CLIENT,
                start)
            .addAttributes(kv("http.request.method", "POST"))
            .addAttributes(kv("url.path", "/v1/checkout"))
            .addAttributes(kv("http.response.status_code", 200L))
            .addAttributes(kv("db.system.name", "postgresql"))
            .addAttributes(kv("db.query.text", "SELECT id, status FROM orders WHERE id = $1"));
    addFillers(span, 5 + random.nextInt(20));
    return span.build();
  }

  private Span.Builder base(
      ByteString traceId, ByteString parent, String name, Span.SpanKind kind, long start) {
    return Span.newBuilder()
        .setTraceId(traceId)
        .setSpanId(bytes(8))
        .setParentSpanId(parent)
        .setName(name)
        .setKind(kind)
        .setFlags(0x301)
        .setStartTimeUnixNano(start)
        .setEndTimeUnixNano(start + 1_000_000L + random.nextLong(2_000_000_000L))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK));
  }

  private void addFillers(Span.Builder span, int count) {
    for (int i = 0; i < count; i++) {
      switch (i % 3) {
        case 0:
          span.addAttributes(kv("app.attribute." + i, WORDS[random.nextInt(WORDS.length)]));
          break;
        case 1:
          span.addAttributes(kv("app.count." + i, (long) random.nextInt(10_000)));
          break;
        default:
          span.addAttributes(kv("app.flag." + i, random.nextBoolean()));
          break;
      }
    }
  }

  private String text(int words) {
    StringBuilder sb = new StringBuilder(words * 7);
    for (int i = 0; i < words; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(WORDS[random.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

  private ByteString bytes(int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return ByteString.copyFrom(b);
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static KeyValue kv(String key, long value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setIntValue(value))
        .build();
  }

  private static KeyValue kv(String key, double value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setDoubleValue(value))
        .build();
  }

  private static KeyValue kv(String key, boolean value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setBoolValue(value))
        .build();
  }
}
