/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Prints what passes through the proxy for a person to read: one line per span, and one summary
 * line per metrics or logs request.
 *
 * <p>A span line reads {@code <start> trace=<id> span=<id> parent=<id or -> "<name>" <duration> ms
 * <status> service=<service.name> {<attributes>}}, with at most {@value #MAX_ATTRIBUTES}
 * attributes, {@code gen_ai.*} first, then {@code llm.*}, then the rest, each value cut to {@value
 * #MAX_VALUE_CHARS} characters. Times are UTC. Line breaks inside names and values are shown as
 * spaces so each span stays on one line.
 *
 * <p>Thread-safe. Printing happens on one daemon thread, so callers do not wait for a slow terminal
 * and the lines of one request stay together.
 */
public final class ConsoleExporter extends OneThreadExporter {

  static final int MAX_ATTRIBUTES = 6;
  static final int MAX_VALUE_CHARS = 64;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private final PrintStream out;
  private final Clock clock;

  private ConsoleExporter(PrintStream out, Clock clock) {
    super("traccia-console-printer");
    this.out = Objects.requireNonNull(out, "out");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Prints to {@link System#out}. */
  public static ConsoleExporter create() {
    return new ConsoleExporter(System.out, Clock.systemUTC());
  }

  /** Prints to {@code out}, which stays open after {@link #shutdown()}. */
  public static ConsoleExporter create(PrintStream out) {
    return new ConsoleExporter(out, Clock.systemUTC());
  }

  /** Prints to {@code out}, with metrics and logs lines stamped by {@code clock}. */
  static ConsoleExporter create(PrintStream out, Clock clock) {
    return new ConsoleExporter(out, clock);
  }

  @Override
  public String name() {
    return "console";
  }

  @Override
  void finish() {
    out.flush();
  }

  @Override
  ExportResult write(ExportRequest request) {
    try {
      Message message = Requests.decode(request);
      List<String> lines = new ArrayList<>();
      if (message instanceof ExportTraceServiceRequest) {
        spanLines((ExportTraceServiceRequest) message, lines);
      } else if (message instanceof ExportMetricsServiceRequest) {
        lines.add(metricsLine((ExportMetricsServiceRequest) message));
      } else {
        lines.add(logsLine((ExportLogsServiceRequest) message));
      }
      StringBuilder text = new StringBuilder();
      for (String line : lines) {
        text.append(line).append(System.lineSeparator());
      }
      out.print(text);
      out.flush();
      if (out.checkError()) {
        return ExportResult.permanent(
            "cannot print to the console: the output stream reported an error (closed or full"
                + " pipe?)");
      }
      return ExportResult.success();
    } catch (InvalidProtocolBufferException e) {
      return ExportResult.permanent(
          "cannot print " + request + ": it is not valid protobuf: " + e.getMessage());
    } catch (RuntimeException e) {
      return ExportResult.permanent("cannot print " + request + ": " + e);
    }
  }

  static void spanLines(ExportTraceServiceRequest request, List<String> lines) {
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      String service = serviceName(resourceSpans.getResource());
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        for (Span span : scopeSpans.getSpansList()) {
          lines.add(spanLine(span, service));
        }
      }
    }
  }

  static String spanLine(Span span, String service) {
    StringBuilder line = new StringBuilder(200);
    line.append(time(span.getStartTimeUnixNano()))
        .append(" trace=")
        .append(hexOrDash(span.getTraceId()))
        .append(" span=")
        .append(hexOrDash(span.getSpanId()))
        .append(" parent=")
        .append(hexOrDash(span.getParentSpanId()))
        .append(" \"")
        .append(oneLine(span.getName()))
        .append("\" ")
        .append(durationMillis(span))
        .append(" ms ")
        .append(status(span.getStatus()))
        .append(" service=")
        .append(service);
    appendAttributes(line, span.getAttributesList());
    return line.toString();
  }

  private String metricsLine(ExportMetricsServiceRequest request) {
    Set<String> services = new LinkedHashSet<>();
    List<String> names = new ArrayList<>();
    int metrics = 0;
    long points = 0;
    for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
      services.add(serviceName(resourceMetrics.getResource()));
      for (ScopeMetrics scopeMetrics : resourceMetrics.getScopeMetricsList()) {
        for (Metric metric : scopeMetrics.getMetricsList()) {
          metrics++;
          points += dataPoints(metric);
          names.add(oneLine(metric.getName()));
        }
      }
    }
    StringBuilder line =
        new StringBuilder()
            .append(TIME.format(clock.instant()))
            .append(" metrics: ")
            .append(metrics)
            .append(metrics == 1 ? " metric, " : " metrics, ")
            .append(points)
            .append(points == 1 ? " data point" : " data points")
            .append(", service=")
            .append(services.isEmpty() ? "-" : String.join(",", services));
    if (!names.isEmpty()) {
      line.append(" [");
      int shown = Math.min(names.size(), MAX_ATTRIBUTES);
      line.append(String.join(", ", names.subList(0, shown)));
      if (names.size() > shown) {
        line.append(", +").append(names.size() - shown).append(" more");
      }
      line.append(']');
    }
    return line.toString();
  }

  private String logsLine(ExportLogsServiceRequest request) {
    Set<String> services = new LinkedHashSet<>();
    long records = 0;
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      services.add(serviceName(resourceLogs.getResource()));
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        records += scopeLogs.getLogRecordsCount();
      }
    }
    return TIME.format(clock.instant())
        + " logs: "
        + records
        + (records == 1 ? " log record" : " log records")
        + ", service="
        + (services.isEmpty() ? "-" : String.join(",", services));
  }

  private static long dataPoints(Metric metric) {
    switch (metric.getDataCase()) {
      case GAUGE:
        return metric.getGauge().getDataPointsCount();
      case SUM:
        return metric.getSum().getDataPointsCount();
      case HISTOGRAM:
        return metric.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM:
        return metric.getExponentialHistogram().getDataPointsCount();
      case SUMMARY:
        return metric.getSummary().getDataPointsCount();
      default:
        return 0;
    }
  }

  private static void appendAttributes(StringBuilder line, List<KeyValue> attributes) {
    if (attributes.isEmpty()) {
      return;
    }
    List<KeyValue> ordered = new ArrayList<>(attributes.size());
    for (String prefix : new String[] {"gen_ai.", "llm."}) {
      for (KeyValue attribute : attributes) {
        if (attribute.getKey().startsWith(prefix)) {
          ordered.add(attribute);
        }
      }
    }
    for (KeyValue attribute : attributes) {
      if (!attribute.getKey().startsWith("gen_ai.") && !attribute.getKey().startsWith("llm.")) {
        ordered.add(attribute);
      }
    }
    line.append(" {");
    int shown = Math.min(ordered.size(), MAX_ATTRIBUTES);
    for (int i = 0; i < shown; i++) {
      if (i > 0) {
        line.append(", ");
      }
      KeyValue attribute = ordered.get(i);
      line.append(oneLine(attribute.getKey()))
          .append('=')
          .append(truncate(oneLine(value(attribute.getValue()))));
    }
    if (ordered.size() > shown) {
      line.append(", +").append(ordered.size() - shown).append(" more");
    }
    line.append('}');
  }

  private static String value(AnyValue value) {
    switch (value.getValueCase()) {
      case STRING_VALUE:
        return value.getStringValue();
      case BOOL_VALUE:
        return Boolean.toString(value.getBoolValue());
      case INT_VALUE:
        return Long.toString(value.getIntValue());
      case DOUBLE_VALUE:
        return Double.toString(value.getDoubleValue());
      case BYTES_VALUE:
        return "<" + value.getBytesValue().size() + " bytes>";
      case ARRAY_VALUE:
        StringBuilder array = new StringBuilder("[");
        for (AnyValue element : value.getArrayValue().getValuesList()) {
          if (array.length() > 1) {
            array.append(", ");
          }
          array.append(value(element));
          if (array.length() > MAX_VALUE_CHARS) {
            break;
          }
        }
        return array.append(']').toString();
      case KVLIST_VALUE:
        StringBuilder map = new StringBuilder("{");
        for (KeyValue entry : value.getKvlistValue().getValuesList()) {
          if (map.length() > 1) {
            map.append(", ");
          }
          map.append(entry.getKey()).append('=').append(value(entry.getValue()));
          if (map.length() > MAX_VALUE_CHARS) {
            break;
          }
        }
        return map.append('}').toString();
      default:
        return "";
    }
  }

  private static String serviceName(Resource resource) {
    for (KeyValue attribute : resource.getAttributesList()) {
      if (attribute.getKey().equals("service.name")) {
        String name = oneLine(value(attribute.getValue()));
        return name.isEmpty() ? "-" : truncate(name);
      }
    }
    return "-";
  }

  private static String status(Status status) {
    String code;
    switch (status.getCode()) {
      case STATUS_CODE_OK:
        code = "OK";
        break;
      case STATUS_CODE_ERROR:
        code = "ERROR";
        break;
      case STATUS_CODE_UNSET:
        code = "UNSET";
        break;
      default:
        code = "STATUS_" + status.getCodeValue();
    }
    if (status.getMessage().isEmpty()) {
      return code;
    }
    return code + "(\"" + truncate(oneLine(status.getMessage())) + "\")";
  }

  private static String time(long unixNanos) {
    if (unixNanos <= 0) {
      return "-";
    }
    return TIME.format(Instant.ofEpochSecond(0, unixNanos));
  }

  private static String durationMillis(Span span) {
    long start = span.getStartTimeUnixNano();
    long end = span.getEndTimeUnixNano();
    if (start <= 0 || end < start) {
      return "?";
    }
    return String.format(Locale.ROOT, "%.3f", (end - start) / 1e6);
  }

  private static String hexOrDash(ByteString id) {
    if (id.isEmpty()) {
      return "-";
    }
    StringBuilder hex = new StringBuilder(id.size() * 2);
    for (int i = 0; i < id.size(); i++) {
      hex.append(Character.forDigit((id.byteAt(i) >> 4) & 0xF, 16))
          .append(Character.forDigit(id.byteAt(i) & 0xF, 16));
    }
    return hex.toString();
  }

  private static String truncate(String text) {
    return text.length() <= MAX_VALUE_CHARS ? text : text.substring(0, MAX_VALUE_CHARS - 3) + "...";
  }

  /** {@code text} with line breaks and other control characters turned into spaces. */
  private static String oneLine(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isISOControl(text.charAt(i))) {
        StringBuilder clean = new StringBuilder(text);
        for (int j = i; j < clean.length(); j++) {
          if (Character.isISOControl(clean.charAt(j))) {
            clean.setCharAt(j, ' ');
          }
        }
        return clean.toString();
      }
    }
    return text;
  }

  @Override
  ExportResult afterShutdown() {
    return ExportResult.permanent("console exporter is shut down; the request was not printed");
  }
}
