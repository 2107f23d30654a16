/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import io.opentelemetry.api.trace.Span;

/**
 * The code that runs inside a span started by {@link Traccia#span}; it may add attributes to the
 * span it is given.
 *
 * @param <T> what the body returns ({@code Void} and {@code return null} for nothing)
 * @param <E> the checked exception the body may throw
 */
@FunctionalInterface
public interface SpanBody<T, E extends Exception> {

  /** Runs on the calling thread with {@code span} current. */
  T run(Span span) throws E;
}
