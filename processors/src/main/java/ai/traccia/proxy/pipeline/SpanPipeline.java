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

/**
 * The immutable, ordered chain of {@link SpanProcessor}s that every received batch goes through.
 *
 * <p>Built once at startup; the list is copied and never changes afterwards, so the pipeline is
 * safe to share between receiver threads. Disabled processors are left out at build time rather
 * than checked per span. A processor that throws is reported to the error handler and the chain
 * carries on with the next processor: tracing data is never lost because one stage failed.
 */
public final class SpanPipeline {

  private static final SpanPipeline EMPTY = new SpanPipeline(List.of(), (p, t) -> {});

  private final List<SpanProcessor> processors;
  private final BiConsumer<SpanProcessor, Throwable> errorHandler;

  private SpanPipeline(
      List<SpanProcessor> processors, BiConsumer<SpanProcessor, Throwable> errorHandler) {
    this.processors = processors;
    this.errorHandler = errorHandler;
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
    for (int p = 0; p < processors.size(); p++) {
      SpanProcessor processor = processors.get(p);
      try {
        processor.process(batch);
      } catch (VirtualMachineError fatal) {
        throw fatal;
      } catch (Throwable t) {
        errorHandler.accept(processor, t);
      }
    }
  }

  /** Whether any processor will read spans now ({@link SpanProcessor#readsSpans()}). */
  public boolean readsSpans() {
    for (int p = 0; p < processors.size(); p++) {
      if (processors.get(p).readsSpans()) {
        return true;
      }
    }
    return false;
  }

  /** The processors in the order they run. */
  public List<SpanProcessor> processors() {
    return processors;
  }

  /** Shuts every processor down. Idempotent as far as the processors are. */
  public CompletableFuture<Void> shutdown() {
    CompletableFuture<?>[] all = new CompletableFuture<?>[processors.size()];
    for (int p = 0; p < processors.size(); p++) {
      all[p] = processors.get(p).shutdown();
    }
    return CompletableFuture.allOf(all);
  }

  /** Builds a {@link SpanPipeline}. Not thread-safe. */
  public static final class Builder {
    private final List<SpanProcessor> processors = new ArrayList<>();
    private BiConsumer<SpanProcessor, Throwable> errorHandler = (p, t) -> {};

    private Builder() {}

    /** Appends {@code processor}; processors run in the order they are added. */
    public Builder addProcessor(SpanProcessor processor) {
      processors.add(Objects.requireNonNull(processor, "processor"));
      return this;
    }

    /**
     * Sets what to do when a processor throws. It must be thread-safe and return immediately; the
     * default ignores the failure.
     */
    public Builder setErrorHandler(BiConsumer<SpanProcessor, Throwable> errorHandler) {
      this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
      return this;
    }

    /** Returns the pipeline. Later changes to this builder do not affect it. */
    public SpanPipeline build() {
      if (processors.isEmpty()) {
        return EMPTY;
      }
      return new SpanPipeline(List.copyOf(processors), errorHandler);
    }
  }
}
