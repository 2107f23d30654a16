/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.processor.genai.LlmSpan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Finds the guardrail signals of one span (tiers A, B and C) and the capabilities it shows.
 *
 * <p>The Traccia SDK's keys are read exactly as the SDK reads them, with Python's truthiness and
 * {@code str()}. Other dialects add signals where they carry the same fact: a finish reason from
 * {@code gen_ai.response.finish_reasons} (OpenTelemetry GenAI) or {@code
 * gen_ai.completion.N.finish_reason} (OpenLLMetry), the provider from {@code gen_ai.provider.name}
 * and its kin when {@code llm.vendor} is absent, a model, prompt or completion in any dialect, and
 * a tool span marked by {@code gen_ai.operation.name=execute_tool}, {@code
 * openinference.span.kind=TOOL} or {@code traceloop.span.kind=tool}, and a tool's error recorded as
 * an OpenTelemetry {@code exception} span event when {@code error.type} is absent.
 *
 * <p>Immutable and thread-safe.
 */
final class GuardrailDetector {

  // The list lives with the configuration, which validates guardrails.suppress_categories against
  // it and cannot depend on this module; one list, so the two cannot drift apart.
  static final Set<String> CATEGORIES = Set.copyOf(ProxyConfig.GUARDRAIL_CATEGORIES);

  private static final Set<String> ENFORCEMENT_MODES =
      Set.of("block", "warn", "log_only", "unknown");

  private static final Set<String> CONTENT_FILTER_FINISH =
      Set.of("content_filter", "content_filtered", "SAFETY");

  private static final Set<String> ANTHROPIC_FILTER_STOP =
      Set.of("content_filtered", "content_filter");

  private static final List<String> POLICY_PHRASES =
      List.of("content policy", "violates anthropic's usage policy", "usage policy violation");

  private static final List<String> REFUSAL_PHRASES =
      List.of(
          "i can't help with",
          "i cannot help with",
          "i'm not able to",
          "i am not able to",
          "i can't assist",
          "i cannot assist",
          "i'm unable to",
          "against my guidelines",
          "violates my usage policies",
          "content policy",
          "i must decline");

  private static final List<String> DENIAL_KEYWORDS =
      List.of("permission", "denied", "unauthorized", "forbidden", "not allowed");

  private static final Set<String> NOT_A_DENIAL =
      Set.of(
          "TimeoutError",
          "asyncio.TimeoutError",
          "ConnectionError",
          "ConnectionRefusedError",
          "ConnectionResetError",
          "OSError",
          "socket.timeout",
          "requests.exceptions.Timeout",
          "requests.exceptions.ConnectionError",
          "httpx.TimeoutException",
          "httpx.ConnectError");

  static final int CALLS_LLM = 1;
  static final int HANDLES_USER_TEXT = 1 << 1;
  static final int PRODUCES_USER_TEXT = 1 << 2;
  static final int USES_TOOLS = 1 << 3;
  static final int HAS_EXTERNAL_ACTIONS = 1 << 4;

  /** Capability names in output order; index k names bit {@code 1 << k}. */
  static final List<String> CAPABILITY_NAMES =
      List.of(
          "calls_llm",
          "handles_user_text",
          "produces_user_text",
          "uses_tools",
          "has_external_actions");

  private static final String FINISH_REASONS = "gen_ai.response.finish_reasons";
  private static final String OPENLLMETRY_COMPLETION = "gen_ai.completion.";
  private static final String OPENLLMETRY_FINISH = ".finish_reason";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The findings of span {@code i}, tier A, then B, then C; an empty list when none. */
  List<GuardrailFinding> detect(
      SpanBatch batch, int i, LlmSpan llm, String traceId, String spanId, boolean heuristics) {
    List<GuardrailFinding> out = new ArrayList<>(0);
    explicit(batch, i, traceId, spanId, out);
    GenAiGuardrailSignals.detect(batch, i, traceId, spanId, out);
    providerNative(batch, i, llm, traceId, spanId, out);
    if (heuristics) {
      heuristic(batch, i, traceId, spanId, out);
    }
    return out;
  }

  // --- Tier A ---------------------------------------------------------------------------------

  private static void explicit(
      SpanBatch batch, int i, String traceId, String spanId, List<GuardrailFinding> out) {
    boolean agents = "guardrail".equals(string(batch.attribute(i, "agent.span.type")));
    AnyValue category = present(batch.attribute(i, "guardrail.category"));
    String resolvedCategory = category(category);
    if (agents) {
      String name =
          firstTruthy(
              batch.attribute(i, "agent.guardrail.name"), batch.attribute(i, "guardrail.name"));
      AnyValue triggered = present(batch.attribute(i, "agent.guardrail.triggered"));
      out.add(
          new GuardrailFinding(
              traceId,
              spanId,
              resolvedCategory,
              name,
              GuardrailFinding.EXPLICIT,
              GuardrailFinding.HIGH,
              triggered == null ? null : truthy(triggered),
              "unknown",
              "openai_agents_guardrail_span",
              "openai_agents",
              List.of("agent.span.type", "agent.guardrail.name", "agent.guardrail.triggered"),
              null));
    } else if ("guardrail".equals(string(batch.attribute(i, "span.type")))) {
      AnyValue nameValue = present(batch.attribute(i, "guardrail.name"));
      AnyValue triggered = present(batch.attribute(i, "guardrail.triggered"));
      String mode = string(batch.attribute(i, "guardrail.enforcement_mode"));
      boolean complete = nameValue != null && category != null && triggered != null;
      out.add(
          new GuardrailFinding(
              traceId,
              spanId,
              resolvedCategory,
              firstTruthy(nameValue),
              GuardrailFinding.EXPLICIT,
              complete ? GuardrailFinding.HIGH : GuardrailFinding.MEDIUM,
              triggered == null ? null : truthy(triggered),
              mode != null && ENFORCEMENT_MODES.contains(mode) ? mode : "unknown",
              "manual_observe_guardrail_span",
              "manual_observe",
              List.of("span.type", "guardrail.name", "guardrail.category"),
              null));
    }
  }

  private static String category(AnyValue value) {
    String s = string(value);
    return s != null && CATEGORIES.contains(s) ? s : "unknown";
  }

  // --- Tier B ---------------------------------------------------------------------------------

  private static void providerNative(
      SpanBatch batch,
      int i,
      LlmSpan llm,
      String traceId,
      String spanId,
      List<GuardrailFinding> out) {
    String vendor = vendor(batch, i, llm);
    boolean anthropic = "anthropic".equals(vendor) || "claude".equals(vendor);

    String[] finish = contentFilterFinish(batch, i);
    if (finish != null) {
      String integration;
      if ("azure".equals(vendor) || vendor.startsWith("azure.")) {
        integration = "azure_openai";
      } else if ("google".equals(vendor) || "gemini".equals(vendor) || vendor.startsWith("gcp.")) {
        integration = "google";
      } else {
        integration = "openai";
      }
      out.add(
          moderation(
              traceId,
              spanId,
              "provider_content_filter",
              GuardrailFinding.HIGH,
              "llm_finish_reason_content_filter",
              integration,
              List.of(finish[0]),
              finish[1]));
    }

    String stop = pyStr(batch.attribute(i, "llm.stop_reason"));
    if (anthropic && ANTHROPIC_FILTER_STOP.contains(stop)) {
      out.add(
          moderation(
              traceId,
              spanId,
              "anthropic_content_filter",
              GuardrailFinding.HIGH,
              "llm_stop_reason_content_filter",
              "anthropic",
              List.of("llm.stop_reason"),
              stop));
    }

    String message = lower(batch.attribute(i, "error.message"));
    if (anthropic
        && !message.isEmpty()
        && containsAny(message, POLICY_PHRASES)
        && looksLikeLlm(batch, i, llm)) {
      out.add(
          moderation(
              traceId,
              spanId,
              "anthropic_policy_violation",
              GuardrailFinding.MEDIUM,
              "anthropic_error_message_policy_phrase",
              "anthropic",
              List.of("error.message", "llm.vendor"),
              head(message)));
    }

    String ratings = string(batch.attribute(i, "llm.safety_ratings"));
    if (ratings != null && safetyBlocked(ratings)) {
      out.add(
          moderation(
              traceId,
              spanId,
              "google_safety_ratings_blocked",
              GuardrailFinding.MEDIUM,
              "llm_safety_ratings_high_or_blocked",
              "google_langchain",
              List.of("llm.safety_ratings"),
              head(ratings)));
    }

    String status = lower(batch.attribute(i, "llm.response.status"));
    if (status.equals("incomplete") || status.equals("failed")) {
      String completion = pyStr(batch.attribute(i, "llm.completion"));
      if (containsAny(completion.toLowerCase(Locale.ROOT), REFUSAL_PHRASES)) {
        out.add(
            moderation(
                traceId,
                spanId,
                "provider_refusal",
                GuardrailFinding.MEDIUM,
                "llm_response_status_with_refusal_text",
                "openai",
                List.of("llm.response.status", "llm.completion"),
                head(completion)));
      }
    }
  }

  private static GuardrailFinding moderation(
      String traceId,
      String spanId,
      String name,
      String confidence,
      String reason,
      String integration,
      List<String> keys,
      String excerpt) {
    return new GuardrailFinding(
        traceId,
        spanId,
        "moderation",
        name,
        GuardrailFinding.PROVIDER_NATIVE,
        confidence,
        Boolean.TRUE,
        "block",
        reason,
        integration,
        keys,
        excerpt);
  }

  /** The lower-cased {@code llm.vendor}, else the provider in another dialect, else "". */
  private static String vendor(SpanBatch batch, int i, LlmSpan llm) {
    AnyValue vendor = present(batch.attribute(i, "llm.vendor"));
    if (vendor != null) {
      return pyStr(vendor).toLowerCase(Locale.ROOT);
    }
    String provider = llm.provider();
    return provider == null ? "" : provider;
  }

  /**
   * The key and value of a content-filter finish reason: {@code llm.finish_reason}, then each value
   * of {@code gen_ai.response.finish_reasons}, then OpenLLMetry's per-choice keys; null if none.
   */
  private static String[] contentFilterFinish(SpanBatch batch, int i) {
    String traccia = pyStr(batch.attribute(i, "llm.finish_reason"));
    if (CONTENT_FILTER_FINISH.contains(traccia)) {
      return new String[] {"llm.finish_reason", traccia};
    }
    AnyValue reasons = batch.attribute(i, FINISH_REASONS);
    if (reasons != null) {
      if (reasons.hasArrayValue()) {
        for (AnyValue v : reasons.getArrayValue().getValuesList()) {
          if (v.hasStringValue() && CONTENT_FILTER_FINISH.contains(v.getStringValue())) {
            return new String[] {FINISH_REASONS, v.getStringValue()};
          }
        }
      } else if (reasons.hasStringValue()
          && CONTENT_FILTER_FINISH.contains(reasons.getStringValue())) {
        return new String[] {FINISH_REASONS, reasons.getStringValue()};
      }
    }
    for (int k = 0, n = batch.attributeCount(i); k < n; k++) {
      // Keys ruled out by length and first and last byte are not decoded: most are not these.
      int length = batch.attributeKeyLength(i, k);
      if (length < OPENLLMETRY_COMPLETION.length()
          || batch.attributeKeyByte(i, k, 0) != OPENLLMETRY_COMPLETION.charAt(0)
          || batch.attributeKeyByte(i, k, length - 1)
              != OPENLLMETRY_FINISH.charAt(OPENLLMETRY_FINISH.length() - 1)) {
        continue;
      }
      String key = batch.attributeKey(i, k);
      if (key.startsWith(OPENLLMETRY_COMPLETION) && key.endsWith(OPENLLMETRY_FINISH)) {
        AnyValue value = batch.attributeValue(i, k);
        if (value.hasStringValue() && CONTENT_FILTER_FINISH.contains(value.getStringValue())) {
          return new String[] {key, value.getStringValue()};
        }
      }
    }
    return null;
  }

  private static boolean looksLikeLlm(SpanBatch batch, int i, LlmSpan llm) {
    if ("llm".equals(string(batch.attribute(i, "span.type")))) {
      return true;
    }
    for (String key :
        new String[] {
          "llm.model", "llm.prompt", "llm.completion", "llm.finish_reason", "llm.stop_reason"
        }) {
      if (present(batch.attribute(i, key)) != null) {
        return true;
      }
    }
    return llm.model() != null || llm.hasPrompt() || llm.hasCompletion();
  }

  /** Whether a safety-ratings JSON holds an entry that is blocked or of HIGH probability. */
  static boolean safetyBlocked(String raw) {
    JsonNode parsed;
    try {
      parsed = JSON.readTree(raw);
    } catch (IOException | RuntimeException e) {
      return false;
    }
    if (parsed == null) {
      return false;
    }
    List<JsonNode> entries = new ArrayList<>();
    if (parsed.isObject()) {
      entries.add(parsed);
    } else if (parsed.isArray()) {
      parsed.forEach(entries::add);
    }
    for (JsonNode entry : entries) {
      if (!entry.isObject()) {
        continue;
      }
      JsonNode blocked = entry.get("blocked");
      if (blocked != null && blocked.isBoolean() && blocked.booleanValue()) {
        return true;
      }
      JsonNode probability = entry.get("probability");
      if (probability != null
          && probability.isTextual()
          && probability.textValue().toUpperCase(Locale.ROOT).equals("HIGH")) {
        return true;
      }
    }
    return false;
  }

  // --- Tier C ---------------------------------------------------------------------------------

  private static void heuristic(
      SpanBatch batch, int i, String traceId, String spanId, List<GuardrailFinding> out) {
    if (!isTool(batch, i)) {
      return;
    }
    String errorType = pyStr(batch.attribute(i, "error.type"));
    String message = lower(batch.attribute(i, "error.message"));
    List<String> keys = List.of("error.type", "error.message");
    if (errorType.isEmpty()) {
      // OpenTelemetry instrumentation records a tool's exception as a span event instead.
      for (Span.Event event : batch.span(i).getEventsList()) {
        if (event.getName().equals("exception")) {
          errorType = pyStr(eventAttribute(event, "exception.type"));
          message = pyStr(eventAttribute(event, "exception.message")).toLowerCase(Locale.ROOT);
          keys = List.of("exception.type", "exception.message");
          break;
        }
      }
    }
    if (errorType.isEmpty() || NOT_A_DENIAL.contains(errorType)) {
      return;
    }
    if (!containsAny(message, DENIAL_KEYWORDS)) {
      return;
    }
    out.add(
        new GuardrailFinding(
            traceId,
            spanId,
            "tool_permission",
            "inferred_tool_denial",
            GuardrailFinding.HEURISTIC,
            GuardrailFinding.LOW,
            Boolean.TRUE,
            "unknown",
            "tool_span_error_with_denial_keywords",
            "heuristic",
            keys,
            head(message)));
  }

  private static AnyValue eventAttribute(Span.Event event, String key) {
    for (KeyValue kv : event.getAttributesList()) {
      if (kv.getKey().equals(key)) {
        return kv.getValue();
      }
    }
    return null;
  }

  /** {@code span.type}, or {@code agent.span.type} when that is falsy; null when both are. */
  private static String traceciaType(SpanBatch batch, int i) {
    AnyValue type = batch.attribute(i, "span.type");
    if (!truthy(type)) {
      type = batch.attribute(i, "agent.span.type");
    }
    return truthy(type) ? pyStr(type) : null;
  }

  private static boolean isTool(SpanBatch batch, int i) {
    String type = traceciaType(batch, i);
    if ("tool".equals(type) || "function".equals(type)) {
      return true;
    }
    return "execute_tool".equals(string(batch.attribute(i, "gen_ai.operation.name")))
        || "TOOL".equalsIgnoreCase(nonNull(string(batch.attribute(i, "openinference.span.kind"))))
        || "tool".equalsIgnoreCase(nonNull(string(batch.attribute(i, "traceloop.span.kind"))));
  }

  // --- Capabilities ---------------------------------------------------------------------------

  /** The capability bits span {@code i} shows. */
  static int capabilities(SpanBatch batch, int i, LlmSpan llm) {
    int caps = 0;
    if (truthy(batch.attribute(i, "llm.model")) || llm.model() != null) {
      caps |= CALLS_LLM;
    }
    if (truthy(batch.attribute(i, "llm.prompt")) || llm.hasPrompt()) {
      caps |= HANDLES_USER_TEXT;
    }
    // The SDK's test is bool(llm.completion): a content-filtered answer with no text (empty parts,
    // null content) produced nothing a user sees.
    if (truthy(batch.attribute(i, "llm.completion")) || llm.hasCompletionText()) {
      caps |= PRODUCES_USER_TEXT;
    }
    if (isTool(batch, i) || truthy(batch.attribute(i, "agent.tool.name"))) {
      caps |= USES_TOOLS | HAS_EXTERNAL_ACTIONS;
    } else if ("handoff".equals(traceciaType(batch, i))) {
      caps |= HAS_EXTERNAL_ACTIONS;
    }
    return caps;
  }

  /** The categories of {@code traccia.guardrail.suppress_missing} on span {@code i}. */
  static List<String> suppressed(SpanBatch batch, int i) {
    AnyValue value = present(batch.attribute(i, "traccia.guardrail.suppress_missing"));
    if (value == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (value.hasArrayValue()) {
      for (AnyValue v : value.getArrayValue().getValuesList()) {
        out.add(pyStr(v));
      }
      return out;
    }
    for (String part : pyStr(value).split(",", -1)) {
      String trimmed = part.trim();
      if (!trimmed.isEmpty()) {
        out.add(trimmed);
      }
    }
    return out;
  }

  // --- Python semantics -----------------------------------------------------------------------

  /** {@code value}, or null when it is absent or holds no value (Python's None). */
  static AnyValue present(AnyValue value) {
    return value == null || value.getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET ? null : value;
  }

  /** Python's {@code bool(value)}; absent is false. */
  static boolean truthy(AnyValue value) {
    if (value == null) {
      return false;
    }
    switch (value.getValueCase()) {
      case STRING_VALUE:
        return !value.getStringValue().isEmpty();
      case BOOL_VALUE:
        return value.getBoolValue();
      case INT_VALUE:
        return value.getIntValue() != 0;
      case DOUBLE_VALUE:
        return value.getDoubleValue() != 0;
      case ARRAY_VALUE:
        return value.getArrayValue().getValuesCount() > 0;
      case KVLIST_VALUE:
        return value.getKvlistValue().getValuesCount() > 0;
      case BYTES_VALUE:
        return !value.getBytesValue().isEmpty();
      default:
        return false;
    }
  }

  /** Python's {@code str(value)} for scalars; "" when absent. */
  static String pyStr(AnyValue value) {
    if (present(value) == null) {
      return "";
    }
    switch (value.getValueCase()) {
      case STRING_VALUE:
        return value.getStringValue();
      case BOOL_VALUE:
        return value.getBoolValue() ? "True" : "False";
      case INT_VALUE:
        return Long.toString(value.getIntValue());
      case DOUBLE_VALUE:
        return Double.toString(value.getDoubleValue());
      case ARRAY_VALUE:
        StringBuilder out = new StringBuilder("[");
        for (AnyValue v : value.getArrayValue().getValuesList()) {
          if (out.length() > 1) {
            out.append(", ");
          }
          out.append(v.hasStringValue() ? "'" + v.getStringValue() + "'" : pyStr(v));
        }
        return out.append(']').toString();
      default:
        return value.toString();
    }
  }

  private static String firstTruthy(AnyValue... values) {
    for (AnyValue v : values) {
      if (truthy(v)) {
        return pyStr(v);
      }
    }
    return "unnamed_guardrail";
  }

  private static String string(AnyValue value) {
    return value != null && value.hasStringValue() ? value.getStringValue() : null;
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }

  private static String lower(AnyValue value) {
    return pyStr(value).toLowerCase(Locale.ROOT);
  }

  private static boolean containsAny(String text, List<String> needles) {
    for (String needle : needles) {
      if (text.contains(needle)) {
        return true;
      }
    }
    return false;
  }

  /** The first 200 characters (code points, as Python slices). */
  static String head(String s) {
    if (s.codePointCount(0, s.length()) <= 200) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, 200));
  }
}
