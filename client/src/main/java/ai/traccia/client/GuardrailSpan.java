/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import ai.traccia.client.internal.ObserveRuntime;
import ai.traccia.client.internal.Values;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.util.Arrays;
import java.util.List;

/**
 * A guardrail check in progress, returned by {@link Traccia#guardrailSpan}: span {@code
 * guardrail.<name>} with {@code span.type = "guardrail"}, current on this thread until {@link
 * #close()}. The proxy's guardrail detection reads it as an explicit (tier A) guardrail.
 *
 * <pre>{@code
 * try (GuardrailSpan check = Traccia.guardrailSpan("pii_filter", "pii", "block")) {
 *   check.setTriggered(containsPii(text));
 * }
 * }</pre>
 *
 * <p>Not thread-safe: use it on the thread that opened it and close it once (later calls do
 * nothing). An exception inside the block is not seen by {@code close()}; pass it to {@link
 * #recordError} to mark the span failed.
 */
public final class GuardrailSpan implements AutoCloseable {

  static final AttributeKey<List<String>> SUPPRESS_MISSING =
      AttributeKey.stringArrayKey("traccia.guardrail.suppress_missing");

  private final Span span;
  private final Scope scope;
  private boolean failed;
  private boolean closed;

  GuardrailSpan(Span span, Scope scope) {
    this.span = span;
    this.scope = scope;
  }

  /** The underlying span, for attributes of your own. */
  public Span span() {
    return span;
  }

  /** Records whether the guardrail fired ({@code guardrail.triggered}). */
  public GuardrailSpan setTriggered(boolean triggered) {
    span.setAttribute("guardrail.triggered", triggered);
    return this;
  }

  /** Records the policy this check enforces ({@code guardrail.policy_id}). */
  public GuardrailSpan setPolicyId(String policyId) {
    if (policyId != null) {
      span.setAttribute("guardrail.policy_id", policyId);
    }
    return this;
  }

  /**
   * Declares guardrail categories covered elsewhere ({@code traccia.guardrail.suppress_missing}),
   * so the proxy does not report them as missing for this trace.
   */
  public GuardrailSpan suppressMissing(String... categories) {
    span.setAttribute(SUPPRESS_MISSING, Arrays.asList(categories));
    return this;
  }

  /** Marks the span failed with {@code error}: {@code error.*} attributes and status ERROR. */
  public GuardrailSpan recordError(Throwable error) {
    failed = true;
    Values.recordError(span, error);
    return this;
  }

  /** Ends the span (status OK unless an error was recorded) and restores the previous span. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    scope.close();
    if (!failed) {
      ObserveRuntime.markOk(span);
    }
    span.end();
  }
}
