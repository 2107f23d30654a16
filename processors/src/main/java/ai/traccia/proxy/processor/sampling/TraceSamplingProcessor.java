/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.sampling;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Keeps a fraction of traces ({@code tracing.sample_rate}), deciding by trace id so that every span
 * of a trace is kept or dropped together, in any batch and on any replica.
 *
 * <p>The decision follows OpenTelemetry's consistent probability sampling ({@link
 * SamplingThreshold}): a span is kept when its trace's 56 random bits ({@code rv} of the {@code ot}
 * tracestate, else the low 56 bits of the trace id) are at least the threshold of the rate. A span
 * sampled upstream at a lower rate was kept by the same rule, so sampling again here only lowers
 * the probability further. Spans without a 16-byte trace id are kept: they cannot be sampled
 * consistently and are not this processor's to judge.
 *
 * <p>Dropped spans are rejected with {@link RejectReason#SAMPLED_OUT}, which the client is not told
 * about. Run it after metric derivation, so metrics count every span.
 *
 * <p><b>Keep rules.</b> A span for which a {@link TraceKeepRule} holds keeps every span of its
 * trace <i>in the same batch</i>, whatever the rate. With {@code tracing.keep_error_traces} the
 * rule is "the span's status is ERROR". Spans of that trace that arrive in other requests follow
 * the rate, so a trace kept by a rule may be partial.
 *
 * <p><b>Tracestate.</b> The span's {@code ot=th} is left as it arrived: {@link SpanBatch} offers no
 * way to edit a span's tracestate. Downstream consumers that weight spans by {@code th} therefore
 * see the upstream probability, not the combined one.
 *
 * <p>Thread-safe: the rate is a volatile field that {@link #setSampleRate} changes at any time
 * (live reload); a batch sees one rate from start to end.
 */
public final class TraceSamplingProcessor implements SpanBatchProcessor {

  /** Keeps the traces that have a span with status ERROR. */
  public static final TraceKeepRule ERROR_STATUS =
      (batch, i) -> batch.statusCode(i) == Status.StatusCode.STATUS_CODE_ERROR_VALUE;

  private final List<TraceKeepRule> keepRules;
  // Written by live reload; process() reads the threshold once per batch.
  private volatile double sampleRate;
  private volatile long threshold;

  private TraceSamplingProcessor(Builder builder) {
    this.keepRules = List.copyOf(builder.keepRules);
    setSampleRate(builder.sampleRate);
  }

  /** A builder keeping every trace and with no keep rules. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "sampling";
  }

  /**
   * Whether the current rate keeps the trace of {@code span}, keep rules aside: the decision this
   * processor makes for every span of that trace (tests). Spans a stage held back come through
   * {@link #process} like any other, after that stage.
   */
  boolean keeps(Span span) {
    return keeps(span.getTraceId(), span.getTraceState());
  }

  /** Whether the trace with this id and W3C tracestate is kept at the current rate. */
  private boolean keeps(ByteString traceId, String traceState) {
    long r = SamplingThreshold.randomness(traceId, traceState);
    return r < 0 || r >= threshold;
  }

  /**
   * Changes the fraction of traces kept, from the next batch on. Call it when {@code
   * tracing.sample_rate} is reloaded. Thread-safe and non-blocking.
   *
   * @throws IllegalArgumentException when {@code sampleRate} is not between 0 and 1
   */
  public void setSampleRate(double sampleRate) {
    checkRate(sampleRate);
    this.threshold = SamplingThreshold.forRate(sampleRate);
    this.sampleRate = sampleRate;
  }

  /** The fraction of traces kept now. */
  public double sampleRate() {
    return sampleRate;
  }

  /** At rate 1 (the default) every span is kept without being read. */
  @Override
  public boolean readsSpans() {
    return threshold != 0;
  }

  @Override
  public void process(SpanBatch batch) {
    long t = threshold;
    if (t == 0) {
      return; // sample_rate = 1: keep everything without looking
    }
    boolean[] dropped = null;
    Set<ByteString> rescued = null;
    for (int i = 0; i < batch.size(); i++) {
      if (batch.isRejected(i)) {
        continue;
      }
      ByteString traceId = batch.traceId(i);
      long r = SamplingThreshold.randomness(traceId, batch.traceState(i));
      if (r < 0 || r >= t) {
        continue;
      }
      if (dropped == null) {
        dropped = new boolean[batch.size()];
      }
      dropped[i] = true;
      if (matchesKeepRule(batch, i)) {
        if (rescued == null) {
          rescued = new HashSet<>();
        }
        rescued.add(traceId);
      }
    }
    if (dropped == null) {
      return;
    }
    for (int i = 0; i < dropped.length; i++) {
      if (dropped[i] && (rescued == null || !rescued.contains(batch.traceId(i)))) {
        batch.reject(i, RejectReason.SAMPLED_OUT);
      }
    }
  }

  private boolean matchesKeepRule(SpanBatch batch, int i) {
    for (int k = 0; k < keepRules.size(); k++) {
      if (keepRules.get(k).keep(batch, i)) {
        return true;
      }
    }
    return false;
  }

  private static void checkRate(double sampleRate) {
    if (!(sampleRate >= 0 && sampleRate <= 1)) {
      throw new IllegalArgumentException(
          "tracing.sample_rate: " + sampleRate + " (expected: a number from 0 to 1)");
    }
  }

  /** Builds a {@link TraceSamplingProcessor}. Not thread-safe. */
  public static final class Builder {
    private double sampleRate = 1.0;
    private final List<TraceKeepRule> keepRules = new ArrayList<>();

    private Builder() {}

    /**
     * Takes {@code tracing.sample_rate} of {@code config} and, when {@code
     * tracing.keep_error_traces} is set, adds the {@link #ERROR_STATUS} keep rule. Add other rules
     * (a guardrail finding) before {@code build()}.
     */
    public Builder fromConfig(ProxyConfig config) {
      setSampleRate(config.sampleRate());
      if (config.keepErrorTraces()) {
        addKeepRule(ERROR_STATUS);
      }
      return this;
    }

    /** Sets the fraction of traces kept, 0 to 1; default 1. */
    public Builder setSampleRate(double sampleRate) {
      checkRate(sampleRate);
      this.sampleRate = sampleRate;
      return this;
    }

    /**
     * Adds a rule under which a span keeps its trace (in the batch) whatever the rate, such as
     * {@link #ERROR_STATUS} or a guardrail finding. Rules are asked only about spans the rate would
     * drop.
     */
    public Builder addKeepRule(TraceKeepRule rule) {
      keepRules.add(Objects.requireNonNull(rule, "rule"));
      return this;
    }

    /** Returns the processor. */
    public TraceSamplingProcessor build() {
      return new TraceSamplingProcessor(this);
    }
  }
}
