/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.cost;

import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pipeline.SpanBatchProcessorContract;
import java.util.Set;

/**
 * The processor contract for {@link GenAiCostAttributesProcessor}; what it writes is tested with
 * the other 2026 conventions in {@code GenAi2026ConventionsTest}.
 */
class GenAiCostAttributesProcessorTest extends SpanBatchProcessorContract {

  @Override
  protected SpanBatchProcessor newProcessor() {
    return GenAiCostAttributesProcessor.create();
  }

  @Override
  protected Set<String> keysWritten() {
    return Set.of("gen_ai.usage.cost.*");
  }
}
