/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import ai.traccia.proxy.codec.OtlpIds;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pipeline.SpanConsumer;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.processor.genai.LlmAttributes;
import ai.traccia.proxy.processor.genai.LlmSpan;
import ai.traccia.proxy.processor.tier.EnrichedMark;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Detects guardrails on every span (the Traccia SDK's tiers A, B and C) and writes a summary of the
 * whole trace on its root span.
 *
 * <p><b>Design.</b> The SDK sees a trace end to end in one process and summarises it when the root
 * ends, which is the last span it exports. A proxy sees a trace's spans in many requests, from many
 * services, in any order, and a service's children can arrive seconds after the root: another
 * process's SDK exports on its own batch delay (5 s by default in OpenTelemetry SDKs). So this
 * stage composes four parts:
 *
 * <ul>
 *   <li>{@link GuardrailDetector} finds each span's findings, capabilities and suppressions.
 *   <li>{@link TraceStates} adds them, with the span's LLM usage, to its trace's {@link TraceState}
 *       in a bounded cache ({@code maxTraces}, idle expiry {@code traceTtl}).
 *   <li>{@link HeldRoots} takes a root span (empty or all-zero parent span id) out of its batch
 *       with {@link RejectReason#HELD} and keeps it for {@code rootSpanWait}, bounded in bytes
 *       ({@code maxHeldRootBytes}); then it hands the root, with its summary, to the stages after
 *       this one and the queues ({@link Builder#setNext}), never around them. Spans of the trace
 *       that arrive later are counted as late.
 *   <li>{@link GuardrailSummary} evaluates the trace and writes the summary's attributes.
 * </ul>
 *
 * <p>With a wait of zero, or once shut down, the summary is written on the root in its own batch,
 * as the SDK does. {@link #shutdown()} releases every held root at once.
 *
 * <p>Thread-safe: see the parts. {@link #process} never blocks beyond their short locks.
 *
 * <p>Must run after the token-counting and cost processors, whose results the trace roll-up reads.
 * A held root is copied when this stage runs; the stages after it see it when it is released.
 */
public final class GuardrailProcessor implements SpanBatchProcessor {

  /** The summary of the trace (JSON str). */
  public static final String SUMMARY = "guardrail.summary";

  /** The summary's detected categories (str[]). */
  public static final String SUMMARY_DETECTED = "guardrail.summary.detected_categories";

  /** How many expected categories are missing (int). */
  public static final String SUMMARY_MISSING_COUNT = "guardrail.summary.missing_count";

  /** {@code high}, {@code medium} or {@code low} (str). */
  public static final String SUMMARY_COVERAGE = "guardrail.summary.coverage_confidence";

  /** The findings of a span, or of the whole trace on its root (JSON str). */
  public static final String FINDINGS = "guardrail.findings";

  /** The number of findings in {@link #FINDINGS} (int). */
  public static final String FINDING_COUNT = "guardrail.finding.count";

  /** Input tokens of every inference span of the trace (int), on the root. */
  public static final String TRACE_INPUT_TOKENS = "traccia.trace.input_tokens";

  /** Output tokens of every inference span of the trace (int), on the root. */
  public static final String TRACE_OUTPUT_TOKENS = "traccia.trace.output_tokens";

  /** Cost in USD of the inference spans of the trace that carry one (double), on the root. */
  public static final String TRACE_COST_USD = "traccia.trace.cost_usd";

  /** The number of inference spans in the trace (int), on the root. */
  public static final String TRACE_LLM_SPAN_COUNT = "traccia.trace.llm_span_count";

  /** Every key {@link #summarize} may write. */
  private static final List<String> SUMMARY_KEYS =
      List.of(
          SUMMARY,
          SUMMARY_DETECTED,
          SUMMARY_MISSING_COUNT,
          SUMMARY_COVERAGE,
          FINDINGS,
          FINDING_COUNT,
          TRACE_INPUT_TOKENS,
          TRACE_OUTPUT_TOKENS,
          TRACE_COST_USD,
          TRACE_LLM_SPAN_COUNT);

  /** The default of {@code guardrails.root_span_wait_ms}. */
  public static final Duration DEFAULT_ROOT_SPAN_WAIT = Duration.ofSeconds(10);

  /** The default of {@code guardrails.max_held_root_bytes}: 16 MiB. */
  public static final long DEFAULT_MAX_HELD_ROOT_BYTES = 16L << 20;

  /**
   * The default bound on traces with state: 20,000 traces take about 8 MiB of heap (a few hundred
   * bytes each with the cache's own bookkeeping). At 1,000 new traces a second the oldest leave
   * after 20 s, well after the root span wait; a held root whose trace leaves is released early.
   */
  public static final long DEFAULT_MAX_TRACES = 20_000;

  /**
   * The default idle time after which a trace's state expires: long enough for children that arrive
   * after their root's summary to be counted as late, short enough that state for traces whose root
   * never comes does not pile up.
   */
  public static final Duration DEFAULT_TRACE_TTL = Duration.ofSeconds(60);

  /** The default bound on the findings kept per trace. */
  public static final int DEFAULT_MAX_FINDINGS_PER_TRACE = 1000;

  private final GuardrailDetector detector = new GuardrailDetector();
  // instrumentation.guardrail_heuristics is reloadable; a reload sets it from another thread.
  private volatile boolean heuristics;
  private final boolean holds;
  private final boolean skipMarked;
  private final int maxFindingsPerTrace;
  private final Set<String> suppressedCategories;
  private final GuardrailListener listener;
  private final HeldRoots held;
  private final TraceStates traces;

  private GuardrailProcessor(Builder b) {
    this.heuristics = b.heuristics;
    this.holds = !b.rootSpanWait.isZero();
    this.skipMarked = b.skipMarked;
    this.maxFindingsPerTrace = b.maxFindingsPerTrace;
    this.suppressedCategories = Set.copyOf(b.suppressedCategories);
    this.listener = b.listener;
    this.held =
        new HeldRoots(
            b.rootSpanWait.toNanos(),
            b.maxHeldRootBytes,
            b.nanoClock,
            b.scheduler,
            b.next,
            b.listener,
            this::summarize);
    this.traces =
        new TraceStates(
            b.maxTraces, b.traceTtl, b.nanoClock, b.scheduler, b.listener, held::releaseTrace);
  }

  /** Returns a new builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "guardrail";
  }

  @Override
  public void process(SpanBatch batch) {
    List<Integer> roots = null;
    List<TraceState> rootStates = null;
    // Spans of one trace usually arrive together: look its state up once per run of them.
    TraceState state = null;
    for (TraceRuns runs = new TraceRuns(batch); runs.next(); ) {
      int i = runs.index();
      String traceId = runs.traceId();
      if (runs.newTrace()) {
        state = null;
      }
      String spanId = OtlpIds.hex(batch.spanId(i));
      LlmSpan llm = LlmSpan.read(batch, i);
      List<GuardrailFinding> findings = detector.detect(batch, i, llm, traceId, spanId, heuristics);
      if (!skipMarked || !EnrichedMark.isMarked(batch, i)) {
        writeFindings(batch, i, findings);
      }
      boolean inference = llm.isInference();
      boolean root = isRoot(batch.parentSpanId(i));
      if (state == null || state.removed) {
        state = traces.get(traceId);
      }
      boolean late =
          state.add(
              GuardrailDetector.capabilities(batch, i, llm),
              findings,
              maxFindingsPerTrace,
              GuardrailDetector.suppressed(batch, i),
              inference,
              inference ? inputTokens(llm) : LlmSpan.ABSENT,
              inference ? outputTokens(batch, i, llm) : LlmSpan.ABSENT,
              inference ? cost(batch, i, llm) : Double.NaN,
              root);
      if (late) {
        listener.onLateSpan();
      }
      if (root) {
        if (roots == null) {
          roots = new ArrayList<>(1);
          rootStates = new ArrayList<>(1);
        }
        roots.add(i);
        rootStates.add(state);
      }
    }
    if (roots != null) {
      // After the loop, so that children in the same batch are part of the summary.
      for (int r = 0; r < roots.size(); r++) {
        finishRoot(batch, roots.get(r), rootStates.get(r));
      }
    }
  }

  /** Writes {@code findings} on span {@code i}, when there are any. */
  static void writeFindings(SpanBatch batch, int i, List<GuardrailFinding> findings) {
    if (!findings.isEmpty()) {
      batch.putAttribute(i, FINDING_COUNT, (long) findings.size());
      batch.putAttribute(i, FINDINGS, GuardrailFinding.jsonArray(findings));
    }
  }

  private void finishRoot(SpanBatch batch, int i, TraceState state) {
    if (holds) {
      HeldRoots.Root root = new HeldRoots.Root(state, batch, i, hasSummaryKey(batch, i));
      if (held.hold(root)) {
        batch.reject(i, RejectReason.HELD);
        return;
      }
    }
    // No wait, or shutting down: summarise in place, as the SDK does when the root ends.
    for (Map.Entry<String, AnyValue> e : summarize(state).entrySet()) {
      batch.putAttribute(i, e.getKey(), e.getValue());
    }
  }

  private static boolean hasSummaryKey(SpanBatch batch, int i) {
    for (String key : SUMMARY_KEYS) {
      if (batch.attribute(i, key) != null) {
        return true;
      }
    }
    return false;
  }

  /** The attributes the root gets: summary, all findings, and the trace roll-up. */
  private Map<String, AnyValue> summarize(TraceState state) {
    Map<String, AnyValue> out = new LinkedHashMap<>();
    GuardrailSummary summary = GuardrailSummary.write(state, suppressedCategories, heuristics, out);
    // Outside the trace's lock, as every listener call.
    listener.onTraceSummarized(
        summary.detectedCategories(), summary.triggeredCategories(), summary.missingCategories());
    return out;
  }

  /**
   * Releases every held root at once, with the summary of what has been seen, into the stages after
   * this one, so that a drain on SIGTERM forwards them. Roots that arrive afterwards get their
   * summary in place. Idempotent; the returned future is complete when this method returns. Does
   * not shut the scheduler down, which the caller owns.
   */
  @Override
  public CompletableFuture<Void> shutdown() {
    held.shutdown();
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Releases the held roots of the traces {@code traceIds} selects at once, with the summary of
   * what has been seen so far, into the stages after this one, and goes on holding the others and
   * roots that arrive later. For when those traces will be processed elsewhere: a Kafka consumer
   * whose partitions were revoked in a rebalance hands their traces to another proxy, so waiting
   * longer for their children here would only delay the roots. Counted as {@link
   * GuardrailListener.Release#REBALANCE}. Thread-safe.
   *
   * @return the number of roots released
   */
  public int releaseHeld(Predicate<ByteString> traceIds) {
    return held.releaseIf(traceIds, GuardrailListener.Release.REBALANCE);
  }

  /**
   * Turns tier C (heuristic) detection on or off from now on, for a reload of {@code
   * instrumentation.guardrail_heuristics}. Thread-safe. Summaries written after the change leave
   * out heuristic findings already collected when it is off.
   */
  public void setHeuristicsEnabled(boolean enabled) {
    this.heuristics = enabled;
  }

  /** The number of root spans held now. */
  int heldCount() {
    return held.count();
  }

  /** The bytes held now. */
  long heldBytes() {
    return held.bytes();
  }

  /** Runs the cache's pending expiry and eviction now (tests). */
  void cleanUp() {
    traces.cleanUp();
  }

  /** The number of traces with state (tests); approximate, as Caffeine's size is. */
  long traceCount() {
    return traces.size();
  }

  // --- Span helpers ---------------------------------------------------------------------------

  private static boolean isRoot(ByteString parent) {
    for (int k = 0; k < parent.size(); k++) {
      if (parent.byteAt(k) != 0) {
        return false;
      }
    }
    return true;
  }

  // What the call consumed, as the cost processor prices it: cache reads and writes included even
  // where the span's own input count excludes them (Anthropic's input_tokens as openlit copies it).
  private static long inputTokens(LlmSpan llm) {
    return llm.consumedInputTokens();
  }

  private static long outputTokens(SpanBatch batch, int i, LlmSpan llm) {
    long normalized = count(batch.attribute(i, LlmAttributes.GEN_AI_OUTPUT_TOKENS));
    return normalized != LlmSpan.ABSENT ? normalized : llm.outputTokens();
  }

  private static double cost(SpanBatch batch, int i, LlmSpan llm) {
    AnyValue cost = batch.attribute(i, LlmAttributes.COST_USD);
    if (cost != null) {
      if (cost.hasDoubleValue() && Double.isFinite(cost.getDoubleValue())) {
        return Math.max(cost.getDoubleValue(), 0);
      }
      if (cost.hasIntValue()) {
        return Math.max(cost.getIntValue(), 0);
      }
    }
    return llm.existingCostUsd();
  }

  private static long count(AnyValue value) {
    if (value == null) {
      return LlmSpan.ABSENT;
    }
    if (value.hasIntValue() && value.getIntValue() >= 0) {
      return value.getIntValue();
    }
    if (value.hasDoubleValue()
        && value.getDoubleValue() >= 0
        && value.getDoubleValue() == Math.rint(value.getDoubleValue())) {
      return (long) value.getDoubleValue();
    }
    return LlmSpan.ABSENT;
  }

  /**
   * Builds a {@link GuardrailProcessor}. {@link #setScheduler} and {@link #setNext} are required.
   * Not thread-safe.
   */
  public static final class Builder {
    private boolean heuristics = true;
    private Duration rootSpanWait = DEFAULT_ROOT_SPAN_WAIT;
    private long maxHeldRootBytes = DEFAULT_MAX_HELD_ROOT_BYTES;
    private long maxTraces = DEFAULT_MAX_TRACES;
    private Duration traceTtl = DEFAULT_TRACE_TTL;
    private int maxFindingsPerTrace = DEFAULT_MAX_FINDINGS_PER_TRACE;
    private Set<String> suppressedCategories = Set.of();
    private ScheduledExecutorService scheduler;
    private SpanConsumer next;
    private GuardrailListener listener = GuardrailListener.noop();
    private LongSupplier nanoClock = System::nanoTime;
    private boolean skipMarked;

    private Builder() {}

    /**
     * Applies {@code instrumentation.guardrail_heuristics}, {@code guardrails.root_span_wait_ms},
     * {@code guardrails.max_held_root_bytes} and {@code guardrails.suppress_categories}.
     */
    public Builder fromConfig(ProxyConfig config) {
      Objects.requireNonNull(config, "config");
      setHeuristicsEnabled(config.guardrailHeuristics());
      setRootSpanWait(Duration.ofMillis(config.guardrailRootSpanWaitMs()));
      setMaxHeldRootBytes(config.guardrailMaxHeldRootBytes());
      setSuppressedCategories(config.guardrailSuppressCategories());
      return this;
    }

    /** Whether tier C (heuristic) detection runs. Default true. */
    public Builder setHeuristicsEnabled(boolean enabled) {
      this.heuristics = enabled;
      return this;
    }

    /**
     * How long a root span is held for its trace's children. Zero writes the summary on the root in
     * its own batch and holds nothing. Default 10 s.
     */
    public Builder setRootSpanWait(Duration wait) {
      Objects.requireNonNull(wait, "wait");
      if (wait.isNegative()) {
        throw new IllegalArgumentException("rootSpanWait: " + wait + " (expected: >= 0)");
      }
      this.rootSpanWait = wait;
      return this;
    }

    /** The most bytes of held root spans; past it the oldest are released early. Default 16 MiB. */
    public Builder setMaxHeldRootBytes(long maxHeldRootBytes) {
      if (maxHeldRootBytes <= 0) {
        throw new IllegalArgumentException(
            "maxHeldRootBytes: " + maxHeldRootBytes + " (expected: > 0)");
      }
      this.maxHeldRootBytes = maxHeldRootBytes;
      return this;
    }

    /** The most traces with state; past it the least recently used are evicted. Default 100,000. */
    public Builder setMaxTraces(long maxTraces) {
      if (maxTraces <= 0) {
        throw new IllegalArgumentException("maxTraces: " + maxTraces + " (expected: > 0)");
      }
      this.maxTraces = maxTraces;
      return this;
    }

    /**
     * How long a trace's state is kept after its last span; longer than the root wait. Default 5
     * minutes.
     */
    public Builder setTraceTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("traceTtl: " + ttl + " (expected: > 0)");
      }
      this.traceTtl = ttl;
      return this;
    }

    /** The most findings kept per trace; further ones still go on their span. Default 1000. */
    public Builder setMaxFindingsPerTrace(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxFindingsPerTrace: " + max + " (expected: > 0)");
      }
      this.maxFindingsPerTrace = max;
      return this;
    }

    /** Categories never reported missing for any trace. Each must be a guardrail category. */
    public Builder setSuppressedCategories(Collection<String> categories) {
      Objects.requireNonNull(categories, "categories");
      for (String c : categories) {
        if (!GuardrailDetector.CATEGORIES.contains(c)) {
          throw new IllegalArgumentException(
              "suppressedCategories: unknown category \""
                  + c
                  + "\" (expected one of: input_validation, prompt_injection, pii, moderation,"
                  + " tool_permission, output_validation, rate_limit, unknown)");
        }
      }
      this.suppressedCategories = Set.copyOf(categories);
      return this;
    }

    /**
     * Runs the root-span timers and the cache's expiry. Owned by the caller, who shuts it down
     * after this processor. Required.
     */
    public Builder setScheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Where released root spans go, in batches of released roots: the stages after this one and the
     * queues, as {@link SpanPipeline.Builder#addHoldingProcessor} gives them. Called on receiver
     * threads, the scheduler's thread and the thread that calls {@code shutdown()}. Required.
     */
    public Builder setNext(SpanConsumer next) {
      this.next = Objects.requireNonNull(next, "next");
      return this;
    }

    /**
     * Whether spans marked with {@link EnrichedMark#KEY} keep the findings a sidecar wrote on them
     * ({@link GuardrailFindingsProcessor}): their findings are still detected, for the trace's
     * summary, but not written again. For a gateway. Default false: every span's findings are
     * written.
     */
    public Builder setSkipFindingsOfMarkedSpans(boolean skip) {
      this.skipMarked = skip;
      return this;
    }

    /** Receives the events self-metrics count. Default: none. */
    public Builder setListener(GuardrailListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The time source of trace expiry, in nanoseconds. Default {@link System#nanoTime()}. */
    public Builder setNanoClock(LongSupplier nanoClock) {
      this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
      return this;
    }

    /** Returns the processor. */
    public GuardrailProcessor build() {
      if (scheduler == null) {
        throw new IllegalStateException("scheduler is required: call setScheduler");
      }
      if (next == null) {
        throw new IllegalStateException("next is required: call setNext");
      }
      if (traceTtl.compareTo(rootSpanWait) <= 0) {
        throw new IllegalStateException(
            "traceTtl: "
                + traceTtl
                + " (expected: longer than rootSpanWait, "
                + rootSpanWait
                + ", so that a trace's state outlives its held root)");
      }
      return new GuardrailProcessor(this);
    }
  }
}
