/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import java.util.Locale;

/**
 * Which part of the pipeline a proxy runs ({@code server.role}), so that the work can be split
 * between a sidecar next to each application and a tier of gateways that each see whole traces.
 *
 * <table>
 *   <caption>Stages per role</caption>
 *   <tr><th>Stage</th><th>all</th><th>sidecar</th><th>gateway</th></tr>
 *   <tr><td>token counting, cost</td><td>yes</td><td>unmarked spans</td><td>unmarked spans</td></tr>
 *   <tr><td>guardrail findings on each span</td><td>yes</td><td>unmarked spans</td>
 *       <td>unmarked spans</td></tr>
 *   <tr><td>mark {@code traccia.proxy.enriched}</td><td>no</td><td>yes</td><td>no</td></tr>
 *   <tr><td>metrics derivation</td><td>yes</td><td>no</td><td>yes</td></tr>
 *   <tr><td>guardrail trace state, held roots, summary and roll-up</td><td>yes</td><td>no</td>
 *       <td>yes</td></tr>
 *   <tr><td>redaction</td><td>yes</td><td>no</td><td>yes</td></tr>
 *   <tr><td>live page</td><td>yes</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>sampling</td><td>yes</td><td>no</td><td>yes</td></tr>
 * </table>
 *
 * <p>Why: per-span work depends on the span alone and is the most CPU (the tokenizer), so it runs
 * where the spans are made and scales with the applications. Trace-level work needs every span of a
 * trace on one node, which a gateway has when spans are routed to it by trace id. Derived metrics
 * run only where trace-level work runs, so each span is counted once. Redaction runs at the
 * gateway, once (hashing twice would change the values), after the guardrail stage there, which
 * reads the original text to detect findings for the summary: content crosses the hop from sidecar
 * to gateway unredacted, so that hop belongs inside the cluster, with receiver TLS and
 * authentication on the gateway. Sampling needs the trace's summary written first, so it runs at
 * the gateway too.
 */
enum Role {
  /** Every stage, as one node: today's single proxy. Ignores the enrichment mark. */
  ALL,
  /** The per-span stages; marks what it enriched and forwards. */
  SIDECAR,
  /** The trace-level stages, and the per-span ones for spans that arrive unmarked. */
  GATEWAY;

  /** The role named by {@code server.role}, which the loader checked. */
  static Role of(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  /** Whether the trace-level stages run: guardrail summaries, derived metrics, sampling. */
  boolean tracesWork() {
    return this != SIDECAR;
  }

  /** Whether per-span stages leave alone spans an earlier sidecar marked. */
  boolean skipsMarkedSpans() {
    return this != ALL;
  }

  /** Whether this role marks the spans it enriched. */
  boolean marksSpans() {
    return this == SIDECAR;
  }

  /** Whether redaction runs here: where the data leaves the proxy's tiers for the backend. */
  boolean redacts() {
    return this != SIDECAR;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
