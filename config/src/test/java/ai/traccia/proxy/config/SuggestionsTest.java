/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

  private static final List<String> SECTIONS =
      Arrays.asList("server", "tracing", "exporters", "rate_limiting", "logging");

  @Test
  void closest_findsTyposTranspositionsAndOtherSeparators() {
    assertThat(Suggestions.closest("tracng", SECTIONS)).isEqualTo("tracing");
    assertThat(Suggestions.closest("serevr", SECTIONS)).isEqualTo("server");
    assertThat(Suggestions.closest("rate-limiting", SECTIONS)).isEqualTo("rate_limiting");
    assertThat(Suggestions.closest("ratelimiting", SECTIONS)).isEqualTo("rate_limiting");
    assertThat(Suggestions.closest("EXPORTER", SECTIONS)).isEqualTo("exporters");
  }

  @Test
  void closest_nothingWhenTooFar() {
    assertThat(Suggestions.closest("database", SECTIONS)).isNull();
    assertThat(Suggestions.closest("log", SECTIONS)).isNull();
    assertThat(Suggestions.closest("x", SECTIONS)).isNull();
  }

  @Test
  void distance() {
    assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
    assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(Suggestions.distance("ab", "ba")).isEqualTo(1);
    assertThat(Suggestions.distance("same", "same")).isZero();
  }
}
