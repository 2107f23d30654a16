/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/** Names, units, descriptions and bucket boundaries of the metrics derived from spans. */
final class GenAiMetrics {

  private GenAiMetrics() {}

  static final String METER_NAME = "traccia";
  static final String METER_VERSION = "1.0.0";

  static final String TOKEN_USAGE = "gen_ai.client.token.usage";
  static final String OPERATION_DURATION = "gen_ai.client.operation.duration";
  static final String OPERATION_COST = "gen_ai.client.operation.cost";
  static final String EXCEPTIONS = "gen_ai.client.completions.exceptions";
  static final String AGENT_RUNS = "gen_ai.agent.runs";
  static final String AGENT_TURNS = "gen_ai.agent.turns";
  static final String AGENT_EXECUTION_TIME = "gen_ai.agent.execution_time";
  static final String OVERFLOWS = "traccia.metrics.cardinality_overflows";

  /** Every derived instrument that is subject to the cardinality limit. */
  static final List<String> DERIVED =
      List.of(
          TOKEN_USAGE,
          OPERATION_DURATION,
          OPERATION_COST,
          EXCEPTIONS,
          AGENT_RUNS,
          AGENT_TURNS,
          AGENT_EXECUTION_TIME);

  /** The GenAI semantic conventions' advice for {@code gen_ai.client.token.usage}: powers of 4. */
  static final List<Double> TOKEN_BUCKETS =
      List.of(
          1d, 4d, 16d, 64d, 256d, 1024d, 4096d, 16384d, 65536d, 262144d, 1048576d, 4194304d,
          16777216d, 67108864d);

  /** The GenAI semantic conventions' advice for {@code gen_ai.client.operation.duration}, in s. */
  static final List<Double> DURATION_BUCKETS =
      List.of(
          0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);

  /**
   * Agent runs last longer than single calls: the duration advice continued by doubling to about 22
   * minutes, in s.
   */
  static final List<Double> AGENT_DURATION_BUCKETS =
      List.of(
          0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
          163.84, 327.68, 655.36, 1310.72);

  /**
   * Cost per call in USD, which the conventions give no advice for: roughly 1-2.5-5 steps from a
   * hundredth of a cent (a small embedding call) to 10 USD (a long reasoning call).
   */
  static final List<Double> COST_BUCKETS =
      List.of(
          0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05, 0.1, 0.25, 0.5, 1d, 2.5, 5d, 10d);

  // --- Attributes -------------------------------------------------------------------------------

  static final AttributeKey<String> TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");
  static final AttributeKey<String> PROVIDER_NAME = AttributeKey.stringKey("gen_ai.provider.name");
  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("gen_ai.system");
  static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> AGENT_ID = AttributeKey.stringKey("agent.id");
  static final AttributeKey<String> AGENT_ID_LEGACY = AttributeKey.stringKey("agent_id");
  static final AttributeKey<String> AGENT_NAME = AttributeKey.stringKey("agent.name");
  static final AttributeKey<String> GEN_AI_AGENT_ID = AttributeKey.stringKey("gen_ai.agent.id");
  static final AttributeKey<String> GEN_AI_AGENT_NAME = AttributeKey.stringKey("gen_ai.agent.name");
  static final AttributeKey<String> ENVIRONMENT = AttributeKey.stringKey("environment");
  static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  /**
   * Marks series fed by spans that were sampled upstream: their values are estimates, each span
   * weighted by its adjusted count (the inverse of its sampling probability).
   */
  static final AttributeKey<Boolean> WEIGHTED = AttributeKey.booleanKey("traccia.metrics.weighted");

  /** The SDK's attribute of the series that collects recordings past the cardinality limit. */
  static final AttributeKey<Boolean> OVERFLOW = AttributeKey.booleanKey("otel.metric.overflow");

  /** On the overflow counter: which metric overflowed. */
  static final AttributeKey<String> METRIC_NAME = AttributeKey.stringKey("metric");
}
