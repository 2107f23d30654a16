/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class ConfigExceptionTest {

  @Test
  void message_listsEveryProblem() {
    ConfigException e =
        new ConfigException(
            Arrays.asList(
                ConfigProblem.of("a.b", "0", "> 0", "traccia.toml:1:1"),
                ConfigProblem.syntax("traccia.toml:3:7", "Unexpected '='")));

    assertThat(e.getMessage())
        .isEqualTo(
            "Invalid configuration (2 problems):\n"
                + "  - a.b: 0 (expected: > 0) [traccia.toml:1:1]\n"
                + "  - traccia.toml:3:7: invalid TOML: Unexpected '='");
    assertThat(e.getProblems().get(0).key()).isEqualTo("a.b");
    assertThat(e.getProblems().get(0).value()).isEqualTo("0");
    assertThat(e.getProblems().get(0).expected()).isEqualTo("> 0");
    assertThat(e.getProblems().get(0).origin()).contains("traccia.toml:1:1");
    assertThat(e.getProblems().get(1).key()).isEmpty();
  }

  @Test
  void message_singularAndWithoutOrigin() {
    ConfigException e =
        new ConfigException(Collections.singletonList(ConfigProblem.of("a.b", "0", "> 0", null)));

    assertThat(e.getMessage())
        .isEqualTo("Invalid configuration (1 problem):\n  - a.b: 0 (expected: > 0)");
    assertThat(e.getProblems().get(0).origin()).isEmpty();
  }

  @Test
  void needsAProblem() {
    assertThatThrownBy(() -> new ConfigException(Collections.emptyList()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
