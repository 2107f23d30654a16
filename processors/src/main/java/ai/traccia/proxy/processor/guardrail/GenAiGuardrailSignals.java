/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import ai.traccia.proxy.pipeline.SpanBatch;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Tier-A (explicit) guardrail signals in the OpenTelemetry GenAI conventions of 2026: a span whose
 * {@code gen_ai.operation.name} is {@code apply_guardrail}, and a {@code gen_ai.guardrail.result}
 * span event. Both say outright that a guardrail ran, so they are findings of high confidence.
 *
 * <p>The conventions were still moving when this was written, and instrumentations use several
 * names; each fact is read from the first of these that is present:
 *
 * <ul>
 *   <li>name: {@code gen_ai.guardrail.name}, {@code gen_ai.guardrail.component.name}, {@code
 *       gen_ai.guardrail.id}, else the span's name;
 *   <li>verdict: {@code gen_ai.guardrail.verdict.type}, {@code gen_ai.guardrail.decision.type},
 *       {@code gen_ai.guardrail.decision}, {@code gen_ai.guardrail.result}, {@code
 *       gen_ai.guardrail.triggered} (boolean). Deny, block, modify, redact, warn, flag and fail are
 *       triggered; allow, pass and none are not; anything else leaves it unknown;
 *   <li>category: {@code gen_ai.guardrail.category}, {@code
 *       gen_ai.guardrail.security.risk.category} or {@code gen_ai.guardrail.target.type}: a
 *       guardrail category as is, or one inferred from words such as pii, injection, jailbreak,
 *       toxicity or moderation, else {@code unknown};
 *   <li>enforcement: {@code gen_ai.guardrail.action.type} (block, warn, log).
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class GenAiGuardrailSignals {

  static final String APPLY_GUARDRAIL = "apply_guardrail";
  static final String RESULT_EVENT = "gen_ai.guardrail.result";

  private static final List<String> NAME_KEYS =
      List.of("gen_ai.guardrail.name", "gen_ai.guardrail.component.name", "gen_ai.guardrail.id");
  private static final List<String> VERDICT_KEYS =
      List.of(
          "gen_ai.guardrail.verdict.type",
          "gen_ai.guardrail.decision.type",
          "gen_ai.guardrail.decision",
          "gen_ai.guardrail.result",
          "gen_ai.guardrail.triggered");
  private static final List<String> CATEGORY_KEYS =
      List.of(
          "gen_ai.guardrail.category",
          "gen_ai.guardrail.security.risk.category",
          "gen_ai.guardrail.target.type");
  private static final String ACTION = "gen_ai.guardrail.action.type";

  private static final Set<String> TRIGGERED =
      Set.of(
          "deny",
          "denied",
          "block",
          "blocked",
          "modify",
          "modified",
          "redact",
          "redacted",
          "warn",
          "flag",
          "flagged",
          "fail",
          "failed",
          "triggered",
          "intervened",
          "reject",
          "rejected");
  private static final Set<String> NOT_TRIGGERED =
      Set.of("allow", "allowed", "pass", "passed", "none", "ok", "not_triggered", "approve");

  private GenAiGuardrailSignals() {}

  /** Adds the findings of an {@code apply_guardrail} span and of its result events. */
  static void detect(
      SpanBatch batch, int i, String traceId, String spanId, List<GuardrailFinding> out) {
    AnyValue operation = batch.attribute(i, "gen_ai.operation.name");
    if (operation != null && APPLY_GUARDRAIL.equals(operation.getStringValue())) {
      out.add(
          finding(
              key -> batch.attribute(i, key),
              batch.span(i).getName(),
              traceId,
              spanId,
              "gen_ai_apply_guardrail_span",
              "gen_ai.operation.name"));
    }
    if (batch.eventCount(i) == 0) {
      return;
    }
    for (Span.Event event : batch.events(i)) {
      if (event.getName().equals(RESULT_EVENT)) {
        out.add(
            finding(
                key -> eventAttribute(event, key),
                RESULT_EVENT,
                traceId,
                spanId,
                "gen_ai_guardrail_result_event",
                RESULT_EVENT));
      }
    }
  }

  private static GuardrailFinding finding(
      Function<String, AnyValue> attributes,
      String fallbackName,
      String traceId,
      String spanId,
      String reason,
      String marker) {
    String name = first(attributes, NAME_KEYS);
    AnyValue verdict = null;
    String verdictKey = null;
    for (String key : VERDICT_KEYS) {
      verdict = GuardrailDetector.present(attributes.apply(key));
      if (verdict != null) {
        verdictKey = key;
        break;
      }
    }
    Boolean triggered = triggered(verdict);
    String category = category(first(attributes, CATEGORY_KEYS));
    String action = GuardrailDetector.pyStr(attributes.apply(ACTION)).toLowerCase(Locale.ROOT);
    String mode =
        action.startsWith("block")
            ? "block"
            : action.startsWith("warn")
                ? "warn"
                : action.startsWith("log") ? "log_only" : "unknown";
    return new GuardrailFinding(
        traceId,
        spanId,
        category,
        name != null ? name : fallbackName.isEmpty() ? "unnamed_guardrail" : fallbackName,
        GuardrailFinding.EXPLICIT,
        GuardrailFinding.HIGH,
        triggered,
        mode,
        reason,
        "otel_genai",
        verdictKey == null ? List.of(marker) : List.of(marker, verdictKey),
        null);
  }

  private static Boolean triggered(AnyValue verdict) {
    if (verdict == null) {
      return null;
    }
    if (verdict.hasBoolValue()) {
      return verdict.getBoolValue();
    }
    String v = GuardrailDetector.pyStr(verdict).trim().toLowerCase(Locale.ROOT);
    if (TRIGGERED.contains(v)) {
      return Boolean.TRUE;
    }
    return NOT_TRIGGERED.contains(v) ? Boolean.FALSE : null;
  }

  /** A guardrail category: the value itself, or one inferred from its words; else unknown. */
  static String category(String value) {
    if (value == null) {
      return "unknown";
    }
    String v = value.toLowerCase(Locale.ROOT);
    if (GuardrailDetector.CATEGORIES.contains(v)) {
      return v;
    }
    if (v.contains("pii") || v.contains("personal") || v.contains("sensitive")) {
      return "pii";
    }
    if (v.contains("injection") || v.contains("jailbreak")) {
      return "prompt_injection";
    }
    if (v.contains("toxic")
        || v.contains("moderation")
        || v.contains("hate")
        || v.contains("violence")
        || v.contains("harm")
        || v.contains("content")) {
      return "moderation";
    }
    if (v.contains("tool")) {
      return "tool_permission";
    }
    if (v.contains("output") || v.contains("hallucination") || v.contains("grounded")) {
      return "output_validation";
    }
    if (v.contains("input")) {
      return "input_validation";
    }
    return "unknown";
  }

  private static String first(Function<String, AnyValue> attributes, List<String> keys) {
    for (String key : keys) {
      AnyValue v = attributes.apply(key);
      if (GuardrailDetector.truthy(v)) {
        return GuardrailDetector.pyStr(v);
      }
    }
    return null;
  }

  private static AnyValue eventAttribute(Span.Event event, String key) {
    for (KeyValue kv : event.getAttributesList()) {
      if (kv.getKey().equals(key)) {
        return kv.getValue();
      }
    }
    return null;
  }
}
