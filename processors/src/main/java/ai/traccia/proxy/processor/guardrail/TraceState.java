/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the proxy has seen of one trace so far, across requests and services: capabilities,
 * findings, suppressed categories and LLM usage. Guarded by its own monitor: every access
 * synchronizes on the instance.
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

  /** This trace's roots waiting to be released; guarded by the processor's held-root lock. */
  final List<GuardrailProcessor.HeldRoot> heldRoots = new ArrayList<>(0);
}
