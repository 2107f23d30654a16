/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import static ai.traccia.proxy.processor.guardrail.GuardrailDetector.CALLS_LLM;
import static ai.traccia.proxy.processor.guardrail.GuardrailDetector.HANDLES_USER_TEXT;
import static ai.traccia.proxy.processor.guardrail.GuardrailDetector.HAS_EXTERNAL_ACTIONS;
import static ai.traccia.proxy.processor.guardrail.GuardrailDetector.PRODUCES_USER_TEXT;
import static ai.traccia.proxy.processor.guardrail.GuardrailDetector.USES_TOOLS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GuardrailSummaryTest {

  /** The summary of the worked root example (spec 4.7), on one line as the attribute holds it. */
  static final String WORKED_EXAMPLE =
      "{\"detected_categories\": [\"tool_permission\", \"unknown\"], \"triggered_categories\":"
          + " [\"tool_permission\"], \"missing_categories\": [{\"category\": \"input_validation\","
          + " \"why_required\": \"Agent makes LLM calls with prompt data (may be user-provided)\","
          + " \"missing_confidence\": \"medium\", \"evidence_ref\": {\"attribute_keys\":"
          + " [\"calls_llm\", \"handles_user_text\"]}}, {\"category\": \"prompt_injection\","
          + " \"why_required\": \"Agent makes LLM calls with prompt data (may be user-provided)\","
          + " \"missing_confidence\": \"medium\", \"evidence_ref\": {\"attribute_keys\":"
          + " [\"calls_llm\", \"handles_user_text\"]}}, {\"category\": \"output_validation\","
          + " \"why_required\": \"Agent produces text output visible to users\","
          + " \"missing_confidence\": \"medium\", \"evidence_ref\": {\"attribute_keys\":"
          + " [\"produces_user_text\"]}}, {\"category\": \"moderation\", \"why_required\": \"Agent"
          + " produces text output visible to users\", \"missing_confidence\": \"medium\","
          + " \"evidence_ref\": {\"attribute_keys\": [\"produces_user_text\"]}}, {\"category\":"
          + " \"tool_permission\", \"why_required\": \"Agent uses tool/function calls\","
          + " \"missing_confidence\": \"high\", \"evidence_ref\": {\"attribute_keys\":"
          + " [\"uses_tools\"]}}], \"coverage_confidence\": \"medium\", \"capabilities_observed\":"
          + " [\"calls_llm\", \"handles_user_text\", \"produces_user_text\", \"uses_tools\","
          + " \"has_external_actions\"], \"limitations\": [\"Some findings are heuristic-only (low"
          + " confidence); verify independently.\", \"5 expected guardrail categories not detected"
          + " in trace.\"]}";

  @Test
  void evaluate_noFindingsNoCapabilities() {
    GuardrailSummary s = GuardrailSummary.evaluate(List.of(), 0, Set.of(), true);

    assertThat(s.json())
        .isEqualTo(
            "{\"detected_categories\": [], \"triggered_categories\": [], \"missing_categories\":"
                + " [], \"coverage_confidence\": \"low\", \"capabilities_observed\": [],"
                + " \"limitations\": [\"No LLM or tool spans observed; capability inference may be"
                + " incomplete.\", \"No guardrail signals detected in trace; agent may have"
                + " out-of-band guardrails not visible to tracing.\"]}");
    assertThat(s.missingCount()).isZero();
  }

  @Test
  void evaluate_llmPlusToolExpectsFiveAndExplicitFindingsCover() {
    int caps = CALLS_LLM | HANDLES_USER_TEXT | PRODUCES_USER_TEXT | USES_TOOLS;
    assertThat(GuardrailSummary.evaluate(List.of(), caps, Set.of(), true).missingCount())
        .isEqualTo(5);

    GuardrailSummary s =
        GuardrailSummary.evaluate(
            List.of(finding("explicit", "high", "prompt_injection", "a", true)),
            caps,
            Set.of(),
            true);
    assertThat(s.missingCount()).isEqualTo(4);
    assertThat(s.coverageConfidence()).isEqualTo("high");
    assertThat(s.triggeredCategories()).containsExactly("prompt_injection");
    assertThat(s.json()).doesNotContain("{\"category\": \"prompt_injection\"");
    assertThat(s.json()).endsWith("\"4 expected guardrail categories not detected in trace.\"]}");
  }

  @Test
  void evaluate_oneMissingIsSingular() {
    GuardrailSummary s = GuardrailSummary.evaluate(List.of(), USES_TOOLS, Set.of(), true);

    assertThat(s.json()).endsWith(", \"1 expected guardrail category not detected in trace.\"]}");
  }

  @Test
  void evaluate_lowFindingDetectedButStillMissing() {
    GuardrailSummary s =
        GuardrailSummary.evaluate(
            List.of(finding("heuristic", "low", "tool_permission", "t", true)),
            USES_TOOLS,
            Set.of(),
            true);

    assertThat(s.detectedCategories()).containsExactly("tool_permission");
    assertThat(s.missingCount()).isEqualTo(1);
    assertThat(s.coverageConfidence()).isEqualTo("low");
  }

  @Test
  void evaluate_heuristicsDisabledDropsHeuristicFindings() {
    GuardrailSummary s =
        GuardrailSummary.evaluate(
            List.of(finding("heuristic", "low", "tool_permission", "t", true)),
            USES_TOOLS,
            Set.of(),
            false);

    assertThat(s.detectedCategories()).isEmpty();
    assertThat(s.missingCount()).isEqualTo(1);
  }

  @Test
  void evaluate_dedupeKeepsHigherConfidence() {
    GuardrailFinding medium = finding("explicit", "medium", "pii", "same", null);
    GuardrailFinding high = finding("explicit", "high", "pii", "same", null);

    GuardrailSummary s = GuardrailSummary.evaluate(List.of(medium, high), 0, Set.of(), true);

    assertThat(s.coverageConfidence()).isEqualTo("high");
  }

  @Test
  void evaluate_mixedConfidenceIsMedium() {
    GuardrailSummary s =
        GuardrailSummary.evaluate(
            List.of(
                finding("explicit", "high", "pii", "a", null),
                finding("provider_native", "medium", "moderation", "b", true)),
            0,
            Set.of(),
            true);

    assertThat(s.coverageConfidence()).isEqualTo("medium");
  }

  @Test
  void evaluate_suppressionRemovesFromMissingOnly() {
    GuardrailSummary s =
        GuardrailSummary.evaluate(
            List.of(finding("heuristic", "low", "tool_permission", "t", true)),
            USES_TOOLS | PRODUCES_USER_TEXT,
            Set.of("tool_permission", "moderation"),
            true);

    assertThat(s.missingCount()).isEqualTo(1);
    assertThat(s.json()).contains("{\"category\": \"output_validation\"");
    assertThat(s.detectedCategories()).containsExactly("tool_permission");
    assertThat(s.triggeredCategories()).containsExactly("tool_permission");
  }

  @Test
  void evaluate_categoriesEscapedAndEveryLimitationInItsPlace() {
    GuardrailSummary s =
        GuardrailSummary.evaluate(
            List.of(
                finding("heuristic", "low", "caf\u00e9 \"x\"", "a", true),
                finding("explicit", "medium", "b\\c", "b", false),
                finding("explicit", "high", "pii", "c", null)),
            PRODUCES_USER_TEXT | HAS_EXTERNAL_ACTIONS,
            Set.of("moderation"),
            true);

    assertThat(s.json())
        .isEqualTo(
            "{\"detected_categories\": [\"b\\\\c\", \"caf\\u00e9 \\\"x\\\"\", \"pii\"],"
                + " \"triggered_categories\": [\"caf\\u00e9 \\\"x\\\"\"], \"missing_categories\":"
                + " [{\"category\": \"output_validation\", \"why_required\": \"Agent produces text"
                + " output visible to users\", \"missing_confidence\": \"medium\", \"evidence_ref\":"
                + " {\"attribute_keys\": [\"produces_user_text\"]}}], \"coverage_confidence\":"
                + " \"medium\", \"capabilities_observed\": [\"produces_user_text\","
                + " \"has_external_actions\"], \"limitations\": [\"No LLM or tool spans observed;"
                + " capability inference may be incomplete.\", \"Some findings are heuristic-only"
                + " (low confidence); verify independently.\", \"1 expected guardrail category not"
                + " detected in trace.\"]}");
    assertThat(s.detectedCategories()).containsExactly("b\\c", "caf\u00e9 \"x\"", "pii");
    assertThat(s.missingCategories()).containsExactly("output_validation");
  }

  @Test
  void evaluate_worksOutTheWorkedExample() {
    GuardrailSummary s =
        GuardrailSummary.evaluate(
            List.of(
                finding("heuristic", "low", "tool_permission", "t", true),
                finding("explicit", "high", "unknown", "u", null)),
            CALLS_LLM | HANDLES_USER_TEXT | PRODUCES_USER_TEXT | USES_TOOLS | HAS_EXTERNAL_ACTIONS,
            Set.of(),
            true);

    assertThat(s.json()).isEqualTo(WORKED_EXAMPLE);
    assertThat(s.missingCategories())
        .containsExactly(
            "input_validation",
            "prompt_injection",
            "output_validation",
            "moderation",
            "tool_permission");
  }

  private static GuardrailFinding finding(
      String source, String confidence, String category, String name, Boolean triggered) {
    return new GuardrailFinding(
        "t",
        "s",
        category,
        name,
        source,
        confidence,
        triggered,
        "unknown",
        "r",
        null,
        List.of(),
        null);
  }
}
