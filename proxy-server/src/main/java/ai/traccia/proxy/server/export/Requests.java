/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/** Decodes an {@link ExportRequest} for the exporters that show its content (file, console). */
final class Requests {

  private Requests() {}

  /** The {@code Export*ServiceRequest} of {@code request}'s signal. */
  static Message decode(ExportRequest request) throws InvalidProtocolBufferException {
    switch (request.signal()) {
      case TRACES:
        return ExportTraceServiceRequest.parseFrom(request.body());
      case METRICS:
        return ExportMetricsServiceRequest.parseFrom(request.body());
      case LOGS:
        return ExportLogsServiceRequest.parseFrom(request.body());
      default:
        throw new AssertionError(request.signal());
    }
  }
}
