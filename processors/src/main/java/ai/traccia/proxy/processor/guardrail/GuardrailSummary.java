/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The evaluation of a whole trace's findings against what its capabilities call for: the SDK's
 * {@code GuardrailSummary}, and the attributes it writes on the trace's root ({@link #write}).
 * Immutable.
 */
record GuardrailSummary(
    List<String> detectedCategories,
    List<String> triggeredCategories,
    List<String> missingCategories,
    int missingCount,
    String coverageConfidence,
    String json) {

  private static final String LLM_WHY =
      "Agent makes LLM calls with prompt data (may be user-provided)";
  private static final String OUTPUT_WHY = "Agent produces text output visible to users";
  private static final String TOOLS_WHY = "Agent uses tool/function calls";

  /**
   * Evaluates a trace.
   *
   * @param findings every finding of the trace in arrival order, duplicates included
   * @param capabilities the capability bits of {@link GuardrailDetector}
   * @param suppressed categories never reported as missing
   * @param heuristics whether heuristic findings count
   */
  static GuardrailSummary evaluate(
      List<GuardrailFinding> findings,
      int capabilities,
      Collection<String> suppressed,
      boolean heuristics) {
    Map<String, GuardrailFinding> byId = new LinkedHashMap<>();
    for (GuardrailFinding f : findings) {
      if (!heuristics && f.sourceType.equals(GuardrailFinding.HEURISTIC)) {
        continue;
      }
      GuardrailFinding kept = byId.get(f.id);
      if (kept == null
          || GuardrailFinding.rank(f.confidence) > GuardrailFinding.rank(kept.confidence)) {
        byId.put(f.id, f);
      }
    }
    Set<String> detected = new TreeSet<>();
    Set<String> triggered = new TreeSet<>();
    Set<String> covered = new TreeSet<>();
    int high = 0;
    boolean heuristicSeen = false;
    for (GuardrailFinding f : byId.values()) {
      detected.add(f.category);
      if (Boolean.TRUE.equals(f.triggered)) {
        triggered.add(f.category);
      }
      if (!f.confidence.equals(GuardrailFinding.LOW)) {
        covered.add(f.category);
      }
      if (f.confidence.equals(GuardrailFinding.HIGH)) {
        high++;
      }
      if (f.sourceType.equals(GuardrailFinding.HEURISTIC)) {
        heuristicSeen = true;
      }
    }

    StringBuilder missing = new StringBuilder();
    List<String> missingCategories = new ArrayList<>(5);
    int missingCount = 0;
    boolean callsLlm = (capabilities & GuardrailDetector.CALLS_LLM) != 0;
    boolean usesTools = (capabilities & GuardrailDetector.USES_TOOLS) != 0;
    if (callsLlm && (capabilities & GuardrailDetector.HANDLES_USER_TEXT) != 0) {
      List<String> keys = List.of("calls_llm", "handles_user_text");
      for (String category : new String[] {"input_validation", "prompt_injection"}) {
        missingCount +=
            missing(
                missing,
                missingCount,
                category,
                LLM_WHY,
                "medium",
                keys,
                covered,
                suppressed,
                missingCategories);
      }
    }
    if ((capabilities & GuardrailDetector.PRODUCES_USER_TEXT) != 0) {
      List<String> keys = List.of("produces_user_text");
      for (String category : new String[] {"output_validation", "moderation"}) {
        missingCount +=
            missing(
                missing,
                missingCount,
                category,
                OUTPUT_WHY,
                "medium",
                keys,
                covered,
                suppressed,
                missingCategories);
      }
    }
    if (usesTools) {
      missingCount +=
          missing(
              missing,
              missingCount,
              "tool_permission",
              TOOLS_WHY,
              "high",
              List.of("uses_tools"),
              covered,
              suppressed,
              missingCategories);
    }

    String coverage;
    if (byId.isEmpty()) {
      coverage = GuardrailFinding.LOW;
    } else if (high == byId.size()) {
      coverage = GuardrailFinding.HIGH;
    } else if (high > 0) {
      coverage = GuardrailFinding.MEDIUM;
    } else {
      coverage = GuardrailFinding.LOW;
    }

    List<String> capabilityNames = new ArrayList<>(5);
    for (int k = 0; k < GuardrailDetector.CAPABILITY_NAMES.size(); k++) {
      if ((capabilities & (1 << k)) != 0) {
        capabilityNames.add(GuardrailDetector.CAPABILITY_NAMES.get(k));
      }
    }
    List<String> limitations = new ArrayList<>(4);
    if (!callsLlm && !usesTools) {
      limitations.add("No LLM or tool spans observed; capability inference may be incomplete.");
    }
    if (byId.isEmpty()) {
      limitations.add(
          "No guardrail signals detected in trace; agent may have out-of-band guardrails not"
              + " visible to tracing.");
    }
    if (heuristicSeen) {
      limitations.add("Some findings are heuristic-only (low confidence); verify independently.");
    }
    if (missingCount > 0) {
      limitations.add(
          missingCount
              + (missingCount == 1
                  ? " expected guardrail category not detected in trace."
                  : " expected guardrail categories not detected in trace."));
    }

    List<String> detectedList = List.copyOf(detected);
    List<String> triggeredList = List.copyOf(triggered);
    StringBuilder out = new StringBuilder(256 + missing.length());
    out.append('{');
    PyJson.key(out, "detected_categories", true);
    PyJson.strings(out, detectedList);
    PyJson.key(out, "triggered_categories", false);
    PyJson.strings(out, triggeredList);
    PyJson.key(out, "missing_categories", false);
    out.append('[').append(missing).append(']');
    PyJson.key(out, "coverage_confidence", false);
    PyJson.string(out, coverage);
    PyJson.key(out, "capabilities_observed", false);
    PyJson.strings(out, capabilityNames);
    PyJson.key(out, "limitations", false);
    PyJson.strings(out, limitations);
    out.append('}');
    return new GuardrailSummary(
        detectedList,
        triggeredList,
        List.copyOf(missingCategories),
        missingCount,
        coverage,
        out.toString());
  }

  /**
   * Summarises the trace of {@code state} into {@code out}, the attributes its root gets: the
   * summary, every finding of the trace, and the roll-up of its LLM usage and cost. Marks the trace
   * summarized, so that spans after it count as late. Returns the evaluation.
   *
   * @param configured categories never reported missing, beside those the trace's spans suppress
   */
  static GuardrailSummary write(
      TraceState state, Set<String> configured, boolean heuristics, Map<String, AnyValue> out) {
    synchronized (state) {
      state.summarized = true;
      Set<String> suppressed = new LinkedHashSet<>(configured);
      suppressed.addAll(state.suppressed);
      GuardrailSummary summary =
          evaluate(state.findings, state.capabilities, suppressed, heuristics);
      out.put(GuardrailProcessor.SUMMARY, string(summary.json()));
      ArrayValue.Builder detected = ArrayValue.newBuilder();
      for (String category : summary.detectedCategories()) {
        detected.addValues(string(category));
      }
      out.put(
          GuardrailProcessor.SUMMARY_DETECTED,
          AnyValue.newBuilder().setArrayValue(detected).build());
      out.put(GuardrailProcessor.SUMMARY_MISSING_COUNT, integer(summary.missingCount()));
      out.put(GuardrailProcessor.SUMMARY_COVERAGE, string(summary.coverageConfidence()));
      if (!state.findings.isEmpty()) {
        out.put(GuardrailProcessor.FINDINGS, string(GuardrailFinding.jsonArray(state.findings)));
        out.put(GuardrailProcessor.FINDING_COUNT, integer(state.findings.size()));
      }
      if (state.llmSpanCount > 0) {
        if (state.inputSeen) {
          out.put(GuardrailProcessor.TRACE_INPUT_TOKENS, integer(state.inputTokens));
        }
        if (state.outputSeen) {
          out.put(GuardrailProcessor.TRACE_OUTPUT_TOKENS, integer(state.outputTokens));
        }
        if (state.costSeen) {
          out.put(
              GuardrailProcessor.TRACE_COST_USD,
              AnyValue.newBuilder().setDoubleValue(Math.round(state.costUsd * 1e9) / 1e9).build());
        }
        out.put(GuardrailProcessor.TRACE_LLM_SPAN_COUNT, integer(state.llmSpanCount));
      }
      return summary;
    }
  }

  private static AnyValue string(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  private static AnyValue integer(long n) {
    return AnyValue.newBuilder().setIntValue(n).build();
  }

  /** Appends a MissingGuardrail unless the category is covered or suppressed; returns 1 or 0. */
  private static int missing(
      StringBuilder out,
      int before,
      String category,
      String why,
      String confidence,
      List<String> keys,
      Set<String> covered,
      Collection<String> suppressed,
      List<String> missingCategories) {
    if (covered.contains(category) || suppressed.contains(category)) {
      return 0;
    }
    if (before > 0) {
      out.append(", ");
    }
    out.append('{');
    PyJson.key(out, "category", true);
    PyJson.string(out, category);
    PyJson.key(out, "why_required", false);
    PyJson.string(out, why);
    PyJson.key(out, "missing_confidence", false);
    PyJson.string(out, confidence);
    PyJson.key(out, "evidence_ref", false);
    out.append('{');
    PyJson.key(out, "attribute_keys", true);
    PyJson.strings(out, keys);
    out.append("}}");
    missingCategories.add(category);
    return 1;
  }
}
