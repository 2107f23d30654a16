/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import ai.traccia.proxy.codec.OtlpIds;
import ai.traccia.proxy.pipeline.SpanBatch;
import com.google.protobuf.ByteString;

/**
 * A cursor over the spans of a batch the guardrail stages look at: not rejected, with a trace id.
 * Spans of one trace usually arrive together, so the trace id is turned into hex once per run of
 * them, and {@link #newTrace} says when a run starts (for state looked up per trace). Not
 * thread-safe; one per {@code process} call.
 *
 * <pre>{@code
 * for (TraceRuns runs = new TraceRuns(batch); runs.next(); ) {
 *   int i = runs.index();
 *   ... runs.traceId() ...
 * }
 * }</pre>
 */
final class TraceRuns {

  private final SpanBatch batch;
  private int index = -1;
  private ByteString lastTraceId;
  private String traceId;
  private boolean newTrace;

  TraceRuns(SpanBatch batch) {
    this.batch = batch;
  }

  /** Moves to the next span with a trace id that is not rejected; false when there is none. */
  boolean next() {
    while (++index < batch.size()) {
      if (batch.isRejected(index)) {
        continue;
      }
      ByteString spanTraceId = batch.traceId(index);
      if (spanTraceId.isEmpty()) {
        continue;
      }
      newTrace = !spanTraceId.equals(lastTraceId);
      if (newTrace) {
        lastTraceId = spanTraceId;
        traceId = OtlpIds.hex(spanTraceId);
      }
      return true;
    }
    return false;
  }

  /** The current span's index in the batch. */
  int index() {
    return index;
  }

  /** The current span's trace id, lowercase hex. */
  String traceId() {
    return traceId;
  }

  /** Whether the current span's trace differs from the previous span's. */
  boolean newTrace() {
    return newTrace;
  }
}
