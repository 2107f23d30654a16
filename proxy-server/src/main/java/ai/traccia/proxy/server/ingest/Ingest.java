/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ingest;

import ai.traccia.proxy.codec.OtlpWire;
import ai.traccia.proxy.codec.SpanLimits;
import ai.traccia.proxy.pipeline.Handoff;
import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.server.export.ExportRequest;
import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.export.ThrottlingLogger;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.metrics.SelfMetrics.RefuseReason;
import ai.traccia.proxy.server.queue.BatchingExporter;
import ai.traccia.proxy.server.ratelimit.SpanRateLimiter;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hand-off from the receivers to the rest of the proxy: runs the span pipeline, then queues the
 * result on every exporter, or refuses it as a whole.
 *
 * <p>Receivers decode and count; this class decides; the exporters ship. A request is queued on all
 * exporters or on none: room is reserved on each queue first, so a full queue turns into a
 * retryable refusal and never into a request that one destination has and another lost.
 *
 * <p>Design. Whatever can refuse a trace request as a whole is asked before the pipeline runs:
 * shutting down, room on every queue (reserved for the spans as they arrived, then shrunk to what
 * the pipeline kept), and the rate limit under the refuse policy. Under overload most requests are
 * refused, and a refused request then costs its wire check and nothing more; it is also never seen
 * by a stage (derived metrics, guardrail state), so a client's retry is counted once. Queue room is
 * taken before rate-limit tokens, since room can be given back and tokens cannot.
 *
 * <p>Spans a stage held back (a trace's root waiting for its children) come back through the same
 * steps when the stage lets them go: this class is the pipeline's {@link SpanPipeline.Tail}, so a
 * released root is given room on every queue first, then runs the stages after the one that held
 * it, then is queued or not with the rest. A full queue answers it as it answers a client, and the
 * holder tries again after the same delay.
 *
 * <p>Thread-safe; called from receiver worker threads, and from a transport's event loop only when
 * {@link #isNonBlocking} says nothing on the request's path blocks or reads spans.
 */
public final class Ingest {

  /** The delay suggested to clients when the queues are full. */
  public static final Duration QUEUE_FULL_RETRY_AFTER = Duration.ofSeconds(1);

  /**
   * The {@code transport} label of the metrics the proxy derives from spans, in the self-metrics
   * where a client's requests have {@code grpc} or {@code http}.
   */
  public static final String DERIVED = "derived";

  private static final Logger logger = LoggerFactory.getLogger(Ingest.class);

  private final SpanPipeline pipeline;
  private final List<BatchingExporter> exporters;
  private final List<BatchingExporter> derivedExporters; // those that take derived metrics
  private final SelfMetrics metrics;
  private final SpanRateLimiter rateLimiter;
  private final SpanLimits spanLimits;
  private final boolean durable;
  private final ThrottlingLogger dropLog = ThrottlingLogger.create(logger, 6);
  private final ThrottlingLogger derivedLog = ThrottlingLogger.create(logger, 6);
  private final AtomicLong rateLimitDropped = new AtomicLong();
  private volatile boolean accepting = true;
  private volatile boolean queuesClosed;

  /** Creates the hand-off to {@code exporters}, running {@code pipeline} over every span. */
  public Ingest(SpanPipeline pipeline, List<BatchingExporter> exporters, SelfMetrics metrics) {
    this(pipeline, exporters, metrics, SpanRateLimiter.unlimited());
  }

  /**
   * Creates the hand-off to {@code exporters}, running {@code pipeline} over every span and then
   * {@code rateLimiter} over the spans the pipeline kept, before they are queued.
   */
  public Ingest(
      SpanPipeline pipeline,
      List<BatchingExporter> exporters,
      SelfMetrics metrics,
      SpanRateLimiter rateLimiter) {
    this(pipeline, exporters, metrics, rateLimiter, SpanLimits.defaults());
  }

  /**
   * Creates the hand-off to {@code exporters}, refusing trace requests over {@code spanLimits},
   * running {@code pipeline} over every span and {@code rateLimiter} over the spans the pipeline
   * kept, before they are queued.
   */
  public Ingest(
      SpanPipeline pipeline,
      List<BatchingExporter> exporters,
      SelfMetrics metrics,
      SpanRateLimiter rateLimiter,
      SpanLimits spanLimits) {
    this.spanLimits = Objects.requireNonNull(spanLimits, "spanLimits");
    this.pipeline = pipeline;
    this.exporters = List.copyOf(exporters);
    this.derivedExporters =
        this.exporters.stream().filter(BatchingExporter::takesDerivedMetrics).toList();
    this.durable = this.exporters.stream().anyMatch(BatchingExporter::isDurable);
    this.metrics = metrics;
    this.rateLimiter = Objects.requireNonNull(rateLimiter, "rateLimiter");
    // Spans a stage held back come back here when it lets them go, to run the stages after it
    // and be queued like the request they came in.
    pipeline.connect(this::released);
  }

  /**
   * Whether a request of {@code signal} may be handled on the transport's own thread now, because
   * nothing on its path blocks or does heavy work: no queue writes to disk, and for traces, no
   * processor reads spans and the rate limiter never waits. The answer holds for this moment; a
   * reload that sets a rate limit applies to calls that start after it.
   */
  public boolean isNonBlocking(Signal signal) {
    if (durable) {
      return false;
    }
    return signal != Signal.TRACES || (!pipeline.readsSpans() && !rateLimiter.mayBlock());
  }

  /** The rate limiter, whose limits a configuration reload may change. */
  public SpanRateLimiter rateLimiter() {
    return rateLimiter;
  }

  /**
   * Refuses every client request from now on with a retryable answer; used while shutting down.
   * Released spans and derived metrics are still taken until {@link #closeQueues}.
   */
  public void stopAccepting() {
    accepting = false;
  }

  /**
   * Processes and queues a trace export, encoded as protobuf (OTLP JSON is encoded on arrival). It
   * is checked and counted on the wire, never decoded whole: processors read spans from its bytes,
   * and when none edits a span it is forwarded as it arrived.
   *
   * @throws InvalidProtocolBufferException when {@code encoded} is not an OTLP trace request, or
   *     breaks the OTLP id rules or the span limits (see {@link OtlpWire})
   */
  public IngestResult traces(byte[] encoded, String transport)
      throws InvalidProtocolBufferException {
    SpanBatch batch = SpanBatch.parse(encoded, spanLimits);
    int received = batch.size();
    metrics.received(Signal.TRACES, transport, received);
    if (!accepting) {
      return shuttingDown(Signal.TRACES, transport, received);
    }
    // Room for the spans as they arrived, on every queue, before anything works on them (see the
    // design note); shrunk to what the pipeline keeps, or given back if nothing is queued.
    ExportRequest arrived = ExportRequest.of(Signal.TRACES, encoded, received);
    if (received > 0) {
      IngestResult full = reserve(exporters, arrived, transport);
      if (full != null) {
        return full;
      }
    }
    // Set once the reservation is handed to enqueue, which gives back what it cannot use.
    boolean handedOver = false;
    try {
      // Refusing the whole request happens before the pipeline: a refused request was not
      // accepted, so no stage (metrics derivation, guardrail state) may count it, and the client's
      // retry is then counted once. Dropping spans happens after it, so that every stage sees every
      // span.
      boolean refusePolicy = rateLimiter.policy() == SpanRateLimiter.Policy.REFUSE;
      if (refusePolicy && received > 0) {
        SpanRateLimiter.Decision decision = rateLimiter.acquire(received);
        if (decision.refused()) {
          return rateLimited(transport, received, decision);
        }
      }
      pipeline.process(batch);
      int kept = batch.acceptedCount();
      if (!refusePolicy && kept > 0) {
        SpanRateLimiter.Decision decision = rateLimiter.acquire(kept);
        if (decision.refused()) {
          return rateLimited(transport, received, decision);
        }
        if (decision.dropped() > 0) {
          dropOverLimit(batch, decision.dropped(), received);
        }
      }
      long reportedRejections = 0;
      String message = "";
      if (batch.rejectedCount() > 0) {
        StringJoiner reasons = new StringJoiner(", ");
        for (Map.Entry<RejectReason, Integer> e : batch.rejectionsByReason().entrySet()) {
          if (e.getKey().isRefusal()) {
            metrics.refusedByProcessor(Signal.TRACES, transport, e.getKey().label(), e.getValue());
          }
          if (e.getKey().reportedToClient()) {
            reportedRejections += e.getValue();
            reasons.add(e.getValue() + " " + e.getKey().label());
          }
        }
        if (reportedRejections > 0) {
          message = "refused " + reportedRejections + " of " + received + " spans: " + reasons;
        }
      }
      int accepted = batch.acceptedCount();
      // Root spans a processor holds for their children are acknowledged to the client with the
      // rest, so they are accepted now, under the transport they came by; their release to the
      // queues later is counted apart (released_spans), never as accepted a second time.
      int held = batch.rejectionsByReason().getOrDefault(RejectReason.HELD, 0);
      if (accepted == 0) {
        metrics.accepted(Signal.TRACES, transport, held);
        return IngestResult.partiallyAccepted(reportedRejections, message);
      }
      ExportRequest request = ExportRequest.of(Signal.TRACES, batch.toByteArray(), accepted);
      for (BatchingExporter exporter : exporters) {
        exporter.resize(arrived, request);
      }
      handedOver = true;
      IngestResult queued = enqueue(exporters, request, transport);
      if (queued.status() != IngestResult.Status.ACCEPTED) {
        return queued;
      }
      metrics.accepted(Signal.TRACES, transport, held);
      return IngestResult.partiallyAccepted(reportedRejections, message);
    } finally {
      if (!handedOver && received > 0) {
        for (BatchingExporter exporter : exporters) {
          exporter.release(arrived);
        }
      }
    }
  }

  private IngestResult rateLimited(
      String transport, int received, SpanRateLimiter.Decision decision) {
    metrics.refused(Signal.TRACES, transport, RefuseReason.RATE_LIMITED, received);
    return IngestResult.rateLimited(
        "the proxy accepts at most "
            + rateLimiter.rate()
            + " spans per second (rate_limiting.max_spans_per_second); retry later",
        decision.retryAfter());
  }

  /**
   * Takes spans a stage of the pipeline held back and now releases (a root span that waited for its
   * children), as the pipeline's {@link SpanPipeline.Tail}: reserves room on every queue for them,
   * runs the stages after the holder ({@code first} onwards), and queues what they keep, by the
   * same steps as a request. They were accepted when they arrived, so the rate limiter does not run
   * again and shutting down does not refuse them; a full queue does, with the delay a client would
   * be told, and then no stage has seen them (the holder keeps them and tries again). Once the
   * queues are closing ({@link #closeQueues}) nothing more is taken.
   */
  Handoff released(int first, SpanBatch batch) {
    int spans = batch.acceptedCount();
    if (spans == 0) {
      return Handoff.taken();
    }
    if (queuesClosed) {
      return Handoff.closed("the export queues had closed");
    }
    ExportRequest arrived = ExportRequest.of(Signal.TRACES, batch.arrivedBytes(), spans);
    IngestResult full = reserve(exporters, arrived, null);
    if (full != null) {
      metrics.released(spans, false);
      return Handoff.retryLater(full.retryAfter(), full.message());
    }
    boolean handedOver = false;
    try {
      pipeline.processFrom(first, batch);
      int kept = batch.acceptedCount();
      if (kept == 0) {
        return Handoff.taken(); // sampled out, as the rest of its trace
      }
      ExportRequest request = ExportRequest.of(Signal.TRACES, batch.toByteArray(), kept);
      for (BatchingExporter exporter : exporters) {
        exporter.resize(arrived, request);
      }
      handedOver = true;
      // Counted as received and accepted when they arrived; their own counter, not accepted_items,
      // says that they reached the queues.
      IngestResult queued = enqueue(exporters, request, null);
      boolean taken = queued.status() == IngestResult.Status.ACCEPTED;
      metrics.released(kept, taken);
      return taken ? Handoff.taken() : Handoff.retryLater(queued.retryAfter(), queued.message());
    } finally {
      if (!handedOver) {
        for (BatchingExporter exporter : exporters) {
          exporter.release(arrived);
        }
      }
    }
  }

  /**
   * Takes no more released spans: called before the queues shut down, after the pipeline has
   * released what it held.
   */
  public void closeQueues() {
    queuesClosed = true;
  }

  /**
   * Queues a metrics export, as it arrived, after checking and counting it on the wire.
   *
   * @throws InvalidProtocolBufferException when {@code encoded} is not an OTLP metrics request
   */
  public IngestResult metrics(byte[] encoded, String transport)
      throws InvalidProtocolBufferException {
    return forward(Signal.METRICS, encoded, OtlpWire.countDataPoints(encoded), transport);
  }

  /**
   * Queues a logs export, as it arrived, after checking and counting it on the wire.
   *
   * @throws InvalidProtocolBufferException when {@code encoded} is not an OTLP logs request
   */
  public IngestResult logs(byte[] encoded, String transport) throws InvalidProtocolBufferException {
    return forward(Signal.LOGS, encoded, OtlpWire.countLogRecords(encoded), transport);
  }

  private IngestResult forward(Signal signal, byte[] body, int items, String transport) {
    metrics.received(signal, transport, items);
    if (!accepting) {
      return shuttingDown(signal, transport, items);
    }
    return queue(exporters, ExportRequest.of(signal, body, items), transport);
  }

  /**
   * Queues metrics the proxy derived from spans, one encoded {@code ExportMetricsServiceRequest},
   * on every exporter that takes them ({@link BatchingExporter#takesDerivedMetrics}) or on none, by
   * the same steps as a client's metrics request, and counts them as one under the transport
   * {@value #DERIVED}. Unlike a client's request, they are taken while the proxy shuts down, until
   * the queues close, since the last collection is made once the receivers have stopped.
   *
   * <p>Never waits for room (it runs on the metric reader's thread); in durable mode it returns
   * once the request is on disk. Returns false when a queue is full or closed: the points are lost
   * then, and counted as refused with the reason.
   */
  public boolean derivedMetrics(byte[] encoded) {
    int points;
    try {
      points = OtlpWire.countDataPoints(encoded);
    } catch (InvalidProtocolBufferException e) {
      // Our own encoder wrote it; a failure here is a bug, not a client's mistake.
      logger.error("The derived metrics are not a valid OTLP metrics request; dropped", e);
      return false;
    }
    metrics.received(Signal.METRICS, DERIVED, points);
    if (queuesClosed) {
      metrics.refused(Signal.METRICS, DERIVED, RefuseReason.SHUTTING_DOWN, points);
      derivedLog.warn(
          "{} derived metric points were dropped: the export queues had closed", points);
      return false;
    }
    IngestResult queued =
        queue(derivedExporters, ExportRequest.of(Signal.METRICS, encoded, points), DERIVED);
    if (queued.status() != IngestResult.Status.ACCEPTED) {
      derivedLog.warn(
          "{} derived metric points were dropped: {} (counted in"
              + " traccia_proxy_refused_items_total{transport=\"derived\"})",
          points,
          queued.message());
      return false;
    }
    return true;
  }

  /** Marks the last {@code count} kept spans of {@code batch} as rate limited, and says so. */
  private void dropOverLimit(SpanBatch batch, int count, int received) {
    int left = count;
    for (int i = batch.size() - 1; i >= 0 && left > 0; i--) {
      if (!batch.isRejected(i)) {
        batch.reject(i, RejectReason.RATE_LIMITED);
        left--;
      }
    }
    long total = rateLimitDropped.addAndGet(count);
    dropLog.warn(
        "Rate limit exceeded: dropped {} of {} spans of a request (rate_limiting.max_spans_per_second"
            + " = {}, rate_limiting.policy = drop); {} dropped since start",
        count,
        received,
        rateLimiter.rate(),
        total);
  }

  /** Spans dropped by the rate limiter under the drop policy since start. */
  public long rateLimitDropped() {
    return rateLimitDropped.get();
  }

  /**
   * Queues {@code request} on every one of {@code targets} or on none, counting the outcome under
   * {@code transport}.
   */
  private IngestResult queue(
      List<BatchingExporter> targets, ExportRequest request, String transport) {
    if (request.itemCount() == 0) {
      // Nothing to forward; an empty export is a valid request (connectivity checks send one).
      return IngestResult.accepted();
    }
    IngestResult full = reserve(targets, request, transport);
    return full != null ? full : enqueue(targets, request, transport);
  }

  /**
   * Reserves room for {@code request} on every queue, or on none: returns null when it has, and the
   * refusal to answer when a queue is full, counted under {@code transport} unless it is null.
   */
  private IngestResult reserve(
      List<BatchingExporter> targets, ExportRequest request, String transport) {
    for (int i = 0; i < targets.size(); i++) {
      if (!targets.get(i).tryReserve(request)) {
        for (int j = 0; j < i; j++) {
          targets.get(j).release(request);
        }
        if (transport != null) {
          metrics.refused(
              request.signal(), transport, RefuseReason.QUEUE_FULL, request.itemCount());
        }
        return IngestResult.retryLater(
            "the export queue of "
                + targets.get(i).name()
                + " is full ("
                + targets.get(i).capacityDescription()
                + "); retry later",
            QUEUE_FULL_RETRY_AFTER);
      }
    }
    return null;
  }

  /**
   * Queues {@code request}, for which room is reserved on every one of {@code targets}; a queue
   * that cannot store it gives back its own reservation and the ones of the queues after it.
   */
  private IngestResult enqueue(
      List<BatchingExporter> targets, ExportRequest request, String transport) {
    Signal signal = request.signal();
    int items = request.itemCount();
    for (int i = 0; i < targets.size(); i++) {
      try {
        targets.get(i).enqueue(request);
      } catch (UncheckedIOException e) {
        // The queues before this one have the request; a retry may deliver it to them twice,
        // which is better than acknowledging what one destination will never get.
        for (int j = i; j < targets.size(); j++) {
          targets.get(j).release(request);
        }
        logger.error("Exporter {}: {}", targets.get(i).name(), e.getMessage(), e);
        if (transport != null) {
          metrics.refused(signal, transport, RefuseReason.DURABLE_QUEUE_ERROR, items);
        }
        return IngestResult.retryLater(
            "the proxy could not store the request (" + e.getMessage() + "); retry later",
            QUEUE_FULL_RETRY_AFTER);
      }
    }
    if (transport != null) {
      metrics.accepted(signal, transport, items);
    }
    return IngestResult.accepted();
  }

  private IngestResult shuttingDown(Signal signal, String transport, int items) {
    metrics.refused(signal, transport, RefuseReason.SHUTTING_DOWN, items);
    return IngestResult.retryLater(
        "the proxy is shutting down; retry against another instance or after it restarts",
        QUEUE_FULL_RETRY_AFTER);
  }
}
