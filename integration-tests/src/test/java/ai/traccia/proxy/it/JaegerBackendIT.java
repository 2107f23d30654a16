/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static ai.traccia.proxy.it.OtlpAttributes.attributes;
import static ai.traccia.proxy.it.OtlpAttributes.decimal;
import static ai.traccia.proxy.it.OtlpAttributes.hex;
import static ai.traccia.proxy.it.OtlpAttributes.toMap;
import static io.opentelemetry.api.common.AttributeKey.longArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The proxy jar forwarding to a real Jaeger v2 (in-memory storage, run as a process), over
 * OTLP/gRPC and OTLP/HTTP, with gzip and without: the trace an OpenTelemetry Java SDK client sent
 * through the proxy is read back through Jaeger's query API with every span, every attribute the
 * client set, the parent links, and what the proxy added (cost, GenAI usage keys, the guardrail
 * summary and trace totals on the root).
 */
@ExtendWith(JaegerBackend.IfAvailable.class)
class JaegerBackendIT {

  private static final Duration ARRIVAL = Duration.ofSeconds(30);
  private static final String SERVICE = "jaeger-backend-it";

  /** Shared by the cases, which each find their own trace by its id. */
  private static JaegerBackend jaeger;

  @TempDir Path work;
  private ProxyProcess proxy;

  /** How the proxy exports to Jaeger. */
  enum Export {
    GRPC_GZIP("grpc", "gzip"),
    GRPC_NONE("grpc", "none"),
    HTTP_GZIP("http/protobuf", "gzip"),
    HTTP_NONE("http/protobuf", "none");

    final String protocol;
    final String compression;

    Export(String protocol, String compression) {
      this.protocol = protocol;
      this.compression = compression;
    }

    String endpoint(JaegerBackend backend) {
      // An OTLP/HTTP endpoint without a path gets /v1/traces from the proxy.
      return protocol.equals("grpc") ? backend.otlpGrpcEndpoint() : backend.otlpHttpEndpoint();
    }
  }

  @BeforeAll
  static void startJaeger() {
    jaeger = JaegerBackend.start();
  }

  @AfterAll
  static void stopJaeger() {
    if (jaeger != null) {
      jaeger.close();
    }
  }

  @AfterEach
  void stopProxy() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Export.class)
  void trace_readBackFromJaegerWithEverySpanAttributeAndEnrichment(Export export) {
    proxy =
        ProxyProcess.start(
            work.resolve("proxy"),
            ProxyProcess.env(
                "TRACCIA_ENDPOINT",
                export.endpoint(jaeger),
                "TRACCIA_EXPORTER_PROTOCOL",
                export.protocol,
                "TRACCIA_EXPORTER_COMPRESSION",
                export.compression,
                "TRACCIA_SCHEDULE_DELAY_MILLIS",
                "50",
                // The root waits this long for its children before its guardrail summary.
                "TRACCIA_GUARDRAIL_ROOT_SPAN_WAIT_MS",
                "500"));
    Resource resource =
        Resource.getDefault().toBuilder()
            .put("service.name", SERVICE)
            .put("deployment.environment.name", export.name().toLowerCase(Locale.ROOT))
            .build();

    List<SpanData> sent = sendTrace(resource);
    String traceId = sent.get(0).getTraceId();

    ExportTraceServiceRequest trace = jaeger.awaitTrace(traceId, sent.size(), ARRIVAL);

    Map<String, Span> received = spansById(trace);
    assertThat(received.keySet())
        .as("the spans Jaeger holds for trace %s", traceId)
        .containsExactlyInAnyOrderElementsOf(
            sent.stream().map(SpanData::getSpanId).collect(Collectors.toList()));
    for (SpanData expected : sent) {
      assertSpan(received.get(expected.getSpanId()), expected);
    }
    for (ResourceSpans rs : trace.getResourceSpansList()) {
      assertThat(toMap(rs.getResource().getAttributesList()))
          .containsAllEntriesOf(javaValues(resource.getAttributes()));
      for (ScopeSpans scope : rs.getScopeSpansList()) {
        assertThat(scope.getScope().getName()).isEqualTo("jaeger-backend-it");
        assertThat(scope.getScope().getVersion()).isEqualTo("1.0.0");
      }
    }

    Map<String, SpanData> byName =
        sent.stream().collect(Collectors.toMap(SpanData::getName, Function.identity()));
    assertEnrichment(received, byName);
  }

  /**
   * Sends, through the proxy's OTLP/gRPC receiver, an agent root with an LLM child priced from its
   * GenAI usage, a tool child, and under the tool an LLM grandchild that reports its usage in the
   * {@code llm.usage.*} keys; returns the spans as sent, root first.
   */
  private List<SpanData> sendTrace(Resource resource) {
    InMemorySpanExporter memory = InMemorySpanExporter.create();
    SpanExporter toProxy =
        OtlpGrpcSpanExporter.builder()
            .setEndpoint(proxy.grpcEndpoint())
            .setTimeout(Duration.ofSeconds(10))
            .build();
    List<SpanData> sent;
    try (SdkTracerProvider tracing =
        SdkTracerProvider.builder()
            .setResource(resource)
            .addSpanProcessor(SimpleSpanProcessor.create(memory))
            .addSpanProcessor(SimpleSpanProcessor.create(toProxy))
            .build()) {
      Tracer tracer =
          tracing.tracerBuilder("jaeger-backend-it").setInstrumentationVersion("1.0.0").build();
      io.opentelemetry.api.trace.Span root =
          tracer
              .spanBuilder("invoke_agent support")
              .setSpanKind(SpanKind.SERVER)
              .setAttribute("gen_ai.operation.name", "invoke_agent")
              .setAttribute("gen_ai.agent.name", "support")
              .setAttribute("app.ticket.priority", 2L)
              .setAttribute("app.ticket.score", 0.75)
              .setAttribute("app.ticket.escalated", false)
              .setAttribute(stringArrayKey("app.ticket.tags"), List.of("billing", "refund"))
              .startSpan();
      Context inRoot = Context.root().with(root);
      io.opentelemetry.api.trace.Span chat =
          tracer
              .spanBuilder("chat gpt-4o-mini")
              .setParent(inRoot)
              .setSpanKind(SpanKind.CLIENT)
              .setAttribute("gen_ai.operation.name", "chat")
              .setAttribute("gen_ai.system", "openai")
              .setAttribute("gen_ai.request.model", "gpt-4o-mini")
              .setAttribute("gen_ai.response.model", "gpt-4o-mini")
              .setAttribute("gen_ai.usage.input_tokens", 100L)
              .setAttribute("gen_ai.usage.output_tokens", 20L)
              .setAttribute("gen_ai.request.temperature", 0.2)
              .setAttribute(stringArrayKey("gen_ai.response.finish_reasons"), List.of("stop"))
              .startSpan();
      chat.end();
      io.opentelemetry.api.trace.Span tool =
          tracer
              .spanBuilder("execute_tool lookup_order")
              .setParent(inRoot)
              .setSpanKind(SpanKind.INTERNAL)
              .setAttribute("gen_ai.operation.name", "execute_tool")
              .setAttribute("gen_ai.tool.name", "lookup_order")
              .setAttribute(longArrayKey("app.order.ids"), List.of(17L, 42L))
              .startSpan();
      io.opentelemetry.api.trace.Span summarize =
          tracer
              .spanBuilder("chat gpt-4o")
              .setParent(Context.root().with(tool))
              .setSpanKind(SpanKind.CLIENT)
              .setAttribute("span.type", "llm")
              .setAttribute("llm.vendor", "openai")
              .setAttribute("llm.model", "gpt-4o")
              .setAttribute("llm.usage.prompt_tokens", 1000L)
              .setAttribute("llm.usage.completion_tokens", 500L)
              .startSpan();
      summarize.setStatus(StatusCode.ERROR, "upstream timeout");
      summarize.end();
      tool.end();
      root.setStatus(StatusCode.OK);
      root.end();
      assertThat(tracing.forceFlush().join(10, TimeUnit.SECONDS).isSuccess())
          .as("the client's export to the proxy")
          .isTrue();
      // Before the provider closes: shutting the in-memory exporter down clears it.
      sent = new ArrayList<>(memory.getFinishedSpanItems());
    }
    assertThat(sent).hasSize(4);
    // Ended children first; the root, ended last, goes first.
    sent.add(0, sent.remove(sent.size() - 1));
    return sent;
  }

  /** Name, kind, ids, parent link, times, status and every attribute the client set. */
  private static void assertSpan(Span actual, SpanData expected) {
    assertThat(actual).as("span %s", expected.getName()).isNotNull();
    assertThat(actual.getName()).isEqualTo(expected.getName());
    assertThat(hex(actual.getTraceId())).isEqualTo(expected.getTraceId());
    assertThat(hex(actual.getParentSpanId()))
        .as("parent of %s", expected.getName())
        .isEqualTo(expected.getParentSpanContext().isValid() ? expected.getParentSpanId() : "");
    assertThat(actual.getKind().getNumber()).isEqualTo(expected.getKind().ordinal() + 1);
    assertThat(actual.getStartTimeUnixNano()).isEqualTo(expected.getStartEpochNanos());
    assertThat(actual.getEndTimeUnixNano()).isEqualTo(expected.getEndEpochNanos());
    assertThat(actual.getStatus().getCode()).isEqualTo(statusCode(expected.getStatus()));
    assertThat(actual.getStatus().getMessage()).isEqualTo(expected.getStatus().getDescription());
    assertThat(attributes(actual))
        .as("attributes of %s", expected.getName())
        .containsAllEntriesOf(javaValues(expected.getAttributes()));
  }

  /** What the proxy added, as Jaeger stored it. */
  private static void assertEnrichment(Map<String, Span> received, Map<String, SpanData> sent) {
    Map<String, Object> chat = attributes(received.get(sent.get("chat gpt-4o-mini").getSpanId()));
    assertThat(chat)
        .containsEntry("llm.pricing.model_key", "gpt-4o-mini")
        .containsEntry("llm.pricing.source", "bundled")
        .containsKey("llm.pricing.snapshot_version")
        .containsEntry("traccia.pricing.status", "priced");
    assertThat(decimal(chat.get("llm.cost.usd")))
        .isEqualByComparingTo(PeerSdkIT.bundledCost("gpt-4o-mini", 100, 20));

    Map<String, Object> summarize = attributes(received.get(sent.get("chat gpt-4o").getSpanId()));
    assertThat(summarize)
        .containsEntry("gen_ai.usage.input_tokens", 1000L)
        .containsEntry("gen_ai.usage.output_tokens", 500L)
        .containsEntry("llm.pricing.model_key", "gpt-4o")
        .containsEntry("llm.pricing.source", "bundled")
        .containsKey("llm.pricing.snapshot_version")
        .containsEntry("traccia.pricing.status", "priced");
    assertThat(decimal(summarize.get("llm.cost.usd")))
        .isEqualByComparingTo(PeerSdkIT.bundledCost("gpt-4o", 1000, 500));

    Map<String, Object> tool =
        attributes(received.get(sent.get("execute_tool lookup_order").getSpanId()));
    assertThat(tool).doesNotContainKey("llm.cost.usd").doesNotContainKey("guardrail.summary");

    Map<String, Object> root =
        attributes(received.get(sent.get("invoke_agent support").getSpanId()));
    // A tool call with no guardrail span: tool_permission is the one missing category.
    assertThat(root)
        .containsEntry("guardrail.summary.detected_categories", List.of())
        .containsEntry("guardrail.summary.missing_count", 1L)
        .containsEntry("guardrail.summary.coverage_confidence", "low")
        .containsEntry("traccia.trace.llm_span_count", 2L)
        .containsEntry("traccia.trace.input_tokens", 1100L)
        .containsEntry("traccia.trace.output_tokens", 520L)
        .doesNotContainKey("llm.cost.usd");
    assertThat((String) root.get("guardrail.summary"))
        .contains("\"category\": \"tool_permission\"")
        .contains("\"calls_llm\"", "\"uses_tools\"");
    assertThat(decimal(root.get("traccia.trace.cost_usd")))
        .isEqualByComparingTo(
            PeerSdkIT.bundledCost("gpt-4o-mini", 100, 20)
                .add(PeerSdkIT.bundledCost("gpt-4o", 1000, 500)));
  }

  private static Map<String, Span> spansById(ExportTraceServiceRequest trace) {
    Map<String, Span> byId = new LinkedHashMap<>();
    for (ResourceSpans rs : trace.getResourceSpansList()) {
      for (ScopeSpans scope : rs.getScopeSpansList()) {
        for (Span span : scope.getSpansList()) {
          byId.put(hex(span.getSpanId()), span);
        }
      }
    }
    return byId;
  }

  /** The SDK's attributes as the Java values {@link OtlpAttributes#toMap} gives for OTLP. */
  private static Map<String, Object> javaValues(Attributes attributes) {
    Map<String, Object> map = new LinkedHashMap<>();
    attributes.forEach((AttributeKey<?> key, Object value) -> map.put(key.getKey(), value));
    return map;
  }

  private static Status.StatusCode statusCode(io.opentelemetry.sdk.trace.data.StatusData status) {
    switch (status.getStatusCode()) {
      case OK:
        return Status.StatusCode.STATUS_CODE_OK;
      case ERROR:
        return Status.StatusCode.STATUS_CODE_ERROR;
      default:
        return Status.StatusCode.STATUS_CODE_UNSET;
    }
  }
}
