/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.cost;

import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pricing.PriceBook;
import ai.traccia.proxy.pricing.PriceMatch;
import ai.traccia.proxy.pricing.PricingInfo;
import ai.traccia.proxy.pricing.TokenUsage;
import ai.traccia.proxy.processor.genai.LlmAttributes;
import ai.traccia.proxy.processor.genai.LlmSpan;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Prices inference spans in USD ({@code instrumentation.enable_costs}).
 *
 * <p>For each span that {@link LlmSpan#isInference() is an inference span} and reports both a
 * prompt and a completion count (a prompt count suffices for {@code embeddings}), in any dialect or
 * as estimated by the token counter that runs before it:
 *
 * <ol>
 *   <li>the usage is normalised ({@link UsageNormalizer}: Anthropic's cache counts are added to an
 *       input that excludes them) and {@code gen_ai.usage.input_tokens} / {@code
 *       gen_ai.usage.output_tokens} are written where the span lacks them;
 *   <li>the model is looked up with {@link PriceBook#find}: the response model, then the request
 *       model, with the span's provider;
 *   <li>an unknown model gets {@code traccia.pricing.status = "unpriced"} and no cost, and its name
 *       is passed to the unpriced-model listener;
 *   <li>a span that already carries a cost ({@code llm.cost.usd}, {@code gen_ai.usage.cost} or
 *       {@code llm.cost.total}) keeps it and gets {@code traccia.pricing.status = "provided"}; the
 *       proxy's own cost goes beside it as {@code traccia.cost.computed_usd} when the two differ;
 *   <li>otherwise it writes {@code llm.cost.usd} (double, unrounded), {@code llm.usage.source} when
 *       absent, {@code llm.cost.source} (the usage source, else {@code unknown}), {@code
 *       llm.pricing.source}, {@code llm.pricing.model_key}, {@code llm.pricing.generated_at} (ISO
 *       time or {@code unknown}), {@code llm.pricing.age_days} (when known), {@code
 *       llm.pricing.snapshot_version} and {@code traccia.pricing.status = "priced"}.
 * </ol>
 *
 * <p>The cost is computed exactly ({@link BigDecimal}) and converted to a double only as the
 * attribute is written. Unlike the Traccia SDK it is not rounded to six decimals, which turned
 * cheap calls into 0.0.
 *
 * <p>Thread-safe and non-blocking as long as the price book and the listener are.
 */
public final class CostProcessor implements SpanBatchProcessor {

  static final String PRICED = "priced";
  static final String UNPRICED = "unpriced";
  static final String PROVIDED = "provided";
  private static final String UNKNOWN = "unknown";

  private final PriceBook prices;
  private final Consumer<String> onUnpricedModel;

  private CostProcessor(Builder builder) {
    this.prices = builder.prices;
    this.onUnpricedModel = builder.onUnpricedModel;
  }

  /** A builder pricing with {@code prices}. */
  public static Builder builder(PriceBook prices) {
    return new Builder(prices);
  }

  @Override
  public String name() {
    return "cost";
  }

  @Override
  public void process(SpanBatch batch) {
    PricingInfo info = null; // read once per batch, and only when a span is priced
    for (int i = 0; i < batch.size(); i++) {
      if (batch.isRejected(i)) {
        continue;
      }
      LlmSpan span = LlmSpan.read(batch, i);
      if (!span.isInference()) {
        continue;
      }
      TokenUsage usage = UsageNormalizer.normalize(span, !"embeddings".equals(span.operation()));
      if (usage == null) {
        continue;
      }
      writeGenAiUsage(batch, i, usage, span.outputTokens() != LlmSpan.ABSENT);
      String model = span.model();
      if (model == null) {
        continue;
      }
      Optional<PriceMatch> match = find(span);
      if (match.isEmpty()) {
        batch.putAttribute(i, LlmAttributes.PRICING_STATUS, UNPRICED);
        reportUnpriced(model);
        continue;
      }
      BigDecimal cost = match.get().price().cost(usage);
      double existing = span.existingCostUsd();
      if (!Double.isNaN(existing)) {
        batch.putAttribute(i, LlmAttributes.PRICING_STATUS, PROVIDED);
        if (differs(existing, cost)) {
          batch.putAttribute(i, LlmAttributes.COMPUTED_COST_USD, cost.doubleValue());
        }
        continue;
      }
      if (info == null) {
        info = prices.info();
      }
      writeCost(batch, i, cost, match.get(), info);
    }
  }

  private Optional<PriceMatch> find(LlmSpan span) {
    String provider = span.provider();
    String response = span.responseModel();
    String request = span.requestModel();
    if (response != null) {
      Optional<PriceMatch> match = prices.find(response, provider);
      if (match.isPresent() || request == null || request.equals(response)) {
        return match;
      }
    }
    return prices.find(request, provider);
  }

  // An embeddings span without an output count keeps having none.
  private static void writeGenAiUsage(
      SpanBatch batch, int i, TokenUsage usage, boolean outputReported) {
    if (batch.attribute(i, LlmAttributes.GEN_AI_INPUT_TOKENS) == null) {
      batch.putAttribute(i, LlmAttributes.GEN_AI_INPUT_TOKENS, usage.inputTokens());
    }
    if (outputReported && batch.attribute(i, LlmAttributes.GEN_AI_OUTPUT_TOKENS) == null) {
      batch.putAttribute(i, LlmAttributes.GEN_AI_OUTPUT_TOKENS, usage.outputTokens());
    }
  }

  private static void writeCost(
      SpanBatch batch, int i, BigDecimal cost, PriceMatch match, PricingInfo info) {
    batch.putAttribute(i, LlmAttributes.COST_USD, cost.doubleValue());
    String usageSource = string(batch.attribute(i, LlmAttributes.USAGE_SOURCE));
    if (usageSource == null) {
      usageSource = string(batch.attribute(i, LlmAttributes.COST_SOURCE));
      batch.putAttribute(
          i, LlmAttributes.USAGE_SOURCE, usageSource == null ? UNKNOWN : usageSource);
    }
    batch.putAttribute(i, LlmAttributes.COST_SOURCE, usageSource == null ? UNKNOWN : usageSource);
    batch.putAttribute(i, LlmAttributes.PRICING_SOURCE, match.source().label());
    batch.putAttribute(i, LlmAttributes.PRICING_MODEL_KEY, match.modelKey());
    String generatedAt = info.generatedAt().map(Object::toString).orElse(UNKNOWN);
    batch.putAttribute(i, LlmAttributes.PRICING_GENERATED_AT, generatedAt);
    if (info.ageDays().isPresent()) {
      batch.putAttribute(i, LlmAttributes.PRICING_AGE_DAYS, info.ageDays().getAsLong());
    }
    batch.putAttribute(
        i, LlmAttributes.PRICING_SNAPSHOT_VERSION, info.snapshotVersion().orElse(generatedAt));
    batch.putAttribute(i, LlmAttributes.PRICING_STATUS, PRICED);
  }

  // A cost recorded as a double, or rounded by an SDK, differs from ours only beyond a double's
  // own precision when it is the same cost.
  static boolean differs(double existing, BigDecimal computed) {
    double ours = computed.doubleValue();
    return Math.abs(existing - ours) > 1e-12 + 1e-9 * Math.abs(ours);
  }

  private void reportUnpriced(String model) {
    try {
      onUnpricedModel.accept(model);
    } catch (RuntimeException e) {
      // The listener only counts; a failing one must not cost the span its other attributes.
    }
  }

  private static String string(AnyValue value) {
    if (value == null || value.getValueCase() != AnyValue.ValueCase.STRING_VALUE) {
      return null;
    }
    return value.getStringValue().isEmpty() ? null : value.getStringValue();
  }

  /** Builds a {@link CostProcessor}. Not thread-safe. */
  public static final class Builder {
    private final PriceBook prices;
    private Consumer<String> onUnpricedModel = model -> {};

    private Builder(PriceBook prices) {
      this.prices = Objects.requireNonNull(prices, "prices");
    }

    /**
     * Sets what to call with the model name of each inference span whose model is not in the price
     * book, for example to count it. It runs on the pipeline thread, once per such span, so it must
     * be thread-safe and return immediately; what it throws is ignored. The default does nothing.
     */
    public Builder setUnpricedModelListener(Consumer<String> onUnpricedModel) {
      this.onUnpricedModel = Objects.requireNonNull(onUnpricedModel, "onUnpricedModel");
      return this;
    }

    /** The processor. */
    public CostProcessor build() {
      return new CostProcessor(this);
    }
  }
}
