/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.bench.jmh;

import ai.traccia.proxy.bench.RequestFactory;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.Handoff;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pricing.PriceBooks;
import ai.traccia.proxy.processor.EnrichmentProcessors;
import ai.traccia.proxy.processor.guardrail.GuardrailProcessor;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.ui.LivePage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The per-span work around the live page and the guardrail summary, on the benchmark's mixed load
 * ({@link RequestFactory#create(long, double)} with 20% LLM spans, requests of 100 spans in traces
 * of ten):
 *
 * <ul>
 *   <li>{@code tapMixedBatch}: the live page's tap over one request already run through enrichment
 *       and the guardrail stage, so every root carries its trace's summary, which the page reads
 *       back for its badges. The requests are prepared once and cycled; there are more of their
 *       traces than the page keeps, so every request's traces are new to it. LLM spans' readings
 *       are cached in the batch after the first pass, so this is the tap's own work.
 *   <li>{@code guardrailMixedBatch}: the guardrail stage over one request read from its bytes, with
 *       no wait for the root, so each of its ten roots gets its summary in place, and the batch
 *       sealed (the roots re-encoded with their summaries).
 *   <li>{@code guardrailRoots}: the same stage over the ten roots of one request alone, their
 *       children seen before (as held roots are released in a group): nearly all of it is writing
 *       the summaries and re-encoding the roots with them.
 * </ul>
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar LivePageBenchmark -prof gc
 * </pre>
 */
public class LivePageBenchmark extends Defaults {

  // Ten traces each: many more than the page (200) and the guardrail stage (100) keep, so that
  // every request meets both as new traces.
  private static final int REQUESTS = 256;

  private ScheduledExecutorService scheduler;
  private SpanBatchProcessor tap;
  private GuardrailProcessor guardrail;
  private GuardrailProcessor rootsGuardrail;
  private SpanBatch[] enriched;
  private byte[][] requests;
  private byte[][] roots;
  private int next;

  @Setup
  public void setUp() throws InvalidProtocolBufferException {
    ProxyConfig config = ProxyConfig.defaults();
    List<SpanBatchProcessor> enrichment =
        EnrichmentProcessors.fromConfig(
            config, PriceBooks.fromSettings(config.pricingSettings(), Clock.systemUTC()), m -> {});
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "guardrail-benchmark");
              t.setDaemon(true);
              return t;
            });
    guardrail =
        GuardrailProcessor.builder()
            .fromConfig(config)
            .setRootSpanWait(Duration.ZERO)
            .setMaxTraces(100)
            .setScheduler(scheduler)
            .setNext(batch -> Handoff.taken())
            .build();
    // Keeps the state of every trace here, so that each root finds its children's.
    rootsGuardrail =
        GuardrailProcessor.builder()
            .fromConfig(config)
            .setRootSpanWait(Duration.ZERO)
            .setMaxTraces(100_000)
            .setScheduler(scheduler)
            .setNext(batch -> Handoff.taken())
            .build();
    RequestFactory factory = RequestFactory.create(11, RequestFactory.DEFAULT_LLM_FRACTION);
    requests = new byte[REQUESTS][];
    roots = new byte[REQUESTS][];
    enriched = new SpanBatch[REQUESTS];
    for (int r = 0; r < REQUESTS; r++) {
      ExportTraceServiceRequest request = factory.request(100);
      requests[r] = request.toByteArray();
      rootsGuardrail.process(SpanBatch.parse(only(request, false)));
      roots[r] = only(request, true);
      // A root summarised again must give the same summary, or the runs would not be alike.
      String first = summaries(rootsGuardrail, roots[r]);
      if (!first.equals(summaries(rootsGuardrail, roots[r]))) {
        throw new IllegalStateException("a root's summary changed when it was written again");
      }
      SpanBatch batch = SpanBatch.parse(requests[r]);
      for (SpanBatchProcessor p : enrichment) {
        p.process(batch);
      }
      guardrail.process(batch);
      enriched[r] = batch;
    }
    tap = LivePage.create(200, 2000, new SelfMetrics()).tap();
  }

  @TearDown
  public void tearDown() {
    scheduler.shutdownNow();
  }

  @Benchmark
  public SpanBatch tapMixedBatch() {
    SpanBatch batch = enriched[next++ % REQUESTS];
    tap.process(batch);
    return batch;
  }

  @Benchmark
  public byte[] guardrailRoots() throws InvalidProtocolBufferException {
    SpanBatch batch = SpanBatch.parse(roots[next++ % REQUESTS]);
    rootsGuardrail.process(batch);
    return batch.toByteArray();
  }

  @Benchmark
  public byte[] guardrailMixedBatch() throws InvalidProtocolBufferException {
    SpanBatch batch = SpanBatch.parse(requests[next++ % REQUESTS]);
    guardrail.process(batch);
    return batch.toByteArray();
  }

  /** The roots of {@code request}, or the other spans. */
  private static byte[] only(ExportTraceServiceRequest request, boolean roots) {
    ExportTraceServiceRequest.Builder out = request.toBuilder();
    for (ResourceSpans.Builder rs : out.getResourceSpansBuilderList()) {
      for (ScopeSpans.Builder ss : rs.getScopeSpansBuilderList()) {
        List<Span> kept = new ArrayList<>();
        for (Span span : ss.getSpansList()) {
          if (span.getParentSpanId().isEmpty() == roots) {
            kept.add(span);
          }
        }
        ss.clearSpans().addAllSpans(kept);
      }
    }
    return out.build().toByteArray();
  }

  /** The summaries and finding counts {@code guardrail} writes on the spans of {@code request}. */
  private static String summaries(GuardrailProcessor guardrail, byte[] request)
      throws InvalidProtocolBufferException {
    SpanBatch batch = SpanBatch.parse(request);
    guardrail.process(batch);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < batch.size(); i++) {
      out.append(batch.attribute(i, GuardrailProcessor.SUMMARY))
          .append(batch.attribute(i, GuardrailProcessor.FINDING_COUNT));
    }
    return out.toString();
  }
}
