/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConsoleExporterTest extends ExporterContract {

  @Override
  protected Exporter newExporter() {
    return ConsoleExporter.create(out, CLOCK);
  }

  @Override
  protected boolean decodesBodies() {
    return true;
  }

  /** One line per span naming it, one line per metrics or logs request counting its items. */
  @Override
  protected void assertDestinationHolds(List<ExportRequest> sent) throws Exception {
    List<String> expected = new ArrayList<>();
    for (ExportRequest request : sent) {
      Message message = Requests.decode(request);
      if (message instanceof ExportTraceServiceRequest) {
        for (ResourceSpans rs : ((ExportTraceServiceRequest) message).getResourceSpansList()) {
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            for (Span span : ss.getSpansList()) {
              expected.add(" \"" + span.getName() + "\" ");
            }
          }
        }
      } else if (message instanceof ExportMetricsServiceRequest) {
        long metrics =
            ((ExportMetricsServiceRequest) message)
                .getResourceMetricsList().stream()
                    .flatMap(rm -> rm.getScopeMetricsList().stream())
                    .mapToLong(sm -> sm.getMetricsCount())
                    .sum();
        expected.add(CLOCK.instant() + " metrics: " + metrics + " metric");
      } else {
        long records =
            ((ExportLogsServiceRequest) message)
                .getResourceLogsList().stream()
                    .flatMap(rl -> rl.getScopeLogsList().stream())
                    .mapToLong(sl -> sl.getLogRecordsCount())
                    .sum();
        expected.add(CLOCK.instant() + " logs: " + records + " log record");
      }
    }
    String printed = bytes.toString(UTF_8);
    List<String> lines =
        printed.isEmpty() ? List.of() : List.of(printed.split(System.lineSeparator()));
    assertThat(lines).hasSameSizeAs(expected);
    for (int i = 0; i < lines.size(); i++) {
      assertThat(lines.get(i)).contains(expected.get(i));
    }
  }

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-05-01T10:00:00.250Z"), ZoneOffset.UTC);

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, UTF_8);
  private final ConsoleExporter exporter =
      ConsoleExporter.create(
          out, Clock.fixed(Instant.parse("2026-05-01T10:00:00.250Z"), ZoneOffset.UTC));

  private List<String> export(ExportRequest request) throws Exception {
    assertThat(exporter.export(request).get(10, TimeUnit.SECONDS)).isSameAs(ExportResult.success());
    return List.of(bytes.toString(UTF_8).split(System.lineSeparator()));
  }

  private static KeyValue attribute(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static AnyValue string(String value) {
    return AnyValue.newBuilder().setStringValue(value).build();
  }

  @Test
  void export_printsOneLinePerSpan() throws Exception {
    Span child =
        Span.newBuilder()
            .setTraceId(TestRequests.id(TestRequests.TRACE_ID))
            .setSpanId(TestRequests.id("00000000000000b2"))
            .setParentSpanId(TestRequests.id("00000000000000a1"))
            .setName("chat gpt-4o")
            .setStartTimeUnixNano(1_777_629_600_000_000_000L)
            .setEndTimeUnixNano(1_777_629_601_234_567_000L)
            .addAttributes(attribute("http.method", string("POST")))
            .addAttributes(
                attribute("llm.cost.usd", AnyValue.newBuilder().setDoubleValue(0.0012).build()))
            .addAttributes(attribute("gen_ai.request.model", string("gpt-4o")))
            .addAttributes(
                attribute(
                    "gen_ai.usage.input_tokens", AnyValue.newBuilder().setIntValue(18).build()))
            .addAttributes(attribute("llm.prompt", string("line one\nline two " + "x".repeat(80))))
            .addAttributes(
                attribute(
                    "tags",
                    AnyValue.newBuilder()
                        .setArrayValue(
                            ArrayValue.newBuilder().addValues(string("a")).addValues(string("b")))
                        .build()))
            .addAttributes(attribute("ok", AnyValue.newBuilder().setBoolValue(true).build()))
            .addAttributes(attribute("extra", string("z")))
            .setStatus(
                Status.newBuilder()
                    .setCode(Status.StatusCode.STATUS_CODE_ERROR)
                    .setMessage("rate limited"))
            .build();
    Span root =
        Span.newBuilder()
            .setTraceId(TestRequests.id(TestRequests.TRACE_ID))
            .setSpanId(TestRequests.id("00000000000000a1"))
            .setName("root")
            .setStartTimeUnixNano(1_777_629_600_000_000_000L)
            .setEndTimeUnixNano(1_777_629_602_000_000_000L)
            .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK))
            .build();
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(TestRequests.resource("support-bot"))
                    .addScopeSpans(ScopeSpans.newBuilder().addSpans(child).addSpans(root)))
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .addScopeSpans(
                        ScopeSpans.newBuilder().addSpans(Span.newBuilder().setName("bare"))))
            .build();

    List<String> lines = export(ExportRequest.of(Signal.TRACES, request.toByteArray(), 3));

    assertThat(lines)
        .containsExactly(
            "2026-05-01T10:00:00.000Z trace=5b8efff798038103d269b633813fc60c"
                + " span=00000000000000b2 parent=00000000000000a1 \"chat gpt-4o\" 1234.567 ms"
                + " ERROR(\"rate limited\") service=support-bot {gen_ai.request.model=gpt-4o,"
                + " gen_ai.usage.input_tokens=18, llm.cost.usd=0.0012, llm.prompt=line one line"
                + " two "
                + "x".repeat(64 - 3 - "line one line two ".length())
                + "..., http.method=POST, tags=[a, b], +2 more}",
            "2026-05-01T10:00:00.000Z trace=5b8efff798038103d269b633813fc60c"
                + " span=00000000000000a1 parent=- \"root\" 2000.000 ms OK service=support-bot",
            "- trace=- span=- parent=- \"bare\" ? ms UNSET service=-");
  }

  @Test
  void export_printsOneSummaryLinePerMetricsOrLogsRequest() throws Exception {
    export(TestRequests.metricsRequest());
    List<String> lines = export(TestRequests.logsRequest());

    assertThat(lines)
        .containsExactly(
            "2026-05-01T10:00:00.250Z metrics: 1 metric, 2 data points, service=checkout"
                + " [llm.tokens]",
            "2026-05-01T10:00:00.250Z logs: 1 log record, service=checkout");
  }

  @Test
  void export_failingStream_isPermanent() throws Exception {
    PrintStream broken =
        new PrintStream(
            new OutputStream() {
              @Override
              public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("pipe closed");
              }
            });
    ConsoleExporter console = ConsoleExporter.create(broken);

    ExportResult result =
        console.export(TestRequests.traceRequest("a", 1)).get(10, TimeUnit.SECONDS);

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.PERMANENT);
    assertThat(result.message())
        .isEqualTo(
            "cannot print to the console: the output stream reported an error (closed or full"
                + " pipe?)");
    console.shutdown().get(10, TimeUnit.SECONDS);
  }

  @Test
  void shutdown_isIdempotentAndRefusesLaterExports() throws Exception {
    assertThat(exporter.name()).isEqualTo("console");
    assertThat(exporter.shutdown()).succeedsWithin(Duration.ofSeconds(10));
    assertThat(exporter.shutdown()).succeedsWithin(Duration.ofSeconds(10));

    ExportResult result = exporter.export(TestRequests.traceRequest("a", 1)).get();

    assertThat(result.message())
        .isEqualTo("console exporter is shut down; the request was not printed");
    assertThat(bytes.size()).isZero();
  }
}
