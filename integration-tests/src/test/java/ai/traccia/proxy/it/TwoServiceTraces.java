/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.traccia.proxy.codec.OtlpJson;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The traces the scale-out tests send, and how they read and compare what the proxies wrote: shared
 * by {@link RoleSplitIT} (gateways behind a trace-id router) and {@link KafkaGatewaysIT} (gateways
 * behind a Kafka topic), so that both prove the same thing on the same input.
 *
 * <p>Each trace has spans from two services; half have their root first and half last; their LLM
 * spans carry usage or only text (which the token counter estimates), and some have a tool denied
 * permission or a filtered completion, which the guardrail stage finds. Stateless.
 */
final class TwoServiceTraces {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern SAMPLE =
      Pattern.compile("^(gen_ai_[a-zA-Z0-9_]*(?:\\{[^}]*\\})?) ([-+0-9.eE]+|NaN|[-+]Inf)$");

  private TwoServiceTraces() {}

  /**
   * For each trace, one request from the frontend (the root and an LLM call with usage) and one
   * from the search service (an LLM call with text only, and in some traces a tool denied
   * permission or a filtered completion); even traces send the root first, odd ones last.
   */
  static List<ExportTraceServiceRequest> input(int traces) {
    List<ExportTraceServiceRequest> requests = new ArrayList<>();
    for (int t = 0; t < traces; t++) {
      ByteString trace = id(16, t, 0);
      ByteString root = id(8, t, 1);
      ExportTraceServiceRequest frontend =
          request(
              "frontend",
              span(trace, root, null, "POST /chat", "http.route", "/chat"),
              span(
                  trace,
                  id(8, t, 2),
                  root,
                  "chat gpt-4o",
                  "gen_ai.operation.name",
                  "chat",
                  "gen_ai.provider.name",
                  "openai",
                  "gen_ai.request.model",
                  "gpt-4o",
                  "gen_ai.usage.input_tokens",
                  100L + t,
                  "gen_ai.usage.output_tokens",
                  20L + t));
      List<Span> search = new ArrayList<>();
      search.add(
          span(
              trace,
              id(8, t, 3),
              root,
              "chat gpt-4o-mini",
              "gen_ai.operation.name",
              "chat",
              "gen_ai.provider.name",
              "openai",
              "gen_ai.request.model",
              "gpt-4o-mini",
              "llm.prompt",
              "Find the order of jane.doe@example.com, number " + t,
              "llm.completion",
              "Order " + t + " ships tomorrow.",
              "llm.finish_reason",
              t % 3 == 0 ? "content_filter" : "stop"));
      if (t % 2 == 0) {
        search.add(
            span(
                trace,
                id(8, t, 4),
                root,
                "tool refund",
                "span.type",
                "tool",
                "error.type",
                "PermissionError",
                "error.message",
                "Permission denied"));
      }
      ExportTraceServiceRequest searchRequest = request("search", search.toArray(new Span[0]));
      if (t % 2 == 0) {
        requests.add(frontend);
        requests.add(searchRequest);
      } else {
        requests.add(searchRequest);
        requests.add(frontend);
      }
    }
    return requests;
  }

  private static ByteString id(int length, int trace, int span) {
    byte[] b = new byte[length];
    b[0] = (byte) (trace + 1);
    b[length - 1] = (byte) (span + 1);
    b[length / 2] = 0x5a;
    return ByteString.copyFrom(b);
  }

  private static Span span(
      ByteString trace, ByteString id, ByteString parent, String name, Object... kv) {
    Span.Builder b =
        Span.newBuilder()
            .setTraceId(trace)
            .setSpanId(id)
            .setName(name)
            .setStartTimeUnixNano(1_000_000_000L)
            .setEndTimeUnixNano(1_400_000_000L);
    if (parent != null) {
      b.setParentSpanId(parent);
    }
    for (int k = 0; k < kv.length; k += 2) {
      AnyValue.Builder v = AnyValue.newBuilder();
      if (kv[k + 1] instanceof Long) {
        v.setIntValue((Long) kv[k + 1]);
      } else {
        v.setStringValue((String) kv[k + 1]);
      }
      b.addAttributes(KeyValue.newBuilder().setKey((String) kv[k]).setValue(v));
    }
    return b.build();
  }

  /** A request of {@code spans} from {@code service}, under one resource and scope. */
  static ExportTraceServiceRequest request(String service, Span... spans) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(
                            KeyValue.newBuilder()
                                .setKey("service.name")
                                .setValue(AnyValue.newBuilder().setStringValue(service))))
                .addScopeSpans(
                    ScopeSpans.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName(service + "-tracer"))
                        .addAllSpans(List.of(spans))))
        .build();
  }

  /**
   * Starts, in the background, a proxy of {@code role} in {@code dir} as both tests run their nodes
   * (short batching and root wait, redaction on), with {@code extra} settings on top.
   */
  static CompletableFuture<ProxyProcess> startNode(
      Path dir, String role, Map<String, String> extra) {
    Map<String, String> env =
        ProxyProcess.env(
            "TRACCIA_SERVER_ROLE",
            role,
            "TRACCIA_SCHEDULE_DELAY_MILLIS",
            "50",
            "TRACCIA_GUARDRAIL_ROOT_SPAN_WAIT_MS",
            "1500",
            "TRACCIA_REDACTION_ENABLED",
            "true");
    env.putAll(extra);
    return CompletableFuture.supplyAsync(() -> ProxyProcess.start(dir, env));
  }

  static String service(ExportTraceServiceRequest request) {
    return request.getResourceSpans(0).getResource().getAttributes(0).getValue().getStringValue();
  }

  static int spanCount(ExportTraceServiceRequest request) {
    return request.getResourceSpans(0).getScopeSpans(0).getSpansCount();
  }

  static void post(ProxyProcess proxy, ExportTraceServiceRequest request) throws Exception {
    int status =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(proxy.httpEndpoint() + "/v1/traces"))
                    .header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray()))
                    .build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode();
    assertThat(status).isEqualTo(200);
  }

  /** The trace requests {@code proxy} wrote to its traces.jsonl so far. */
  static List<ExportTraceServiceRequest> written(ProxyProcess proxy) throws Exception {
    Path file = proxy.log().resolveSibling("traces.jsonl");
    List<ExportTraceServiceRequest> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.contains("\"resourceSpans\"")) {
        out.add(OtlpJson.parseTraces(line.getBytes(StandardCharsets.UTF_8)));
      }
    }
    return out;
  }

  /** Each span written, alone in its resource and scope, by trace and span id. */
  static Map<String, ResourceSpans> spansByKey(List<ExportTraceServiceRequest> requests) {
    Map<String, ResourceSpans> out = new LinkedHashMap<>();
    for (ExportTraceServiceRequest request : requests) {
      for (ResourceSpans rs : request.getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span span : ss.getSpansList()) {
            out.put(
                key(span),
                rs.toBuilder()
                    .clearScopeSpans()
                    .addScopeSpans(ss.toBuilder().clearSpans().addSpans(span))
                    .build());
          }
        }
      }
    }
    return out;
  }

  static String key(Span span) {
    return HexFormat.of().formatHex(span.getTraceId().toByteArray())
        + "/"
        + HexFormat.of().formatHex(span.getSpanId().toByteArray());
  }

  static Map<String, AnyValue> attributes(Span span) {
    Map<String, AnyValue> out = new TreeMap<>();
    for (KeyValue kv : span.getAttributesList()) {
      out.put(kv.getKey(), kv.getValue());
    }
    return out;
  }

  /** Every {@code gen_ai_*} sample on {@code proxy}'s /metrics, by series. */
  static Map<String, Double> derivedMetrics(ProxyProcess proxy) throws Exception {
    Map<String, Double> out = new TreeMap<>();
    for (String line : proxy.metrics().split("\n")) {
      Matcher m = SAMPLE.matcher(line.trim());
      if (m.matches()) {
        out.put(m.group(1), Double.parseDouble(m.group(2)));
      }
    }
    return out;
  }

  /**
   * Asserts that the spans written by the tiers, {@code tiered}, are those one node wrote, {@code
   * one}, attribute by attribute but for the sidecar's mark, and that each of the {@code traces}
   * roots carries its summary and a roll-up of both LLM calls.
   */
  static void assertSameAsOneNode(Map<String, Span> one, Map<String, Span> tiered, int traces) {
    assertThat(tiered.keySet()).isEqualTo(one.keySet());
    int summaries = 0;
    int findings = 0;
    for (Map.Entry<String, Span> e : one.entrySet()) {
      Map<String, AnyValue> expected = attributes(e.getValue());
      Map<String, AnyValue> actual = attributes(tiered.get(e.getKey()));
      // The sidecar's mark is the only difference, and it is on every span it enriched.
      assertThat(actual.remove("traccia.proxy.enriched"))
          .isEqualTo(AnyValue.newBuilder().setBoolValue(true).build());
      assertThat(actual).as(e.getKey()).isEqualTo(expected);
      summaries += expected.containsKey("guardrail.summary") ? 1 : 0;
      findings += expected.containsKey("guardrail.finding.count") ? 1 : 0;
      assertThat(expected.toString()).doesNotContain("jane.doe@example.com");
    }
    assertThat(summaries).isEqualTo(traces);
    assertThat(findings).isGreaterThan(traces); // the roots' and the children's own
    assertThat(one.values())
        .filteredOn(s -> s.getParentSpanId().isEmpty())
        .allSatisfy(
            root ->
                assertThat(attributes(root))
                    .containsKeys(
                        "traccia.trace.input_tokens",
                        "traccia.trace.output_tokens",
                        "traccia.trace.cost_usd",
                        "traccia.trace.llm_span_count")
                    // Both LLM calls, whether the root came first or last.
                    .containsEntry(
                        "traccia.trace.llm_span_count",
                        AnyValue.newBuilder().setIntValue(2).build()));
  }

  /**
   * Asserts that the derived metrics of {@code gateways}, summed series by series, are those of
   * {@code single}, and that {@code sidecars} derived none.
   */
  static void assertSameMetricTotals(
      ProxyProcess single, Collection<ProxyProcess> gateways, Collection<ProxyProcess> sidecars)
      throws Exception {
    for (ProxyProcess sidecar : sidecars) {
      assertThat(derivedMetrics(sidecar)).isEmpty();
    }
    Map<String, Double> expectedMetrics = derivedMetrics(single);
    Map<String, Double> summed = new TreeMap<>();
    for (ProxyProcess gateway : gateways) {
      derivedMetrics(gateway).forEach((series, value) -> summed.merge(series, value, Double::sum));
    }
    assertThat(expectedMetrics.keySet())
        .anyMatch(series -> series.startsWith("gen_ai_client_token_usage_sum{"))
        .anyMatch(series -> series.startsWith("gen_ai_client_operation_cost_usd_sum{"));
    assertThat(summed.keySet()).isEqualTo(expectedMetrics.keySet());
    expectedMetrics.forEach(
        (series, value) ->
            assertThat(summed.get(series)).as(series).isCloseTo(value, within(1e-9)));
  }
}
