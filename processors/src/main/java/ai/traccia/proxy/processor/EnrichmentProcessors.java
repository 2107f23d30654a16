/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pricing.PriceBook;
import ai.traccia.proxy.processor.cost.CostProcessor;
import ai.traccia.proxy.processor.cost.GenAiCostAttributesProcessor;
import ai.traccia.proxy.processor.tokens.TokenCountingProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Builds the LLM enrichment stages of the span pipeline in the order they must run.
 *
 * <p>The order is fixed, as in the Traccia SDK:
 *
 * <ol>
 *   <li>{@link TokenCountingProcessor} ({@code instrumentation.enable_token_counting}) estimates
 *       missing token counts;
 *   <li>{@link CostProcessor} ({@code instrumentation.enable_costs}) prices the usage, estimated
 *       counts included, so it must come after the token counter;
 *   <li>{@link GenAiCostAttributesProcessor} ({@code instrumentation.gen_ai_cost_attributes}, off
 *       by default) copies the cost to the proposed {@code gen_ai.usage.cost.*} attributes.
 * </ol>
 *
 * <p>Disabled stages are left out, so the list may be empty. Stages that other processors add
 * (guardrails, redaction) go after these: redaction before costing would hide the text the counter
 * needs.
 */
public final class EnrichmentProcessors {

  private EnrichmentProcessors() {}

  /**
   * The enabled enrichment processors of {@code config}, in their required order.
   *
   * <p>Creating the token counter loads its tokenizer vocabularies, which takes a fraction of a
   * second; call this at startup, not per request.
   *
   * @param prices the price book the cost processor reads on every priced span
   * @param onUnpricedModel called with the model name of every inference span whose model has no
   *     price; thread-safe and non-blocking
   */
  public static List<SpanBatchProcessor> fromConfig(
      ProxyConfig config, PriceBook prices, Consumer<String> onUnpricedModel) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(prices, "prices");
    Objects.requireNonNull(onUnpricedModel, "onUnpricedModel");
    List<SpanBatchProcessor> processors = new ArrayList<>(2);
    if (config.tokenCountingEnabled()) {
      processors.add(TokenCountingProcessor.create());
    }
    if (config.costsEnabled()) {
      processors.add(
          CostProcessor.builder(prices).setUnpricedModelListener(onUnpricedModel).build());
      if (config.genAiCostAttributes()) {
        processors.add(GenAiCostAttributesProcessor.create());
      }
    }
    return List.copyOf(processors);
  }
}
