/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import ai.traccia.proxy.processor.genai.LlmSpan;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the proxy has seen of one trace so far, across requests and services: capabilities,
 * findings, suppressed categories and LLM usage. Guarded by its own monitor: every access
 * synchronizes on the instance, except {@link #removed} and {@link #heldRoots}.
 */
final class TraceState {

  int capabilities;
  final List<GuardrailFinding> findings = new ArrayList<>(0);

  /** Findings not kept because the trace already had the most a trace may hold. */
  long findingsDropped;

  final Set<String> suppressed = new LinkedHashSet<>(0);
  long inputTokens;
  boolean inputSeen;
  long outputTokens;
  boolean outputSeen;
  double costUsd;
  boolean costSeen;
  long llmSpanCount;

  /** Whether a root of this trace has arrived. */
  boolean rootSeen;

  /** Whether a summary of this trace was written; spans after it are late. */
  boolean summarized;

  /** Whether the trace has left the cache; a span that still holds this state looks again. */
  volatile boolean removed;

  /** This trace's roots waiting to be released; guarded by the lock of {@link HeldRoots}. */
  final List<HeldRoots.Root> heldRoots = new ArrayList<>(0);

  /**
   * Adds what one span contributes to the trace. Returns whether the span is late: not a root, and
   * after the trace's summary was written.
   *
   * @param input input tokens, or {@link LlmSpan#ABSENT}; ignored unless {@code inference}
   * @param output output tokens, or {@link LlmSpan#ABSENT}; ignored unless {@code inference}
   * @param cost cost in USD, or NaN; ignored unless {@code inference}
   */
  synchronized boolean add(
      int spanCapabilities,
      List<GuardrailFinding> spanFindings,
      int maxFindings,
      List<String> spanSuppressed,
      boolean inference,
      long input,
      long output,
      double cost,
      boolean root) {
    boolean late = summarized && !root;
    capabilities |= spanCapabilities;
    for (GuardrailFinding f : spanFindings) {
      if (findings.size() < maxFindings) {
        findings.add(f);
      } else {
        findingsDropped++;
      }
    }
    suppressed.addAll(spanSuppressed);
    if (inference) {
      llmSpanCount++;
      if (input != LlmSpan.ABSENT) {
        inputTokens += input;
        inputSeen = true;
      }
      if (output != LlmSpan.ABSENT) {
        outputTokens += output;
        outputSeen = true;
      }
      if (!Double.isNaN(cost)) {
        costUsd += cost;
        costSeen = true;
      }
    }
    if (root) {
      rootSeen = true;
    }
    return late;
  }
}
