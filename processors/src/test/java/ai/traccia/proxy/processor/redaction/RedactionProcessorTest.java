/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.redaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.traccia.proxy.pipeline.Handoff;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pipeline.SpanBatchProcessorContract;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.pricing.PriceBooks;
import ai.traccia.proxy.processor.cost.CostProcessor;
import ai.traccia.proxy.processor.guardrail.GuardrailProcessor;
import ai.traccia.proxy.processor.tokens.TokenCountingProcessor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RedactionProcessorTest extends SpanBatchProcessorContract {

  @Override
  protected SpanBatchProcessor newProcessor() {
    return RedactionProcessor.create(
        RedactionRules.builder().setEnabled(true).setMode(RedactionMode.MASK).build(),
        RedactionListener.noop());
  }

  /** The content keys it redacts, the findings' excerpts, and its own two markers. */
  @Override
  protected Set<String> keysWritten() {
    Set<String> keys = new HashSet<>(RedactionProcessor.CONTENT_KEYS);
    keys.addAll(
        Set.of(
            "gen_ai.prompt.*",
            "gen_ai.completion.*",
            "llm.input_messages.*",
            "llm.output_messages.*",
            "llm.prompts.*",
            "guardrail.findings",
            "traccia.redaction.*"));
    return keys;
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "a-test-key-of-32-characters-long";

  // Every string that must not survive any mode.
  private static final String EMAIL = "jane.doe@example.com";
  private static final String CARD = "4111 1111 1111 1111";
  private static final String PHONE = "+44 20 7946 0958";
  private static final String IP = "192.168.10.24";
  private static final String API_KEY = "sk-proj-abcdefghijklmnop1234";
  private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlMTIz";
  private static final String GH = "ghp_" + "a".repeat(36);
  private static final List<String> SECRETS = List.of(EMAIL, CARD, PHONE, IP, API_KEY, JWT, GH);

  private static final String PII =
      "Mail " + EMAIL + ", card " + CARD + ", call " + PHONE + " from " + IP + " key " + API_KEY;

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  // --- The same spans through every mode ------------------------------------------------------

  @ParameterizedTest
  @EnumSource(
      value = RedactionMode.class,
      names = {"MASK", "HASH", "TRUNCATE", "DROP"})
  void process_countsCostsAndFindingsAsUnredacted_noSecretLeft(RedactionMode mode)
      throws Exception {
    ExportTraceServiceRequest request = request();
    ExportTraceServiceRequest plain = run(request, null);
    Map<String, Integer> metrics = new ConcurrentHashMap<>();
    RedactionProcessor redaction =
        RedactionProcessor.create(
            rules(mode), (rule, m, n) -> metrics.merge(rule + "/" + m.label(), n, Integer::sum));
    byte[] redactedBytes = runBytes(request, redaction);
    ExportTraceServiceRequest redacted = ExportTraceServiceRequest.parseFrom(redactedBytes);

    List<Span> before = spans(plain);
    List<Span> after = spans(redacted);
    assertThat(after).hasSize(before.size());
    for (int i = 0; i < before.size(); i++) {
      assertThat(derived(after.get(i))).isEqualTo(derived(before.get(i)));
    }
    // The estimated counts and the cost were there to compare.
    assertThat(derived(before.get(1))).containsKeys("gen_ai.usage.input_tokens", "llm.cost.usd");
    assertThat(derived(before.get(2))).containsKey("guardrail.finding.count");

    String wire = new String(redactedBytes, StandardCharsets.ISO_8859_1);
    for (String secret : SECRETS) {
      assertThat(wire).as(secret).doesNotContain(secret);
    }
    Map<String, AnyValue> llm = attributes(after.get(1));
    assertThat(llm.get(RedactionProcessor.MATCHES).getIntValue()).isPositive();
    assertThat(metrics).isNotEmpty();
    if (mode != RedactionMode.DROP) {
      // Message lists stay valid JSON with their structure.
      JsonNode messages = JSON.readTree(llm.get("gen_ai.input.messages").getStringValue());
      assertThat(messages.get(0).get("role").asText()).isEqualTo("user");
      assertThat(messages.get(0).get("parts").get(0).get("type").asText()).isEqualTo("text");
    } else {
      assertThat(llm).doesNotContainKeys("gen_ai.input.messages", "llm.prompt");
    }
    assertThat(llm.get("gen_ai.prompt.0.role").getStringValue()).isEqualTo("user");
  }

  @Test
  void readsSpans_onlyWhileEnabled() {
    // Off, the stage must leave the pass-through path its wire-only handling.
    RedactionProcessor redaction = RedactionProcessor.create(RedactionRules.disabled(), noop());
    assertThat(redaction.readsSpans()).isFalse();
    redaction.setRules(rules(RedactionMode.MASK));
    assertThat(redaction.readsSpans()).isTrue();
    redaction.setRules(RedactionRules.disabled());
    assertThat(redaction.readsSpans()).isFalse();
  }

  @Test
  void process_maskNamesEveryRuleAndCountsMatches() {
    RedactionProcessor redaction = RedactionProcessor.create(rules(RedactionMode.MASK), noop());
    SpanBatch batch = batch(span("01", "", "llm.prompt", PII + " " + JWT + " " + GH));

    redaction.process(batch);

    Map<String, AnyValue> out = attributes(forwarded(batch).get(0));
    assertThat(out.get("llm.prompt").getStringValue())
        .isEqualTo(
            "Mail [REDACTED:email], card [REDACTED:card], call [REDACTED:phone] from"
                + " [REDACTED:ip] key [REDACTED:api_key] [REDACTED:api_key] [REDACTED:api_key]");
    assertThat(out.get(RedactionProcessor.RULES).getArrayValue().getValuesList())
        .extracting(AnyValue::getStringValue)
        .containsExactly("api_key", "email", "card", "phone", "ip");
    assertThat(out.get(RedactionProcessor.MATCHES).getIntValue()).isEqualTo(7);
  }

  @Test
  void process_cardNeedsLuhn_numbersAndVersionsLeftAlone() {
    RedactionProcessor redaction = RedactionProcessor.create(rules(RedactionMode.MASK), noop());
    String text = "order 4111 1111 1111 1112, version 1.2.3.4.5, 12345 items, year 2026";
    SpanBatch batch = batch(span("01", "", "llm.completion", text));

    redaction.process(batch);

    assertThat(attributes(forwarded(batch).get(0)).get("llm.completion").getStringValue())
        .isEqualTo(text);
    assertThat(batch.isModified()).isFalse();
  }

  @Test
  void process_hashIsKeyedAndLinkable() {
    RedactionProcessor redaction = RedactionProcessor.create(rules(RedactionMode.HASH), noop());
    SpanBatch batch =
        batch(
            span("01", "", "llm.prompt", "same text"), span("02", "", "input.value", "same text"));

    redaction.process(batch);

    List<Span> out = forwarded(batch);
    String a = attributes(out.get(0)).get("llm.prompt").getStringValue();
    String b = attributes(out.get(1)).get("input.value").getStringValue();
    assertThat(a).matches("sha256:[0-9a-f]{16}").isEqualTo(b);
    RedactionRules otherKey =
        RedactionRules.builder()
            .setEnabled(true)
            .setMode(RedactionMode.HASH)
            .setHashKey("another-key-0123456789")
            .build();
    assertThat(otherKey.hash("same text")).isNotEqualTo(a);
  }

  @Test
  void build_hashWithoutKeyIsAnError() {
    assertThatThrownBy(
            () -> RedactionRules.builder().setEnabled(true).setMode(RedactionMode.HASH).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("redaction.hash_key");
  }

  @Test
  void process_perServiceAndPerAttributeModes() {
    RedactionRules rules =
        RedactionRules.builder()
            .setEnabled(true)
            .setServiceMode("internal", RedactionMode.OFF)
            .setAttributeMode("llm.completion", RedactionMode.DROP)
            .setAttributeMode("app.note", RedactionMode.MASK)
            .build();
    RedactionProcessor redaction = RedactionProcessor.create(rules, noop());
    SpanBatch chat =
        SpanBatch.of(
            request("chat", span("01", "", "llm.completion", PII, "app.note", EMAIL)), null);
    SpanBatch internal = SpanBatch.of(request("internal", span("02", "", "llm.prompt", PII)), null);

    redaction.process(chat);
    redaction.process(internal);

    Map<String, AnyValue> out = attributes(forwarded(chat).get(0));
    assertThat(out).doesNotContainKey("llm.completion");
    assertThat(out.get("app.note").getStringValue()).isEqualTo("[REDACTED:email]");
    assertThat(internal.isModified()).isFalse();
  }

  @Test
  void process_truncateKeepsThePrefix() {
    RedactionRules rules =
        RedactionRules.builder()
            .setEnabled(true)
            .setMode(RedactionMode.TRUNCATE)
            .setTruncateLength(5)
            .build();
    SpanBatch batch = batch(span("01", "", "output.value", "Hello, world", "llm.prompt", "Hi"));

    RedactionProcessor.create(rules, noop()).process(batch);

    Map<String, AnyValue> out = attributes(forwarded(batch).get(0));
    assertThat(out.get("output.value").getStringValue()).isEqualTo("Hello");
    assertThat(out.get("llm.prompt").getStringValue()).isEqualTo("Hi");
    assertThat(out.get(RedactionProcessor.MATCHES).getIntValue()).isEqualTo(1);
  }

  @Test
  void process_textPastTheScanBoundIsCut() {
    RedactionRules rules = RedactionRules.builder().setEnabled(true).setMaxScanChars(10).build();
    SpanBatch batch = batch(span("01", "", "llm.prompt", "0123456789" + EMAIL));

    RedactionProcessor.create(rules, noop()).process(batch);

    assertThat(attributes(forwarded(batch).get(0)).get("llm.prompt").getStringValue())
        .isEqualTo("0123456789");
  }

  @Test
  void process_userPatternThatBacktracksWithoutEndRedactsTheWholeValue() {
    // The configuration refuses this pattern; the run-time budget backs that check up.
    RedactionRules rules =
        RedactionRules.builder()
            .setEnabled(true)
            .setPatterns(List.of())
            .addCustomPattern("evil", "(.*a){12}x")
            .build();
    SpanBatch batch = batch(span("01", "", "llm.prompt", "a".repeat(200)));

    RedactionProcessor.create(rules, noop()).process(batch);

    assertThat(attributes(forwarded(batch).get(0)).get("llm.prompt").getStringValue())
        .isEqualTo("[REDACTED:evil]");
  }

  @Test
  void process_userPattern() {
    RedactionRules rules =
        RedactionRules.builder().setEnabled(true).addCustomPattern("ticket", "T-[0-9]{6}").build();
    SpanBatch batch = batch(span("01", "", "gen_ai.completion.0.content", "see T-123456"));

    RedactionProcessor.create(rules, noop()).process(batch);

    assertThat(
            attributes(forwarded(batch).get(0)).get("gen_ai.completion.0.content").getStringValue())
        .isEqualTo("see [REDACTED:ticket]");
  }

  @Test
  void setRules_swapsLive() {
    RedactionProcessor redaction = RedactionProcessor.create(RedactionRules.disabled(), noop());
    SpanBatch first = batch(span("01", "", "llm.prompt", EMAIL));
    redaction.process(first);
    assertThat(first.isModified()).isFalse();

    redaction.setRules(rules(RedactionMode.MASK));
    SpanBatch second = batch(span("01", "", "llm.prompt", EMAIL));
    redaction.process(second);

    assertThat(attributes(forwarded(second).get(0)).get("llm.prompt").getStringValue())
        .isEqualTo("[REDACTED:email]");
  }

  @Test
  void heldRoot_isRedactedOnRelease() throws Exception {
    RedactionProcessor redaction = RedactionProcessor.create(rules(RedactionMode.MASK), noop());
    List<byte[]> released = new ArrayList<>();
    SpanPipeline.Builder builder = SpanPipeline.builder();
    GuardrailProcessor guardrails =
        builder.addHoldingProcessor(
            next ->
                GuardrailProcessor.builder()
                    .setRootSpanWait(Duration.ofSeconds(30))
                    .setScheduler(scheduler)
                    .setNext(next)
                    .build());
    SpanPipeline pipeline = builder.addProcessor(redaction).build();
    // What queues the pipeline's output: the stages after the holder, then a list.
    pipeline.connect(
        (first, root) -> {
          pipeline.processFrom(first, root);
          released.add(root.toByteArray());
          return Handoff.taken();
        });
    SpanBatch batch = batch(span("01", "", "llm.prompt", PII));
    pipeline.process(batch);
    assertThat(batch.acceptedCount()).isZero(); // held

    guardrails.shutdown(); // releases every held root at once

    assertThat(released).hasSize(1);
    String wire = new String(released.get(0), StandardCharsets.ISO_8859_1);
    assertThat(wire).contains("guardrail.summary").contains("[REDACTED:email]");
    for (String secret : List.of(EMAIL, CARD, PHONE, IP, API_KEY)) {
      assertThat(wire).doesNotContain(secret);
    }
  }

  // --- The pipeline ---------------------------------------------------------------------------

  private ExportTraceServiceRequest run(ExportTraceServiceRequest request, SpanBatchProcessor last)
      throws Exception {
    return ExportTraceServiceRequest.parseFrom(runBytes(request, last));
  }

  private byte[] runBytes(ExportTraceServiceRequest request, SpanBatchProcessor last) {
    SpanBatch batch = SpanBatch.of(request, null);
    TokenCountingProcessor.create().process(batch);
    CostProcessor.builder(PriceBooks.bundled(Clock.systemUTC())).build().process(batch);
    GuardrailProcessor.builder()
        .setRootSpanWait(Duration.ZERO)
        .setScheduler(scheduler)
        .setNext(r -> Handoff.taken())
        .build()
        .process(batch);
    if (last != null) {
      last.process(batch);
    }
    return batch.toByteArray();
  }

  /** What the earlier stages computed: every attribute but content and redaction marks. */
  private static Map<String, Object> derived(Span span) throws Exception {
    RedactionRules none = RedactionRules.disabled();
    Map<String, Object> out = new LinkedHashMap<>();
    for (KeyValue kv : span.getAttributesList()) {
      String key = kv.getKey();
      if (RedactionProcessor.isContentKey(key, none) || key.startsWith("traccia.redaction.")) {
        continue;
      }
      if (key.equals("guardrail.findings")) {
        JsonNode findings = JSON.readTree(kv.getValue().getStringValue());
        for (JsonNode f : findings) {
          ((ObjectNode) f).remove("raw_excerpt");
        }
        out.put(key, findings);
        continue;
      }
      out.put(key, kv.getValue());
    }
    return out;
  }

  private static RedactionRules rules(RedactionMode mode) {
    return RedactionRules.builder()
        .setEnabled(true)
        .setMode(mode)
        .setHashKey(KEY)
        .setTruncateLength(4)
        .build();
  }

  private static RedactionListener noop() {
    return RedactionListener.noop();
  }

  private static ExportTraceServiceRequest request() {
    String messages =
        "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\""
            + PII
            + " "
            + JWT
            + "\"}]}]";
    String output =
        "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Write to "
            + EMAIL
            + "\"}],\"finish_reason\":\"stop\"}]";
    Span root = span("01", "", "llm.prompt", PII, "span.type", "agent");
    Span llm =
        span(
                "02",
                "01",
                "gen_ai.operation.name",
                "chat",
                "gen_ai.request.model",
                "gpt-4o",
                "gen_ai.input.messages",
                messages,
                "gen_ai.output.messages",
                output,
                "gen_ai.prompt.0.role",
                "user",
                "gen_ai.prompt.0.content",
                PII,
                "input.value",
                "{\"q\":\"" + GH + "\"}",
                "llm.input_messages.0.message.content",
                PII)
            .toBuilder()
            .addEvents(
                Span.Event.newBuilder()
                    .setName("gen_ai.user.message")
                    .addAttributes(kv("content", PII))
                    .addAttributes(kv("gen_ai.system", "openai")))
            .addEvents(
                Span.Event.newBuilder()
                    .setName("gen_ai.client.inference.operation.details")
                    .addAttributes(kv("gen_ai.input.messages", messages)))
            .build();
    Span refusal =
        span(
            "03",
            "01",
            "llm.model",
            "gpt-4o",
            "llm.response.status",
            "failed",
            "llm.completion",
            "I can't help with that, " + EMAIL);
    return request("chat", root, llm, refusal);
  }

  static Span span(String id, String parent, String... attributes) {
    Span.Builder b =
        Span.newBuilder()
            .setTraceId(
                ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7}))
            .setSpanId(
                ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) Integer.parseInt(id)}))
            .setName("span " + id);
    if (!parent.isEmpty()) {
      b.setParentSpanId(
          ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) Integer.parseInt(parent)}));
    }
    for (int k = 0; k < attributes.length; k += 2) {
      b.addAttributes(kv(attributes[k], attributes[k + 1]));
    }
    return b.build();
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  static ExportTraceServiceRequest request(String service, Span... spans) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", service)))
                .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(List.of(spans))))
        .build();
  }

  private static SpanBatch batch(Span... spans) {
    return SpanBatch.of(request("chat", spans), null);
  }

  private static List<Span> forwarded(SpanBatch batch) {
    try {
      return spans(ExportTraceServiceRequest.parseFrom(batch.toByteArray()));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<Span> spans(ExportTraceServiceRequest request) {
    List<Span> out = new ArrayList<>();
    request
        .getResourceSpansList()
        .forEach(rs -> rs.getScopeSpansList().forEach(ss -> out.addAll(ss.getSpansList())));
    return out;
  }

  private static Map<String, AnyValue> attributes(Span span) {
    Map<String, AnyValue> out = new LinkedHashMap<>();
    for (KeyValue kv : span.getAttributesList()) {
      out.putIfAbsent(kv.getKey(), kv.getValue());
    }
    return out;
  }
}
