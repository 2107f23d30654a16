/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The configuration is invalid; {@link #getProblems()} lists every problem found, not just the
 * first, so the user can fix them all in one pass.
 *
 * <p>{@link #getMessage()} reads:
 *
 * <pre>
 * Invalid configuration (2 problems):
 *   - rate_limiting.max_queue_size: 0 (expected: &gt; 0) [traccia.toml:14:3]
 *   - tracing.sample_rate: 1.5 (expected: a number from 0 to 1) [env TRACCIA_SAMPLE_RATE]
 * </pre>
 *
 * Secrets never appear in the message. Unchecked, because a bad configuration is fixed by the user,
 * not handled by the caller.
 */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final List<ConfigProblem> problems;

  ConfigException(List<ConfigProblem> problems) {
    super(render(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.problems = Collections.unmodifiableList(new ArrayList<>(problems));
  }

  /** Every problem found, in the order the sources were read (file, environment, flags, rules). */
  public List<ConfigProblem> getProblems() {
    return problems;
  }

  private static String render(List<ConfigProblem> problems) {
    StringBuilder sb = new StringBuilder("Invalid configuration (");
    sb.append(problems.size()).append(problems.size() == 1 ? " problem):" : " problems):");
    for (ConfigProblem problem : problems) {
      sb.append("\n  - ").append(problem.message());
    }
    return sb.toString();
  }
}
