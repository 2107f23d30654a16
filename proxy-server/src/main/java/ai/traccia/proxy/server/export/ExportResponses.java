/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

/**
 * Reads the {@code partial_success} of an {@code Export*ServiceResponse}, the only part of a
 * backend's answer the proxy acts on. Shared by the OTLP/gRPC and OTLP/HTTP exporters.
 */
final class ExportResponses {

  private ExportResponses() {}

  /**
   * The result of a delivered {@code request} whose response body is {@code response}: a plain
   * success, or a partial success naming {@code destination} and what the backend said. A body that
   * does not parse is a plain success: the backend accepted the data, which is what counts.
   */
  static ExportResult fromResponse(ExportRequest request, byte[] response, String destination) {
    if (response == null || response.length == 0) {
      return ExportResult.success();
    }
    long rejected;
    String message;
    try {
      switch (request.signal()) {
        case TRACES:
          ExportTraceServiceResponse traces = ExportTraceServiceResponse.parseFrom(response);
          if (!traces.hasPartialSuccess()) {
            return ExportResult.success();
          }
          ExportTracePartialSuccess t = traces.getPartialSuccess();
          rejected = t.getRejectedSpans();
          message = t.getErrorMessage();
          break;
        case METRICS:
          ExportMetricsServiceResponse metrics = ExportMetricsServiceResponse.parseFrom(response);
          if (!metrics.hasPartialSuccess()) {
            return ExportResult.success();
          }
          ExportMetricsPartialSuccess m = metrics.getPartialSuccess();
          rejected = m.getRejectedDataPoints();
          message = m.getErrorMessage();
          break;
        case LOGS:
          ExportLogsServiceResponse logs = ExportLogsServiceResponse.parseFrom(response);
          if (!logs.hasPartialSuccess()) {
            return ExportResult.success();
          }
          ExportLogsPartialSuccess l = logs.getPartialSuccess();
          rejected = l.getRejectedLogRecords();
          message = l.getErrorMessage();
          break;
        default:
          throw new AssertionError(request.signal());
      }
    } catch (InvalidProtocolBufferException e) {
      return ExportResult.success();
    }
    return partialSuccess(request, rejected, message, destination);
  }

  static ExportResult partialSuccess(
      ExportRequest request, long rejected, String message, String destination) {
    if (rejected == 0 && message.isEmpty()) {
      return ExportResult.success();
    }
    String said = message.isEmpty() ? "no reason given" : message;
    if (rejected == 0) {
      return ExportResult.partialSuccess(
          0,
          destination
              + " accepted all "
              + request.itemCount()
              + " "
              + request.signal().itemName()
              + " with a warning: "
              + said);
    }
    return ExportResult.partialSuccess(
        rejected,
        destination
            + " rejected "
            + rejected
            + " of "
            + request.itemCount()
            + " "
            + request.signal().itemName()
            + ": "
            + said);
  }
}
