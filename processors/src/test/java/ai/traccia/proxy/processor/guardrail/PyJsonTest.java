/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PyJsonTest {

  @Test
  void string_escapesLikeEnsureAscii() {
    StringBuilder out = new StringBuilder();
    PyJson.string(out, "a\"b\\c/\n\t\u0001\u007f\u00e9\ud83d\ude00");

    assertThat(out.toString())
        .isEqualTo("\"a\\\"b\\\\c/\\n\\t\\u0001\\u007f\\u00e9\\ud83d\\ude00\"");
  }

  @Test
  void string_escapesAtEitherEndAndBetweenRunsOfPlainText() {
    StringBuilder out = new StringBuilder("x");
    PyJson.string(out, "\n" + "plain text ".repeat(3) + "\"\"\u2028end\\");
    PyJson.string(out, "");

    assertThat(out.toString())
        .isEqualTo("x\"\\nplain text plain text plain text \\\"\\\"\\u2028end\\\\\"\"\"");
    assertThat(PyJson.quoted("a\tb")).isEqualTo("\"a\\tb\"");
    assertThat(PyJson.quoted(null)).isEqualTo("null");
  }

  @Test
  void strings_usePythonSeparators() {
    StringBuilder out = new StringBuilder();
    PyJson.strings(out, List.of("a", "b"));
    PyJson.string(out, null);
    PyJson.strings(out, new TreeSet<>(Set.of("z", "y")));
    PyJson.strings(out, List.of());

    assertThat(out.toString()).isEqualTo("[\"a\", \"b\"]null[\"y\", \"z\"][]");
  }
}
