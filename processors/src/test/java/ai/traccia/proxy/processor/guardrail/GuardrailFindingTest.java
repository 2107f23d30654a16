/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GuardrailFindingTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @Test
  void id_matchesTestVector() {
    assertThat(
            GuardrailFinding.id(
                TRACE,
                "provider_native",
                "moderation",
                "provider_content_filter",
                "00f067aa0ba902b7"))
        .isEqualTo("fefd9ae9584e0380");
  }

  @Test
  void id_changesWithSpanAndTreatsMissingIdsAsEmpty() {
    String a = GuardrailFinding.id(TRACE, "explicit", "pii", "n", "00f067aa0ba902b7");
    String b = GuardrailFinding.id(TRACE, "explicit", "pii", "n", "00f067aa0ba902b8");

    assertThat(a)
        .hasSize(16)
        .isNotEqualTo(b)
        .isEqualTo(GuardrailFinding.id(TRACE, "explicit", "pii", "n", "00f067aa0ba902b7"));
    assertThat(GuardrailFinding.id(null, "explicit", "pii", "n", null))
        .isEqualTo(GuardrailFinding.id("", "explicit", "pii", "n", ""));
  }

  @Test
  void status_followsTriggered() {
    assertThat(finding(Boolean.TRUE).status()).isEqualTo("triggered");
    assertThat(finding(Boolean.FALSE).status()).isEqualTo("not_triggered");
    assertThat(finding(null).status()).isEqualTo("present");
  }

  @Test
  void json_keysInOrderAndEvidenceOnlyWhenPresent() {
    GuardrailFinding f =
        new GuardrailFinding(
            "",
            "",
            "pii",
            "caf\u00e9",
            "explicit",
            "medium",
            null,
            "warn",
            "r",
            null,
            List.of(),
            null);

    assertThat(f.json)
        .isEqualTo(
            "{\"id\": \""
                + f.id
                + "\", \"category\": \"pii\", \"name\": \"caf\\u00e9\", \"source_type\":"
                + " \"explicit\", \"confidence\": \"medium\", \"triggered\": null,"
                + " \"enforcement_mode\": \"warn\", \"status\": \"present\", \"detection_reason\":"
                + " \"r\", \"evidence_ref\": {}, \"raw_excerpt\": null}");
  }

  @Test
  void rank_highAboveMediumAboveLow() {
    assertThat(GuardrailFinding.rank("high")).isGreaterThan(GuardrailFinding.rank("medium"));
    assertThat(GuardrailFinding.rank("medium")).isGreaterThan(GuardrailFinding.rank("low"));
  }

  private static GuardrailFinding finding(Boolean triggered) {
    return new GuardrailFinding(
        TRACE,
        "00f067aa0ba902b7",
        "pii",
        "n",
        "explicit",
        "high",
        triggered,
        "block",
        "r",
        "x",
        List.of("k"),
        null);
  }
}
