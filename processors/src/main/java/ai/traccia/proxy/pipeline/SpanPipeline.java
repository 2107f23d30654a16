/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The immutable, ordered chain of {@link SpanBatchProcessor}s that every received batch goes
 * through.
 *
 * <p>Built once at startup; the list is copied and never changes afterwards, so the pipeline is
 * safe to share between receiver threads. Disabled processors are left out at build time rather
 * than checked per span. A processor that throws is reported to the error handler and the chain
 * carries on with the next processor: tracing data is never lost because one stage failed.
 *
 * <p><b>Design: spans that a stage holds back.</b> A stage added with {@link
 * Builder#addHoldingProcessor} takes spans out of a batch (the guardrail processor's root spans,
 * which wait for their children) and hands them on later to the {@link SpanConsumer} it was built
 * with: the stages after it, then whatever runs this pipeline and queues its output (its {@link
 * Tail}, connected with {@link #connect}). The tail decides whether there is room before any stage
 * runs, as it does for a request, so released spans are counted against the same bounds and a batch
 * the queues refuse is seen by no later stage. Until a tail is connected, released spans go through
 * the later stages and then nowhere, as spans do in a pipeline run without queues.
 */
public final class SpanPipeline {

  private static final SpanPipeline EMPTY = new SpanPipeline(List.of(), (p, t) -> {}, false);

  private final List<SpanBatchProcessor> processors;
  private final BiConsumer<SpanBatchProcessor, Throwable> errorHandler;
  private final boolean holds;
  private volatile Tail tail;

  private SpanPipeline(
      List<SpanBatchProcessor> processors,
      BiConsumer<SpanBatchProcessor, Throwable> errorHandler,
      boolean holds) {
    this.processors = processors;
    this.errorHandler = errorHandler;
    this.holds = holds;
    this.tail =
        (first, batch) -> {
          processFrom(first, batch);
          return Handoff.taken();
        };
  }

  /**
   * What runs a pipeline and queues its output, as seen by the stages that hold spans back: it
   * takes a batch released by stage {@code first - 1}, runs stages {@code first} onwards over it
   * with {@link #processFrom} and queues what they keep. Thread-safe and non-blocking.
   */
  @FunctionalInterface
  public interface Tail {
    /** Runs stages {@code first} onwards over {@code batch} and queues it, or says why not. */
    Handoff resume(int first, SpanBatch batch);
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A pipeline with no processors: spans pass through untouched. */
  public static SpanPipeline empty() {
    return EMPTY;
  }

  /** Runs every processor over {@code batch}, in order, on the calling thread. Never throws. */
  public void process(SpanBatch batch) {
    processFrom(0, batch);
  }

  /**
   * Runs the processors from index {@code first} on over {@code batch}, in order, on the calling
   * thread: the rest of the pipeline for spans a stage released. Never throws.
   */
  public void processFrom(int first, SpanBatch batch) {
    for (int p = first; p < processors.size(); p++) {
      SpanBatchProcessor processor = processors.get(p);
      try {
        processor.process(batch);
      } catch (VirtualMachineError fatal) {
        throw fatal;
      } catch (Throwable t) {
        errorHandler.accept(processor, t);
      }
    }
  }

  /**
   * Sends the spans that holding stages release to {@code tail}, which runs the stages after the
   * holder and queues the result; called by whatever runs this pipeline before the first batch. A
   * pipeline without a holding stage releases nothing and ignores the call (so the shared {@link
   * #empty()} pipeline is never tied to one caller).
   */
  public void connect(Tail tail) {
    Objects.requireNonNull(tail, "tail");
    if (holds) {
      this.tail = tail;
    }
  }

  /** Whether a stage of this pipeline holds spans back and releases them later. */
  public boolean holdsSpans() {
    return holds;
  }

  /** Whether any processor will read spans now ({@link SpanBatchProcessor#readsSpans()}). */
  public boolean readsSpans() {
    for (int p = 0; p < processors.size(); p++) {
      if (processors.get(p).readsSpans()) {
        return true;
      }
    }
    return false;
  }

  /** The processors in the order they run. */
  public List<SpanBatchProcessor> processors() {
    return processors;
  }

  /**
   * Shuts every processor down, in order: a stage that holds spans releases them into the stages
   * after it, which are still running. Idempotent as far as the processors are.
   */
  public CompletableFuture<Void> shutdown() {
    CompletableFuture<?>[] all = new CompletableFuture<?>[processors.size()];
    for (int p = 0; p < processors.size(); p++) {
      all[p] = processors.get(p).shutdown();
    }
    return CompletableFuture.allOf(all);
  }

  /** The consumer a holding stage at index {@code first - 1} is built with. */
  private static final class Next implements SpanConsumer {
    private final int first;
    private volatile SpanPipeline pipeline;

    Next(int first) {
      this.first = first;
    }

    @Override
    public Handoff accept(SpanBatch batch) {
      SpanPipeline p = pipeline;
      if (p == null) {
        throw new IllegalStateException("the pipeline is not built yet");
      }
      return p.tail.resume(first, batch);
    }
  }

  /** Builds a {@link SpanPipeline}. Not thread-safe. */
  public static final class Builder {
    private final List<SpanBatchProcessor> processors = new ArrayList<>();
    private final List<Next> nexts = new ArrayList<>();
    private BiConsumer<SpanBatchProcessor, Throwable> errorHandler = (p, t) -> {};
    private boolean built;

    private Builder() {}

    /** Appends {@code processor}; processors run in the order they are added. */
    public Builder addProcessor(SpanBatchProcessor processor) {
      processors.add(Objects.requireNonNull(processor, "processor"));
      return this;
    }

    /**
     * Appends a stage that holds spans back, built by {@code factory} with the consumer it hands
     * them to when it lets them go: the stages added after it, then the pipeline's {@link Tail}.
     * Returns the stage, for the caller to keep (a reload may change it). A builder with a holding
     * stage builds one pipeline: the stage belongs to it.
     */
    public <P extends SpanBatchProcessor> P addHoldingProcessor(
        Function<? super SpanConsumer, P> factory) {
      Next next = new Next(processors.size() + 1);
      P processor = Objects.requireNonNull(factory.apply(next), "factory returned null");
      processors.add(processor);
      nexts.add(next);
      return processor;
    }

    /**
     * Sets what to do when a processor throws. It must be thread-safe and return immediately; the
     * default ignores the failure.
     */
    public Builder setErrorHandler(BiConsumer<SpanBatchProcessor, Throwable> errorHandler) {
      this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
      return this;
    }

    /** Returns the pipeline. Later changes to this builder do not affect it. */
    public SpanPipeline build() {
      if (processors.isEmpty()) {
        return EMPTY;
      }
      if (built && !nexts.isEmpty()) {
        throw new IllegalStateException(
            "a builder with a holding stage builds one pipeline: the stage hands on to it");
      }
      built = true;
      SpanPipeline pipeline =
          new SpanPipeline(List.copyOf(processors), errorHandler, !nexts.isEmpty());
      for (Next next : nexts) {
        next.pipeline = pipeline;
      }
      return pipeline;
    }
  }
}
