/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tier;

import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a per-span stage only on the spans that do not carry {@link EnrichedMark#KEY}, so that a
 * span a sidecar enriched is not enriched again.
 *
 * <p>A batch whose spans all carry the mark (from a sidecar) skips the stage; a batch with none
 * (from a client that sends directly) goes through it as it is. A batch that mixes both, which a
 * Collector in front can make, goes through the stage as a copy of its unmarked spans, whose new
 * attributes and refusals are then written back. So the wrapped stage must change spans only by
 * setting attributes and refusing them, as token counting and cost do; the copy is slower, but only
 * mixed batches pay for it.
 *
 * <p>Thread-safe when the wrapped stage is.
 */
public final class SkipEnrichedProcessor implements SpanBatchProcessor {

  private final SpanBatchProcessor stage;

  private SkipEnrichedProcessor(SpanBatchProcessor stage) {
    this.stage = stage;
  }

  /** Wraps {@code stage}, which only sets attributes on spans and refuses them. */
  public static SkipEnrichedProcessor wrap(SpanBatchProcessor stage) {
    return new SkipEnrichedProcessor(Objects.requireNonNull(stage, "stage"));
  }

  /** The wrapped stage. */
  public SpanBatchProcessor stage() {
    return stage;
  }

  /** The wrapped stage's name: the stage is the same, only what it sees changes. */
  @Override
  public String name() {
    return stage.name();
  }

  @Override
  public boolean readsSpans() {
    return stage.readsSpans();
  }

  @Override
  public void process(SpanBatch batch) {
    int marked = 0;
    int open = 0;
    for (int i = 0; i < batch.size(); i++) {
      if (!batch.isRejected(i)) {
        open++;
        if (EnrichedMark.isMarked(batch, i)) {
          marked++;
        }
      }
    }
    if (marked == 0) {
      stage.process(batch);
    } else if (marked < open) {
      processUnmarked(batch, open - marked);
    }
  }

  private void processUnmarked(SpanBatch batch, int count) {
    int[] index = new int[count];
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    int n = 0;
    for (int i = 0; i < batch.size(); i++) {
      if (batch.isRejected(i) || EnrichedMark.isMarked(batch, i)) {
        continue;
      }
      Span span;
      try {
        span = Span.parseFrom(batch.editedSpanBytes(i));
      } catch (InvalidProtocolBufferException e) {
        // The batch was checked when it arrived and the splicer writes valid spans.
        throw new IllegalStateException("span " + i + " cannot be re-read", e);
      }
      index[n++] = i;
      // One resource and scope per span keeps the copy's index equal to its position in index[].
      request.addResourceSpans(
          ResourceSpans.newBuilder()
              .setResource(batch.resource(i))
              .setSchemaUrl(batch.resourceSchemaUrl(i))
              .addScopeSpans(
                  ScopeSpans.newBuilder()
                      .setScope(batch.scope(i))
                      .setSchemaUrl(batch.scopeSchemaUrl(i))
                      .addSpans(span)));
    }
    SpanBatch copy = SpanBatch.of(request.build(), null);
    stage.process(copy);
    for (int j = 0; j < n; j++) {
      int i = index[j];
      for (String key : copy.editedAttributeKeys(j)) {
        batch.putAttribute(i, key, copy.attribute(j, key));
      }
      if (copy.isRejected(j)) {
        batch.reject(i, copy.rejectReason(j));
      }
    }
  }

  @Override
  public CompletableFuture<Void> shutdown() {
    return stage.shutdown();
  }
}
