/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import com.google.protobuf.MessageOrBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/**
 * The OTLP JSON encoding (OTLP/HTTP with {@code Content-Type: application/json}, and the lines of
 * the file exporter).
 *
 * <p>It is the protobuf JSON mapping with the differences the OTLP specification makes: {@code
 * traceId}, {@code spanId} and {@code parentSpanId} of spans, links, log records and exemplars are
 * hex strings rather than base64 (an empty string is an absent id), and enums are written as
 * numbers. On input, field names may be lowerCamelCase or the original snake_case, enums numbers or
 * names, 64-bit integers numbers or strings, and unknown fields are ignored so that newer senders
 * keep working. Output leaves out fields that hold their default value and writes 64-bit integers
 * as strings.
 *
 * <p>All methods are thread-safe and do not block.
 */
public final class OtlpJson {

  private OtlpJson() {}

  /**
   * Parses an OTLP JSON {@code ExportTraceServiceRequest}.
   *
   * @throws OtlpJsonException if {@code json} is empty, not JSON, or has a value that does not fit
   *     its field; the message names the line and column or the field's path
   */
  public static ExportTraceServiceRequest parseTraces(byte[] json) throws OtlpJsonException {
    ExportTraceServiceRequest.Builder builder = ExportTraceServiceRequest.newBuilder();
    OtlpJsonParser.parse(json, builder, "resourceSpans");
    return builder.build();
  }

  /**
   * Parses an OTLP JSON {@code ExportMetricsServiceRequest}.
   *
   * @throws OtlpJsonException if {@code json} is empty, not JSON, or has a value that does not fit
   *     its field; the message names the line and column or the field's path
   */
  public static ExportMetricsServiceRequest parseMetrics(byte[] json) throws OtlpJsonException {
    ExportMetricsServiceRequest.Builder builder = ExportMetricsServiceRequest.newBuilder();
    OtlpJsonParser.parse(json, builder, "resourceMetrics");
    return builder.build();
  }

  /**
   * Parses an OTLP JSON {@code ExportLogsServiceRequest}.
   *
   * @throws OtlpJsonException if {@code json} is empty, not JSON, or has a value that does not fit
   *     its field; the message names the line and column or the field's path
   */
  public static ExportLogsServiceRequest parseLogs(byte[] json) throws OtlpJsonException {
    ExportLogsServiceRequest.Builder builder = ExportLogsServiceRequest.newBuilder();
    OtlpJsonParser.parse(json, builder, "resourceLogs");
    return builder.build();
  }

  /**
   * Writes {@code message}, an OTLP request or response such as an {@code
   * ExportTraceServiceResponse}, as OTLP JSON on one line: the result never contains a line break
   * (those inside strings are escaped).
   */
  public static String print(MessageOrBuilder message) {
    return OtlpJsonPrinter.print(message);
  }
}
