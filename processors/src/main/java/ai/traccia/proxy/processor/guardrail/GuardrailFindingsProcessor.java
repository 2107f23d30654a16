/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import ai.traccia.proxy.codec.OtlpIds;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.processor.genai.LlmSpan;
import java.util.List;

/**
 * The per-span half of {@link GuardrailProcessor}: writes each span's findings ({@link
 * GuardrailProcessor#FINDING_COUNT}, {@link GuardrailProcessor#FINDINGS}) and keeps no trace state,
 * holds no root and writes no summary.
 *
 * <p><b>Design.</b> A sidecar sees only its own service's spans, so a summary it wrote would miss
 * the rest of the trace; it writes the findings, which depend on the span alone, and leaves the
 * summary to the gateway that sees the whole trace. The gateway detects the findings of a marked
 * span again for the trace's summary (detection reads the span as it arrived, which the sidecar
 * left unchanged but for added attributes, so the result is the same) and does not write them
 * again. The findings are those {@link GuardrailProcessor} writes on one node, attribute for
 * attribute.
 *
 * <p>Thread-safe.
 */
public final class GuardrailFindingsProcessor implements SpanBatchProcessor {

  private final GuardrailDetector detector = new GuardrailDetector();
  // instrumentation.guardrail_heuristics is reloadable; a reload sets it from another thread.
  private volatile boolean heuristics;

  private GuardrailFindingsProcessor(boolean heuristics) {
    this.heuristics = heuristics;
  }

  /** The stage, with tier C (heuristic) detection on or off. */
  public static GuardrailFindingsProcessor create(boolean heuristics) {
    return new GuardrailFindingsProcessor(heuristics);
  }

  @Override
  public String name() {
    return "guardrail_findings";
  }

  @Override
  public void process(SpanBatch batch) {
    for (TraceRuns runs = new TraceRuns(batch); runs.next(); ) {
      int i = runs.index();
      LlmSpan llm = LlmSpan.read(batch, i);
      List<GuardrailFinding> findings =
          detector.detect(batch, i, llm, runs.traceId(), OtlpIds.hex(batch.spanId(i)), heuristics);
      GuardrailProcessor.writeFindings(batch, i, findings);
    }
  }

  /** Turns tier C (heuristic) detection on or off from now on, for a reload. Thread-safe. */
  public void setHeuristicsEnabled(boolean enabled) {
    this.heuristics = enabled;
  }
}
