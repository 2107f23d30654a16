/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * Writes the {@link RunIdentity} current when a span starts onto the span: {@code agent.id}, {@code
 * agent.name}, and {@code env} with {@code environment}, each unless the span already has it. The
 * identity given to {@code init()} is on the resource instead, where the proxy finds it.
 *
 * <p>This is the only thing the client adds to spans by itself; everything else the Python SDK's
 * processors did is the proxy's work. Thread-safe and stateless.
 */
final class IdentitySpanProcessor implements SpanProcessor {

  private static final AttributeKey<String> AGENT_ID = AttributeKey.stringKey("agent.id");
  private static final AttributeKey<String> AGENT_NAME = AttributeKey.stringKey("agent.name");
  private static final AttributeKey<String> ENV = AttributeKey.stringKey("env");
  private static final AttributeKey<String> ENVIRONMENT = AttributeKey.stringKey("environment");

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    RunIdentity identity = RunIdentity.from(parentContext);
    if (identity == null) {
      return;
    }
    putIfAbsent(span, AGENT_ID, identity.agentId);
    putIfAbsent(span, AGENT_NAME, identity.agentName);
    putIfAbsent(span, ENV, identity.env);
    putIfAbsent(span, ENVIRONMENT, identity.env);
  }

  private static void putIfAbsent(ReadWriteSpan span, AttributeKey<String> key, String value) {
    if (value != null && span.getAttribute(key) == null) {
      span.setAttribute(key, value);
    }
  }

  @Override
  public boolean isStartRequired() {
    return true;
  }

  @Override
  public void onEnd(ReadableSpan span) {}

  @Override
  public boolean isEndRequired() {
    return false;
  }
}
