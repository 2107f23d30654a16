/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.util.List;
import java.util.StringJoiner;

/**
 * A pricing override that cannot be used: not JSON, not a table of models, or models whose prices
 * are missing, misspelt, not numbers or negative. Carries every problem found, each naming the
 * model and field it is about, so that the whole override can be fixed in one pass.
 */
public final class PricingOverrideException extends Exception {

  private static final long serialVersionUID = 1L;

  /**
   * One problem: where it is ({@code [gpt-4o, prompt]}; empty for the whole override), the value as
   * written ({@code -1}, {@code "1"}; null to show the whole override) and what was expected.
   */
  public record Problem(List<String> path, String shown, String expected) {

    /** Copies {@code path}. */
    public Problem {
      path = List.copyOf(path);
    }

    /** {@code gpt-4o.prompt: -1 (expected: >= 0, in USD per 1,000 tokens)}. */
    @Override
    public String toString() {
      String where = path.isEmpty() ? "pricing override" : String.join(".", path);
      return where + (shown == null ? "" : ": " + shown) + " (expected: " + expected + ")";
    }
  }

  private final transient List<Problem> problems;

  /**
   * Creates the exception.
   *
   * @throws IllegalArgumentException if {@code problems} is empty
   */
  public PricingOverrideException(List<Problem> problems) {
    super(message(problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  private static String message(List<Problem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("no problem");
    }
    StringJoiner joiner = new StringJoiner("; ");
    problems.forEach(p -> joiner.add(p.toString()));
    return joiner.toString();
  }

  /** Every problem found, in the order of the override; never empty. */
  public List<Problem> problems() {
    return problems;
  }
}
