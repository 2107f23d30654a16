/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.cost;

import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.processor.genai.LlmAttributes;
import ai.traccia.proxy.processor.genai.LlmSpan;
import io.opentelemetry.proto.common.v1.AnyValue;

/**
 * Writes each inference span's cost also as the proposed OpenTelemetry GenAI attributes {@code
 * gen_ai.usage.cost.amount} (double), {@code gen_ai.usage.cost.currency} ({@code USD}) and {@code
 * gen_ai.usage.cost.source}: {@code local} when {@link CostProcessor} priced the span, {@code
 * provider} when the span brought its own cost. Runs right after the cost processor, whose {@code
 * traccia.pricing.status} it reads; behind {@code instrumentation.gen_ai_cost_attributes} until the
 * convention is released. Stateless and thread-safe.
 */
public final class GenAiCostAttributesProcessor implements SpanBatchProcessor {

  /** The cost (double). */
  public static final String AMOUNT = "gen_ai.usage.cost.amount";

  /** The ISO 4217 currency of {@link #AMOUNT} (str). */
  public static final String CURRENCY = "gen_ai.usage.cost.currency";

  /** {@code local} or {@code provider} (str). */
  public static final String SOURCE = "gen_ai.usage.cost.source";

  private GenAiCostAttributesProcessor() {}

  /** Returns the processor. */
  public static GenAiCostAttributesProcessor create() {
    return new GenAiCostAttributesProcessor();
  }

  @Override
  public String name() {
    return "gen_ai_cost_attributes";
  }

  @Override
  public void process(SpanBatch batch) {
    for (int i = 0; i < batch.size(); i++) {
      if (batch.isRejected(i)) {
        continue;
      }
      AnyValue status = batch.attribute(i, LlmAttributes.PRICING_STATUS);
      if (status == null || !status.hasStringValue()) {
        continue;
      }
      String source;
      if (CostProcessor.PRICED.equals(status.getStringValue())) {
        source = "local";
      } else if (CostProcessor.PROVIDED.equals(status.getStringValue())) {
        source = "provider";
      } else {
        continue;
      }
      double amount = amount(batch, i);
      if (Double.isNaN(amount)) {
        continue;
      }
      batch.putAttribute(i, AMOUNT, amount);
      batch.putAttribute(i, CURRENCY, "USD");
      batch.putAttribute(i, SOURCE, source);
    }
  }

  private static double amount(SpanBatch batch, int i) {
    AnyValue cost = batch.attribute(i, LlmAttributes.COST_USD);
    if (cost != null && cost.hasDoubleValue() && Double.isFinite(cost.getDoubleValue())) {
      return cost.getDoubleValue();
    }
    if (cost != null && cost.hasIntValue()) {
      return cost.getIntValue();
    }
    return LlmSpan.read(batch, i).existingCostUsd();
  }
}
