/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.traccia.proxy.codec.OtlpJson;
import com.google.protobuf.ByteString;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy jar between the OpenTelemetry Java SDK's OTLP exporters and a real OpenTelemetry
 * Collector: every span, metric point and log record arrives intact, over either transport.
 */
class ProxyEndToEndIT {

  private static final Duration ARRIVAL = Duration.ofSeconds(30);

  @TempDir Path work;
  private CollectorBackend collector;
  private ProxyProcess proxy;

  @BeforeEach
  void startCollector() {
    CollectorBackend.assumeAvailable();
    collector = CollectorBackend.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (collector != null) {
      collector.close();
    }
  }

  private ProxyProcess startProxy(String protocol, String... extraEnv) {
    Map<String, String> env =
        ProxyProcess.env(
            "TRACCIA_ENDPOINT",
            protocol.equals("grpc") ? collector.grpcEndpoint() : collector.httpEndpoint(),
            "TRACCIA_EXPORTER_PROTOCOL",
            protocol,
            "TRACCIA_SCHEDULE_DELAY_MILLIS",
            "50",
            // Root spans wait this long for their children before their guardrail summary.
            "TRACCIA_GUARDRAIL_ROOT_SPAN_WAIT_MS",
            "500");
    env.putAll(ProxyProcess.env(extraEnv));
    proxy = ProxyProcess.start(work.resolve("proxy"), env);
    return proxy;
  }

  @Test
  void sdkOverGrpc_allSignalsArriveIntact() throws Exception {
    startProxy("grpc");
    String endpoint = proxy.grpcEndpoint();

    sendAndVerify(
        OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).build(),
        OtlpGrpcMetricExporter.builder().setEndpoint(endpoint).build(),
        OtlpGrpcLogRecordExporter.builder().setEndpoint(endpoint).build());
  }

  @Test
  void sdkOverHttpProtobuf_allSignalsArriveIntact() throws Exception {
    startProxy("http/protobuf");
    String endpoint = proxy.httpEndpoint();

    sendAndVerify(
        OtlpHttpSpanExporter.builder().setEndpoint(endpoint + "/v1/traces").build(),
        OtlpHttpMetricExporter.builder().setEndpoint(endpoint + "/v1/metrics").build(),
        OtlpHttpLogRecordExporter.builder().setEndpoint(endpoint + "/v1/logs").build());
  }

  @Test
  void otlpJson_arrivesIdenticalToProtobuf() throws Exception {
    startProxy("grpc");
    ExportTraceServiceRequest asProtobuf = request("protobuf");
    ExportTraceServiceRequest asJson = request("json");

    assertThat(post("application/x-protobuf", asProtobuf.toByteArray())).isEqualTo(200);
    assertThat(post("application/json", OtlpJson.print(asJson).getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(200);

    collector.awaitSpans(
        2 * asProtobuf.getResourceSpans(0).getScopeSpans(0).getSpansCount(), ARRIVAL);
    ResourceSpans viaProtobuf = null;
    ResourceSpans viaJson = null;
    for (ExportTraceServiceRequest received : collector.receivedTraces()) {
      for (ResourceSpans rs : received.getResourceSpansList()) {
        String path = rs.getResource().getAttributes(1).getValue().getStringValue();
        if (path.equals("protobuf")) {
          viaProtobuf = rs;
        } else if (path.equals("json")) {
          viaJson = rs;
        }
      }
    }
    assertThat(viaProtobuf).isEqualTo(asProtobuf.getResourceSpans(0));
    // The same content, apart from the resource attribute that tells the two apart.
    assertThat(withoutPathAttribute(viaJson)).isEqualTo(withoutPathAttribute(viaProtobuf));
  }

  @Test
  void backendDownForAWhile_everySpanArrivesWhenItIsBack() throws Exception {
    startProxy(
        "grpc", "TRACCIA_RETRY_INITIAL_BACKOFF_MS", "100", "TRACCIA_RETRY_MAX_BACKOFF_MS", "500");
    collector.stop();
    List<String> names = new ArrayList<>();
    try (SdkTracerProvider tracing = tracing(proxy.grpcEndpoint())) {
      Tracer tracer = tracing.get("it");
      for (int i = 0; i < 200; i++) {
        names.add("while-down-" + i);
        tracer.spanBuilder("while-down-" + i).startSpan().end();
      }
      assertThat(tracing.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    }
    // The proxy accepted everything and keeps retrying while the backend is down.
    Awaitility.await().atMost(ARRIVAL).until(() -> retries(proxy.metrics()) >= 3);

    collector.restart();

    List<Span> arrived = collector.awaitSpans(200, Duration.ofSeconds(60));
    assertThat(arrived).extracting(Span::getName).containsExactlyInAnyOrderElementsOf(names);
  }

  @Test
  void sigterm_drainsTheQueueBeforeExiting() throws Exception {
    startProxy("grpc", "TRACCIA_SCHEDULE_DELAY_MILLIS", "60000");
    try (SdkTracerProvider tracing = tracing(proxy.grpcEndpoint())) {
      Tracer tracer = tracing.get("it");
      for (int i = 0; i < 25; i++) {
        tracer.spanBuilder("queued-" + i).startSpan().end();
      }
      assertThat(tracing.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    }
    assertThat(collector.receivedSpans()).isEmpty();

    assertThat(proxy.stop()).isZero();

    assertThat(collector.awaitSpans(25, ARRIVAL)).hasSize(25);
    assertThat(proxy.output()).contains("every accepted item was delivered");
  }

  @Test
  void llmSpan_arrivesWithUsageAndCostTheProxyAdded() throws Exception {
    startProxy("grpc");
    try (SdkTracerProvider tracing = tracing(proxy.grpcEndpoint())) {
      Tracer tracer = tracing.get("it");
      tracer
          .spanBuilder("chat gpt-4o")
          .setSpanKind(SpanKind.CLIENT)
          .setAttribute("gen_ai.operation.name", "chat")
          .setAttribute("gen_ai.provider.name", "openai")
          .setAttribute("gen_ai.request.model", "gpt-4o")
          .setAttribute("gen_ai.usage.input_tokens", 1000L)
          .setAttribute("gen_ai.usage.output_tokens", 200L)
          .startSpan()
          .end();
      tracer
          .spanBuilder("chat gpt-4o-mini")
          .setSpanKind(SpanKind.CLIENT)
          .setAttribute("gen_ai.request.model", "gpt-4o-mini")
          .setAttribute("gen_ai.prompt.0.role", "user")
          .setAttribute("gen_ai.prompt.0.content", "Where is my order?")
          .setAttribute("gen_ai.completion.0.content", "It ships tomorrow.")
          .startSpan()
          .end();
      tracer.spanBuilder("GET /healthz").startSpan().end();
      assertThat(tracing.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    }

    List<Span> arrived = collector.awaitSpans(3, ARRIVAL);
    Map<String, Object> priced = toMap(byName(arrived, "chat gpt-4o").getAttributesList());
    assertThat(priced)
        .containsEntry("llm.pricing.model_key", "gpt-4o")
        .containsEntry("llm.pricing.source", "bundled")
        .containsKey("llm.cost.usd");
    // gpt-4o in the bundled snapshot: $2.50 per million input tokens, $10 per million output.
    assertThat((Double) priced.get("llm.cost.usd")).isCloseTo(0.0045, within(1e-12));
    Map<String, Object> counted = toMap(byName(arrived, "chat gpt-4o-mini").getAttributesList());
    assertThat(counted)
        .containsEntry("llm.usage.prompt_source", "estimated.tiktoken_chat")
        .containsEntry("llm.usage.completion_source", "estimated.tiktoken")
        .containsKey("gen_ai.usage.input_tokens")
        .containsKey("gen_ai.usage.output_tokens")
        .containsKey("llm.cost.usd");
    assertThat(toMap(byName(arrived, "GET /healthz").getAttributesList()))
        .doesNotContainKeys("llm.cost.usd", "gen_ai.usage.input_tokens");
  }

  private static Span byName(List<Span> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void noConfiguration_writesTracesJsonl() throws Exception {
    proxy = ProxyProcess.start(work.resolve("zero-config"), Map.of());
    assertThat(proxy.output()).contains("traces.jsonl");
    assertThat(post("application/x-protobuf", request("zero").toByteArray())).isEqualTo(200);

    assertThat(proxy.stop()).isZero();

    List<String> lines = Files.readAllLines(work.resolve("zero-config").resolve("traces.jsonl"));
    assertThat(lines).hasSize(1);
    assertThat(OtlpJson.parseTraces(lines.get(0).getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(request("zero"));
  }

  private void sendAndVerify(
      SpanExporter spanExporter, MetricExporter metricExporter, LogRecordExporter logExporter)
      throws Exception {
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.create(
                    Attributes.of(
                        AttributeKey.stringKey("service.name"),
                        "e2e-app",
                        AttributeKey.longKey("deployment.replica"),
                        3L)));
    InMemorySpanExporter sent = InMemorySpanExporter.create();
    List<SpanData> expected;
    try (SdkTracerProvider tracing =
            SdkTracerProvider.builder()
                .setResource(resource)
                .addSpanProcessor(SimpleSpanProcessor.create(spanExporter))
                .addSpanProcessor(SimpleSpanProcessor.create(sent))
                .build();
        SdkMeterProvider metering =
            SdkMeterProvider.builder()
                .setResource(resource)
                .registerMetricReader(
                    PeriodicMetricReader.builder(metricExporter)
                        .setInterval(Duration.ofHours(1))
                        .build())
                .build();
        SdkLoggerProvider logging =
            SdkLoggerProvider.builder()
                .setResource(resource)
                .addLogRecordProcessor(SimpleLogRecordProcessor.create(logExporter))
                .build()) {
      Tracer tracer = tracing.tracerBuilder("e2e.scope").setInstrumentationVersion("1.2.3").build();
      SpanContext linked =
          SpanContext.create(
              "0af7651916cd43dd8448eb211c80319c",
              "b7ad6b7169203331",
              TraceFlags.getSampled(),
              TraceState.getDefault());
      io.opentelemetry.api.trace.Span root =
          tracer
              .spanBuilder("invoke_agent planner")
              .setSpanKind(SpanKind.SERVER)
              .setAttribute("gen_ai.operation.name", "invoke_agent")
              .setAttribute("count", 42L)
              .setAttribute("ratio", 0.25)
              .setAttribute("flag", true)
              .setAttribute(AttributeKey.stringArrayKey("tags"), List.of("a", "b"))
              .setAttribute(AttributeKey.longArrayKey("sizes"), List.of(1L, 2L))
              .addLink(linked, Attributes.of(AttributeKey.stringKey("link.kind"), "follows"))
              .startSpan();
      try (Scope ignored = root.makeCurrent()) {
        io.opentelemetry.api.trace.Span child =
            tracer
                .spanBuilder("chat gpt-4o")
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("gen_ai.request.model", "gpt-4o")
                .setAttribute("gen_ai.usage.input_tokens", 12L)
                .startSpan();
        child.addEvent(
            "gen_ai.content.prompt",
            Attributes.of(AttributeKey.stringKey("gen_ai.prompt"), "héllo ✓"));
        child.setStatus(StatusCode.ERROR, "content_filter");
        child.end();
        Logger logger = logging.get("e2e.logs");
        logger
            .logRecordBuilder()
            .setSeverity(Severity.WARN)
            .setSeverityText("WARN")
            .setBody("guardrail tripped")
            .setAttribute(AttributeKey.stringKey("guardrail.category"), "pii")
            .setContext(Context.current())
            .emit();
      }
      root.end();

      Meter meter = metering.get("e2e.metrics");
      LongCounter counter = meter.counterBuilder("requests").setUnit("{request}").build();
      counter.add(3, Attributes.of(AttributeKey.stringKey("route"), "/chat"));
      meter.histogramBuilder("latency").setUnit("s").build().record(0.3);
      assertThat(metering.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      assertThat(tracing.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      assertThat(logging.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      // Read before the providers close: shutting down the in-memory exporter empties it.
      expected = List.copyOf(sent.getFinishedSpanItems());
    }
    assertThat(expected).hasSize(2);
    List<Span> arrived = collector.awaitSpans(expected.size(), ARRIVAL);
    assertThat(arrived).hasSize(expected.size());
    for (SpanData want : expected) {
      Span got = findSpan(arrived, want.getSpanId());
      assertThat(hex(got.getTraceId())).isEqualTo(want.getTraceId());
      assertThat(hex(got.getParentSpanId()))
          .isEqualTo(want.getParentSpanContext().isValid() ? want.getParentSpanId() : "");
      assertThat(got.getName()).isEqualTo(want.getName());
      assertThat(got.getKind().getNumber()).isEqualTo(want.getKind().ordinal() + 1);
      assertThat(got.getStartTimeUnixNano()).isEqualTo(want.getStartEpochNanos());
      assertThat(got.getEndTimeUnixNano()).isEqualTo(want.getEndEpochNanos());
      // The SDK's attributes arrive untouched; what the proxy adds (usage and cost on LLM spans,
      // the guardrail summary and trace roll-up on the root) is under keys of its own.
      Map<String, Object> arrivedAttributes = toMap(got.getAttributesList());
      assertThat(arrivedAttributes).containsAllEntriesOf(toMap(want.getAttributes()));
      assertThat(arrivedAttributes.keySet())
          .allMatch(
              key ->
                  want.getAttributes().asMap().keySet().stream()
                          .anyMatch(k -> k.getKey().equals(key))
                      || key.startsWith("guardrail.")
                      || key.startsWith("traccia.")
                      || key.startsWith("llm.")
                      || key.startsWith("gen_ai.usage."),
              "an SDK attribute or one the proxy adds under its own keys");
      assertThat(got.getEventsCount()).isEqualTo(want.getEvents().size());
      for (int e = 0; e < got.getEventsCount(); e++) {
        EventData wantEvent = want.getEvents().get(e);
        assertThat(got.getEvents(e).getName()).isEqualTo(wantEvent.getName());
        assertThat(got.getEvents(e).getTimeUnixNano()).isEqualTo(wantEvent.getEpochNanos());
        assertThat(toMap(got.getEvents(e).getAttributesList()))
            .isEqualTo(toMap(wantEvent.getAttributes()));
      }
      assertThat(got.getLinksCount()).isEqualTo(want.getLinks().size());
      for (int l = 0; l < got.getLinksCount(); l++) {
        LinkData wantLink = want.getLinks().get(l);
        assertThat(hex(got.getLinks(l).getTraceId()))
            .isEqualTo(wantLink.getSpanContext().getTraceId());
        assertThat(hex(got.getLinks(l).getSpanId()))
            .isEqualTo(wantLink.getSpanContext().getSpanId());
        assertThat(toMap(got.getLinks(l).getAttributesList()))
            .isEqualTo(toMap(wantLink.getAttributes()));
      }
      assertThat(got.getStatus().getCode().getNumber())
          .isEqualTo(
              want.getStatus().getStatusCode() == StatusCode.UNSET
                  ? 0
                  : want.getStatus().getStatusCode() == StatusCode.OK ? 1 : 2);
      assertThat(got.getStatus().getMessage()).isEqualTo(want.getStatus().getDescription());
    }
    // The root carries the trace's guardrail summary and the roll-up of its LLM usage.
    SpanData rootData =
        expected.stream()
            .filter(sd -> !sd.getParentSpanContext().isValid())
            .findFirst()
            .orElseThrow();
    Map<String, Object> rootAttributes =
        toMap(findSpan(arrived, rootData.getSpanId()).getAttributesList());
    assertThat(rootAttributes)
        .containsKey("guardrail.summary")
        .containsEntry("guardrail.summary.coverage_confidence", "low")
        .containsEntry("traccia.trace.llm_span_count", 1L)
        .containsEntry("traccia.trace.input_tokens", 12L);
    ExportTraceServiceRequest first = collector.receivedTraces().get(0);
    assertThat(toMap(first.getResourceSpans(0).getResource().getAttributesList()))
        .isEqualTo(toMap(resource.getAttributes()));
    assertThat(first.getResourceSpans(0).getScopeSpans(0).getScope().getName())
        .isEqualTo("e2e.scope");
    assertThat(first.getResourceSpans(0).getScopeSpans(0).getScope().getVersion())
        .isEqualTo("1.2.3");

    List<Metric> metrics = collector.awaitMetrics(2, ARRIVAL);
    Metric requests =
        metrics.stream().filter(m -> m.getName().equals("requests")).findFirst().orElseThrow();
    assertThat(requests.getUnit()).isEqualTo("{request}");
    assertThat(requests.getSum().getDataPoints(0).getAsInt()).isEqualTo(3);
    assertThat(toMap(requests.getSum().getDataPoints(0).getAttributesList()))
        .isEqualTo(Map.of("route", "/chat"));
    Metric latency =
        metrics.stream().filter(m -> m.getName().equals("latency")).findFirst().orElseThrow();
    assertThat(latency.getHistogram().getDataPoints(0).getSum()).isEqualTo(0.3);

    List<LogRecord> logs = collector.awaitLogRecords(1, ARRIVAL);
    LogRecord log = logs.get(0);
    assertThat(log.getBody().getStringValue()).isEqualTo("guardrail tripped");
    assertThat(log.getSeverityNumberValue()).isEqualTo(Severity.WARN.getSeverityNumber());
    assertThat(toMap(log.getAttributesList())).isEqualTo(Map.of("guardrail.category", "pii"));
    SpanData rootSpan =
        expected.stream()
            .filter(s -> s.getName().startsWith("invoke_agent"))
            .findFirst()
            .orElseThrow();
    assertThat(hex(log.getTraceId())).isEqualTo(rootSpan.getTraceId());
    assertThat(hex(log.getSpanId())).isEqualTo(rootSpan.getSpanId());
  }

  /** A tracer provider that batches spans to the proxy's OTLP/gRPC port. */
  private static SdkTracerProvider tracing(String endpoint) {
    return SdkTracerProvider.builder()
        .addSpanProcessor(
            BatchSpanProcessor.builder(OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).build())
                .build())
        .build();
  }

  /** The proxy's export retries so far, read from its Prometheus text. */
  private static double retries(String metricsText) {
    double total = 0;
    for (String line : metricsText.split("\n")) {
      if (line.startsWith("traccia_proxy_export_retries_total{")) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  private int post(String contentType, byte[] body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(proxy.httpEndpoint() + "/v1/traces"))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** A hand-made request with every field a span can carry; {@code path} names how it is sent. */
  private static ExportTraceServiceRequest request(String path) {
    ScopeSpans.Builder scope =
        ScopeSpans.newBuilder()
            .setScope(
                io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder()
                    .setName("hand.made")
                    .setVersion("0.1")
                    .addAttributes(kv("scope.attr", AnyValue.newBuilder().setBoolValue(true))))
            .setSchemaUrl("https://opentelemetry.io/schemas/1.26.0");
    for (int i = 0; i < 3; i++) {
      scope.addSpans(
          Span.newBuilder()
              .setTraceId(bytes(16, 1))
              .setSpanId(bytes(8, 10 + i))
              // Every span has a parent, as in a service that continues a caller's trace: no root
              // here, so no span is held for a guardrail summary and each arrives as it was sent.
              .setParentSpanId(i == 0 ? bytes(8, 99) : bytes(8, 10))
              .setTraceState("ot=th:c")
              .setFlags(0x301)
              .setName("span-" + i)
              .setKind(Span.SpanKind.forNumber(1 + i))
              .setStartTimeUnixNano(1_750_000_000_123_456_789L)
              .setEndTimeUnixNano(1_750_000_001_123_456_789L)
              .addAttributes(kv("s", AnyValue.newBuilder().setStringValue("v")))
              .addAttributes(kv("i", AnyValue.newBuilder().setIntValue(-7)))
              .addAttributes(kv("d", AnyValue.newBuilder().setDoubleValue(1.5)))
              .addAttributes(
                  kv("bytes", AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("raw"))))
              .addEvents(
                  Span.Event.newBuilder()
                      .setName("ev")
                      .setTimeUnixNano(1_750_000_000_500_000_000L)
                      .addAttributes(kv("e", AnyValue.newBuilder().setStringValue("x"))))
              .addLinks(
                  Span.Link.newBuilder()
                      .setTraceId(bytes(16, 2))
                      .setSpanId(bytes(8, 3))
                      .setTraceState("k=v")
                      .setFlags(0x100))
              .setStatus(
                  io.opentelemetry.proto.trace.v1.Status.newBuilder()
                      .setCode(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR)
                      .setMessage("bad")));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(
                    io.opentelemetry.proto.resource.v1.Resource.newBuilder()
                        .addAttributes(
                            kv("service.name", AnyValue.newBuilder().setStringValue("hand")))
                        .addAttributes(kv("path", AnyValue.newBuilder().setStringValue(path))))
                .addScopeSpans(scope)
                .setSchemaUrl("https://opentelemetry.io/schemas/1.26.0"))
        .build();
  }

  private static ResourceSpans withoutPathAttribute(ResourceSpans rs) {
    ResourceSpans.Builder b = rs.toBuilder();
    b.getResourceBuilder().removeAttributes(1);
    return b.build();
  }

  private static KeyValue kv(String key, AnyValue.Builder value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static ByteString bytes(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (seed + i);
    }
    return ByteString.copyFrom(b);
  }

  private static Span findSpan(List<Span> spans, String spanIdHex) {
    return spans.stream()
        .filter(s -> hex(s.getSpanId()).equals(spanIdHex))
        .findFirst()
        .orElseThrow(() -> new AssertionError("span " + spanIdHex + " did not arrive"));
  }

  private static String hex(ByteString bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes.toByteArray()) {
      sb.append(String.format("%02x", b));
    }
    return sb.toString();
  }

  private static Map<String, Object> toMap(List<KeyValue> attributes) {
    Map<String, Object> map = new HashMap<>();
    for (KeyValue kv : attributes) {
      map.put(kv.getKey(), value(kv.getValue()));
    }
    return map;
  }

  private static Object value(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case INT_VALUE:
        return v.getIntValue();
      case DOUBLE_VALUE:
        return v.getDoubleValue();
      case BOOL_VALUE:
        return v.getBoolValue();
      case ARRAY_VALUE:
        List<Object> list = new ArrayList<>();
        for (AnyValue element : v.getArrayValue().getValuesList()) {
          list.add(value(element));
        }
        return list;
      default:
        return v.toString();
    }
  }

  private static Map<String, Object> toMap(Attributes attributes) {
    Map<String, Object> map = new HashMap<>();
    attributes.forEach((k, v) -> map.put(k.getKey(), v));
    return map;
  }
}
