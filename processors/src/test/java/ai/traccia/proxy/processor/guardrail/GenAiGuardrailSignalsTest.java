/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.processor.genai.LlmSpan;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenAiGuardrailSignalsTest {

  @Test
  void detect_applyGuardrailSpan_isExplicit() {
    Span span =
        Span.newBuilder()
            .setName("apply_guardrail pii-filter")
            .addAttributes(kv("gen_ai.operation.name", "apply_guardrail"))
            .addAttributes(kv("gen_ai.guardrail.name", "pii-filter"))
            .addAttributes(kv("gen_ai.guardrail.verdict.type", "deny"))
            .addAttributes(kv("gen_ai.guardrail.security.risk.category", "PII"))
            .addAttributes(kv("gen_ai.guardrail.action.type", "block"))
            .build();

    List<GuardrailFinding> findings = detect(span);

    assertThat(findings).hasSize(1);
    GuardrailFinding f = findings.get(0);
    assertThat(f.sourceType).isEqualTo(GuardrailFinding.EXPLICIT);
    assertThat(f.confidence).isEqualTo(GuardrailFinding.HIGH);
    assertThat(f.name).isEqualTo("pii-filter");
    assertThat(f.category).isEqualTo("pii");
    assertThat(f.triggered).isTrue();
    assertThat(f.enforcementMode).isEqualTo("block");
  }

  @Test
  void detect_guardrailResultEvent_isExplicit() {
    Span span =
        Span.newBuilder()
            .setName("chat gpt-4o")
            .addAttributes(kv("gen_ai.operation.name", "chat"))
            .addEvents(
                Span.Event.newBuilder()
                    .setName("gen_ai.guardrail.result")
                    .addAttributes(kv("gen_ai.guardrail.id", "jailbreak-check"))
                    .addAttributes(kv("gen_ai.guardrail.decision", "allow"))
                    .addAttributes(kv("gen_ai.guardrail.category", "prompt_injection")))
            .build();

    List<GuardrailFinding> findings = detect(span);

    assertThat(findings).hasSize(1);
    assertThat(findings.get(0).name).isEqualTo("jailbreak-check");
    assertThat(findings.get(0).category).isEqualTo("prompt_injection");
    assertThat(findings.get(0).triggered).isFalse();
    assertThat(findings.get(0).detectionReason).isEqualTo("gen_ai_guardrail_result_event");
  }

  @Test
  void detect_unknownVerdict_leftUnknown() {
    Span span =
        Span.newBuilder()
            .setName("guard")
            .addAttributes(kv("gen_ai.operation.name", "apply_guardrail"))
            .addAttributes(kv("gen_ai.guardrail.verdict.type", "pondering"))
            .build();

    List<GuardrailFinding> findings = detect(span);

    assertThat(findings.get(0).triggered).isNull();
    assertThat(findings.get(0).name).isEqualTo("guard");
    assertThat(findings.get(0).category).isEqualTo("unknown");
  }

  private static List<GuardrailFinding> detect(Span span) {
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
            .build();
    SpanBatch batch = SpanBatch.of(request, null);
    return new GuardrailDetector().detect(batch, 0, LlmSpan.read(batch, 0), "t", "s", true);
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
