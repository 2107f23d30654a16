/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One thing wrong with the configuration, worded so that a user can fix it without reading code.
 *
 * <p>A problem with a value reads {@code <section.key>: <value> (expected: <what>) [<origin>]}, for
 * example {@code rate_limiting.max_queue_size: 0 (expected: > 0) [traccia.toml:14:3]}. A TOML
 * syntax error reads {@code <file>:<line>:<column>: invalid TOML: <what the parser found>}. Secrets
 * are already replaced by {@code ****} in {@link #value()} and {@link #message()}. Instances are
 * immutable and safe to share.
 */
public final class ConfigProblem {

  private final String key;
  private final String value;
  private final String expected;
  private final String origin;
  private final String message;

  private ConfigProblem(String key, String value, String expected, String origin, String message) {
    this.key = key;
    this.value = value;
    this.expected = expected;
    this.origin = origin;
    this.message = message;
  }

  /** A problem with one value; {@code origin} may be null when the value came from code. */
  static ConfigProblem of(String key, String value, String expected, String origin) {
    String message =
        key
            + ": "
            + value
            + " (expected: "
            + expected
            + ")"
            + (origin == null ? "" : " [" + origin + "]");
    return new ConfigProblem(key, value, expected, origin, message);
  }

  /** A syntax error at {@code origin} ({@code file:line:column}). */
  static ConfigProblem syntax(String origin, String description) {
    return new ConfigProblem(
        "", "", "valid TOML", origin, origin + ": invalid TOML: " + description);
  }

  /**
   * The key the problem is about, in its {@code section.key} spelling (nested parts appended, as in
   * {@code pricing.override.gpt-4o.prompt}); empty for a TOML syntax error.
   */
  public String key() {
    return key;
  }

  /** The offending value as the user wrote it, with secrets redacted. */
  public String value() {
    return value;
  }

  /** What would have been accepted instead. */
  public String expected() {
    return expected;
  }

  /**
   * Where the value came from: {@code traccia.toml:14:3}, {@code env TRACCIA_MAX_QUEUE_SIZE},
   * {@code --max-queue-size}, {@code default} or {@code builder}; empty if unknown.
   */
  public Optional<String> origin() {
    return Optional.ofNullable(origin);
  }

  /** The complete, user-facing sentence. */
  public String message() {
    return message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigProblem && ((ConfigProblem) o).message.equals(message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(message);
  }

  /** Returns {@link #message()}. */
  @Override
  public String toString() {
    return message;
  }
}
