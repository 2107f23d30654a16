/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import static ai.traccia.proxy.processor.TestSpans.attributes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.Handoff;
import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pipeline.SpanBatchProcessorContract;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GuardrailProcessorTest extends SpanBatchProcessorContract {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String OTHER_TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String THIRD_TRACE = "5b8efff798038103d269b633813fc60c";
  private static final String ROOT = "1000000000000001";

  private final FakeScheduler scheduler = new FakeScheduler();
  private final List<ExportTraceServiceRequest> released = new CopyOnWriteArrayList<>();
  private final AtomicInteger handOffs = new AtomicInteger();
  private final List<ExportTraceServiceRequest> handedOn = new CopyOnWriteArrayList<>();
  private final RecordingListener listener = new RecordingListener();

  @Override
  protected SpanBatchProcessor newProcessor() {
    return builder().build();
  }

  @Override
  protected Set<String> keysWritten() {
    return Set.of("guardrail.*", "traccia.trace.*");
  }

  @Override
  protected Set<RejectReason> refusesFor() {
    // A root is held until its trace's children arrive, then handed on with its summary.
    return Set.of(RejectReason.HELD);
  }

  private GuardrailProcessor.Builder builder() {
    return GuardrailProcessor.builder()
        .setScheduler(scheduler)
        .setNanoClock(scheduler.clock())
        .setNext(
            roots -> {
              // Roots released together come in one request, sharing resource-spans and
              // scope-spans where they share a resource and scope; the tests look at them one by
              // one, each in a request of its own with its resource and scope.
              handOffs.incrementAndGet();
              handedOn.add(roots.toRequest());
              for (ResourceSpans rs : roots.toRequest().getResourceSpansList()) {
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                  for (Span span : ss.getSpansList()) {
                    released.add(
                        ExportTraceServiceRequest.newBuilder()
                            .addResourceSpans(
                                rs.toBuilder()
                                    .clearScopeSpans()
                                    .addScopeSpans(ss.toBuilder().clearSpans().addSpans(span)))
                            .build());
                  }
                }
              }
              return Handoff.taken();
            })
        .setListener(listener);
  }

  @Test
  void build_longestRootWaitTheConfigAccepts() {
    // The config allows waits up to 59,999 ms because the trace state lives 60 s; both must agree,
    // or a valid configuration fails at startup.
    assertThat(GuardrailProcessor.DEFAULT_TRACE_TTL).isEqualTo(Duration.ofSeconds(60));
    assertThat(
            builder()
                .fromConfig(ProxyConfig.builder().setGuardrailRootSpanWaitMs(59_999).build())
                .build())
        .isNotNull();
  }

  // --- Holding the root ------------------------------------------------------------------------

  @Test
  void process_rootBeforeChildren_heldThenReleasedWithTheirFindings() {
    GuardrailProcessor processor = builder().build();
    SpanBatch rootBatch =
        SpanBatch.of(request("frontend", span(TRACE, ROOT, null, "http.route", "/chat")), null);
    rootBatch.putAttribute(0, "enriched.before", "yes");

    processor.process(rootBatch);

    assertThat(rootBatch.isRejected(0)).isTrue();
    assertThat(rootBatch.rejectionsByReason()).containsEntry(RejectReason.HELD, 1);
    assertThat(rootBatch.toRequest().getResourceSpansCount()).isZero();
    assertThat(listener.held).isEqualTo(1);

    SpanBatch children =
        SpanBatch.of(
            request(
                "tools",
                span(
                    TRACE,
                    "2000000000000002",
                    ROOT,
                    "span.type",
                    "tool",
                    "error.type",
                    "PermissionError",
                    "error.message",
                    "Permission denied"),
                span(
                    TRACE,
                    "2000000000000003",
                    ROOT,
                    "llm.model",
                    "gpt-4o",
                    "llm.finish_reason",
                    "content_filter"),
                span(TRACE, "2000000000000004", ROOT, "llm.model", "gpt-4o")),
            null);
    processor.process(children);

    assertThat(children.acceptedCount()).isEqualTo(3);
    assertThat(attrs(children.toRequest(), 0)).containsEntry("guardrail.finding.count", 1L);
    assertThat(attrs(children.toRequest(), 2))
        .doesNotContainKeys("guardrail.finding.count", "guardrail.findings");
    scheduler.advance(Duration.ofSeconds(9));
    assertThat(released).isEmpty();

    scheduler.advance(Duration.ofSeconds(1));

    assertThat(released).hasSize(1);
    ResourceSpans rs = released.get(0).getResourceSpans(0);
    assertThat(rs.getSchemaUrl()).isEqualTo("https://opentelemetry.io/schemas/1.24.0");
    assertThat(rs.getResource()).isEqualTo(resource("frontend"));
    assertThat(rs.getScopeSpans(0).getScope().getName()).isEqualTo("frontend-scope");
    assertThat(rs.getScopeSpans(0).getSchemaUrl()).isEqualTo("https://example.com/scope");
    Map<String, Object> root = attrs(released.get(0), 0);
    assertThat(root)
        .containsEntry("http.route", "/chat")
        .containsEntry("enriched.before", "yes")
        .containsEntry("guardrail.finding.count", 2L)
        .containsEntry("guardrail.summary.coverage_confidence", "medium")
        .containsEntry(
            "guardrail.summary.detected_categories", List.of("moderation", "tool_permission"));
    assertThat((String) root.get("guardrail.summary"))
        .startsWith(
            "{\"detected_categories\": [\"moderation\", \"tool_permission\"],"
                + " \"triggered_categories\": [\"moderation\", \"tool_permission\"]");
    assertThat(listener.releases).containsExactly(GuardrailListener.Release.WAIT_ELAPSED);
    assertThat(processor.heldCount()).isZero();
    assertThat(processor.heldBytes()).isZero();
    // The listener hears the same categories the summary lists, once.
    String summary = (String) root.get("guardrail.summary");
    List<String> missing = new ArrayList<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\{\"category\": \"(\\w+)\"")
            .matcher(summary.substring(summary.indexOf("missing_categories")));
    while (m.find()) {
      missing.add(m.group(1));
    }
    assertThat(listener.summaries)
        .containsExactly(
            List.of(
                List.of("moderation", "tool_permission"),
                List.of("moderation", "tool_permission"),
                missing));
  }

  @Test
  void process_childAfterRelease_isLate() {
    GuardrailProcessor processor = builder().setRootSpanWait(Duration.ofSeconds(2)).build();
    processor.process(batch("svc", span(TRACE, ROOT, null)));
    scheduler.advance(Duration.ofSeconds(2));

    SpanBatch late = batch("svc", span(TRACE, "2000000000000002", ROOT, "llm.model", "m"));
    processor.process(late);

    assertThat(released).hasSize(1);
    assertThat(listener.late).isEqualTo(1);
    assertThat(late.acceptedCount()).isEqualTo(1);
  }

  @Test
  void process_twoServicesInSeparateBatches_rollUpUsageAndCost() {
    GuardrailProcessor processor = builder().build();
    SpanBatch first =
        batch(
            "billing",
            span(
                TRACE,
                "2000000000000002",
                ROOT,
                "gen_ai.request.model",
                "gpt-4o",
                "gen_ai.usage.input_tokens",
                100L,
                "gen_ai.usage.output_tokens",
                20L,
                "llm.cost.usd",
                0.25));
    processor.process(first);
    SpanBatch second =
        batch(
            "search",
            span(
                TRACE,
                "3000000000000003",
                "2000000000000002",
                "llm.model",
                "claude-3-haiku",
                "llm.usage.prompt_tokens",
                7L),
            span(TRACE, "3000000000000004", "2000000000000002", "span.type", "tool"));
    // As the cost processor would have written on this span earlier in the pipeline.
    second.putAttribute(0, "llm.usage.completion_tokens", 3L);
    second.putAttribute(0, "llm.cost.usd", 0.5);
    processor.process(second);
    processor.process(batch("frontend", span(TRACE, ROOT, null)));
    processor.process(batch("other", span(OTHER_TRACE, ROOT, null)));

    scheduler.advance(Duration.ofSeconds(10));

    assertThat(released).hasSize(2);
    Map<String, Object> root = rootOf(TRACE);
    assertThat(root)
        .containsEntry("traccia.trace.input_tokens", 107L)
        .containsEntry("traccia.trace.output_tokens", 23L)
        .containsEntry("traccia.trace.cost_usd", 0.75)
        .containsEntry("traccia.trace.llm_span_count", 2L);
    assertThat((String) root.get("guardrail.summary"))
        .contains(
            "\"capabilities_observed\": [\"calls_llm\", \"uses_tools\", \"has_external_actions\"]");
    Map<String, Object> other = rootOf(OTHER_TRACE);
    assertThat(other).doesNotContainKey("traccia.trace.llm_span_count");
    assertThat((String) other.get("guardrail.summary")).contains("\"capabilities_observed\": []");
  }

  @Test
  void process_tracesInterleavedInOneBatch_eachRunCountedToItsTrace() {
    GuardrailProcessor processor = builder().build();
    Object[] llm = {"gen_ai.request.model", "gpt-4o", "gen_ai.usage.input_tokens", 10L};
    processor.process(
        batch(
            "svc",
            span(TRACE, "2000000000000002", ROOT, llm),
            span(TRACE, "2000000000000003", ROOT, llm),
            span(OTHER_TRACE, "2000000000000004", ROOT, llm),
            span(TRACE, "2000000000000005", ROOT, llm),
            span(TRACE, ROOT, null),
            span(OTHER_TRACE, ROOT, null)));

    scheduler.advance(Duration.ofSeconds(10));

    assertThat(rootOf(TRACE))
        .containsEntry("traccia.trace.input_tokens", 30L)
        .containsEntry("traccia.trace.llm_span_count", 3L);
    assertThat(rootOf(OTHER_TRACE))
        .containsEntry("traccia.trace.input_tokens", 10L)
        .containsEntry("traccia.trace.llm_span_count", 1L);
  }

  @Test
  void process_suppressionFromSpanAndConfig() {
    GuardrailProcessor processor =
        builder().setSuppressedCategories(List.of("tool_permission")).build();
    processor.process(
        batch(
            "svc",
            span(
                TRACE,
                "2000000000000002",
                ROOT,
                "llm.completion",
                "hi",
                "agent.tool.name",
                "x",
                "traccia.guardrail.suppress_missing",
                "moderation")));
    processor.process(batch("svc", span(TRACE, ROOT, null)));

    processor.shutdown();

    Map<String, Object> root = attrs(released.get(0), 0);
    assertThat(root).containsEntry("guardrail.summary.missing_count", 1L);
    assertThat((String) root.get("guardrail.summary"))
        .contains("\"missing_categories\": [{\"category\": \"output_validation\"");
  }

  @Test
  void process_heldBytesBound_releasesOldestEarly() {
    long oneRoot = heldSize(span(TRACE, ROOT, null));
    GuardrailProcessor processor = builder().setMaxHeldRootBytes(oneRoot + oneRoot / 2).build();
    processor.process(batch("svc", span(TRACE, ROOT, null)));
    assertThat(processor.heldBytes()).isEqualTo(oneRoot);

    SpanBatch second = batch("svc", span(OTHER_TRACE, ROOT, null));
    processor.process(second);

    assertThat(second.isRejected(0)).isTrue();
    assertThat(released).hasSize(1);
    assertThat(traceOf(released.get(0))).isEqualTo(TRACE);
    assertThat(listener.releases).containsExactly(GuardrailListener.Release.MEMORY_BOUND);
    assertThat(processor.heldCount()).isEqualTo(1);
    assertThat(processor.heldBytes()).isEqualTo(oneRoot);

    scheduler.advance(Duration.ofSeconds(10));
    assertThat(released).hasSize(2);
    assertThat(traceOf(released.get(1))).isEqualTo(OTHER_TRACE);
  }

  @Test
  void process_rootLargerThanBound_releasedAtOnceNotDropped() {
    GuardrailProcessor processor = builder().setMaxHeldRootBytes(10).build();
    SpanBatch batch = batch("svc", span(TRACE, ROOT, null, "llm.prompt", "x".repeat(100)));

    processor.process(batch);

    assertThat(released).hasSize(1);
    assertThat(attrs(released.get(0), 0)).containsKey("guardrail.summary");
    assertThat(processor.heldCount()).isZero();
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(released).hasSize(1);
    assertThat(listener.releases).containsExactly(GuardrailListener.Release.MEMORY_BOUND);
  }

  @Test
  void process_cacheFull_evictsAndReleasesHeldRoot() {
    GuardrailProcessor processor = builder().setMaxTraces(1).build();
    processor.process(batch("svc", span(TRACE, ROOT, null)));
    processor.process(batch("svc", span(OTHER_TRACE, ROOT, null)));

    processor.cleanUp();

    assertThat(listener.evicted).isEqualTo(1);
    assertThat(processor.traceCount()).isEqualTo(1);
    assertThat(listener.releases).containsExactly(GuardrailListener.Release.TRACE_EVICTED);
    assertThat(released).hasSize(1);
    assertThat(processor.heldCount()).isEqualTo(1);
  }

  @Test
  void process_cacheFull_releasesEveryRootOfTheEvictedTraceOnce() {
    GuardrailProcessor processor = builder().setMaxTraces(1).build();
    processor.process(batch("svc", span(TRACE, ROOT, null), span(TRACE, "2000000000000009", null)));
    processor.process(batch("svc", span(OTHER_TRACE, ROOT, null)));

    processor.cleanUp();
    scheduler.advance(Duration.ofSeconds(10));

    // Both roots of the evicted trace went at eviction; the other trace's root after its wait.
    assertThat(listener.releases)
        .containsExactly(
            GuardrailListener.Release.TRACE_EVICTED,
            GuardrailListener.Release.TRACE_EVICTED,
            GuardrailListener.Release.WAIT_ELAPSED);
    assertThat(released).hasSize(3);
    assertThat(processor.heldCount()).isZero();
  }

  @Test
  void process_noRootSeen_expiresWithoutSummary() {
    GuardrailProcessor processor = builder().setTraceTtl(Duration.ofMinutes(1)).build();
    SpanBatch batch =
        batch("svc", span(TRACE, "2000000000000002", ROOT, "llm.finish_reason", "content_filter"));
    processor.process(batch);
    assertThat(batch.acceptedCount()).isEqualTo(1);

    scheduler.advance(Duration.ofMinutes(2));
    processor.cleanUp();

    assertThat(listener.expiredWithoutRoot).isEqualTo(1);
    assertThat(processor.traceCount()).isZero();
    assertThat(released).isEmpty();
    assertThat(attrs(batch.toRequest(), 0)).doesNotContainKey("guardrail.summary");
  }

  // openlit 1.34 for Anthropic (instrumentation/anthropic/utils.py): gen_ai.usage.input_tokens is
  // Anthropic's uncached input, the cache reads beside it. The roll-up adds what each call
  // consumed,
  // as the cost processor prices it: 100 + 5,000 and 4,000 + 3,000.
  @Test
  void process_openlitAnthropicCacheReads_rollUpConsumedInput() {
    GuardrailProcessor processor = builder().setRootSpanWait(Duration.ZERO).build();
    Object[] openlit = {
      "telemetry.sdk.name", "openlit",
      "gen_ai.operation.name", "chat",
      "gen_ai.system", "anthropic",
      "gen_ai.request.model", "claude-sonnet-4-5",
      "gen_ai.usage.output_tokens", 20L,
      "gen_ai.usage.cache_creation.input_tokens", 0L
    };
    SpanBatch batch =
        batch(
            "svc",
            span(
                TRACE,
                "2000000000000002",
                ROOT,
                concat(
                    openlit,
                    "gen_ai.usage.input_tokens",
                    100L,
                    "gen_ai.usage.cache_read.input_tokens",
                    5000L)),
            span(
                TRACE,
                "2000000000000003",
                ROOT,
                concat(
                    openlit,
                    "gen_ai.usage.input_tokens",
                    4000L,
                    "gen_ai.usage.cache_read.input_tokens",
                    3000L)),
            span(TRACE, ROOT, null));

    processor.process(batch);

    assertThat(attrs(batch.toRequest(), 2))
        .containsEntry("traccia.trace.input_tokens", 12100L)
        .containsEntry("traccia.trace.output_tokens", 40L)
        .containsEntry("traccia.trace.llm_span_count", 2L);
  }

  private static Object[] concat(Object[] first, Object... rest) {
    Object[] out = Arrays.copyOf(first, first.length + rest.length);
    System.arraycopy(rest, 0, out, first.length, rest.length);
    return out;
  }

  @Test
  void process_zeroWait_summaryInPlace() {
    GuardrailProcessor processor = builder().setRootSpanWait(Duration.ZERO).build();
    SpanBatch batch =
        batch(
            "svc",
            span(TRACE, "2000000000000002", ROOT, "llm.finish_reason", "SAFETY"),
            span(TRACE, ROOT, null));

    processor.process(batch);

    assertThat(batch.acceptedCount()).isEqualTo(2);
    assertThat(released).isEmpty();
    assertThat(attrs(batch.toRequest(), 1))
        .containsEntry("guardrail.summary.coverage_confidence", "high")
        .containsEntry("guardrail.finding.count", 1L);
  }

  @Test
  void process_spansWithoutTraceIdAreSkipped() {
    GuardrailProcessor processor = builder().build();
    SpanBatch batch =
        batch(
            "svc",
            Span.newBuilder().addAllAttributes(attributes("llm.finish_reason", "SAFETY")).build());

    processor.process(batch);

    assertThat(batch.isModified()).isFalse();
    assertThat(processor.traceCount()).isZero();
  }

  @Test
  void process_workedRootExample() {
    GuardrailProcessor processor = builder().build();
    SpanBatch batch =
        batch(
            "support-bot",
            span(
                TRACE,
                "00f067aa0ba902b7",
                ROOT,
                "llm.vendor",
                "openai",
                "llm.model",
                "gpt-4o-mini",
                "llm.prompt",
                "system: You are terse.\nuser: Hi",
                "llm.completion",
                "Hello!",
                "llm.finish_reason",
                "stop",
                "llm.usage.prompt_tokens",
                18L,
                "llm.usage.completion_tokens",
                5L,
                "llm.cost.usd",
                6e-06,
                "span.type",
                "LLM"),
            span(
                TRACE,
                "2000000000000002",
                ROOT,
                "span.type",
                "tool",
                "error.type",
                "PermissionError",
                "error.message",
                "[Errno 13] Permission denied: '/etc/passwd'"),
            span(
                TRACE,
                "53995c3f42cd8ad8",
                ROOT,
                "agent.span.type",
                "guardrail",
                "agent.guardrail.name",
                "no_pii",
                "guardrail.name",
                "no_pii",
                "agent.guardrail.triggered",
                false,
                "guardrail.triggered",
                false),
            span(TRACE, ROOT, null));

    processor.process(batch);
    scheduler.advance(Duration.ofSeconds(10));

    Map<String, Object> root = attrs(released.get(0), 0);
    assertThat(root.get("guardrail.summary")).isEqualTo(GuardrailSummaryTest.WORKED_EXAMPLE);
    assertThat(root)
        .containsEntry("guardrail.summary.missing_count", 5L)
        .containsEntry("guardrail.summary.coverage_confidence", "medium")
        .containsEntry(
            "guardrail.summary.detected_categories", List.of("tool_permission", "unknown"))
        .containsEntry("guardrail.finding.count", 2L)
        .containsEntry("traccia.trace.input_tokens", 18L)
        .containsEntry("traccia.trace.output_tokens", 5L)
        .containsEntry("traccia.trace.llm_span_count", 1L);
    assertThat((String) root.get("guardrail.findings"))
        .contains("\"raw_excerpt\": \"[errno 13] permission denied: '/etc/passwd'\"")
        .contains("\"id\": \"e62e60b4592a9c92\"");
  }

  @Test
  void process_concurrentBatchesOfOneTrace_allCounted() throws Exception {
    GuardrailProcessor processor = builder().build();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(
            threads.submit(
                () -> {
                  for (int k = 0; k < 50; k++) {
                    String spanId = String.format("%08x%08x", thread + 1, k + 1);
                    processor.process(
                        batch(
                            "svc" + thread,
                            span(
                                TRACE,
                                spanId,
                                ROOT,
                                "llm.model",
                                "m",
                                "llm.usage.prompt_tokens",
                                1L,
                                "llm.finish_reason",
                                "content_filter")));
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    processor.process(batch("svc", span(TRACE, ROOT, null)));

    processor.shutdown();

    assertThat(attrs(released.get(0), 0))
        .containsEntry("guardrail.finding.count", 200L)
        .containsEntry("traccia.trace.input_tokens", 200L)
        .containsEntry("traccia.trace.llm_span_count", 200L);
  }

  @Test
  void wait_rootsWhoseWaitsEndTogetherLeaveInOneRequest_laterOnesWait() {
    GuardrailProcessor processor = builder().build();
    processor.process(batch("svc", span(TRACE, ROOT, null)));
    scheduler.advance(Duration.ofMillis(30));
    processor.process(batch("other", span(OTHER_TRACE, ROOT, null)));
    scheduler.advance(Duration.ofMillis(100));
    String third = "0af7651916cd43dd8448eb211c80319d";
    processor.process(batch("svc", span(third, ROOT, null)));

    // The first root's wait ends at 10 s; the second's 30 ms later, within the 50 ms window.
    scheduler.advance(Duration.ofMillis(10_000 - 130));

    assertThat(handOffs.get()).isEqualTo(1);
    assertThat(released).hasSize(2);
    assertThat(rootOf(TRACE)).containsKey("guardrail.summary");
    assertThat(released.get(1).getResourceSpans(0).getResource()).isEqualTo(resource("other"));
    assertThat(processor.heldCount()).isEqualTo(1);

    // The third waits its own 10 s: 130 ms after the first, outside the window.
    scheduler.advance(Duration.ofMillis(129));
    assertThat(processor.heldCount()).isEqualTo(1);
    scheduler.advance(Duration.ofMillis(1));
    assertThat(handOffs.get()).isEqualTo(2);
    assertThat(rootOf(third)).containsKey("guardrail.summary");
    assertThat(listener.releases).hasSize(3).containsOnly(GuardrailListener.Release.WAIT_ELAPSED);
  }

  // --- Shutdown and building -------------------------------------------------------------------

  @Test
  void shutdown_releasesEveryHeldRootOnceAndLaterRootsInPlace() throws Exception {
    GuardrailProcessor processor = builder().build();
    processor.process(batch("svc", span(TRACE, ROOT, null)));
    processor.process(batch("svc", span(OTHER_TRACE, ROOT, null)));

    processor.shutdown().get(1, TimeUnit.SECONDS);
    processor.shutdown().get(1, TimeUnit.SECONDS);
    scheduler.advance(Duration.ofSeconds(10));

    assertThat(released).hasSize(2);
    assertThat(listener.releases)
        .containsExactly(GuardrailListener.Release.SHUTDOWN, GuardrailListener.Release.SHUTDOWN);
    SpanBatch after = batch("svc", span("0af7651916cd43dd8448eb211c80319d", ROOT, null));
    processor.process(after);
    assertThat(after.acceptedCount()).isEqualTo(1);
    assertThat(attrs(after.toRequest(), 0)).containsKey("guardrail.summary");
  }

  @Test
  void releaseHeld_releasesHeldRootsNowAndHoldsLaterOnes() {
    GuardrailProcessor processor = builder().build();
    processor.process(batch("svc", span(TRACE, ROOT, null)));
    processor.process(batch("svc", span(OTHER_TRACE, ROOT, null)));

    assertThat(processor.releaseHeld(traceId -> true)).isEqualTo(2);
    assertThat(processor.releaseHeld(traceId -> true)).isZero();

    assertThat(released).hasSize(2);
    assertThat(listener.releases)
        .containsExactly(GuardrailListener.Release.REBALANCE, GuardrailListener.Release.REBALANCE);
    assertThat(attrs(released.get(0), 0)).containsKey("guardrail.summary");
    // Unlike shutdown, a root that arrives afterwards is held for its children again.
    SpanBatch after = batch("svc", span("0af7651916cd43dd8448eb211c80319d", ROOT, null));
    processor.process(after);
    assertThat(after.acceptedCount()).isZero();
    assertThat(processor.heldCount()).isEqualTo(1);
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(released).hasSize(3);
    assertThat(listener.releases.get(2)).isEqualTo(GuardrailListener.Release.WAIT_ELAPSED);
  }

  @Test
  void releaseHeld_releasesOnlyTheSelectedTracesRoots() {
    GuardrailProcessor processor = builder().build();
    processor.process(batch("svc", span(TRACE, ROOT, null)));
    processor.process(batch("svc", span(OTHER_TRACE, ROOT, null)));
    ByteString other = ByteString.fromHex(OTHER_TRACE);

    assertThat(processor.releaseHeld(other::equals)).isEqualTo(1);

    assertThat(released).hasSize(1);
    assertThat(released.get(0).getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId())
        .isEqualTo(other);
    assertThat(listener.releases).containsExactly(GuardrailListener.Release.REBALANCE);
    // The other trace's root waits for its children as before, and leaves when its wait ends.
    assertThat(processor.heldCount()).isEqualTo(1);
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(released).hasSize(2);
    assertThat(released.get(1).getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId())
        .isEqualTo(ByteString.fromHex(TRACE));
    assertThat(listener.releases.get(1)).isEqualTo(GuardrailListener.Release.WAIT_ELAPSED);
  }

  @Test
  void release_rootsOfOneResourceShareItsResourceSpansInTheirRequest() {
    GuardrailProcessor processor = builder().build();
    processor.process(batch("svc", span(TRACE, ROOT, null), span(OTHER_TRACE, ROOT, null)));
    processor.process(batch("other", span(THIRD_TRACE, ROOT, null)));

    scheduler.advance(Duration.ofSeconds(10));

    // One request: the two roots of "svc" under one resource and scope, then "other"'s.
    assertThat(handedOn).hasSize(1);
    ExportTraceServiceRequest request = handedOn.get(0);
    assertThat(request.getResourceSpansList())
        .extracting(ResourceSpans::getResource)
        .containsExactly(resource("svc"), resource("other"));
    assertThat(request.getResourceSpans(0).getScopeSpansCount()).isEqualTo(1);
    assertThat(request.getResourceSpans(0).getScopeSpans(0).getSpansList())
        .extracting(Span::getTraceId)
        .containsExactly(ByteString.fromHex(TRACE), ByteString.fromHex(OTHER_TRACE));
    assertThat(listener.releases).hasSize(3);
  }

  @Test
  void release_aRootWithItsOwnSummaryGetsTheProxysInItsPlace() {
    GuardrailProcessor processor = builder().build();
    // An application's SDK may have written a summary from what it saw in-process.
    processor.process(
        batch("svc", span(TRACE, ROOT, null, "guardrail.summary", "{}", "app.key", "kept")));

    scheduler.advance(Duration.ofSeconds(10));

    assertThat(released).hasSize(1);
    List<KeyValue> attributes =
        released.get(0).getResourceSpans(0).getScopeSpans(0).getSpans(0).getAttributesList();
    assertThat(attributes.stream().filter(kv -> kv.getKey().equals("guardrail.summary")))
        .hasSize(1)
        .allSatisfy(kv -> assertThat(kv.getValue().getStringValue()).isNotEqualTo("{}"));
    assertThat(attrs(released.get(0), 0)).containsEntry("app.key", "kept");
  }

  @Test
  void release_carriesTheTraceIdAndTracestateForSampling() {
    List<SpanBatch> roots = new CopyOnWriteArrayList<>();
    GuardrailProcessor processor =
        builder()
            .setNext(
                root -> {
                  roots.add(root);
                  return Handoff.taken();
                })
            .build();
    SpanBatch batch =
        batch(
            "svc",
            span(TRACE, ROOT, null, "http.route", "/chat", "user.tier", "pro").toBuilder()
                .setTraceState("ot=th:0;rv:123456789abcde")
                .build());
    Span arrived = batch.span(0);

    processor.process(batch);
    scheduler.advance(Duration.ofSeconds(10));

    assertThat(roots).hasSize(1);
    assertThat(roots.get(0).size()).isEqualTo(1);
    assertThat(roots.get(0).traceId(0)).isEqualTo(arrived.getTraceId());
    assertThat(roots.get(0).traceState(0)).isEqualTo("ot=th:0;rv:123456789abcde");
    Span out = roots.get(0).toRequest().getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(out.toBuilder().clearAttributes().build())
        .isEqualTo(arrived.toBuilder().clearAttributes().build());
    assertThat(out.getAttributesList())
        .startsWith(arrived.getAttributesList().toArray(new KeyValue[0]));
  }

  @Test
  void release_releaserThrows_isReportedAndNotRethrown() {
    GuardrailProcessor processor =
        builder()
            .setNext(
                r -> {
                  throw new IllegalStateException("queue closed");
                })
            .build();
    processor.process(batch("svc", span(TRACE, ROOT, null)));

    scheduler.advance(Duration.ofSeconds(10));

    assertThat(listener.failures).isEqualTo(1);
    assertThat(processor.heldCount()).isZero();
  }

  @Test
  void release_queuesFull_handsTheSameRootAgainAfterTheDelayTheyAsk() {
    List<ExportTraceServiceRequest> offered = new CopyOnWriteArrayList<>();
    List<Handoff> answers =
        new CopyOnWriteArrayList<>(
            List.of(
                Handoff.retryLater(Duration.ofSeconds(1), "queue full"),
                Handoff.retryLater(Duration.ofSeconds(1), "queue full"),
                Handoff.taken()));
    GuardrailProcessor processor =
        builder()
            .setNext(
                root -> {
                  offered.add(root.toRequest());
                  return answers.remove(0);
                })
            .build();
    processor.process(batch("svc", span(TRACE, ROOT, null)));

    scheduler.advance(Duration.ofSeconds(10));
    assertThat(offered).hasSize(1);
    assertThat(listener.releases).isEmpty();
    scheduler.advance(Duration.ofMillis(999));
    assertThat(offered).hasSize(1);
    scheduler.advance(Duration.ofMillis(1));
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(offered).hasSize(3);
    // The summary is written once and the same root offered each time.
    assertThat(offered.get(2)).isEqualTo(offered.get(0));
    assertThat(listener.summaries).hasSize(1);
    assertThat(listener.releases).containsExactly(GuardrailListener.Release.WAIT_ELAPSED);
    assertThat(listener.failures).isZero();
  }

  @Test
  void release_queuesClosed_isReportedAndNotRetried() {
    List<SpanBatch> offered = new CopyOnWriteArrayList<>();
    GuardrailProcessor processor =
        builder()
            .setNext(
                root -> {
                  offered.add(root);
                  return Handoff.closed("the export queues are closed");
                })
            .build();
    processor.process(batch("svc", span(TRACE, ROOT, null)));

    processor.shutdown();
    scheduler.advance(Duration.ofMinutes(1));

    assertThat(offered).hasSize(1);
    assertThat(listener.failures).isEqualTo(1);
    assertThat(listener.releases).isEmpty();
  }

  @Test
  void fromConfig_readsGuardrailKeys() {
    ProxyConfig config =
        ProxyConfig.builder()
            .setGuardrailHeuristics(false)
            .setGuardrailRootSpanWaitMs(0)
            .setGuardrailSuppressCategories("pii, moderation")
            .build();
    GuardrailProcessor processor = builder().fromConfig(config).build();
    SpanBatch batch =
        batch(
            "svc",
            span(
                TRACE,
                ROOT,
                null,
                "llm.completion",
                "hi",
                "span.type",
                "tool",
                "error.type",
                "PermissionError",
                "error.message",
                "denied"));

    processor.process(batch);

    Map<String, Object> root = attrs(batch.toRequest(), 0);
    assertThat(root).doesNotContainKey("guardrail.finding.count");
    assertThat((String) root.get("guardrail.summary"))
        .contains("\"missing_categories\": [{\"category\": \"output_validation\"")
        .doesNotContain("{\"category\": \"moderation\"");
  }

  @Test
  void setHeuristicsEnabled_reloadTurnsTierCOff() {
    GuardrailProcessor processor = builder().setRootSpanWait(Duration.ZERO).build();
    SpanBatch on =
        batch(
            "svc",
            span(
                TRACE,
                ROOT,
                null,
                "span.type",
                "tool",
                "error.type",
                "E",
                "error.message",
                "denied"));
    processor.process(on);
    assertThat(attrs(on.toRequest(), 0)).containsEntry("guardrail.finding.count", 1L);

    processor.setHeuristicsEnabled(false);
    SpanBatch off =
        batch(
            "svc",
            span(
                OTHER_TRACE,
                ROOT,
                null,
                "span.type",
                "tool",
                "error.type",
                "E",
                "error.message",
                "denied"));
    processor.process(off);

    assertThat(attrs(off.toRequest(), 0))
        .doesNotContainKey("guardrail.finding.count")
        .containsEntry("guardrail.summary.missing_count", 1L);
  }

  @Test
  void builder_rejectsInvalidSettings() {
    assertThatThrownBy(() -> GuardrailProcessor.builder().setRootSpanWait(Duration.ofMillis(-1)))
        .hasMessage("rootSpanWait: PT-0.001S (expected: >= 0)");
    assertThatThrownBy(() -> GuardrailProcessor.builder().setMaxHeldRootBytes(0))
        .hasMessage("maxHeldRootBytes: 0 (expected: > 0)");
    assertThatThrownBy(() -> GuardrailProcessor.builder().setSuppressedCategories(List.of("pi")))
        .hasMessage(
            "suppressedCategories: unknown category \"pi\" (expected one of: input_validation,"
                + " prompt_injection, pii, moderation, tool_permission, output_validation,"
                + " rate_limit, unknown)");
    assertThatThrownBy(() -> GuardrailProcessor.builder().setNext(r -> Handoff.taken()).build())
        .hasMessage("scheduler is required: call setScheduler");
    assertThatThrownBy(
            () ->
                builder()
                    .setRootSpanWait(Duration.ofMinutes(5))
                    .setTraceTtl(Duration.ofMinutes(5))
                    .build())
        .hasMessage(
            "traceTtl: PT5M (expected: longer than rootSpanWait, PT5M, so that a trace's state"
                + " outlives its held root)");
  }

  // --- Helpers ---------------------------------------------------------------------------------

  private Map<String, Object> rootOf(String traceId) {
    for (ExportTraceServiceRequest r : released) {
      if (traceOf(r).equals(traceId)) {
        return attrs(r, 0);
      }
    }
    throw new AssertionError("no root released for " + traceId);
  }

  private static String traceOf(ExportTraceServiceRequest request) {
    return hex(request.getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId());
  }

  private static long heldSize(Span span) {
    return span.getSerializedSize()
        + resource("svc").getSerializedSize()
        + InstrumentationScope.newBuilder().setName("svc-scope").build().getSerializedSize()
        + "https://opentelemetry.io/schemas/1.24.0".length()
        + "https://example.com/scope".length();
  }

  private static Span span(String traceId, String spanId, String parentId, Object... kv) {
    Span.Builder b =
        Span.newBuilder()
            .setTraceId(bytes(traceId))
            .setSpanId(bytes(spanId))
            .setName("s")
            .addAllAttributes(attributes(kv));
    if (parentId != null) {
      b.setParentSpanId(bytes(parentId));
    }
    return b.build();
  }

  private static Resource resource(String service) {
    return Resource.newBuilder()
        .addAttributes(
            KeyValue.newBuilder()
                .setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue(service)))
        .build();
  }

  private static ExportTraceServiceRequest request(String service, Span... spans) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(resource(service))
                .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0")
                .addScopeSpans(
                    ScopeSpans.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName(service + "-scope"))
                        .setSchemaUrl("https://example.com/scope")
                        .addAllSpans(List.of(spans))))
        .build();
  }

  private static SpanBatch batch(String service, Span... spans) {
    return SpanBatch.of(request(service, spans), null);
  }

  /** Attributes of the i-th span of the first scope, as Java values (arrays as lists). */
  private static Map<String, Object> attrs(ExportTraceServiceRequest request, int i) {
    Span span = request.getResourceSpans(0).getScopeSpans(0).getSpans(i);
    Map<String, Object> out = new LinkedHashMap<>();
    for (KeyValue kv : span.getAttributesList()) {
      out.put(kv.getKey(), java(kv.getValue()));
    }
    return out;
  }

  private static Object java(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case INT_VALUE:
        return v.getIntValue();
      case DOUBLE_VALUE:
        return v.getDoubleValue();
      case BOOL_VALUE:
        return v.getBoolValue();
      case ARRAY_VALUE:
        List<Object> list = new ArrayList<>();
        for (AnyValue e : v.getArrayValue().getValuesList()) {
          list.add(java(e));
        }
        return list;
      default:
        return v;
    }
  }

  private static ByteString bytes(String hex) {
    byte[] out = new byte[hex.length() / 2];
    for (int k = 0; k < out.length; k++) {
      out[k] = (byte) Integer.parseInt(hex.substring(2 * k, 2 * k + 2), 16);
    }
    return ByteString.copyFrom(out);
  }

  private static String hex(ByteString bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes.toByteArray()) {
      out.append(String.format("%02x", b));
    }
    return out.toString();
  }

  /** Counts every event; the tests run on one thread, but releases may come from any. */
  private static final class RecordingListener implements GuardrailListener {
    int held;
    int late;
    int evicted;
    int expiredWithoutRoot;
    int failures;
    final List<Release> releases = new CopyOnWriteArrayList<>();
    final List<List<List<String>>> summaries = new CopyOnWriteArrayList<>();

    @Override
    public void onTraceSummarized(
        List<String> detected, List<String> triggered, List<String> missing) {
      summaries.add(List.of(detected, triggered, missing));
    }

    @Override
    public synchronized void onRootHeld() {
      held++;
    }

    @Override
    public void onRootReleased(Release reason) {
      releases.add(reason);
    }

    @Override
    public synchronized void onReleaseFailed(RuntimeException error) {
      failures++;
    }

    @Override
    public synchronized void onLateSpan() {
      late++;
    }

    @Override
    public synchronized void onTraceEvicted() {
      evicted++;
    }

    @Override
    public synchronized void onTraceExpiredWithoutRoot() {
      expiredWithoutRoot++;
    }
  }
}
