/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import static ai.traccia.proxy.processor.metrics.GenAiMetrics.*;

import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.processor.genai.LlmAttributes;
import ai.traccia.proxy.processor.genai.LlmSpan;
import ai.traccia.proxy.processor.sampling.SamplingThreshold;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * Derives the GenAI client and agent metrics from spans, before any sampling, into the meter of a
 * {@link DerivedMetrics}.
 *
 * <p>For each span no earlier processor refused:
 *
 * <ul>
 *   <li>an {@link LlmSpan#isInference() inference span} records {@code gen_ai.client.token.usage}
 *       ({@code gen_ai.token.type} {@code input} and {@code output}, each only when &gt; 0), {@code
 *       gen_ai.client.operation.duration} (end minus start, when &gt; 0) and {@code
 *       gen_ai.client.operation.cost} ({@code llm.cost.usd} or a cost the span carried, when &gt;
 *       0); with status ERROR it adds to {@code gen_ai.client.completions.exceptions}; made on
 *       behalf of an agent (see below) it adds one to {@code gen_ai.agent.turns};
 *   <li>an agent run span ({@code gen_ai.operation.name=invoke_agent}, OpenAI Agents {@code
 *       agent.span.type=agent}, CrewAI {@code crewai.type=crew}, OpenInference kind {@code AGENT},
 *       OpenLLMetry {@code traceloop.span.kind=agent}, Traccia {@code span.type=agent}) adds one to
 *       {@code gen_ai.agent.runs} and records {@code gen_ai.agent.execution_time}; a CrewAI agent
 *       task ({@code crewai.type=agent}) records the execution time only, as the Traccia SDK does.
 * </ul>
 *
 * <p>Token counts are {@code gen_ai.usage.input_tokens} / {@code output_tokens} as the cost
 * processor normalised them, else the span's usage in any dialect, the token counter's estimates
 * included: the metrics add up to what was priced. Run this processor after the token counter and
 * the cost processor and before trace sampling and rate limiting. Spans that an earlier stage
 * refused or held back ({@link SpanBatch#isRejected}) are not counted, so it must also run before
 * any stage that holds spans to forward them later.
 *
 * <p><b>Attributes.</b> LLM metrics: {@code gen_ai.provider.name} and its older name {@code
 * gen_ai.system} (the span's provider, else {@code openai.agents} or {@code crewai} for those
 * frameworks' spans), {@code gen_ai.request.model} (else the response model), {@code
 * gen_ai.operation.name}, and the identity keys. The exception counter has only provider, model
 * ({@code unknown} when absent) and {@code service.name}. Identity keys: {@code agent.id} and its
 * duplicate {@code agent_id}, {@code agent.name}, {@code environment}, from the span (the {@code
 * gen_ai.agent.*} and {@code env} spellings included) or else its resource, and {@code
 * service.name} from the resource; each only when set. A turn is an inference span with an agent
 * identity, an OpenAI Agents generation or a CrewAI LLM span.
 *
 * <p><b>Upstream sampling.</b> A span whose tracestate carries an OpenTelemetry sampling threshold
 * ({@code ot=th:...}) stands for {@link SamplingThreshold#adjustedCount its adjusted count} of
 * spans: counters add that weight, histograms record the value {@code floor(weight)} times and once
 * more with probability {@code weight - floor(weight)} (an unbiased estimate of count and sum), at
 * most {@value #MAX_REPEATS} times. Such series carry {@code traccia.metrics.weighted=true}.
 *
 * <p><b>metrics_sample_rate</b>, as in the Traccia SDK: each recording is kept with that
 * probability, independently of the others, and is not scaled up.
 *
 * <p>Thread-safe and non-blocking.
 */
public final class SpanMetricsProcessor implements SpanBatchProcessor {

  /** Most times one histogram value is recorded for one heavily weighted span. */
  static final int MAX_REPEATS = 1024;

  private final LongHistogram tokenUsage;
  private final DoubleHistogram duration;
  private final DoubleHistogram cost;
  private final DoubleCounter exceptions;
  private final DoubleCounter agentRuns;
  private final DoubleCounter agentTurns;
  private final DoubleHistogram agentExecutionTime;
  private final LongCounter overflows;
  private final Map<String, CardinalityGuard> guards;
  private final Map<String, Attributes> overflowAttributes;
  private final int maxLabelLength;
  private final double sampleRate;
  private final DoubleSupplier random;

  SpanMetricsProcessor(
      Meter meter,
      int cardinalityLimit,
      int maxLabelLength,
      double sampleRate,
      DoubleSupplier random) {
    this.maxLabelLength = maxLabelLength;
    this.sampleRate = sampleRate;
    this.random = random;
    tokenUsage =
        meter
            .histogramBuilder(TOKEN_USAGE)
            .ofLongs()
            .setUnit("{token}")
            .setDescription("Number of input and output tokens used")
            .setExplicitBucketBoundariesAdvice(longs(TOKEN_BUCKETS))
            .build();
    duration =
        meter
            .histogramBuilder(OPERATION_DURATION)
            .setUnit("s")
            .setDescription("GenAI operation duration")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    cost =
        meter
            .histogramBuilder(OPERATION_COST)
            .setUnit("usd")
            .setDescription("Cost per LLM operation in USD")
            .setExplicitBucketBoundariesAdvice(COST_BUCKETS)
            .build();
    exceptions =
        meter
            .counterBuilder(EXCEPTIONS)
            .ofDoubles()
            .setUnit("1")
            .setDescription("Number of exceptions during LLM operations")
            .build();
    agentRuns =
        meter
            .counterBuilder(AGENT_RUNS)
            .ofDoubles()
            .setUnit("1")
            .setDescription("Number of agent runs")
            .build();
    agentTurns =
        meter
            .counterBuilder(AGENT_TURNS)
            .ofDoubles()
            .setUnit("1")
            .setDescription("Number of agent turns")
            .build();
    agentExecutionTime =
        meter
            .histogramBuilder(AGENT_EXECUTION_TIME)
            .setUnit("s")
            .setDescription("Agent execution duration")
            .setExplicitBucketBoundariesAdvice(AGENT_DURATION_BUCKETS)
            .build();
    overflows =
        meter
            .counterBuilder(OVERFLOWS)
            .setUnit("{recording}")
            .setDescription(
                "Recordings of a derived metric sent to its overflow series because the metric"
                    + " reached its cardinality limit")
            .build();
    Map<String, CardinalityGuard> g = new HashMap<>();
    Map<String, Attributes> o = new HashMap<>();
    for (String name : DERIVED) {
      g.put(name, new CardinalityGuard(cardinalityLimit));
      o.put(name, Attributes.of(METRIC_NAME, name));
    }
    this.guards = Map.copyOf(g);
    this.overflowAttributes = Map.copyOf(o);
  }

  private static List<Long> longs(List<Double> values) {
    List<Long> out = new ArrayList<>(values.size());
    for (Double v : values) {
      out.add(v.longValue());
    }
    return out;
  }

  @Override
  public String name() {
    return "metrics";
  }

  @Override
  public void process(SpanBatch batch) {
    if (sampleRate <= 0) {
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      if (!batch.isRejected(i)) {
        record(batch, i);
      }
    }
  }

  private void record(SpanBatch batch, int i) {
    double weight = SamplingThreshold.adjustedCount(batch.traceState(i));
    double seconds = durationSeconds(batch.startTimeUnixNano(i), batch.endTimeUnixNano(i));
    LlmSpan llm = LlmSpan.read(batch, i);
    if (llm.isInference()) {
      recordInference(batch, i, llm, weight, seconds);
      return;
    }
    AgentSpan kind = agentSpan(batch, i);
    if (kind == AgentSpan.NONE) {
      return;
    }
    Attributes attributes = identity(batch, i, Attributes.builder(), weight).build();
    if (kind == AgentSpan.RUN) {
      add(agentRuns, AGENT_RUNS, attributes, weight);
    }
    if (seconds > 0) {
      record(agentExecutionTime, AGENT_EXECUTION_TIME, seconds, attributes, weight);
    }
  }

  private void recordInference(SpanBatch batch, int i, LlmSpan llm, double weight, double seconds) {
    String provider = provider(batch, i, llm);
    String model = llm.requestModel() != null ? llm.requestModel() : llm.model();
    AttributesBuilder b = Attributes.builder();
    if (provider != null) {
      b.put(PROVIDER_NAME, provider).put(SYSTEM, provider);
    }
    if (model != null) {
      b.put(REQUEST_MODEL, model);
    }
    if (llm.operation() != null) {
      b.put(OPERATION, llm.operation());
    }
    Attributes attributes = identity(batch, i, b, weight).build();

    long input = count(batch.attribute(i, LlmAttributes.GEN_AI_INPUT_TOKENS));
    if (input == LlmSpan.ABSENT) {
      input = llm.inputTokens();
    }
    long output = count(batch.attribute(i, LlmAttributes.GEN_AI_OUTPUT_TOKENS));
    if (output == LlmSpan.ABSENT) {
      output = llm.outputTokens();
    }
    if (input > 0) {
      record(tokenUsage, input, attributes.toBuilder().put(TOKEN_TYPE, "input").build(), weight);
    }
    if (output > 0) {
      record(tokenUsage, output, attributes.toBuilder().put(TOKEN_TYPE, "output").build(), weight);
    }
    if (seconds > 0) {
      record(duration, OPERATION_DURATION, seconds, attributes, weight);
    }
    double usd = number(batch.attribute(i, LlmAttributes.COST_USD));
    if (Double.isNaN(usd)) {
      usd = llm.existingCostUsd();
    }
    if (usd > 0) {
      record(cost, OPERATION_COST, usd, attributes, weight);
    }
    if (batch.statusCode(i) == Status.StatusCode.STATUS_CODE_ERROR_VALUE) {
      AttributesBuilder e = Attributes.builder();
      if (provider != null) {
        e.put(PROVIDER_NAME, provider).put(SYSTEM, provider);
      }
      e.put(REQUEST_MODEL, model != null ? model : "unknown");
      String service = string(batch.resourceAttribute(i, "service.name"));
      if (service != null) {
        e.put(SERVICE_NAME, service);
      }
      if (weight != 1) {
        e.put(WEIGHTED, true);
      }
      add(exceptions, EXCEPTIONS, e.build(), weight);
    }
    if (isTurn(batch, i, attributes)) {
      Attributes agent = identity(batch, i, Attributes.builder(), weight).build();
      add(agentTurns, AGENT_TURNS, agent, weight);
    }
  }

  // --- Recording ------------------------------------------------------------------------------

  private boolean sampled() {
    return sampleRate >= 1 || random.getAsDouble() < sampleRate;
  }

  // Every recording passes here: its client-given values are cut to length, then its set is
  // admitted or folded into the overflow set, so both the size and the number of series are bound.
  private Attributes admit(String metric, Attributes attributes) {
    Attributes admitted =
        guards.get(metric).admit(MetricLabels.truncate(attributes, maxLabelLength));
    if (admitted == CardinalityGuard.OVERFLOW_SET) {
      overflows.add(1, overflowAttributes.get(metric));
    }
    return admitted;
  }

  private void add(DoubleCounter counter, String metric, Attributes attributes, double weight) {
    if (sampled()) {
      counter.add(weight, admit(metric, attributes));
    }
  }

  private void record(
      DoubleHistogram histogram,
      String metric,
      double value,
      Attributes attributes,
      double weight) {
    if (!sampled()) {
      return;
    }
    Attributes admitted = admit(metric, attributes);
    for (int k = repeats(weight); k > 0; k--) {
      histogram.record(value, admitted);
    }
  }

  private void record(LongHistogram histogram, long value, Attributes attributes, double weight) {
    if (!sampled()) {
      return;
    }
    Attributes admitted = admit(TOKEN_USAGE, attributes);
    for (int k = repeats(weight); k > 0; k--) {
      histogram.record(value, admitted);
    }
  }

  // How many times to record a value of a span of this weight; unbiased for fractional weights.
  private int repeats(double weight) {
    if (weight == 1) {
      return 1;
    }
    if (weight >= MAX_REPEATS) {
      return MAX_REPEATS;
    }
    int whole = (int) weight;
    return random.getAsDouble() < weight - whole ? whole + 1 : whole;
  }

  // --- Reading spans --------------------------------------------------------------------------

  private enum AgentSpan {
    NONE,
    RUN,
    EXECUTION_ONLY
  }

  private static AgentSpan agentSpan(SpanBatch batch, int i) {
    if ("invoke_agent".equals(string(batch.attribute(i, "gen_ai.operation.name")))
        || "agent".equals(string(batch.attribute(i, "agent.span.type")))
        || "crew".equals(string(batch.attribute(i, "crewai.type")))
        || "AGENT".equalsIgnoreCase(string(batch.attribute(i, "openinference.span.kind")))
        || "agent".equalsIgnoreCase(string(batch.attribute(i, "traceloop.span.kind")))
        || "agent".equalsIgnoreCase(string(batch.attribute(i, "span.type")))) {
      return AgentSpan.RUN;
    }
    if ("agent".equals(string(batch.attribute(i, "crewai.type")))) {
      return AgentSpan.EXECUTION_ONLY;
    }
    return AgentSpan.NONE;
  }

  private static boolean isTurn(SpanBatch batch, int i, Attributes attributes) {
    return attributes.get(AGENT_ID) != null
        || attributes.get(AGENT_NAME) != null
        || "generation".equals(string(batch.attribute(i, "agent.span.type")))
        || "llm".equals(string(batch.attribute(i, "crewai.type")));
  }

  private static String provider(SpanBatch batch, int i, LlmSpan llm) {
    String provider = llm.provider();
    if (provider != null) {
      return provider;
    }
    if (batch.attribute(i, "agent.span.type") != null) {
      return "openai.agents";
    }
    if (batch.attribute(i, "crewai.type") != null) {
      return "crewai";
    }
    return null;
  }

  private static AttributesBuilder identity(
      SpanBatch batch, int i, AttributesBuilder b, double weight) {
    String agentId = first(batch, i, "agent.id", "agent_id", "gen_ai.agent.id");
    if (agentId != null) {
      b.put(AGENT_ID, agentId).put(AGENT_ID_LEGACY, agentId);
    }
    String agentName = first(batch, i, "agent.name", "gen_ai.agent.name", null);
    if (agentName != null) {
      b.put(AGENT_NAME, agentName);
    }
    String environment = first(batch, i, "environment", "env", "deployment.environment.name");
    if (environment != null) {
      b.put(ENVIRONMENT, environment);
    }
    String service = string(batch.resourceAttribute(i, "service.name"));
    if (service != null) {
      b.put(SERVICE_NAME, service);
    }
    if (weight != 1) {
      b.put(WEIGHTED, true);
    }
    return b;
  }

  // The first of the keys set on the span, else the first set on its resource.
  private static String first(SpanBatch batch, int i, String a, String b, String c) {
    String[] keys = c == null ? new String[] {a, b} : new String[] {a, b, c};
    for (String key : keys) {
      String value = string(batch.attribute(i, key));
      if (value != null) {
        return value;
      }
    }
    for (String key : keys) {
      String value = string(batch.resourceAttribute(i, key));
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  private static double durationSeconds(long start, long end) {
    if (start == 0 || end <= start) {
      return 0;
    }
    return (end - start) / 1e9;
  }

  private static String string(AnyValue value) {
    if (value == null || value.getValueCase() != AnyValue.ValueCase.STRING_VALUE) {
      return null;
    }
    String s = value.getStringValue();
    return s.isEmpty() ? null : s;
  }

  private static long count(AnyValue value) {
    if (value == null) {
      return LlmSpan.ABSENT;
    }
    switch (value.getValueCase()) {
      case INT_VALUE:
        return value.getIntValue() >= 0 ? value.getIntValue() : LlmSpan.ABSENT;
      case DOUBLE_VALUE:
        double d = value.getDoubleValue();
        return d >= 0 && d <= Long.MAX_VALUE && d == Math.rint(d) ? (long) d : LlmSpan.ABSENT;
      default:
        return LlmSpan.ABSENT;
    }
  }

  private static double number(AnyValue value) {
    if (value == null) {
      return Double.NaN;
    }
    switch (value.getValueCase()) {
      case DOUBLE_VALUE:
        double d = value.getDoubleValue();
        return Double.isFinite(d) && d >= 0 ? d : Double.NaN;
      case INT_VALUE:
        return value.getIntValue() >= 0 ? value.getIntValue() : Double.NaN;
      default:
        return Double.NaN;
    }
  }
}
