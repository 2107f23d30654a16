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

  /** The categories a trace's capabilities call for, in the order the SDK lists them missing. */
  private static final Expected[] EXPECTED = {
    new Expected(
        "input_validation",
        LLM_WHY,
        GuardrailFinding.MEDIUM,
        GuardrailDetector.CALLS_LLM | GuardrailDetector.HANDLES_USER_TEXT),
    new Expected(
        "prompt_injection",
        LLM_WHY,
        GuardrailFinding.MEDIUM,
        GuardrailDetector.CALLS_LLM | GuardrailDetector.HANDLES_USER_TEXT),
    new Expected(
        "output_validation",
        OUTPUT_WHY,
        GuardrailFinding.MEDIUM,
        GuardrailDetector.PRODUCES_USER_TEXT),
    new Expected(
        "moderation", OUTPUT_WHY, GuardrailFinding.MEDIUM, GuardrailDetector.PRODUCES_USER_TEXT),
    new Expected("tool_permission", TOOLS_WHY, GuardrailFinding.HIGH, GuardrailDetector.USES_TOOLS),
  };

  private static final List<String> QUOTED_CAPABILITIES =
      GuardrailDetector.CAPABILITY_NAMES.stream().map(PyJson::quoted).toList();
  private static final String NO_CAPABILITIES =
      PyJson.quoted("No LLM or tool spans observed; capability inference may be incomplete.");
  private static final String NO_SIGNALS =
      PyJson.quoted(
          "No guardrail signals detected in trace; agent may have out-of-band guardrails not"
              + " visible to tracing.");
  private static final String HEURISTIC_ONLY =
      PyJson.quoted("Some findings are heuristic-only (low confidence); verify independently.");
  // After the count, inside its quotes; plain ASCII, nothing to escape.
  private static final String MISSING_SINGULAR =
      " expected guardrail category not detected in trace.";
  private static final String MISSING_PLURAL =
      " expected guardrail categories not detected in trace.";

  /** The summary's keys, separators and brackets: what every summary has. */
  private static final int FIXED_CHARS =
      ("{\"detected_categories\": [], \"triggered_categories\": [], \"missing_categories\": [],"
              + " \"coverage_confidence\": \"\", \"capabilities_observed\": [], \"limitations\":"
              + " []}")
          .length();

  /**
   * A category the SDK expects for some capabilities, and its MissingGuardrail object as JSON,
   * written once.
   */
  private static final class Expected {
    final String category;
    final int capabilities;
    final String json;

    Expected(String category, String why, String confidence, int capabilities) {
      this.category = category;
      this.capabilities = capabilities;
      // The evidence: the names of the capabilities that call for the category.
      List<String> keys = new ArrayList<>(2);
      for (int k = 0; k < GuardrailDetector.CAPABILITY_NAMES.size(); k++) {
        if ((capabilities & 1 << k) != 0) {
          keys.add(GuardrailDetector.CAPABILITY_NAMES.get(k));
        }
      }
      StringBuilder out = new StringBuilder(160);
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
      this.json = out.toString();
    }
  }

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

    // The expected categories this trace misses, as bits of EXPECTED.
    int missingBits = 0;
    int missingCount = 0;
    boolean callsLlm = (capabilities & GuardrailDetector.CALLS_LLM) != 0;
    boolean usesTools = (capabilities & GuardrailDetector.USES_TOOLS) != 0;
    for (int e = 0; e < EXPECTED.length; e++) {
      Expected expected = EXPECTED[e];
      if ((capabilities & expected.capabilities) == expected.capabilities
          && !covered.contains(expected.category)
          && !suppressed.contains(expected.category)) {
        missingBits |= 1 << e;
        missingCount++;
      }
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

    // Written straight into one builder of the right size, constants pre-quoted: summaries are
    // written for every trace, on the thread that releases held roots.
    int size = FIXED_CHARS + coverage.length() + categoryChars(detected) + categoryChars(triggered);
    List<String> missingCategories = new ArrayList<>(missingCount);
    for (int e = 0; e < EXPECTED.length; e++) {
      if ((missingBits & (1 << e)) != 0) {
        missingCategories.add(EXPECTED[e].category);
        size += EXPECTED[e].json.length() + 2;
      }
    }
    for (int k = 0; k < QUOTED_CAPABILITIES.size(); k++) {
      if ((capabilities & (1 << k)) != 0) {
        size += QUOTED_CAPABILITIES.get(k).length() + 2;
      }
    }
    boolean noCapabilities = !callsLlm && !usesTools;
    size += noCapabilities ? NO_CAPABILITIES.length() + 2 : 0;
    size += byId.isEmpty() ? NO_SIGNALS.length() + 2 : 0;
    size += heuristicSeen ? HEURISTIC_ONLY.length() + 2 : 0;
    size += missingCount > 0 ? MISSING_PLURAL.length() + 16 : 0;

    StringBuilder out = new StringBuilder(size);
    out.append("{\"detected_categories\": ");
    PyJson.strings(out, detected);
    out.append(", \"triggered_categories\": ");
    PyJson.strings(out, triggered);
    out.append(", \"missing_categories\": [");
    boolean first = true;
    for (int e = 0; e < EXPECTED.length; e++) {
      if ((missingBits & (1 << e)) != 0) {
        out.append(first ? "" : ", ").append(EXPECTED[e].json);
        first = false;
      }
    }
    out.append("], \"coverage_confidence\": ");
    PyJson.string(out, coverage);
    out.append(", \"capabilities_observed\": [");
    first = true;
    for (int k = 0; k < QUOTED_CAPABILITIES.size(); k++) {
      if ((capabilities & (1 << k)) != 0) {
        out.append(first ? "" : ", ").append(QUOTED_CAPABILITIES.get(k));
        first = false;
      }
    }
    out.append("], \"limitations\": [");
    first = true;
    if (noCapabilities) {
      out.append(NO_CAPABILITIES);
      first = false;
    }
    if (byId.isEmpty()) {
      out.append(first ? "" : ", ").append(NO_SIGNALS);
      first = false;
    }
    if (heuristicSeen) {
      out.append(first ? "" : ", ").append(HEURISTIC_ONLY);
      first = false;
    }
    if (missingCount > 0) {
      out.append(first ? "" : ", ")
          .append('"')
          .append(missingCount)
          .append(missingCount == 1 ? MISSING_SINGULAR : MISSING_PLURAL)
          .append('"');
    }
    out.append("]}");
    return new GuardrailSummary(
        List.copyOf(detected),
        List.copyOf(triggered),
        List.copyOf(missingCategories),
        missingCount,
        coverage,
        out.toString());
  }

  /** Characters {@code categories} take in a JSON array, escapes aside. */
  private static int categoryChars(Set<String> categories) {
    int chars = 0;
    for (String category : categories) {
      chars += category.length() + 4;
    }
    return chars;
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
      Set<String> suppressed = configured;
      if (!state.suppressed.isEmpty()) {
        suppressed = new LinkedHashSet<>(configured);
        suppressed.addAll(state.suppressed);
      }
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
}
