/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import static ai.traccia.proxy.processor.TestSpans.attributes;
import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.processor.TestSpans;
import ai.traccia.proxy.processor.genai.LlmSpan;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuardrailDetectorTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  // --- Categories ---

  @Test
  void categories_areTheConfigurationsList() {
    assertThat(GuardrailDetector.CATEGORIES)
        .containsExactlyInAnyOrderElementsOf(ProxyConfig.GUARDRAIL_CATEGORIES)
        .contains("pii", "prompt_injection", "moderation", "unknown");
    // Every category the detector can infer from free text is one the configuration accepts, so a
    // user can suppress whatever a summary reports missing.
    for (String word :
        List.of("pii", "jailbreak", "toxicity", "tool", "hallucination", "input", "rate", "x")) {
      String category = GenAiGuardrailSignals.category(word);
      assertThat(ProxyConfig.GUARDRAIL_CATEGORIES).as(word).contains(category);
      assertThat(ProxyConfig.builder().setGuardrailSuppressCategories(category).build())
          .isNotNull();
    }
  }

  // --- Tier A ---

  @Test
  void agentsGuardrail_matchesSdkExample() {
    List<GuardrailFinding> found =
        detectOn(
            "53995c3f42cd8ad8",
            true,
            attributes(
                "agent.span.type", "guardrail",
                "agent.guardrail.name", "no_pii",
                "guardrail.name", "no_pii",
                "guardrail.source_sdk", "openai_agents",
                "guardrail.evidence_type", "span_attribute",
                "agent.guardrail.triggered", false,
                "guardrail.triggered", false));

    assertThat(found).hasSize(1);
    assertThat(found.get(0).json)
        .isEqualTo(
            "{\"id\": \"e62e60b4592a9c92\", \"category\": \"unknown\", \"name\": \"no_pii\","
                + " \"source_type\": \"explicit\", \"confidence\": \"high\", \"triggered\": false,"
                + " \"enforcement_mode\": \"unknown\", \"status\": \"not_triggered\","
                + " \"detection_reason\": \"openai_agents_guardrail_span\", \"evidence_ref\":"
                + " {\"trace_id\": \"4bf92f3577b34da6a3ce929d0e0e4736\", \"span_id\":"
                + " \"53995c3f42cd8ad8\", \"integration\": \"openai_agents\", \"attribute_keys\":"
                + " [\"agent.span.type\", \"agent.guardrail.name\", \"agent.guardrail.triggered\"]},"
                + " \"raw_excerpt\": null}");
  }

  @Test
  void agentsGuardrail_readsOnlyAgentTriggeredAndFallsBackOnName() {
    GuardrailFinding f =
        detect(
                "agent.span.type",
                "guardrail",
                "guardrail.triggered",
                true,
                "guardrail.category",
                "pii")
            .get(0);

    assertThat(f.name).isEqualTo("unnamed_guardrail");
    assertThat(f.triggered).isNull();
    assertThat(f.category).isEqualTo("pii");
    assertThat(f.confidence).isEqualTo("high");

    GuardrailFinding truthyString =
        detect("agent.span.type", "guardrail", "agent.guardrail.triggered", "false").get(0);
    assertThat(truthyString.triggered).isTrue();
  }

  @Test
  void manualGuardrail_completeIsHighAndKeepsEnforcement() {
    GuardrailFinding f =
        detect(
                "span.type", "guardrail",
                "guardrail.name", "pii_scrub",
                "guardrail.category", "pii",
                "guardrail.triggered", true,
                "guardrail.enforcement_mode", "warn")
            .get(0);

    assertThat(f.confidence).isEqualTo("high");
    assertThat(f.enforcementMode).isEqualTo("warn");
    assertThat(f.triggered).isTrue();
    assertThat(f.detectionReason).isEqualTo("manual_observe_guardrail_span");
    assertThat(f.json).contains("\"integration\": \"manual_observe\"");
  }

  @Test
  void manualGuardrail_missingFieldsIsMediumAndInvalidValuesAreUnknown() {
    GuardrailFinding f =
        detect(
                "span.type", "guardrail",
                "guardrail.category", "bogus",
                "guardrail.enforcement_mode", "shout")
            .get(0);

    assertThat(f.confidence).isEqualTo("medium");
    assertThat(f.category).isEqualTo("unknown");
    assertThat(f.enforcementMode).isEqualTo("unknown");
    assertThat(f.name).isEqualTo("unnamed_guardrail");
    assertThat(f.status()).isEqualTo("present");
  }

  @Test
  void agentsWinsOverManual() {
    List<GuardrailFinding> found =
        detect("agent.span.type", "guardrail", "span.type", "guardrail", "guardrail.name", "g");

    assertThat(found)
        .extracting(f -> f.detectionReason)
        .containsExactly("openai_agents_guardrail_span");
  }

  // --- Tier B ---

  @Test
  void finishReason_contentFilterVariantsAreHighModeration() {
    GuardrailFinding openai = detect("llm.finish_reason", "content_filter").get(0);
    assertThat(openai.name).isEqualTo("provider_content_filter");
    assertThat(openai.id).isEqualTo("fefd9ae9584e0380");
    assertThat(openai.confidence).isEqualTo("high");
    assertThat(openai.category).isEqualTo("moderation");
    assertThat(openai.triggered).isTrue();
    assertThat(openai.enforcementMode).isEqualTo("block");
    assertThat(openai.json)
        .contains(
            "\"integration\": \"openai\", \"attribute_keys\": [\"llm.finish_reason\"]},"
                + " \"raw_excerpt\": \"content_filter\"}");

    assertThat(detect("llm.finish_reason", "content_filtered", "llm.vendor", "Azure").get(0).json)
        .contains("\"integration\": \"azure_openai\"");
    assertThat(detect("llm.finish_reason", "SAFETY", "llm.vendor", "gemini").get(0).json)
        .contains("\"integration\": \"google\"");
    assertThat(detect("llm.finish_reason", "stop")).isEmpty();
    assertThat(detect("llm.finish_reason", "safety")).isEmpty();
  }

  @Test
  void finishReason_otherDialects() {
    List<KeyValue> otel = new ArrayList<>(attributes("gen_ai.provider.name", "azure.ai.openai"));
    otel.add(
        KeyValue.newBuilder()
            .setKey("gen_ai.response.finish_reasons")
            .setValue(
                AnyValue.newBuilder()
                    .setArrayValue(
                        ArrayValue.newBuilder()
                            .addValues(TestSpans.value("stop"))
                            .addValues(TestSpans.value("content_filter"))))
            .build());
    GuardrailFinding f = detectOn(SPAN, true, otel).get(0);
    assertThat(f.json)
        .contains(
            "\"integration\": \"azure_openai\", \"attribute_keys\":"
                + " [\"gen_ai.response.finish_reasons\"]}, \"raw_excerpt\": \"content_filter\"}");

    GuardrailFinding openLlmetry =
        detect("gen_ai.system", "openai", "gen_ai.completion.0.finish_reason", "content_filter")
            .get(0);
    assertThat(openLlmetry.json).contains("[\"gen_ai.completion.0.finish_reason\"]");
  }

  @Test
  void anthropicStopReason_onlyWithAnthropicVendor() {
    GuardrailFinding f =
        detect("llm.stop_reason", "content_filtered", "llm.vendor", "Claude").get(0);
    assertThat(f.name).isEqualTo("anthropic_content_filter");
    assertThat(f.detectionReason).isEqualTo("llm_stop_reason_content_filter");
    assertThat(f.confidence).isEqualTo("high");

    assertThat(detect("llm.stop_reason", "content_filter", "llm.vendor", "openai")).isEmpty();
    assertThat(detect("llm.stop_reason", "content_filter")).isEmpty();
  }

  @Test
  void anthropicPolicyPhrase_onlyOnLlmLookingSpans() {
    GuardrailFinding f =
        detect(
                "llm.vendor", "anthropic",
                "llm.model", "claude-3-haiku",
                "error.message", "Output blocked by Content Policy")
            .get(0);
    assertThat(f.name).isEqualTo("anthropic_policy_violation");
    assertThat(f.confidence).isEqualTo("medium");
    assertThat(f.json)
        .contains(
            "[\"error.message\", \"llm.vendor\"]}, \"raw_excerpt\": \"output blocked by content"
                + " policy\"}");

    assertThat(detect("llm.vendor", "anthropic", "error.message", "content policy")).isEmpty();
    assertThat(
            detect("llm.vendor", "anthropic", "span.type", "llm", "error.message", "rate limited"))
        .isEmpty();
  }

  @Test
  void safetyRatings_blockedOrHigh() {
    assertThat(
            detect("llm.safety_ratings", "[{\"category\": \"HARM\", \"blocked\": true}]")
                .get(0)
                .name)
        .isEqualTo("google_safety_ratings_blocked");
    assertThat(detect("llm.safety_ratings", "{\"probability\": \"high\"}")).hasSize(1);
    assertThat(detect("llm.safety_ratings", "[{\"probability\": \"LOW\"}]")).isEmpty();
    assertThat(detect("llm.safety_ratings", "[{\"blocked\": \"true\"}]")).isEmpty();
    assertThat(detect("llm.safety_ratings", "{not json")).isEmpty();
  }

  @Test
  void refusal_needsStatusAndPhrase() {
    GuardrailFinding f =
        detect(
                "llm.response.status",
                "Incomplete",
                "llm.completion",
                "Sorry, I can't help with that.")
            .get(0);
    assertThat(f.name).isEqualTo("provider_refusal");
    assertThat(f.json).contains("\"raw_excerpt\": \"Sorry, I can't help with that.\"");

    assertThat(detect("llm.response.status", "incomplete", "llm.completion", "Here you go"))
        .isEmpty();
    assertThat(detect("llm.response.status", "completed", "llm.completion", "I must decline"))
        .isEmpty();
  }

  // --- Tier C ---

  @Test
  void heuristic_toolDenialIsLow() {
    GuardrailFinding f =
        detect(
                "span.type", "tool",
                "error.type", "PermissionError",
                "error.message", "[Errno 13] Permission denied: '/etc/passwd'")
            .get(0);

    assertThat(f.name).isEqualTo("inferred_tool_denial");
    assertThat(f.category).isEqualTo("tool_permission");
    assertThat(f.confidence).isEqualTo("low");
    assertThat(f.json).contains("\"raw_excerpt\": \"[errno 13] permission denied: '/etc/passwd'\"");
    assertThat(
            detect(
                "agent.span.type", "function",
                "error.type", "HTTPError",
                "error.message", "403 Forbidden"))
        .hasSize(1);
    assertThat(
            detect(
                "gen_ai.operation.name", "execute_tool",
                "error.type", "Denied",
                "error.message", "not allowed"))
        .hasSize(1);
  }

  @Test
  void heuristic_exceptionEventOfAnOtelToolSpan() {
    Span span =
        Span.newBuilder()
            .addAllAttributes(attributes("openinference.span.kind", "TOOL"))
            .addEvents(
                Span.Event.newBuilder()
                    .setName("exception")
                    .addAllAttributes(
                        attributes(
                            "exception.type", "PermissionError",
                            "exception.message", "Access DENIED")))
            .build();
    SpanBatch batch =
        SpanBatch.of(
            ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(
                    ResourceSpans.newBuilder()
                        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
                .build(),
            null);

    List<GuardrailFinding> found =
        new GuardrailDetector().detect(batch, 0, LlmSpan.read(batch, 0), TRACE, SPAN, true);

    assertThat(found).hasSize(1);
    assertThat(found.get(0).json)
        .contains(
            "\"attribute_keys\": [\"exception.type\", \"exception.message\"]}, \"raw_excerpt\":"
                + " \"access denied\"}");
  }

  @Test
  void heuristic_excludedTypesOtherErrorsAndNonTools() {
    for (String type :
        new String[] {
          "TimeoutError", "ConnectionError", "OSError", "requests.exceptions.Timeout"
        }) {
      assertThat(
              detect("span.type", "tool", "error.type", type, "error.message", "permission denied"))
          .as(type)
          .isEmpty();
    }
    assertThat(
            detect("span.type", "tool", "error.type", "ValueError", "error.message", "bad value"))
        .isEmpty();
    assertThat(detect("span.type", "llm", "error.type", "X", "error.message", "permission denied"))
        .isEmpty();
  }

  @Test
  void heuristic_disabled() {
    List<GuardrailFinding> found =
        detectOn(
            SPAN,
            false,
            attributes(
                "span.type", "tool", "error.type", "PermissionError", "error.message", "denied"));

    assertThat(found).isEmpty();
  }

  @Test
  void order_aThenBThenC() {
    List<GuardrailFinding> found =
        detect(
            "span.type", "tool",
            "agent.span.type", "guardrail",
            "llm.finish_reason", "content_filter",
            "error.type", "PermissionError",
            "error.message", "denied");

    assertThat(found)
        .extracting(f -> f.sourceType)
        .containsExactly("explicit", "provider_native", "heuristic");
  }

  // --- Capabilities and suppression ---

  @Test
  void capabilities_fromEveryDialect() {
    assertThat(caps("llm.model", "gpt-4o", "llm.prompt", "hi", "llm.completion", "yo"))
        .isEqualTo(
            GuardrailDetector.CALLS_LLM
                | GuardrailDetector.HANDLES_USER_TEXT
                | GuardrailDetector.PRODUCES_USER_TEXT);
    assertThat(caps("gen_ai.request.model", "gpt-4o", "input.value", "hi"))
        .isEqualTo(GuardrailDetector.CALLS_LLM | GuardrailDetector.HANDLES_USER_TEXT);
    assertThat(caps("agent.tool.name", "get_weather"))
        .isEqualTo(GuardrailDetector.USES_TOOLS | GuardrailDetector.HAS_EXTERNAL_ACTIONS);
    assertThat(caps("agent.span.type", "handoff"))
        .isEqualTo(GuardrailDetector.HAS_EXTERNAL_ACTIONS);
    assertThat(caps("llm.model", "")).isZero();
  }

  @Test
  void suppressed_commaListOrArray() {
    SpanBatch batch =
        TestSpans.batch(attributes("traccia.guardrail.suppress_missing", " pii, moderation ,,"));
    assertThat(GuardrailDetector.suppressed(batch, 0)).containsExactly("pii", "moderation");

    KeyValue array =
        KeyValue.newBuilder()
            .setKey("traccia.guardrail.suppress_missing")
            .setValue(
                AnyValue.newBuilder()
                    .setArrayValue(
                        ArrayValue.newBuilder().addValues(TestSpans.value("tool_permission"))))
            .build();
    assertThat(GuardrailDetector.suppressed(TestSpans.batch(List.of(array)), 0))
        .containsExactly("tool_permission");
  }

  // openlit 1.34 (instrumentation/openai/utils.py, build_output_messages): a content-filtered
  // answer has no text part: [{"role": "assistant", "parts": [], "finish_reason": ...}].
  @Test
  void capabilities_openlitContentFilteredEmptyParts_producesNoUserText() {
    int caps =
        caps(
            "telemetry.sdk.name", "openlit",
            "gen_ai.operation.name", "chat",
            "gen_ai.provider.name", "openai",
            "gen_ai.request.model", "gpt-4o",
            "gen_ai.input.messages",
                "[{\"role\": \"user\", \"parts\": [{\"type\": \"text\", \"content\": \"hi\"}]}]",
            "gen_ai.output.messages",
                "[{\"role\": \"assistant\", \"parts\": [], \"finish_reason\": \"content_filter\"}]",
            "gen_ai.response.finish_reasons", "content_filter");

    assertThat(caps & GuardrailDetector.PRODUCES_USER_TEXT).isZero();
    assertThat(caps & GuardrailDetector.HANDLES_USER_TEXT).isNotZero();
  }

  // OpenLLMetry opentelemetry-instrumentation-openai 0.53 (_set_completions): role and
  // finish_reason are set, content is skipped when null.
  @Test
  void capabilities_openLlmetryContentFilteredNoContent_producesNoUserText() {
    int caps =
        caps(
            "gen_ai.system", "openai",
            "llm.request.type", "chat",
            "gen_ai.request.model", "gpt-4o",
            "gen_ai.prompt.0.role", "user",
            "gen_ai.prompt.0.content", "hi",
            "gen_ai.completion.0.role", "assistant",
            "gen_ai.completion.0.finish_reason", "content_filter");

    assertThat(caps & GuardrailDetector.PRODUCES_USER_TEXT).isZero();
  }

  // openinference-instrumentation-openai 0.1 (_response_attributes_extractor.py): the message role
  // is recorded, the null content is not; output.value is the response JSON with content null.
  @Test
  void capabilities_openInferenceContentFilteredNullContent_producesNoUserText() {
    int caps =
        caps(
            "openinference.span.kind", "LLM",
            "llm.provider", "openai",
            "llm.system", "openai",
            "llm.model_name", "gpt-4o",
            "llm.output_messages.0.message.role", "assistant",
            "output.value",
                "{\"id\": \"chatcmpl-1\", \"choices\": [{\"finish_reason\": \"content_filter\","
                    + " \"index\": 0, \"message\": {\"content\": null, \"role\": \"assistant\"}}],"
                    + " \"model\": \"gpt-4o\", \"object\": \"chat.completion\"}",
            "output.mime_type", "application/json");

    assertThat(caps & GuardrailDetector.PRODUCES_USER_TEXT).isZero();
  }

  @Test
  void capabilities_answerWithText_producesUserText() {
    assertThat(
            caps(
                    "gen_ai.request.model",
                    "gpt-4o",
                    "gen_ai.output.messages",
                    "[{\"role\": \"assistant\", \"parts\": [{\"type\": \"text\", \"content\":"
                        + " \"Paris\"}]}]")
                & GuardrailDetector.PRODUCES_USER_TEXT)
        .isNotZero();
    assertThat(
            caps("output.value", "Paris", "llm.model_name", "m")
                & GuardrailDetector.PRODUCES_USER_TEXT)
        .isNotZero();
  }

  @Test
  void head_cutsAt200CodePoints() {
    String s = "\ud83d\ude00".repeat(250);

    assertThat(GuardrailDetector.head(s).codePointCount(0, GuardrailDetector.head(s).length()))
        .isEqualTo(200);
  }

  private static int caps(Object... kv) {
    SpanBatch batch = TestSpans.batch(attributes(kv));
    return GuardrailDetector.capabilities(batch, 0, LlmSpan.read(batch, 0));
  }

  private static List<GuardrailFinding> detect(Object... kv) {
    return detectOn(SPAN, true, attributes(kv));
  }

  private static List<GuardrailFinding> detectOn(
      String spanId, boolean heuristics, List<KeyValue> attributes) {
    SpanBatch batch = TestSpans.batch(attributes);
    return new GuardrailDetector()
        .detect(batch, 0, LlmSpan.read(batch, 0), TRACE, spanId, heuristics);
  }
}
