/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import org.junit.jupiter.api.Test;

class MetricLabelsTest {

  @Test
  void truncate_shortValueUnchanged() {
    String value = "gpt-4o";

    assertThat(MetricLabels.truncate(value, 6)).isSameAs(value);
  }

  @Test
  void truncate_longValueCut() {
    assertThat(MetricLabels.truncate("gpt-4o-mini", 6)).isEqualTo("gpt-4o");
  }

  @Test
  void truncate_neverSplitsASurrogatePair() {
    assertThat(MetricLabels.truncate("ab\uD83D\uDE00c", 3)).isEqualTo("ab");
    assertThat(MetricLabels.truncate("ab\uD83D\uDE00c", 4)).isEqualTo("ab\uD83D\uDE00");
  }

  @Test
  void truncateAttributes_cutsStringsOnly() {
    Attributes attributes =
        Attributes.builder()
            .put("model", "abcdef")
            .put("weighted", true)
            .put(AttributeKey.longKey("n"), 123456L)
            .build();

    assertThat(MetricLabels.truncate(attributes, 3))
        .isEqualTo(
            Attributes.builder()
                .put("model", "abc")
                .put("weighted", true)
                .put(AttributeKey.longKey("n"), 123456L)
                .build());
  }

  @Test
  void truncateAttributes_sameObjectWhenNothingIsLong() {
    Attributes attributes = Attributes.of(AttributeKey.stringKey("model"), "abc");

    assertThat(MetricLabels.truncate(attributes, 3)).isSameAs(attributes);
  }
}
