/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;

/**
 * The agent identity of one run, kept in the OpenTelemetry {@link Context} so that it follows the
 * context across threads exactly as the current span does. Immutable.
 */
final class RunIdentity {

  static final ContextKey<RunIdentity> KEY = ContextKey.named("traccia.run-identity");

  final String agentId;
  final String agentName;
  final String env;

  RunIdentity(String agentId, String agentName, String env) {
    this.agentId = blankToNull(agentId);
    this.agentName = blankToNull(agentName);
    this.env = blankToNull(env);
  }

  /** The identity current in {@code context}, or null. */
  static RunIdentity from(Context context) {
    return context.get(KEY);
  }

  private static String blankToNull(String s) {
    return s == null || s.trim().isEmpty() ? null : s;
  }
}
