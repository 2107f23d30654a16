/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import ai.traccia.proxy.codec.SpanWriter;
import ai.traccia.proxy.pipeline.Handoff;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanConsumer;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Root spans waiting for their trace's children, and their release into the rest of the pipeline.
 *
 * <p><b>Design.</b> A root is kept encoded, with its resource and scope, for the wait; the bytes of
 * all held roots are bounded ({@code maxBytes}), and past the bound the oldest go early with what
 * is known. A root is never dropped. When it goes (wait over, bound passed, trace left the cache,
 * shutdown) the trace's summary is added to it and it is handed, in an {@link
 * ExportTraceServiceRequest} with the roots that go with it, to {@code next}: the stages after the
 * guardrail stage, then the queues, the path every span takes. When the queues have no room ({@link
 * Handoff.Outcome#RETRY_LATER}) nothing has run on it, and it is handed again after the delay the
 * queues ask of every client; the retry runs on the same scheduler as the wait. The summary is
 * written once, at the first attempt. A root waiting for another try is no longer counted against
 * {@code maxBytes} (it has left the hold): while the queues stay full such roots accumulate at the
 * rate roots arrive, and the queues' memory budget counts them only once they are queued.
 *
 * <p><b>One timer.</b> Every root waits the same time, so the order roots arrive in is the order
 * their waits end: one timer, set for the oldest root's deadline, releases it together with every
 * root whose wait ends within {@link #MAX_COALESCE_NANOS} (or 1% of the wait) after it, in one
 * request. At a thousand roots a second this is about twenty hand-offs a second instead of a
 * thousand, and no scheduled task per root (each took an entry in the scheduler's queue).
 *
 * <p>Thread-safe: held roots and the timer are guarded by {@code lock}; {@code next}, the listener
 * and the summarizer are called without it.
 */
final class HeldRoots {

  /**
   * Roots whose wait ends within this much after the one the timer fired for go with it, so a root
   * may leave up to this much early: at most 1% of the wait, and 50 ms.
   */
  private static final long MAX_COALESCE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /** Roots handed on in one request at most, so that one release stays an ordinary request. */
  static final int MAX_ROOTS_PER_REQUEST = 256;

  private final long waitNanos;
  private final long coalesceNanos;
  private final long maxBytes;
  private final LongSupplier nanoClock;
  private final ScheduledExecutorService scheduler;
  private final SpanConsumer next;
  private final GuardrailListener listener;
  private final Function<TraceState, Map<String, AnyValue>> summarizer;

  private final Object lock = new Object();
  // Insertion order is age order, and so deadline order: the first entry is the oldest held
  // root. Guarded by lock.
  private final LinkedHashMap<Root, Boolean> held = new LinkedHashMap<>();
  private long bytes; // guarded by lock
  private boolean shutDown; // guarded by lock
  private ScheduledFuture<?> timer; // for the oldest root's deadline, or null; guarded by lock

  HeldRoots(
      long waitNanos,
      long maxBytes,
      LongSupplier nanoClock,
      ScheduledExecutorService scheduler,
      SpanConsumer next,
      GuardrailListener listener,
      Function<TraceState, Map<String, AnyValue>> summarizer) {
    this.waitNanos = waitNanos;
    this.coalesceNanos = Math.min(MAX_COALESCE_NANOS, waitNanos / 100);
    this.maxBytes = maxBytes;
    this.nanoClock = nanoClock;
    this.scheduler = scheduler;
    this.next = next;
    this.listener = listener;
    this.summarizer = summarizer;
  }

  /** Adds {@code root}; false, holding nothing, once {@link #shutdown} has run. */
  boolean hold(Root root) {
    List<Root> early = new ArrayList<>(0);
    boolean schedulerGone = false;
    synchronized (lock) {
      if (shutDown) {
        return false;
      }
      root.deadline = nanoClock.getAsLong() + waitNanos;
      held.put(root, Boolean.TRUE);
      root.state.heldRoots.add(root);
      bytes += root.bytes;
      Iterator<Root> oldest = held.keySet().iterator();
      while (bytes > maxBytes && oldest.hasNext()) {
        Root r = oldest.next();
        oldest.remove();
        r.state.heldRoots.remove(r);
        bytes -= r.bytes;
        early.add(r);
      }
      if (timer == null && !held.isEmpty()) {
        schedulerGone = !schedule(held.keySet().iterator().next().deadline);
      }
    }
    listener.onRootHeld();
    emit(early, GuardrailListener.Release.MEMORY_BOUND);
    if (schedulerGone) {
      // The scheduler is shutting down before the processor; release now rather than never.
      releaseAll(GuardrailListener.Release.SHUTDOWN);
    }
    return true;
  }

  /**
   * Sets the timer for {@code deadline}; false when the scheduler no longer takes tasks. Called
   * with lock held.
   */
  private boolean schedule(long deadline) {
    try {
      timer =
          scheduler.schedule(
              this::expire, Math.max(0, deadline - nanoClock.getAsLong()), TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      timer = null;
      return false;
    }
  }

  /** The timer: releases the roots whose wait is over or ends within the coalescing window. */
  private void expire() {
    List<Root> due = new ArrayList<>();
    boolean schedulerGone = false;
    synchronized (lock) {
      timer = null;
      long horizon = nanoClock.getAsLong() + coalesceNanos;
      Iterator<Root> oldest = held.keySet().iterator();
      while (oldest.hasNext()) {
        Root r = oldest.next();
        if (r.deadline - horizon > 0) {
          schedulerGone = !schedule(r.deadline);
          break;
        }
        oldest.remove();
        r.state.heldRoots.remove(r);
        bytes -= r.bytes;
        due.add(r);
      }
    }
    emit(due, GuardrailListener.Release.WAIT_ELAPSED);
    if (schedulerGone) {
      releaseAll(GuardrailListener.Release.SHUTDOWN);
    }
  }

  /** Releases the held roots of a trace that left the cache, with what is known of it. */
  void releaseTrace(TraceState state) {
    // The trace's own list, not a search of every held root: at high rates a trace leaves for
    // each that arrives.
    List<Root> orphans = new ArrayList<>();
    synchronized (lock) {
      for (Root r : state.heldRoots) {
        if (held.remove(r) != null) {
          bytes -= r.bytes;
          orphans.add(r);
        }
      }
      state.heldRoots.clear();
    }
    emit(orphans, GuardrailListener.Release.TRACE_EVICTED);
  }

  /** Releases every held root now; later roots are not held ({@link #hold} returns false). */
  void shutdown() {
    synchronized (lock) {
      shutDown = true;
    }
    releaseAll(GuardrailListener.Release.SHUTDOWN);
  }

  /**
   * Releases every held root now with what is known of its trace, for {@code reason}; later roots
   * are held as before. Returns how many were released.
   */
  int releaseAll(GuardrailListener.Release reason) {
    return releaseIf(traceId -> true, reason);
  }

  /**
   * Releases now, with what is known of their traces, the held roots whose trace id {@code traces}
   * selects, for {@code reason}; the others and later roots are held as before. Returns how many
   * were released.
   */
  int releaseIf(Predicate<ByteString> traces, GuardrailListener.Release reason) {
    List<Root> chosen = new ArrayList<>();
    synchronized (lock) {
      Iterator<Root> it = held.keySet().iterator();
      while (it.hasNext()) {
        Root r = it.next();
        if (traces.test(r.traceId)) {
          it.remove();
          r.state.heldRoots.remove(r);
          bytes -= r.bytes;
          chosen.add(r);
        }
      }
      // A timer set for a root released here finds the next one and sets itself again.
      if (held.isEmpty() && timer != null) {
        timer.cancel(false);
        timer = null;
      }
    }
    emit(chosen, reason);
    return chosen.size();
  }

  /** The number of root spans held now. */
  int count() {
    synchronized (lock) {
      return held.size();
    }
  }

  /** The bytes held now. */
  long bytes() {
    synchronized (lock) {
      return bytes;
    }
  }

  /**
   * Adds the summary to roots no longer held and hands them on, up to {@link
   * #MAX_ROOTS_PER_REQUEST} in one request, written in one pass: roots that arrived in one request
   * are neighbours here and share their resource and scope in it.
   */
  private void emit(List<Root> roots, GuardrailListener.Release reason) {
    for (int from = 0; from < roots.size(); from += MAX_ROOTS_PER_REQUEST) {
      List<Root> group = roots.subList(from, Math.min(roots.size(), from + MAX_ROOTS_PER_REQUEST));
      List<SpanWriter.ScopedSpan> spans = new ArrayList<>(group.size());
      for (Root root : group) {
        try {
          spans.add(root.withSummary(summarizer.apply(root.state)));
        } catch (RuntimeException e) {
          listener.onReleaseFailed(e);
        }
      }
      if (!spans.isEmpty()) {
        handOn(SpanWriter.request(spans), spans.size(), reason);
      }
    }
  }

  /** Hands the encoded request of {@code roots} released roots to the rest of the pipeline. */
  private void handOn(byte[] request, int roots, GuardrailListener.Release reason) {
    Handoff answer;
    try {
      answer = next.accept(SpanBatch.parse(request));
    } catch (InvalidProtocolBufferException e) {
      // Written in this process, from a request the wire check accepted.
      listener.onReleaseFailed(new IllegalStateException("a released root cannot be read", e));
      return;
    } catch (RuntimeException e) {
      listener.onReleaseFailed(e);
      return;
    }
    switch (answer.outcome()) {
      case TAKEN:
        for (int i = 0; i < roots; i++) {
          listener.onRootReleased(reason);
        }
        return;
      case RETRY_LATER:
        try {
          scheduler.schedule(
              () -> handOn(request, roots, reason),
              answer.retryAfter().toNanos(),
              TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
          listener.onReleaseFailed(
              new IllegalStateException(
                  "a released root could not be queued ("
                      + answer.reason()
                      + ") and no retry"
                      + " can be scheduled: the proxy is stopping",
                  e));
        }
        return;
      case CLOSED:
      default:
        listener.onReleaseFailed(
            new IllegalStateException(
                "a released root could not be queued: "
                    + answer.reason()
                    + "; raise server.shutdown_timeout_ms if this happens at every stop"));
    }
  }

  /** A root span waiting for its trace's children. Identity equality: each hold is distinct. */
  static final class Root {
    final TraceState state;
    final ByteString traceId;
    // Kept encoded: a decoded span with its attributes takes several times its encoded size, and
    // thousands of roots wait at once at high rates. Decoded only when a summary key must be
    // replaced.
    private final byte[] spanBytes;
    // Whether the root carries a key the summary writes (an SDK's own summary, findings written on
    // the root by the processor): then the summary replaces it, which takes a decode.
    private final boolean summaryKeyPresent;
    private final Resource resource;
    private final String resourceSchemaUrl;
    private final InstrumentationScope scope;
    private final String scopeSchemaUrl;
    final long bytes;

    // When its wait ends, on the nano clock; set by hold, guarded by the lock.
    long deadline;

    /**
     * Root {@code i} of {@code batch}, as edited so far, with its resource and scope.
     *
     * @param summaryKeyPresent whether the span carries a key the summary writes
     */
    Root(TraceState state, SpanBatch batch, int i, boolean summaryKeyPresent) {
      this.state = state;
      // A copy: the batch's id is a view of its whole request, which must not stay with the root.
      this.traceId = UnsafeByteOperations.unsafeWrap(batch.traceId(i).toByteArray());
      this.spanBytes = batch.editedSpanBytes(i);
      this.summaryKeyPresent = summaryKeyPresent;
      this.resource = batch.resource(i);
      this.resourceSchemaUrl = batch.resourceSchemaUrl(i);
      this.scope = batch.scope(i);
      this.scopeSchemaUrl = batch.scopeSchemaUrl(i);
      this.bytes =
          (long) spanBytes.length
              + resource.getSerializedSize()
              + scope.getSerializedSize()
              + resourceSchemaUrl.length()
              + scopeSchemaUrl.length();
    }

    /** This span with {@code summary} added, with its resource and scope. */
    SpanWriter.ScopedSpan withSummary(Map<String, AnyValue> summary) {
      byte[] span;
      try {
        span =
            summaryKeyPresent
                ? SpanBatch.withAttributes(Span.parseFrom(spanBytes), summary).toByteArray()
                : SpanWriter.appendAttributes(spanBytes, summary);
      } catch (InvalidProtocolBufferException e) {
        // The bytes were written in this process, from a request the wire check accepted.
        throw new IllegalStateException(e);
      }
      return new SpanWriter.ScopedSpan(resource, resourceSchemaUrl, scope, scopeSchemaUrl, span);
    }
  }
}
