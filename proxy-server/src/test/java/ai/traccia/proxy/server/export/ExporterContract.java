/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Exporter} must do, pinned by what reaches its destination: each signal's
 * request succeeds and arrives unchanged, a body that is not protobuf gets the documented answer,
 * and after an idempotent shutdown requests are refused, permanently and without reaching the
 * destination. An exporter's test extends this class and supplies an exporter pointed at a
 * destination the test controls, and a way to read what that destination received.
 */
public abstract class ExporterContract {

  /**
   * The text of the {@link ExportResult.Outcome#PERMANENT} result for a body that is not protobuf.
   */
  protected static final String NOT_PROTOBUF = "it is not valid protobuf";

  /**
   * The text of the {@link ExportResult.Outcome#PERMANENT} result after {@link Exporter#shutdown}.
   */
  protected static final String SHUT_DOWN = "is shut down";

  /** A new exporter whose destination accepts requests. */
  protected abstract Exporter newExporter() throws Exception;

  /**
   * Whether the exporter decodes what it sends (a file or the console) and so refuses a body that
   * is not protobuf, rather than forwarding the bytes as they are to a backend that judges them.
   */
  protected abstract boolean decodesBodies();

  /**
   * Asserts that the destination of the exporter last made by {@link #newExporter} holds exactly
   * {@code sent}, in order, and nothing else. Called once the futures of those requests completed.
   */
  protected abstract void assertDestinationHolds(List<ExportRequest> sent) throws Exception;

  /**
   * Asserts that {@code received} are {@code sent}, signal by signal and byte for byte; for the
   * subclasses whose destination keeps the protobuf bytes.
   */
  protected static void assertSameRequests(List<ExportRequest> received, List<ExportRequest> sent) {
    assertThat(received).hasSameSizeAs(sent);
    for (int i = 0; i < sent.size(); i++) {
      assertThat(received.get(i).signal())
          .as("signal of request %d", i)
          .isEqualTo(sent.get(i).signal());
      assertThat(received.get(i).body()).as("body of request %d", i).isEqualTo(sent.get(i).body());
    }
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static final Resource RESOURCE =
      Resource.newBuilder().addAttributes(attribute("service.name", "contract")).build();

  /** A small request of every signal, then an empty one of every signal. */
  protected static List<ExportRequest> requestOfEverySignal() {
    ExportTraceServiceRequest traces =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(RESOURCE)
                    .addScopeSpans(
                        ScopeSpans.newBuilder()
                            .addSpans(span("root", 1, 0))
                            .addSpans(span("chat gpt-4o", 2, 1))))
            .build();
    ExportMetricsServiceRequest metrics =
        ExportMetricsServiceRequest.newBuilder()
            .addResourceMetrics(
                ResourceMetrics.newBuilder()
                    .setResource(RESOURCE)
                    .addScopeMetrics(
                        ScopeMetrics.newBuilder()
                            .addMetrics(
                                Metric.newBuilder()
                                    .setName("contract.gauge")
                                    .setGauge(
                                        Gauge.newBuilder()
                                            .addDataPoints(
                                                NumberDataPoint.newBuilder()
                                                    .setTimeUnixNano(1_000)
                                                    .setAsInt(7))))))
            .build();
    ExportLogsServiceRequest logs =
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(
                ResourceLogs.newBuilder()
                    .setResource(RESOURCE)
                    .addScopeLogs(
                        ScopeLogs.newBuilder()
                            .addLogRecords(
                                LogRecord.newBuilder()
                                    .setTimeUnixNano(1_000)
                                    .setBody(AnyValue.newBuilder().setStringValue("hello")))))
            .build();
    List<ExportRequest> requests = new ArrayList<>();
    requests.add(ExportRequest.of(Signal.TRACES, traces.toByteArray(), 2));
    requests.add(ExportRequest.of(Signal.METRICS, metrics.toByteArray(), 1));
    requests.add(ExportRequest.of(Signal.LOGS, logs.toByteArray(), 1));
    for (Signal signal : Signal.values()) {
      requests.add(ExportRequest.of(signal, new byte[0], 0));
    }
    return requests;
  }

  private static Span span(String name, int id, int parent) {
    Span.Builder span =
        Span.newBuilder()
            .setTraceId(
                ByteString.copyFrom(
                    new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
            .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) id}))
            .setName(name)
            .setStartTimeUnixNano(1_000)
            .setEndTimeUnixNano(2_000)
            .addAttributes(attribute("gen_ai.request.model", "gpt-4o"));
    if (parent != 0) {
      span.setParentSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) parent}));
    }
    return span.build();
  }

  private static ExportResult await(CompletableFuture<ExportResult> result) throws Exception {
    return result.get(30, TimeUnit.SECONDS);
  }

  @Test
  void export_everySignal_succeedsAndArrivesUnchanged() throws Exception {
    Exporter exporter = newExporter();
    try {
      List<ExportRequest> sent = requestOfEverySignal();
      for (ExportRequest request : sent) {
        ExportResult result = await(exporter.export(request));

        assertThat(result.outcome()).as("%s", request).isEqualTo(ExportResult.Outcome.SUCCESS);
        assertThat(result.message()).as("%s", request).isEmpty();
        assertThat(result.rejectedItems()).as("%s", request).isZero();
      }
      assertDestinationHolds(sent);
    } finally {
      exporter.shutdown().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void export_garbageBody_isRefusedOrForwardedAsDocumented() throws Exception {
    Exporter exporter = newExporter();
    try {
      ExportRequest garbage =
          ExportRequest.of(Signal.TRACES, new byte[] {(byte) 0xff, 0x00, 0x13}, 1);

      ExportResult result = await(exporter.export(garbage));

      if (decodesBodies()) {
        // Nothing downstream could read it, and sending it again cannot help.
        assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.PERMANENT);
        assertThat(result.message()).contains(NOT_PROTOBUF);
        assertDestinationHolds(List.of());
      } else {
        // A relay does not decode what it relays; the backend judges the bytes.
        assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.SUCCESS);
        assertDestinationHolds(List.of(garbage));
      }
    } finally {
      exporter.shutdown().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void shutdown_isIdempotentAndLaterExportsAreRefused() throws Exception {
    Exporter exporter = newExporter();

    CompletableFuture<Void> first = exporter.shutdown();
    first.get(30, TimeUnit.SECONDS);
    CompletableFuture<Void> second = exporter.shutdown();
    second.get(30, TimeUnit.SECONDS);
    List<ExportResult> after = new ArrayList<>();
    for (ExportRequest request : requestOfEverySignal()) {
      after.add(await(exporter.export(request)));
    }

    assertThat(first).isCompleted();
    assertThat(second).isCompleted();
    assertThat(after)
        .allSatisfy(
            result -> {
              assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.PERMANENT);
              assertThat(result.message()).contains(SHUT_DOWN);
            });
    assertDestinationHolds(List.of());
    assertThat(exporter.name()).isNotBlank();
  }
}
