/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import ai.traccia.proxy.codec.SpanWriter;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanProcessor;
import ai.traccia.proxy.processor.genai.LlmAttributes;
import ai.traccia.proxy.processor.genai.LlmSpan;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Detects guardrails on every span (the Traccia SDK's tiers A, B and C) and writes a summary of the
 * whole trace on its root span.
 *
 * <p><b>Design.</b> The SDK sees a trace end to end in one process and summarises it when the root
 * ends, which is the last span it exports. A proxy sees a trace's spans in many requests, from many
 * services, in any order, and a service's children can arrive seconds after the root: another
 * process's SDK exports on its own batch delay (5 s by default in OpenTelemetry SDKs). So:
 *
 * <ul>
 *   <li>Every span's findings, capabilities, suppressions and LLM usage are added to a per-trace
 *       state in a bounded Caffeine cache ({@code maxTraces}, idle expiry {@code traceTtl}). A
 *       trace evicted for size is counted; a trace that expires without a root is counted and gets
 *       no summary.
 *   <li>A root span (empty or all-zero parent span id) is taken out of its batch with {@link
 *       RejectReason#HELD} and kept, with its resource and scope, for {@code rootSpanWait}. When
 *       the wait ends the summary of everything seen by then is added to it and it is handed, alone
 *       in an {@link ExportTraceServiceRequest}, to the releaser. Spans of the trace that arrive
 *       later are counted as late.
 *   <li>Held roots are bounded in bytes ({@code maxHeldRootBytes}, by serialized size). When the
 *       bound is passed the oldest roots are released early with what is known; a root is never
 *       dropped. {@link #shutdown()} releases every held root at once.
 *   <li>With a wait of zero the summary is written on the root in its own batch, as the SDK does.
 * </ul>
 *
 * <p>Thread-safe: per-trace state is guarded by the state's monitor, held roots by {@code
 * heldLock}; the releaser and listener are called without either lock. {@link #process} never
 * blocks beyond those short locks and the releaser, which must itself not block.
 *
 * <p>Must run after the token-counting and cost processors, whose results the trace roll-up reads,
 * and should be the last processor: a held root is copied when this processor runs, so edits that
 * later processors make to it in the batch are not in the copy that is released.
 */
public final class GuardrailProcessor implements SpanProcessor {

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
  private final long rootSpanWaitNanos;
  private final long maxHeldRootBytes;
  private final int maxFindingsPerTrace;
  private final Set<String> suppressedCategories;
  private final ScheduledExecutorService scheduler;
  private final Consumer<ReleasedRoot> releaser;
  private final GuardrailListener listener;
  private final Cache<String, TraceState> traces;

  private final Object heldLock = new Object();
  // Insertion order is age order: the first entry is the oldest held root. Guarded by heldLock.
  private final LinkedHashMap<HeldRoot, Boolean> held = new LinkedHashMap<>();
  private long heldBytes; // guarded by heldLock
  private boolean shutDown; // guarded by heldLock

  private GuardrailProcessor(Builder b) {
    this.heuristics = b.heuristics;
    this.rootSpanWaitNanos = b.rootSpanWait.toNanos();
    this.maxHeldRootBytes = b.maxHeldRootBytes;
    this.maxFindingsPerTrace = b.maxFindingsPerTrace;
    this.suppressedCategories = Set.copyOf(b.suppressedCategories);
    this.scheduler = b.scheduler;
    this.releaser = b.releaser;
    this.listener = b.listener;
    LongSupplier clock = b.nanoClock;
    this.traces =
        Caffeine.newBuilder()
            .maximumSize(b.maxTraces)
            .expireAfterAccess(b.traceTtl)
            .ticker(clock::getAsLong)
            // Expire idle traces even when no span arrives, so their roots and counts are not late.
            .scheduler(Scheduler.forScheduledExecutorService(b.scheduler))
            // Run removal on the thread that removes: no hidden executor, deterministic in tests.
            .executor(Runnable::run)
            .<String, TraceState>removalListener(this::onRemoved)
            .build();
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
    ByteString lastTraceId = null;
    String traceId = null;
    TraceState state = null;
    for (int i = 0; i < batch.size(); i++) {
      if (batch.isRejected(i)) {
        continue;
      }
      ByteString spanTraceId = batch.traceId(i);
      if (spanTraceId.isEmpty()) {
        continue;
      }
      if (!spanTraceId.equals(lastTraceId)) {
        lastTraceId = spanTraceId;
        traceId = hex(lastTraceId);
        state = null;
      }
      String spanId = hex(batch.spanId(i));
      LlmSpan llm = LlmSpan.read(batch, i);
      List<GuardrailFinding> findings = detector.detect(batch, i, llm, traceId, spanId, heuristics);
      if (!findings.isEmpty()) {
        batch.putAttribute(i, FINDING_COUNT, (long) findings.size());
        batch.putAttribute(i, FINDINGS, GuardrailFinding.jsonArray(findings));
      }
      int capabilities = GuardrailDetector.capabilities(batch, i, llm);
      List<String> suppressed = GuardrailDetector.suppressed(batch, i);
      boolean inference = llm.isInference();
      long input = inference ? inputTokens(llm) : LlmSpan.ABSENT;
      long output = inference ? outputTokens(batch, i, llm) : LlmSpan.ABSENT;
      double cost = inference ? cost(batch, i, llm) : Double.NaN;
      boolean root = isRoot(batch.parentSpanId(i));

      if (state == null || state.removed) {
        state = traces.get(traceId, k -> new TraceState());
      }
      boolean late;
      synchronized (state) {
        late = state.summarized && !root;
        state.capabilities |= capabilities;
        for (GuardrailFinding f : findings) {
          if (state.findings.size() < maxFindingsPerTrace) {
            state.findings.add(f);
          } else {
            state.findingsDropped++;
          }
        }
        state.suppressed.addAll(suppressed);
        if (inference) {
          state.llmSpanCount++;
          if (input != LlmSpan.ABSENT) {
            state.inputTokens += input;
            state.inputSeen = true;
          }
          if (output != LlmSpan.ABSENT) {
            state.outputTokens += output;
            state.outputSeen = true;
          }
          if (!Double.isNaN(cost)) {
            state.costUsd += cost;
            state.costSeen = true;
          }
        }
        if (root) {
          state.rootSeen = true;
        }
      }
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

  private void finishRoot(SpanBatch batch, int i, TraceState state) {
    if (rootSpanWaitNanos > 0) {
      HeldRoot root =
          new HeldRoot(
              state,
              batch.editedSpanBytes(i),
              // Copied: the batch's ids point into its request, which a held root must not keep.
              ByteString.copyFrom(batch.traceId(i).asReadOnlyByteBuffer()),
              batch.traceState(i),
              hasSummaryKey(batch, i),
              batch.resource(i),
              batch.resourceSchemaUrl(i),
              batch.scope(i),
              batch.scopeSchemaUrl(i));
      if (hold(root)) {
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

  /** Adds {@code root} to the held roots; false when the processor is shut down. */
  private boolean hold(HeldRoot root) {
    List<HeldRoot> early = new ArrayList<>(0);
    synchronized (heldLock) {
      if (shutDown) {
        return false;
      }
      held.put(root, Boolean.TRUE);
      root.state.heldRoots.add(root);
      heldBytes += root.bytes;
      Iterator<HeldRoot> oldest = held.keySet().iterator();
      while (heldBytes > maxHeldRootBytes && oldest.hasNext()) {
        HeldRoot r = oldest.next();
        oldest.remove();
        r.state.heldRoots.remove(r);
        heldBytes -= r.bytes;
        early.add(r);
      }
    }
    listener.onRootHeld();
    for (HeldRoot r : early) {
      emit(r, GuardrailListener.Release.MEMORY_BOUND);
    }
    if (!early.contains(root)) {
      try {
        root.timer =
            scheduler.schedule(
                () -> release(root, GuardrailListener.Release.WAIT_ELAPSED),
                rootSpanWaitNanos,
                TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // The scheduler is shutting down before this processor; release now rather than never.
        release(root, GuardrailListener.Release.SHUTDOWN);
      }
    }
    return true;
  }

  /** Releases {@code root} unless it was released already. */
  private void release(HeldRoot root, GuardrailListener.Release reason) {
    synchronized (heldLock) {
      if (held.remove(root) == null) {
        return;
      }
      root.state.heldRoots.remove(root);
      heldBytes -= root.bytes;
    }
    emit(root, reason);
  }

  /** Adds the summary to a root no longer in {@code held} and hands it to the releaser. */
  private void emit(HeldRoot root, GuardrailListener.Release reason) {
    ScheduledFuture<?> timer = root.timer;
    if (timer != null) {
      timer.cancel(false);
    }
    Map<String, AnyValue> summary = summarize(root.state);
    byte[] span =
        root.summaryKeyPresent
            ? SpanBatch.withAttributes(root.span(), summary).toByteArray()
            : SpanWriter.appendAttributes(root.spanBytes, summary);
    byte[] request =
        SpanWriter.request(
            root.resource, root.resourceSchemaUrl, root.scope, root.scopeSchemaUrl, span);
    ReleasedRoot released = new ReleasedRoot(request, root.traceId, root.traceState);
    try {
      releaser.accept(released);
    } catch (RuntimeException e) {
      listener.onReleaseFailed(e);
      return;
    }
    listener.onRootReleased(reason);
  }

  /** The attributes the root gets: summary, all findings, and the trace roll-up. */
  private Map<String, AnyValue> summarize(TraceState state) {
    Map<String, AnyValue> out = new LinkedHashMap<>();
    GuardrailSummary summary;
    synchronized (state) {
      state.summarized = true;
      Set<String> suppressed = new LinkedHashSet<>(suppressedCategories);
      suppressed.addAll(state.suppressed);
      summary =
          GuardrailSummary.evaluate(state.findings, state.capabilities, suppressed, heuristics);
      out.put(SUMMARY, string(summary.json));
      ArrayValue.Builder detected = ArrayValue.newBuilder();
      for (String category : summary.detectedCategories) {
        detected.addValues(string(category));
      }
      out.put(SUMMARY_DETECTED, AnyValue.newBuilder().setArrayValue(detected).build());
      out.put(SUMMARY_MISSING_COUNT, integer(summary.missingCount));
      out.put(SUMMARY_COVERAGE, string(summary.coverageConfidence));
      if (!state.findings.isEmpty()) {
        out.put(FINDINGS, string(GuardrailFinding.jsonArray(state.findings)));
        out.put(FINDING_COUNT, integer(state.findings.size()));
      }
      if (state.llmSpanCount > 0) {
        if (state.inputSeen) {
          out.put(TRACE_INPUT_TOKENS, integer(state.inputTokens));
        }
        if (state.outputSeen) {
          out.put(TRACE_OUTPUT_TOKENS, integer(state.outputTokens));
        }
        if (state.costSeen) {
          out.put(
              TRACE_COST_USD,
              AnyValue.newBuilder().setDoubleValue(Math.round(state.costUsd * 1e9) / 1e9).build());
        }
        out.put(TRACE_LLM_SPAN_COUNT, integer(state.llmSpanCount));
      }
    }
    // Outside the trace's lock, as every listener call.
    listener.onTraceSummarized(
        summary.detectedCategories, summary.triggeredCategories, summary.missingCategories);
    return out;
  }

  private void onRemoved(String traceId, TraceState state, RemovalCause cause) {
    if (state == null) {
      return;
    }
    state.removed = true;
    if (cause == RemovalCause.EXPLICIT || cause == RemovalCause.REPLACED) {
      return;
    }
    boolean rootSeen;
    synchronized (state) {
      rootSeen = state.rootSeen;
    }
    if (cause == RemovalCause.SIZE) {
      listener.onTraceEvicted();
    } else if (!rootSeen) {
      listener.onTraceExpiredWithoutRoot();
    }
    // A root still waiting goes now, with what is known: it is never dropped. The trace's own
    // list, not a search of every held root: at high rates a trace leaves for each that arrives.
    List<HeldRoot> orphans;
    synchronized (heldLock) {
      if (state.heldRoots.isEmpty()) {
        return;
      }
      orphans = new ArrayList<>(state.heldRoots);
    }
    for (HeldRoot r : orphans) {
      release(r, GuardrailListener.Release.TRACE_EVICTED);
    }
  }

  /**
   * Releases every held root at once, with the summary of what has been seen, so that a drain on
   * SIGTERM forwards them. Roots that arrive afterwards get their summary in place. Idempotent; the
   * returned future is complete when this method returns. Does not shut the scheduler down, which
   * the caller owns.
   */
  @Override
  public CompletableFuture<Void> shutdown() {
    List<HeldRoot> all;
    synchronized (heldLock) {
      shutDown = true;
      all = new ArrayList<>(held.keySet());
      for (HeldRoot r : all) {
        r.state.heldRoots.remove(r);
      }
      held.clear();
      heldBytes = 0;
    }
    for (HeldRoot r : all) {
      emit(r, GuardrailListener.Release.SHUTDOWN);
    }
    return CompletableFuture.completedFuture(null);
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
    synchronized (heldLock) {
      return held.size();
    }
  }

  /** The bytes held now. */
  long heldBytes() {
    synchronized (heldLock) {
      return heldBytes;
    }
  }

  /** Runs the cache's pending expiry and eviction now (tests). */
  void cleanUp() {
    traces.cleanUp();
  }

  /** The number of traces with state (tests); approximate, as Caffeine's size is. */
  long traceCount() {
    return traces.estimatedSize();
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

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private static String hex(ByteString bytes) {
    char[] out = new char[bytes.size() * 2];
    for (int k = 0; k < bytes.size(); k++) {
      int b = bytes.byteAt(k) & 0xff;
      out[2 * k] = HEX[b >> 4];
      out[2 * k + 1] = HEX[b & 0xf];
    }
    return new String(out);
  }

  private static AnyValue string(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  private static AnyValue integer(long n) {
    return AnyValue.newBuilder().setIntValue(n).build();
  }

  /** A root span waiting for its trace's children. Identity equality: each hold is distinct. */
  static final class HeldRoot {
    final TraceState state;
    // Kept encoded: a decoded span with its attributes takes several times its encoded size, and
    // thousands of roots wait at once at high rates. Decoded once, when released.
    private final byte[] spanBytes;
    final ByteString traceId;
    final String traceState;
    // Whether the root carries a key the summary writes (an SDK's own summary, findings written on
    // the root by this processor): then the summary replaces it, which takes a decode.
    final boolean summaryKeyPresent;
    final Resource resource;
    final String resourceSchemaUrl;
    final InstrumentationScope scope;
    final String scopeSchemaUrl;
    final long bytes;

    Span span() {
      try {
        return Span.parseFrom(spanBytes);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        // The bytes were written in this process, from a request OtlpWire accepted.
        throw new IllegalStateException(e);
      }
    }

    // Set after the root is added to held; read by whoever releases it.
    volatile ScheduledFuture<?> timer;

    HeldRoot(
        TraceState state,
        byte[] spanBytes,
        ByteString traceId,
        String traceState,
        boolean summaryKeyPresent,
        Resource resource,
        String resourceSchemaUrl,
        InstrumentationScope scope,
        String scopeSchemaUrl) {
      this.state = state;
      this.spanBytes = spanBytes;
      this.traceId = traceId;
      this.traceState = traceState;
      this.summaryKeyPresent = summaryKeyPresent;
      this.resource = resource;
      this.resourceSchemaUrl = resourceSchemaUrl;
      this.scope = scope;
      this.scopeSchemaUrl = scopeSchemaUrl;
      this.bytes =
          (long) spanBytes.length
              + resource.getSerializedSize()
              + scope.getSerializedSize()
              + resourceSchemaUrl.length()
              + scopeSchemaUrl.length();
    }
  }

  /**
   * Builds a {@link GuardrailProcessor}. {@link #setScheduler} and {@link #setReleaser} are
   * required. Not thread-safe.
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
    private Consumer<ReleasedRoot> releaser;
    private GuardrailListener listener = GuardrailListener.noop();
    private LongSupplier nanoClock = System::nanoTime;

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
     * Takes each released root span, alone in a request, to forward it. Called on receiver threads,
     * the scheduler's thread and the thread that calls {@code shutdown()}; must be thread-safe and
     * must not block. Required.
     */
    public Builder setReleaser(Consumer<ReleasedRoot> releaser) {
      this.releaser = Objects.requireNonNull(releaser, "releaser");
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
      if (releaser == null) {
        throw new IllegalStateException("releaser is required: call setReleaser");
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
