/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
  void strings_usePythonSeparators() {
    StringBuilder out = new StringBuilder();
    PyJson.strings(out, List.of("a", "b"));
    PyJson.string(out, null);

    assertThat(out.toString()).isEqualTo("[\"a\", \"b\"]null");
  }
}
