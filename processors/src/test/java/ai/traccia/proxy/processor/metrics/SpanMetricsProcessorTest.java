/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import static ai.traccia.proxy.processor.TestSpans.attributes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pipeline.SpanBatchProcessorContract;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.processor.sampling.TraceSamplingProcessor;
import com.google.protobuf.ByteString;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SpanMetricsProcessorTest extends SpanBatchProcessorContract {

  private static final long SECOND = 1_000_000_000L;

  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private DerivedMetrics metrics;

  @Override
  protected SpanBatchProcessor newProcessor() {
    return metrics().processor();
  }

  @AfterEach
  void shutdown() {
    if (metrics != null) {
      metrics.shutdown().join();
    }
  }

  private DerivedMetrics metrics() {
    return metrics(DerivedMetrics.builder());
  }

  private DerivedMetrics metrics(DerivedMetrics.Builder builder) {
    metrics = builder.registerMetricReader(reader).build();
    return metrics;
  }

  // --- Spans ------------------------------------------------------------------------------------

  private static Span.Builder llmSpan(String model, long input, long output, double usd) {
    return Span.newBuilder()
        .setName("chat " + model)
        .setStartTimeUnixNano(10 * SECOND)
        .setEndTimeUnixNano(10 * SECOND + SECOND / 2)
        .addAllAttributes(
            attributes(
                "gen_ai.operation.name", "chat",
                "gen_ai.provider.name", "openai",
                "gen_ai.request.model", model,
                "gen_ai.usage.input_tokens", input,
                "gen_ai.usage.output_tokens", output,
                "llm.cost.usd", usd));
  }

  private static SpanBatch batch(List<Span.Builder> spans) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    spans.forEach(scope::addSpans);
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(
                        Resource.newBuilder().addAllAttributes(attributes("service.name", "shop")))
                    .addScopeSpans(scope))
            .build();
    return SpanBatch.of(request, request.toByteArray());
  }

  private static SpanBatch batch(Span.Builder... spans) {
    return batch(List.of(spans));
  }

  // --- Reading the SDK --------------------------------------------------------------------------

  private List<MetricData> collected;

  private MetricData metric(String name) {
    if (collected == null) {
      collected = new ArrayList<>(reader.collectAllMetrics());
    }
    return collected.stream().filter(m -> m.getName().equals(name)).findFirst().orElse(null);
  }

  private List<HistogramPointData> histogram(String name, Predicate<Attributes> where) {
    MetricData m = metric(name);
    List<HistogramPointData> out = new ArrayList<>();
    if (m != null) {
      for (HistogramPointData p : m.getHistogramData().getPoints()) {
        if (where.test(p.getAttributes())) {
          out.add(p);
        }
      }
    }
    return out;
  }

  private double histogramSum(String name, Predicate<Attributes> where) {
    return histogram(name, where).stream().mapToDouble(HistogramPointData::getSum).sum();
  }

  private long histogramCount(String name, Predicate<Attributes> where) {
    return histogram(name, where).stream().mapToLong(HistogramPointData::getCount).sum();
  }

  private double counter(String name, Predicate<Attributes> where) {
    MetricData m = metric(name);
    if (m == null) {
      return 0;
    }
    return m.getDoubleSumData().getPoints().stream()
        .filter(p -> where.test(p.getAttributes()))
        .mapToDouble(DoublePointData::getValue)
        .sum();
  }

  private static Predicate<Attributes> tokenType(String type) {
    return a -> type.equals(a.get(GenAiMetrics.TOKEN_TYPE));
  }

  private static Predicate<Attributes> any() {
    return a -> true;
  }

  // --- Tests ------------------------------------------------------------------------------------

  @Test
  void process_sumsAreExactWhenTracesAreSampledAfterwards() {
    SpanPipeline pipeline =
        SpanPipeline.builder()
            .addProcessor(metrics().processor())
            .addProcessor(TraceSamplingProcessor.builder().setSampleRate(0.1).build())
            .build();
    Random random = new Random(42);
    long inputTotal = 0;
    long outputTotal = 0;
    double costTotal = 0;
    int kept = 0;
    int spans = 0;
    String[] models = {"gpt-4o", "gpt-4o-mini", "claude-3-haiku"};
    for (int b = 0; b < 40; b++) {
      List<Span.Builder> batch = new ArrayList<>();
      for (int k = 0; k < 100; k++) {
        long input = 1 + random.nextInt(5000);
        long output = 1 + random.nextInt(800);
        double usd = input * 2.5e-6 + output * 1e-5;
        byte[] traceId = new byte[16];
        random.nextBytes(traceId);
        batch.add(
            llmSpan(models[random.nextInt(models.length)], input, output, usd)
                .setTraceId(ByteString.copyFrom(traceId)));
        inputTotal += input;
        outputTotal += output;
        costTotal += usd;
        spans++;
      }
      SpanBatch spanBatch = batch(batch);
      pipeline.process(spanBatch);
      kept += spanBatch.acceptedCount();
    }

    assertThat(spans).isEqualTo(4000);
    assertThat(kept).isBetween(400 - 100, 400 + 100); // sampling did happen
    assertThat(histogramSum(GenAiMetrics.TOKEN_USAGE, tokenType("input")))
        .isEqualTo((double) inputTotal);
    assertThat(histogramSum(GenAiMetrics.TOKEN_USAGE, tokenType("output")))
        .isEqualTo((double) outputTotal);
    assertThat(histogramCount(GenAiMetrics.TOKEN_USAGE, tokenType("input"))).isEqualTo(4000);
    assertThat(histogramSum(GenAiMetrics.OPERATION_COST, any()))
        .isCloseTo(costTotal, within(1e-9 * costTotal));
    assertThat(histogramCount(GenAiMetrics.OPERATION_COST, any())).isEqualTo(4000);
    assertThat(histogramSum(GenAiMetrics.OPERATION_DURATION, any())).isEqualTo(2000.0);
  }

  @Test
  void process_attributesFromSpanAndResource() {
    metrics()
        .processor()
        .process(
            batch(
                llmSpan("gpt-4o", 10, 5, 0.001)
                    .addAllAttributes(
                        attributes("agent.id", "a-1", "agent.name", "planner", "env", "prod"))));

    HistogramPointData point = histogram(GenAiMetrics.TOKEN_USAGE, tokenType("input")).get(0);

    assertThat(point.getAttributes().asMap())
        .containsEntry(GenAiMetrics.PROVIDER_NAME, "openai")
        .containsEntry(GenAiMetrics.SYSTEM, "openai")
        .containsEntry(GenAiMetrics.REQUEST_MODEL, "gpt-4o")
        .containsEntry(GenAiMetrics.OPERATION, "chat")
        .containsEntry(GenAiMetrics.AGENT_ID, "a-1")
        .containsEntry(GenAiMetrics.AGENT_ID_LEGACY, "a-1")
        .containsEntry(GenAiMetrics.AGENT_NAME, "planner")
        .containsEntry(GenAiMetrics.ENVIRONMENT, "prod")
        .containsEntry(GenAiMetrics.SERVICE_NAME, "shop")
        .doesNotContainKey(GenAiMetrics.WEIGHTED);
    // The span names an agent: its call is a turn of that agent.
    assertThat(counter(GenAiMetrics.AGENT_TURNS, a -> "a-1".equals(a.get(GenAiMetrics.AGENT_ID))))
        .isEqualTo(1.0);
  }

  @Test
  void process_bucketBoundariesFollowTheSemanticConventions() {
    metrics()
        .processor()
        .process(
            batch(
                llmSpan("gpt-4o", 10, 5, 0.001),
                Span.newBuilder()
                    .setStartTimeUnixNano(SECOND)
                    .setEndTimeUnixNano(3 * SECOND)
                    .addAllAttributes(attributes("gen_ai.operation.name", "invoke_agent"))));

    assertThat(histogram(GenAiMetrics.TOKEN_USAGE, any()).get(0).getBoundaries())
        .containsExactly(
            1d, 4d, 16d, 64d, 256d, 1024d, 4096d, 16384d, 65536d, 262144d, 1048576d, 4194304d,
            16777216d, 67108864d);
    assertThat(histogram(GenAiMetrics.OPERATION_DURATION, any()).get(0).getBoundaries())
        .containsExactly(
            0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
    assertThat(histogram(GenAiMetrics.OPERATION_COST, any()).get(0).getBoundaries())
        .isEqualTo(GenAiMetrics.COST_BUCKETS);
    assertThat(histogram(GenAiMetrics.AGENT_EXECUTION_TIME, any()).get(0).getBoundaries())
        .isEqualTo(GenAiMetrics.AGENT_DURATION_BUCKETS);
    // 10 input tokens fall in (4, 16]: bucket index 2.
    assertThat(histogram(GenAiMetrics.TOKEN_USAGE, tokenType("input")).get(0).getCounts().get(2))
        .isEqualTo(1L);
    assertThat(metric(GenAiMetrics.TOKEN_USAGE).getUnit()).isEqualTo("{token}");
    assertThat(metric(GenAiMetrics.OPERATION_DURATION).getUnit()).isEqualTo("s");
    assertThat(metric(GenAiMetrics.OPERATION_COST).getUnit()).isEqualTo("usd");
  }

  @Test
  void process_upstreamSampledSpansCountTheirAdjustedCount() {
    metrics()
        .processor()
        .process(
            batch(
                llmSpan("gpt-4o", 100, 10, 0.01).setTraceState("ot=th:c"), // p = 1/4
                llmSpan("gpt-4o", 7, 3, 0.002)
                    .setTraceState("ot=th:c")
                    .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)),
                llmSpan("gpt-4o", 1, 1, 0.5))); // not sampled upstream
    Predicate<Attributes> weighted = a -> Boolean.TRUE.equals(a.get(GenAiMetrics.WEIGHTED));

    assertThat(histogramSum(GenAiMetrics.TOKEN_USAGE, weighted.and(tokenType("input"))))
        .isEqualTo(4 * 107.0);
    assertThat(histogramCount(GenAiMetrics.TOKEN_USAGE, weighted.and(tokenType("input"))))
        .isEqualTo(8);
    assertThat(histogramSum(GenAiMetrics.TOKEN_USAGE, weighted.negate().and(tokenType("input"))))
        .isEqualTo(1.0);
    assertThat(histogramSum(GenAiMetrics.OPERATION_COST, weighted))
        .isCloseTo(4 * 0.012, within(1e-12));
    assertThat(counter(GenAiMetrics.EXCEPTIONS, weighted)).isEqualTo(4.0);
  }

  @Test
  void process_fractionalWeightsRoundUpWithTheirFraction() {
    double[] next = {0.0};
    metrics(DerivedMetrics.builder().setRandom(() -> next[0]))
        .processor()
        .process(batch(llmSpan("m", 10, 1, 0.0).setTraceState("ot=th:a"))); // weight 8/3
    next[0] = 0.9;
    metrics.processor().process(batch(llmSpan("m", 10, 1, 0.0).setTraceState("ot=th:a")));

    // 0.0 < 2/3 records three times, 0.9 does not: 3 + 2.
    assertThat(histogramCount(GenAiMetrics.TOKEN_USAGE, tokenType("input"))).isEqualTo(5);
  }

  @Test
  void process_overflowSeriesPastTheCardinalityLimit() {
    metrics(DerivedMetrics.builder().setCardinalityLimit(3))
        .processor()
        .process(
            batch(
                llmSpan("m1", 1, 1, 0.1),
                llmSpan("m2", 1, 1, 0.1),
                llmSpan("m3", 1, 1, 0.1),
                llmSpan("m4", 1, 1, 0.1),
                llmSpan("m1", 1, 1, 0.1)));
    Predicate<Attributes> overflow = a -> Boolean.TRUE.equals(a.get(GenAiMetrics.OVERFLOW));

    List<HistogramPointData> points = histogram(GenAiMetrics.OPERATION_DURATION, any());
    assertThat(points).hasSize(3);
    assertThat(histogramCount(GenAiMetrics.OPERATION_DURATION, overflow)).isEqualTo(2);
    assertThat(histogram(GenAiMetrics.OPERATION_DURATION, overflow).get(0).getAttributes())
        .isEqualTo(Attributes.of(GenAiMetrics.OVERFLOW, true));
    assertThat(histogramCount(GenAiMetrics.OPERATION_DURATION, any())).isEqualTo(5);
    MetricData overflows = metric(GenAiMetrics.OVERFLOWS);
    assertThat(
            overflows.getLongSumData().getPoints().stream()
                .filter(
                    p ->
                        GenAiMetrics.OPERATION_DURATION.equals(
                            p.getAttributes().get(GenAiMetrics.METRIC_NAME)))
                .mapToLong(p -> p.getValue())
                .sum())
        .isEqualTo(2);
  }

  @Test
  void process_agentRunsTurnsAndExecutionTime() {
    metrics()
        .processor()
        .process(
            batch(
                Span.newBuilder()
                    .setStartTimeUnixNano(SECOND)
                    .setEndTimeUnixNano(5 * SECOND)
                    .addAllAttributes(attributes("agent.span.type", "agent", "agent.name", "bot")),
                Span.newBuilder()
                    .setStartTimeUnixNano(SECOND)
                    .setEndTimeUnixNano(2 * SECOND)
                    .addAllAttributes(
                        attributes(
                            "agent.span.type",
                            "generation",
                            "llm.model",
                            "gpt-4o",
                            "llm.usage.prompt_tokens",
                            5,
                            "llm.usage.completion_tokens",
                            2)),
                Span.newBuilder()
                    .setStartTimeUnixNano(SECOND)
                    .setEndTimeUnixNano(4 * SECOND)
                    .addAllAttributes(attributes("crewai.type", "agent", "agent.id", "crew-agent")),
                Span.newBuilder()
                    .setStartTimeUnixNano(SECOND)
                    .setEndTimeUnixNano(2 * SECOND)
                    .addAllAttributes(attributes("name", "plain span"))));

    assertThat(counter(GenAiMetrics.AGENT_RUNS, any())).isEqualTo(1.0);
    assertThat(counter(GenAiMetrics.AGENT_RUNS, a -> "bot".equals(a.get(GenAiMetrics.AGENT_NAME))))
        .isEqualTo(1.0);
    assertThat(histogramSum(GenAiMetrics.AGENT_EXECUTION_TIME, any())).isEqualTo(7.0);
    assertThat(counter(GenAiMetrics.AGENT_TURNS, any())).isEqualTo(1.0);
    // The generation has no provider of its own: the framework names it.
    assertThat(
            histogram(GenAiMetrics.TOKEN_USAGE, tokenType("input"))
                .get(0)
                .getAttributes()
                .get(GenAiMetrics.SYSTEM))
        .isEqualTo("openai.agents");
  }

  @Test
  void process_exceptionCounterHasOnlyProviderModelAndService() {
    metrics()
        .processor()
        .process(
            batch(
                Span.newBuilder()
                    .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR))
                    .addAllAttributes(
                        attributes(
                            "gen_ai.operation.name", "chat",
                            "gen_ai.system", "anthropic",
                            "agent.id", "a"))));

    MetricData m = metric(GenAiMetrics.EXCEPTIONS);
    assertThat(m.getDoubleSumData().getPoints()).hasSize(1);
    assertThat(m.getDoubleSumData().getPoints().iterator().next().getAttributes())
        .isEqualTo(
            Attributes.builder()
                .put(GenAiMetrics.PROVIDER_NAME, "anthropic")
                .put(GenAiMetrics.SYSTEM, "anthropic")
                .put(GenAiMetrics.REQUEST_MODEL, "unknown")
                .put(GenAiMetrics.SERVICE_NAME, "shop")
                .build());
  }

  @Test
  void process_readsTheEditsOfTheCostProcessor() {
    SpanBatch batch =
        batch(
            Span.newBuilder()
                .addAllAttributes(
                    attributes(
                        "gen_ai.operation.name", "chat",
                        "gen_ai.request.model", "gpt-4o",
                        "llm.usage.prompt_tokens", 40)));
    batch.putAttribute(0, "gen_ai.usage.input_tokens", 50L);
    batch.putAttribute(0, "llm.cost.usd", 0.25);

    metrics().processor().process(batch);

    assertThat(histogramSum(GenAiMetrics.TOKEN_USAGE, tokenType("input"))).isEqualTo(50.0);
    assertThat(histogramSum(GenAiMetrics.OPERATION_COST, any())).isEqualTo(0.25);
  }

  @Test
  void process_zeroValuesAndRejectedSpansAreNotRecorded() {
    SpanBatch batch = batch(llmSpan("gpt-4o", 0, 0, 0.0), llmSpan("gpt-4o", 3, 3, 1.0));
    batch.reject(1, RejectReason.INVALID);

    metrics().processor().process(batch);

    assertThat(metric(GenAiMetrics.TOKEN_USAGE)).isNull();
    assertThat(metric(GenAiMetrics.OPERATION_COST)).isNull();
    assertThat(histogramCount(GenAiMetrics.OPERATION_DURATION, any())).isEqualTo(1);
  }

  @Test
  void process_metricsSampleRateKeepsEachRecordingIndependently() {
    double[] draws = {0.1, 0.9, 0.1, 0.9};
    int[] next = {0};
    metrics(
            DerivedMetrics.builder()
                .setMetricsSampleRate(0.5)
                .setRandom(() -> draws[next[0]++ % draws.length]))
        .processor()
        .process(batch(llmSpan("gpt-4o", 10, 20, 1.0)));

    // input kept, output dropped, duration kept, cost dropped; nothing scaled up.
    assertThat(histogramSum(GenAiMetrics.TOKEN_USAGE, tokenType("input"))).isEqualTo(10.0);
    assertThat(histogram(GenAiMetrics.TOKEN_USAGE, tokenType("output"))).isEmpty();
    assertThat(histogramCount(GenAiMetrics.OPERATION_DURATION, any())).isEqualTo(1);
    assertThat(metric(GenAiMetrics.OPERATION_COST)).isNull();
  }

  @Test
  void process_metricsSampleRateZeroRecordsNothing() {
    metrics(DerivedMetrics.builder().setMetricsSampleRate(0))
        .processor()
        .process(batch(llmSpan("gpt-4o", 10, 20, 1.0)));

    assertThat(reader.collectAllMetrics()).isEmpty();
  }

  @Test
  void meter_isNamedTraccia() {
    metrics().processor().process(batch(llmSpan("gpt-4o", 1, 1, 1.0)));

    assertThat(metric(GenAiMetrics.TOKEN_USAGE).getInstrumentationScopeInfo().getName())
        .isEqualTo("traccia");
    assertThat(
            metric(GenAiMetrics.TOKEN_USAGE)
                .getResource()
                .getAttribute(AttributeKey.stringKey("service.name")))
        .isEqualTo("traccia-proxy");
  }
}
