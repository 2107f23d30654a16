/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import org.junit.jupiter.api.Test;

class CardinalityGuardTest {

  private static Attributes model(String name) {
    return Attributes.of(AttributeKey.stringKey("gen_ai.request.model"), name);
  }

  @Test
  void admit_firstLimitMinusOneSetsThenOverflow() {
    CardinalityGuard guard = new CardinalityGuard(3);

    assertThat(guard.admit(model("a"))).isEqualTo(model("a"));
    assertThat(guard.admit(model("b"))).isEqualTo(model("b"));
    assertThat(guard.admit(model("c"))).isSameAs(CardinalityGuard.OVERFLOW_SET);
    assertThat(guard.admit(model("a"))).isEqualTo(model("a"));
    assertThat(CardinalityGuard.OVERFLOW_SET)
        .isEqualTo(Attributes.of(AttributeKey.booleanKey("otel.metric.overflow"), true));
  }

  @Test
  void admit_givesBackTheInstanceFirstAdmitted() {
    CardinalityGuard guard = new CardinalityGuard(10);
    Attributes first = model("a");

    assertThat(guard.admit(first)).isSameAs(first);
    Attributes equal = model("a");
    assertThat(equal).isNotSameAs(first);
    // The SDK's storages then find the series by identity, not by comparing every value.
    assertThat(guard.admit(equal)).isSameAs(first);
    assertThat(guard.admit(model("b"))).isNotSameAs(first).isEqualTo(model("b"));
  }

  @Test
  void admit_limitOneSendsEverythingToOverflow() {
    CardinalityGuard guard = new CardinalityGuard(1);

    assertThat(guard.admit(model("a"))).isSameAs(CardinalityGuard.OVERFLOW_SET);
  }
}
