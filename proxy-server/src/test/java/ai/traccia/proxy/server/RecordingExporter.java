/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server;

import ai.traccia.proxy.server.export.ExportRequest;
import ai.traccia.proxy.server.export.ExportResult;
import ai.traccia.proxy.server.export.Exporter;
import ai.traccia.proxy.server.export.Signal;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** An exporter for tests: keeps every request and answers what the test says. */
public final class RecordingExporter implements Exporter {

  private final List<ExportRequest> requests = new CopyOnWriteArrayList<>();
  private volatile Function<ExportRequest, CompletableFuture<ExportResult>> answer =
      r -> CompletableFuture.completedFuture(ExportResult.success());

  private volatile boolean takesDerivedMetrics;

  @Override
  public String name() {
    return "recording";
  }

  @Override
  public boolean takesDerivedMetrics() {
    return takesDerivedMetrics;
  }

  /** Makes this exporter take the metrics derived from spans, as an OTLP exporter does. */
  public RecordingExporter takingDerivedMetrics() {
    this.takesDerivedMetrics = true;
    return this;
  }

  @Override
  public CompletableFuture<ExportResult> export(ExportRequest request) {
    requests.add(request);
    return answer.apply(request);
  }

  @Override
  public CompletableFuture<Void> shutdown() {
    return CompletableFuture.completedFuture(null);
  }

  /** Makes later exports answer with {@code answer}. */
  public void answerWith(Function<ExportRequest, CompletableFuture<ExportResult>> answer) {
    this.answer = answer;
  }

  public List<ExportRequest> requests() {
    return requests;
  }

  public List<ExportRequest> requests(Signal signal) {
    List<ExportRequest> out = new ArrayList<>();
    for (ExportRequest r : requests) {
      if (r.signal() == signal) {
        out.add(r);
      }
    }
    return out;
  }

  /** Every span exported so far, in order. */
  public List<Span> spans() {
    List<Span> spans = new ArrayList<>();
    for (ExportRequest r : requests(Signal.TRACES)) {
      for (ResourceSpans rs : traces(r).getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          spans.addAll(ss.getSpansList());
        }
      }
    }
    return spans;
  }

  public static ExportTraceServiceRequest traces(ExportRequest r) {
    try {
      return ExportTraceServiceRequest.parseFrom(r.body());
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ExportMetricsServiceRequest metrics(ExportRequest r) {
    try {
      return ExportMetricsServiceRequest.parseFrom(r.body());
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ExportLogsServiceRequest logs(ExportRequest r) {
    try {
      return ExportLogsServiceRequest.parseFrom(r.body());
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException(e);
    }
  }
}
