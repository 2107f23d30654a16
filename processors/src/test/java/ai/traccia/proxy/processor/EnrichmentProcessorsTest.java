/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pricing.PriceBook;
import ai.traccia.proxy.pricing.PriceBooks;
import ai.traccia.proxy.processor.cost.CostProcessor;
import ai.traccia.proxy.processor.tokens.TokenCountingProcessor;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnrichmentProcessorsTest {

  private static final PriceBook PRICES = PriceBooks.bundled(Clock.systemUTC());

  private static List<SpanBatchProcessor> create(boolean tokens, boolean costs) {
    ProxyConfig config =
        ProxyConfig.builder().setTokenCountingEnabled(tokens).setCostsEnabled(costs).build();
    return EnrichmentProcessors.fromConfig(config, PRICES, model -> {});
  }

  @Test
  void create_tokenCountingRunsBeforeCost() {
    List<SpanBatchProcessor> processors = create(true, true);

    assertThat(processors).hasSize(2);
    assertThat(processors.get(0)).isInstanceOf(TokenCountingProcessor.class);
    assertThat(processors.get(1)).isInstanceOf(CostProcessor.class);
  }

  @Test
  void create_disabledProcessorsAreLeftOut() {
    assertThat(create(false, true)).singleElement().isInstanceOf(CostProcessor.class);
    assertThat(create(true, false)).singleElement().isInstanceOf(TokenCountingProcessor.class);
    assertThat(create(false, false)).isEmpty();
  }
}
