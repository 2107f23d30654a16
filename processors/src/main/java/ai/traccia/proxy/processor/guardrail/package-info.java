/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * Guardrail detection and the per-trace guardrail summary, as the Traccia SDK writes them, plus a
 * roll-up of the trace's LLM usage.
 *
 * <h2>Per span</h2>
 *
 * <p>A span with at least one finding gets {@code guardrail.finding.count} (int) and {@code
 * guardrail.findings} (a JSON array of that span's findings). Findings come from three tiers:
 * explicit guardrail spans (OpenAI Agents {@code agent.span.type=guardrail}, or {@code
 * span.type=guardrail}), provider-native signals (content-filter finish and stop reasons, Anthropic
 * policy errors, Google safety ratings, refusals with an incomplete status) and, unless {@code
 * instrumentation.guardrail_heuristics=false}, a heuristic for tool spans denied permission.
 *
 * <h2>On the root span</h2>
 *
 * <p>The root span of a trace (no parent span id) is held for {@code guardrails.root_span_wait_ms}
 * (default 10 s) so that children exported later by other services are included, then handed to the
 * stages after the guardrail stage (redaction, the live page, sampling) and the queues, like every
 * span, with:
 *
 * <table>
 *   <caption>Attributes added to the root span</caption>
 *   <tr><th>Attribute</th><th>Type</th><th>Content</th></tr>
 *   <tr><td>{@code guardrail.summary}</td><td>JSON str</td><td>detected, triggered and missing
 *       categories, coverage confidence, capabilities observed, limitations</td></tr>
 *   <tr><td>{@code guardrail.summary.detected_categories}</td><td>str[]</td><td>may be
 *       empty</td></tr>
 *   <tr><td>{@code guardrail.summary.missing_count}</td><td>int</td><td></td></tr>
 *   <tr><td>{@code guardrail.summary.coverage_confidence}</td><td>str</td><td>{@code high},
 *       {@code medium} or {@code low}</td></tr>
 *   <tr><td>{@code guardrail.findings}, {@code guardrail.finding.count}</td><td>JSON str,
 *       int</td><td>every finding of the trace in arrival order, not deduplicated; only when the
 *       trace had findings</td></tr>
 *   <tr><td>{@code traccia.trace.input_tokens}</td><td>int</td><td>sum of the input tokens the
 *       trace's inference spans consumed, as the cost processor prices them: the span's count in
 *       any dialect (or the token counter's estimate), plus its cache reads and writes where that
 *       count excludes them</td></tr>
 *   <tr><td>{@code traccia.trace.output_tokens}</td><td>int</td><td>the same for output
 *       tokens</td></tr>
 *   <tr><td>{@code traccia.trace.cost_usd}</td><td>double</td><td>sum of {@code llm.cost.usd} (or
 *       a cost the span carried in another dialect) over the inference spans that have one; absent
 *       when none has</td></tr>
 *   <tr><td>{@code traccia.trace.llm_span_count}</td><td>int</td><td>the number of inference
 *       spans seen; the {@code traccia.trace.*} attributes are absent when it would be 0</td></tr>
 * </table>
 *
 * <p>The Traccia SDK has no trace roll-up; the {@code traccia.trace.*} attributes are the proxy's
 * own. Inference spans are those {@link ai.traccia.proxy.processor.genai.LlmSpan#isInference()}
 * accepts, so agent and chain spans that repeat their children's usage are not counted twice.
 *
 * <h2>Two tiers</h2>
 *
 * <p>Split over a sidecar and a gateway ({@code server.role}), the sidecar runs {@link
 * ai.traccia.proxy.processor.guardrail.GuardrailFindingsProcessor}, which writes each span's
 * findings and nothing else, and marks the span ({@link
 * ai.traccia.proxy.processor.tier.EnrichedMark}); the gateway, which receives every span of a
 * trace, runs {@link ai.traccia.proxy.processor.guardrail.GuardrailProcessor} with {@code
 * setSkipFindingsOfMarkedSpans(true)}: it detects a marked span's findings again for the trace's
 * state (detection reads only what the sidecar left as it was) without writing them again, and
 * holds and summarises roots as one node does. The attributes written are those of one node.
 *
 * <h2>Limits</h2>
 *
 * <p>Per-trace state is bounded in count (20,000 traces, about 8 MiB, by default) and expires after
 * a trace has been idle (60 s by default). Held roots are bounded in bytes ({@code
 * guardrails.max_held_root_bytes}); past the bound the oldest are forwarded early with the summary
 * known so far. Spans that arrive after their root was forwarded are counted as late and are not in
 * its summary. A trace whose root never arrives gets no summary; its expiry is counted.
 */
package ai.traccia.proxy.processor.guardrail;
