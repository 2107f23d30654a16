/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.export.ExportRequest;
import ai.traccia.proxy.export.Signal;
import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.metrics.SelfMetrics.RefuseReason;
import ai.traccia.proxy.server.queue.BatchingExporter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The hand-off from the receivers to the rest of the proxy: runs the span pipeline, then queues the
 * result on every exporter, or refuses it as a whole.
 *
 * <p>Receivers decode and count; this class decides; the exporters ship. A request is queued on all
 * exporters or on none: room is reserved on each queue first, so a full queue turns into a
 * retryable refusal and never into a request that one destination has and another lost.
 *
 * <p>Thread-safe; called from receiver worker threads, never from a Netty event loop, because the
 * pipeline may do real work per span.
 */
public final class Ingest {

  /** The delay suggested to clients when the queues are full. */
  static final Duration QUEUE_FULL_RETRY_AFTER = Duration.ofSeconds(1);

  private final SpanPipeline pipeline;
  private final List<BatchingExporter> exporters;
  private final SelfMetrics metrics;
  private volatile boolean accepting = true;

  /** Creates the hand-off to {@code exporters}, running {@code pipeline} over every span. */
  public Ingest(SpanPipeline pipeline, List<BatchingExporter> exporters, SelfMetrics metrics) {
    this.pipeline = pipeline;
    this.exporters = List.copyOf(exporters);
    this.metrics = metrics;
  }

  /** Refuses everything from now on with a retryable answer; used while shutting down. */
  public void stopAccepting() {
    accepting = false;
  }

  /**
   * Processes and queues a trace export.
   *
   * @param encoded the protobuf bytes {@code request} was decoded from, or {@code null}
   */
  public IngestResult traces(ExportTraceServiceRequest request, byte[] encoded, String transport) {
    SpanBatch batch = SpanBatch.of(request, encoded);
    int received = batch.size();
    metrics.received(Signal.TRACES, transport, received);
    if (!accepting) {
      return shuttingDown(Signal.TRACES, transport, received);
    }
    pipeline.process(batch);
    long reportedRejections = 0;
    String message = "";
    if (batch.rejectedCount() > 0) {
      StringJoiner reasons = new StringJoiner(", ");
      for (Map.Entry<RejectReason, Integer> e : batch.rejectionsByReason().entrySet()) {
        metrics.refusedByProcessor(Signal.TRACES, transport, e.getKey().label(), e.getValue());
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
    if (accepted == 0) {
      return IngestResult.partiallyAccepted(reportedRejections, message);
    }
    byte[] body = batch.toByteArray();
    IngestResult queued = queue(ExportRequest.of(Signal.TRACES, body, accepted), transport);
    if (queued.status() != IngestResult.Status.ACCEPTED) {
      return queued;
    }
    return IngestResult.partiallyAccepted(reportedRejections, message);
  }

  /** Queues a metrics export unchanged. */
  public IngestResult metrics(
      ExportMetricsServiceRequest request, byte[] encoded, String transport) {
    int points = countPoints(request);
    metrics.received(Signal.METRICS, transport, points);
    if (!accepting) {
      return shuttingDown(Signal.METRICS, transport, points);
    }
    byte[] body = encoded != null ? encoded : request.toByteArray();
    return queue(ExportRequest.of(Signal.METRICS, body, points), transport);
  }

  /** Queues a logs export unchanged. */
  public IngestResult logs(ExportLogsServiceRequest request, byte[] encoded, String transport) {
    int records = 0;
    for (ResourceLogs rl : request.getResourceLogsList()) {
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        records += sl.getLogRecordsCount();
      }
    }
    metrics.received(Signal.LOGS, transport, records);
    if (!accepting) {
      return shuttingDown(Signal.LOGS, transport, records);
    }
    byte[] body = encoded != null ? encoded : request.toByteArray();
    return queue(ExportRequest.of(Signal.LOGS, body, records), transport);
  }

  private IngestResult queue(ExportRequest request, String transport) {
    Signal signal = request.signal();
    int items = request.itemCount();
    if (items == 0) {
      // Nothing to forward; an empty export is a valid request (connectivity checks send one).
      return IngestResult.accepted();
    }
    for (int i = 0; i < exporters.size(); i++) {
      if (!exporters.get(i).tryReserve(items)) {
        for (int j = 0; j < i; j++) {
          exporters.get(j).release(items);
        }
        metrics.refused(signal, transport, RefuseReason.QUEUE_FULL, items);
        return IngestResult.retryLater(
            "the export queue of "
                + exporters.get(i).name()
                + " is full ("
                + exporters.get(i).capacity()
                + " items); retry later",
            QUEUE_FULL_RETRY_AFTER);
      }
    }
    for (BatchingExporter exporter : exporters) {
      exporter.enqueue(request);
    }
    metrics.accepted(signal, transport, items);
    return IngestResult.accepted();
  }

  private IngestResult shuttingDown(Signal signal, String transport, int items) {
    metrics.refused(signal, transport, RefuseReason.SHUTTING_DOWN, items);
    return IngestResult.retryLater(
        "the proxy is shutting down; retry against another instance or after it restarts",
        QUEUE_FULL_RETRY_AFTER);
  }

  /** The number of data points in a metrics request, the unit its items are counted in. */
  static int countPoints(ExportMetricsServiceRequest request) {
    int points = 0;
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          switch (m.getDataCase()) {
            case GAUGE:
              points += m.getGauge().getDataPointsCount();
              break;
            case SUM:
              points += m.getSum().getDataPointsCount();
              break;
            case HISTOGRAM:
              points += m.getHistogram().getDataPointsCount();
              break;
            case EXPONENTIAL_HISTOGRAM:
              points += m.getExponentialHistogram().getDataPointsCount();
              break;
            case SUMMARY:
              points += m.getSummary().getDataPointsCount();
              break;
            default:
              break;
          }
        }
      }
    }
    return points;
  }
}
