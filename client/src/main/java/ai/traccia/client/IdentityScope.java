/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import io.opentelemetry.context.Scope;

/**
 * The agent identity of one logical run, current on this thread until {@link #close()}; returned by
 * {@link Traccia#runIdentity}. Use it with try-with-resources on the thread that opened it.
 *
 * <p>Not thread-safe: close it on the thread that opened it, once (later calls do nothing).
 */
public final class IdentityScope implements AutoCloseable {

  private final Scope scope;
  private boolean closed;

  IdentityScope(Scope scope) {
    this.scope = scope;
  }

  /** Restores the identity that was current before; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      scope.close();
    }
  }
}
