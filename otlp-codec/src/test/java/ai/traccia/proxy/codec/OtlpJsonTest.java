/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OtlpJsonTest {

  static final String TRACE_ID = "5b8efff798038103d269b633813fc60c";
  static final String SPAN_ID = "eee19b7ec3c1b174";
  static final String PARENT_ID = "eee19b7ec3c1b173";

  static ByteString id(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  static KeyValue attribute(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  static AnyValue string(String value) {
    return AnyValue.newBuilder().setStringValue(value).build();
  }

  static Resource resource(String serviceName) {
    return Resource.newBuilder()
        .addAttributes(attribute("service.name", string(serviceName)))
        .setDroppedAttributesCount(1)
        .build();
  }

  /** A request that uses every kind of value the trace protos have. */
  static ExportTraceServiceRequest richTraces() {
    AnyValue kvlist =
        AnyValue.newBuilder()
            .setKvlistValue(
                KeyValueList.newBuilder()
                    .addValues(attribute("nested", string("yes")))
                    .addValues(attribute("deeper", AnyValue.newBuilder().setIntValue(-7).build())))
            .build();
    AnyValue array =
        AnyValue.newBuilder()
            .setArrayValue(
                ArrayValue.newBuilder()
                    .addValues(string("a"))
                    .addValues(AnyValue.newBuilder().setBoolValue(true))
                    .addValues(AnyValue.newBuilder().setDoubleValue(0.25))
                    .addValues(AnyValue.getDefaultInstance()))
            .build();
    Span span =
        Span.newBuilder()
            .setTraceId(id(TRACE_ID))
            .setSpanId(id(SPAN_ID))
            .setParentSpanId(id(PARENT_ID))
            .setTraceState("vendor=value")
            .setFlags(0x301)
            .setName("chat gpt-4o\nsecond line")
            .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
            .setStartTimeUnixNano(1_700_000_000_123_456_789L)
            .setEndTimeUnixNano(-1L) // the largest fixed64, printed unsigned
            .addAttributes(attribute("gen_ai.request.model", string("gpt-4o")))
            .addAttributes(
                attribute(
                    "gen_ai.usage.input_tokens",
                    AnyValue.newBuilder().setIntValue(Long.MIN_VALUE).build()))
            .addAttributes(
                attribute("llm.cost.usd", AnyValue.newBuilder().setDoubleValue(0.000123).build()))
            .addAttributes(attribute("flag", AnyValue.newBuilder().setBoolValue(true).build()))
            .addAttributes(
                attribute(
                    "raw",
                    AnyValue.newBuilder()
                        .setBytesValue(ByteString.copyFrom(new byte[] {0, 1, (byte) 0xFF}))
                        .build()))
            .addAttributes(attribute("list", array))
            .addAttributes(attribute("map", kvlist))
            .addAttributes(attribute("empty", AnyValue.getDefaultInstance()))
            .setDroppedAttributesCount(3)
            .addEvents(
                Span.Event.newBuilder()
                    .setTimeUnixNano(1_700_000_000_200_000_000L)
                    .setName("exception")
                    .addAttributes(attribute("exception.type", string("ValueError")))
                    .setDroppedAttributesCount(1))
            .setDroppedEventsCount(2)
            .addLinks(
                Span.Link.newBuilder()
                    .setTraceId(id("0102030405060708090a0b0c0d0e0f10"))
                    .setSpanId(id("0102030405060708"))
                    .setTraceState("k=v")
                    .addAttributes(attribute("link.kind", string("follows")))
                    .setDroppedAttributesCount(4)
                    .setFlags(0x100))
            .setDroppedLinksCount(5)
            .setStatus(
                Status.newBuilder()
                    .setCode(Status.StatusCode.STATUS_CODE_ERROR)
                    .setMessage("boom \"quoted\""))
            .build();
    Span root =
        Span.newBuilder()
            .setTraceId(id(TRACE_ID))
            .setSpanId(id(PARENT_ID))
            .setName("root")
            .setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK))
            .build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(resource("checkout"))
                .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0")
                .addScopeSpans(
                    ScopeSpans.newBuilder()
                        .setScope(
                            InstrumentationScope.newBuilder()
                                .setName("openai")
                                .setVersion("1.2.3")
                                .addAttributes(attribute("scope.attr", string("x")))
                                .setDroppedAttributesCount(6))
                        .setSchemaUrl("https://opentelemetry.io/schemas/1.21.0")
                        .addSpans(span)
                        .addSpans(root)))
        .build();
  }

  static Exemplar exemplar(double value) {
    return Exemplar.newBuilder()
        .addFilteredAttributes(attribute("user", string("u1")))
        .setTimeUnixNano(1_700_000_000_300_000_000L)
        .setAsDouble(value)
        .setTraceId(id(TRACE_ID))
        .setSpanId(id(SPAN_ID))
        .build();
  }

  static ExportMetricsServiceRequest richMetrics() {
    Metric gauge =
        Metric.newBuilder()
            .setName("queue.size")
            .setDescription("items queued")
            .setUnit("{item}")
            .setGauge(
                Gauge.newBuilder()
                    .addDataPoints(
                        NumberDataPoint.newBuilder()
                            .addAttributes(attribute("queue", string("spans")))
                            .setTimeUnixNano(1_700_000_000_000_000_000L)
                            .setAsInt(-42)
                            .addExemplars(
                                Exemplar.newBuilder()
                                    .setAsInt(7)
                                    .setTraceId(id(TRACE_ID))
                                    .setSpanId(id(SPAN_ID)))))
            .build();
    Metric sum =
        Metric.newBuilder()
            .setName("llm.tokens")
            .setUnit("{token}")
            .setSum(
                Sum.newBuilder()
                    .setAggregationTemporality(
                        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                    .setIsMonotonic(true)
                    .addDataPoints(
                        NumberDataPoint.newBuilder()
                            .setStartTimeUnixNano(1_699_999_999_000_000_000L)
                            .setTimeUnixNano(1_700_000_000_000_000_000L)
                            .setAsDouble(Double.NaN)
                            .setFlags(1))
                    .addDataPoints(
                        NumberDataPoint.newBuilder()
                            .setAsDouble(Double.POSITIVE_INFINITY)
                            .addExemplars(exemplar(Double.NEGATIVE_INFINITY)))
                    .addDataPoints(NumberDataPoint.newBuilder().setAsDouble(-0.0)))
            .build();
    Metric histogram =
        Metric.newBuilder()
            .setName("llm.latency")
            .setUnit("ms")
            .setHistogram(
                Histogram.newBuilder()
                    .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                    .addDataPoints(
                        HistogramDataPoint.newBuilder()
                            .setStartTimeUnixNano(1L)
                            .setTimeUnixNano(2L)
                            .setCount(-1L) // 2^64 - 1 as an unsigned count
                            .setSum(0.0) // optional: present although zero
                            .addBucketCounts(0)
                            .addBucketCounts(3)
                            .addExplicitBounds(0)
                            .addExplicitBounds(5.5)
                            .addExemplars(exemplar(4.5))
                            .setMin(0.5)
                            .setMax(4.5)))
            .build();
    Metric exponential =
        Metric.newBuilder()
            .setName("llm.cost")
            .setExponentialHistogram(
                ExponentialHistogram.newBuilder()
                    .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                    .addDataPoints(
                        ExponentialHistogramDataPoint.newBuilder()
                            .setCount(10)
                            .setSum(12.5)
                            .setScale(-3)
                            .setZeroCount(1)
                            .setZeroThreshold(1e-9)
                            .setPositive(
                                ExponentialHistogramDataPoint.Buckets.newBuilder()
                                    .setOffset(-2)
                                    .addBucketCounts(4)
                                    .addBucketCounts(5))
                            .setNegative(
                                ExponentialHistogramDataPoint.Buckets.newBuilder()
                                    .setOffset(1)
                                    .addBucketCounts(0))
                            .addExemplars(exemplar(1.5))
                            .setMin(0)
                            .setMax(3)))
            .build();
    Metric summary =
        Metric.newBuilder()
            .setName("rpc.duration")
            .setSummary(
                Summary.newBuilder()
                    .addDataPoints(
                        SummaryDataPoint.newBuilder()
                            .setCount(3)
                            .setSum(9)
                            .addQuantileValues(
                                SummaryDataPoint.ValueAtQuantile.newBuilder()
                                    .setQuantile(0.5)
                                    .setValue(3))
                            .addQuantileValues(
                                SummaryDataPoint.ValueAtQuantile.newBuilder()
                                    .setQuantile(1)
                                    .setValue(4))))
            .addMetadata(attribute("meta", string("m")))
            .build();
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .setResource(resource("checkout"))
                .addScopeMetrics(
                    ScopeMetrics.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName("traccia"))
                        .addMetrics(gauge)
                        .addMetrics(sum)
                        .addMetrics(histogram)
                        .addMetrics(exponential)
                        .addMetrics(summary)))
        .build();
  }

  static ExportLogsServiceRequest richLogs() {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(resource("checkout"))
                .addScopeLogs(
                    ScopeLogs.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName("app"))
                        .addLogRecords(
                            LogRecord.newBuilder()
                                .setTimeUnixNano(1_700_000_000_000_000_001L)
                                .setObservedTimeUnixNano(1_700_000_000_000_000_002L)
                                .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_WARN)
                                .setSeverityText("WARN")
                                .setBody(string("disk almost full"))
                                .addAttributes(attribute("disk", string("/dev/sda1")))
                                .setDroppedAttributesCount(2)
                                .setFlags(1)
                                .setTraceId(id(TRACE_ID))
                                .setSpanId(id(SPAN_ID))
                                .setEventName("disk.full"))
                        .addLogRecords(
                            LogRecord.newBuilder()
                                .setBody(
                                    AnyValue.newBuilder()
                                        .setKvlistValue(
                                            KeyValueList.newBuilder()
                                                .addValues(attribute("k", string("v"))))))))
        .build();
  }

  @Test
  void roundTrip_traces() throws Exception {
    ExportTraceServiceRequest request = richTraces();
    String json = OtlpJson.print(request);
    assertThat(json).doesNotContain("\n");
    assertThat(OtlpJson.parseTraces(json.getBytes(UTF_8))).isEqualTo(request);
  }

  @Test
  void roundTrip_metrics() throws Exception {
    ExportMetricsServiceRequest request = richMetrics();
    String json = OtlpJson.print(request);
    assertThat(json).doesNotContain("\n");
    assertThat(OtlpJson.parseMetrics(json.getBytes(UTF_8))).isEqualTo(request);
  }

  @Test
  void roundTrip_logs() throws Exception {
    ExportLogsServiceRequest request = richLogs();
    String json = OtlpJson.print(request);
    assertThat(OtlpJson.parseLogs(json.getBytes(UTF_8))).isEqualTo(request);
  }

  @Test
  void roundTrip_emptyRequests() throws Exception {
    assertThat(OtlpJson.print(ExportTraceServiceRequest.getDefaultInstance())).isEqualTo("{}");
    assertThat(OtlpJson.parseTraces("{}".getBytes(UTF_8)))
        .isEqualTo(ExportTraceServiceRequest.getDefaultInstance());
    assertThat(OtlpJson.parseMetrics(" { } ".getBytes(UTF_8)))
        .isEqualTo(ExportMetricsServiceRequest.getDefaultInstance());
    assertThat(OtlpJson.parseLogs("{\"resourceLogs\":[]}".getBytes(UTF_8)))
        .isEqualTo(ExportLogsServiceRequest.getDefaultInstance());
  }

  @Test
  void print_span_matchesOtlpJsonEncoding() {
    Span span =
        Span.newBuilder()
            .setTraceId(id(TRACE_ID))
            .setSpanId(id(SPAN_ID))
            .setName("chat")
            .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
            .setStartTimeUnixNano(1_700_000_000_000_000_000L)
            .setEndTimeUnixNano(1_700_000_000_500_000_000L)
            .addAttributes(attribute("n", AnyValue.newBuilder().setIntValue(18).build()))
            .addAttributes(
                attribute(
                    "b",
                    AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("hi")).build()))
            .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK))
            .build();
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
            .build();

    assertThat(OtlpJson.print(request))
        .isEqualTo(
            "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{"
                + "\"traceId\":\"5b8efff798038103d269b633813fc60c\","
                + "\"spanId\":\"eee19b7ec3c1b174\","
                + "\"name\":\"chat\",\"kind\":3,"
                + "\"startTimeUnixNano\":\"1700000000000000000\","
                + "\"endTimeUnixNano\":\"1700000000500000000\","
                + "\"attributes\":[{\"key\":\"n\",\"value\":{\"intValue\":\"18\"}},"
                + "{\"key\":\"b\",\"value\":{\"bytesValue\":\"aGk=\"}}],"
                + "\"status\":{\"code\":1}}]}]}]}");
  }

  @Test
  void print_response() {
    ExportTraceServiceResponse response =
        ExportTraceServiceResponse.newBuilder()
            .setPartialSuccess(
                ExportTracePartialSuccess.newBuilder()
                    .setRejectedSpans(2)
                    .setErrorMessage("rate limited"))
            .build();

    assertThat(OtlpJson.print(response))
        .isEqualTo(
            "{\"partialSuccess\":{\"rejectedSpans\":\"2\",\"errorMessage\":\"rate limited\"}}");
    assertThat(OtlpJson.print(ExportTraceServiceResponse.getDefaultInstance())).isEqualTo("{}");
  }

  @Test
  void parse_acceptsSnakeCaseNamesEnumNamesNumbersAndUpperCaseHex() throws Exception {
    String json =
        "{\"resource_spans\":[{\"scope_spans\":[{\"spans\":[{"
            + "\"trace_id\":\"5B8EFFF798038103D269B633813FC60C\","
            + "\"span_id\":\"EEE19B7EC3C1B174\","
            + "\"parent_span_id\":\"\","
            + "\"kind\":\"SPAN_KIND_SERVER\","
            + "\"start_time_unix_nano\":1700000000000000000,"
            + "\"end_time_unix_nano\":\"1700000000500000000\","
            + "\"dropped_attributes_count\":\"2\","
            + "\"flags\":1.0,"
            + "\"status\":{\"code\":\"STATUS_CODE_ERROR\",\"message\":null},"
            + "\"attributes\":[{\"key\":\"x\",\"value\":{\"int_value\":5,\"unknownKind\":1}}]"
            + "}]}]}]}";

    Span span =
        OtlpJson.parseTraces(json.getBytes(UTF_8)).getResourceSpans(0).getScopeSpans(0).getSpans(0);

    assertThat(span)
        .isEqualTo(
            Span.newBuilder()
                .setTraceId(id(TRACE_ID))
                .setSpanId(id(SPAN_ID))
                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano(1_700_000_000_000_000_000L)
                .setEndTimeUnixNano(1_700_000_000_500_000_000L)
                .setDroppedAttributesCount(2)
                .setFlags(1)
                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR))
                .addAttributes(attribute("x", AnyValue.newBuilder().setIntValue(5).build()))
                .build());
  }

  /**
   * A valid trace and span id, as the fields of a span object: {@code "traceId":..,"spanId":..,}.
   */
  private static final String IDS =
      "\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\",";

  private static final String IDS_ONLY =
      "{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\"}";

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "traceId|16",
        "spanId|8",
        "parentSpanId|8",
        "links[0].traceId|16",
        "links[0].spanId|8",
      })
  void parse_idsOfEveryWrongLengthAreRefused(String field, int bytes) {
    boolean required = !field.equals("parentSpanId");
    for (int length = 0; length <= 100; length++) {
      String hex = "ab".repeat(length);
      String json = spanJson(field, "\"" + hex + "\"");
      if (length == bytes || (length == 0 && !required)) {
        assertThatCode(() -> OtlpJson.parseTraces(json.getBytes(UTF_8))).doesNotThrowAnyException();
      } else if (length == 0) {
        assertThatThrownBy(() -> OtlpJson.parseTraces(json.getBytes(UTF_8)))
            .hasMessage(
                "resourceSpans[0].scopeSpans[0].spans[0]."
                    + field
                    + ": missing (expected: "
                    + 2 * bytes
                    + " hex characters, not all zeros)");
      } else {
        assertThatThrownBy(() -> OtlpJson.parseTraces(json.getBytes(UTF_8)))
            .hasMessage(
                "resourceSpans[0].scopeSpans[0].spans[0]."
                    + field
                    + ": \""
                    + (hex.length() <= 64 ? hex : hex.substring(0, 64) + "...")
                    + "\" is not "
                    + 2 * bytes
                    + " hex characters");
      }
    }
    // An odd number of characters is no length in bytes at all.
    assertThatThrownBy(() -> OtlpJson.parseTraces(spanJson(field, "\"abc\"").getBytes(UTF_8)))
        .hasMessageEndingWith(": \"abc\" is not " + 2 * bytes + " hex characters");
  }

  @Test
  void parse_allZeroIdsAreRefusedButAnAllZeroParentIsNone() throws Exception {
    assertThatThrownBy(
            () ->
                OtlpJson.parseTraces(
                    spanJson("traceId", "\"" + "0".repeat(32) + "\"").getBytes(UTF_8)))
        .hasMessage(
            "resourceSpans[0].scopeSpans[0].spans[0].traceId: \"00000000000000000000000000000000\""
                + " is all zeros (expected: 32 hex characters, not all zeros)");
    assertThatThrownBy(
            () ->
                OtlpJson.parseTraces(
                    spanJson("links[0].spanId", "\"" + "0".repeat(16) + "\"").getBytes(UTF_8)))
        .hasMessage(
            "resourceSpans[0].scopeSpans[0].spans[0].links[0].spanId: \"0000000000000000\""
                + " is all zeros (expected: 16 hex characters, not all zeros)");
    Span span =
        OtlpJson.parseTraces(spanJson("parentSpanId", "\"" + "0".repeat(16) + "\"").getBytes(UTF_8))
            .getResourceSpans(0)
            .getScopeSpans(0)
            .getSpans(0);
    assertThat(span.getParentSpanId().size()).isEqualTo(8);
  }

  @Test
  void parse_nestingIsBoundedAsOnTheProtobufPath() throws Exception {
    for (int levels : new int[] {10, 31, 32, 200}) {
      String value = "{\"stringValue\":\"leaf\"}";
      for (int d = 0; d < levels; d++) {
        value = "{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":" + value + "}]}}";
      }
      String json =
          "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{"
              + IDS
              + "\"attributes\":[{\"key\":\"deep\",\"value\":"
              + value
              + "}]}]}]}]}";
      if (levels <= 31) {
        assertThat(OtlpJson.parseTraces(json.getBytes(UTF_8)).getResourceSpansCount()).isOne();
      } else {
        assertThatThrownBy(() -> OtlpJson.parseTraces(json.getBytes(UTF_8)))
            .isInstanceOf(OtlpJsonException.class)
            .hasMessageStartingWith("resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value")
            .hasMessageEndingWith(": nested more than 100 messages deep (expected: at most 100)");
      }
    }
  }

  /**
   * A request of one span with valid ids, except that {@code field} (of the span, or of its link
   * {@code links[0].}) is {@code value}.
   */
  private static String spanJson(String field, String value) {
    Map<String, String> span = new LinkedHashMap<>();
    span.put("traceId", "\"5b8efff798038103d269b633813fc60c\"");
    span.put("spanId", "\"eee19b7ec3c1b174\"");
    Map<String, String> link = new LinkedHashMap<>(span);
    if (field.startsWith("links[0].")) {
      link.put(field.substring("links[0].".length()), value);
    } else {
      span.put(field, value);
    }
    String linkJson = object(link);
    return "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{"
        + object(span).substring(1, object(span).length() - 1)
        + ",\"links\":["
        + linkJson
        + "]}]}]}]}";
  }

  private static String object(Map<String, String> fields) {
    StringBuilder out = new StringBuilder("{");
    fields.forEach(
        (k, v) ->
            out.append(out.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
    return out.append('}').toString();
  }

  @Test
  void parse_ignoresUnknownFieldsAndUnknownEnumNames() throws Exception {
    String json =
        "{\"futureField\":{\"a\":[1,{\"b\":null}]},\"resourceSpans\":[{\"newThing\":[[]],"
            + "\"scopeSpans\":[{\"spans\":[{\"name\":\"s\",\"kind\":\"SPAN_KIND_FROM_THE_FUTURE\","
            + IDS
            + "\"status\":{\"code\":7}}]}]}]}";

    Span span =
        OtlpJson.parseTraces(json.getBytes(UTF_8)).getResourceSpans(0).getScopeSpans(0).getSpans(0);

    assertThat(span.getName()).isEqualTo("s");
    assertThat(span.getKindValue()).isZero();
    // Unknown enum numbers are kept, as proto3 enums are open.
    assertThat(span.getStatus().getCodeValue()).isEqualTo(7);
  }

  @Test
  void parse_acceptsUrlSafeAndUnpaddedBase64() throws Exception {
    String json =
        "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"bytesValue\":\"-_8\"}},"
            + "{\"body\":{\"bytesValue\":\"+/8=\"}}]}]}]}";

    ExportLogsServiceRequest request = OtlpJson.parseLogs(json.getBytes(UTF_8));

    ScopeLogs logs = request.getResourceLogs(0).getScopeLogs(0);
    ByteString expected = ByteString.copyFrom(new byte[] {(byte) 0xFB, (byte) 0xFF});
    assertThat(logs.getLogRecords(0).getBody().getBytesValue()).isEqualTo(expected);
    assertThat(logs.getLogRecords(1).getBody().getBytesValue()).isEqualTo(expected);
  }

  @Test
  void print_isReadByProtobufJsonForMessagesWithoutIds() throws Exception {
    // Apart from the hex ids, OTLP JSON is the protobuf JSON mapping: both directions agree.
    ExportLogsServiceRequest logs =
        richLogs().toBuilder()
            .setResourceLogs(
                0,
                richLogs().getResourceLogs(0).toBuilder()
                    .setScopeLogs(
                        0,
                        richLogs().getResourceLogs(0).getScopeLogs(0).toBuilder()
                            .setLogRecords(
                                0,
                                richLogs()
                                    .getResourceLogs(0)
                                    .getScopeLogs(0)
                                    .getLogRecords(0)
                                    .toBuilder()
                                    .clearTraceId()
                                    .clearSpanId())))
            .build();

    ExportLogsServiceRequest.Builder viaProtobuf = ExportLogsServiceRequest.newBuilder();
    JsonFormat.parser().merge(OtlpJson.print(logs), viaProtobuf);
    assertThat(viaProtobuf.build()).isEqualTo(logs);
    assertThat(OtlpJson.parseLogs(JsonFormat.printer().print(logs).getBytes(UTF_8)))
        .isEqualTo(logs);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "``|empty body (expected: an OTLP JSON object such as {\"resourceSpans\":[...]})",
        "`  \n `|empty body (expected: an OTLP JSON object such as {\"resourceSpans\":[...]})",
        "[]|expected a JSON object at the top level, got an array at line 1, column 1",
        "{} {}|expected the end of the input after the top-level JSON object, got an object"
            + " at line 1, column 4",
        "{\"resourceSpans\":[{]}|invalid OTLP JSON at line 1, column 20: Unexpected close"
            + " marker ']': expected '}' (for Object starting at line 1, column 19)",
        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"k\",}]}}]}|invalid"
            + " OTLP JSON at line 1, column 57: Unexpected character ('}' (code 125)): was"
            + " expecting double-quote to start field name",
        "`{\"resourceSpans\":[\n  {\"schemaUrl\": x}]}`|invalid OTLP JSON at line 2, column 17:"
            + " Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token"
            + " 'null', 'true' or 'false')",
        "{\"resourceSpans\":{}}|resourceSpans: expected an array, got an object",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":["
            + IDS_ONLY
            + ","
            + IDS_ONLY
            + ",{\"traceId\":\"xyz\"}]}]}]}"
            + "|resourceSpans[0].scopeSpans[0].spans[2].traceId: \"xyz\" is not 32 hex characters",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"spanId\":\"eee19b7ec3c1b17g\"}]}]}]}"
            + "|resourceSpans[0].scopeSpans[0].spans[0].spanId: \"eee19b7ec3c1b17g\" is not 16 hex"
            + " characters",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"links\":[{\"traceId\":"
            + "\"W47/95gDgQPSabYzgT/GDA==\"}]}]}]}]}|resourceSpans[0].scopeSpans[0].spans[0]"
            + ".links[0].traceId: \"W47/95gDgQPSabYzgT/GDA==\" is not 32 hex characters",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":5}]}]}]}"
            + "|resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex characters, got 5",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":true}]}]}]}"
            + "|resourceSpans[0].scopeSpans[0].spans[0].name: expected a string, got true",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":\"soon\"}]}]}]}"
            + "|resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: expected an unsigned"
            + " 64-bit integer, got \"soon\"",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":-1}]}]}]}"
            + "|resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: expected an unsigned"
            + " 64-bit integer, got -1",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"flags\":4294967296}]}]}]}"
            + "|resourceSpans[0].scopeSpans[0].spans[0].flags: expected an unsigned 32-bit"
            + " integer, got 4294967296",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"droppedEventsCount\":1.5}]}]}]}"
            + "|resourceSpans[0].scopeSpans[0].spans[0].droppedEventsCount: expected an unsigned"
            + " 32-bit integer, got 1.5",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"kind\":[]}]}]}]}"
            + "|resourceSpans[0].scopeSpans[0].spans[0].kind: expected an enum number or name,"
            + " got an array",
        "{\"resourceSpans\":[{\"resource\":\"checkout\"}]}"
            + "|resourceSpans[0].resource: expected an object, got \"checkout\"",
        "{\"resourceSpans\":[null]}|resourceSpans[0]: expected an object, got null",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"a\",\"name\":\"b\"}]}]}]}"
            + "|resourceSpans[0].scopeSpans[0].spans[0].name: the field is given twice",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k\","
            + "\"value\":{\"stringValue\":\"a\",\"intValue\":1}}]}]}]}]}"
            + "|resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: stringValue"
            + " is already set (expected: one field of value)",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k\","
            + "\"value\":{\"bytesValue\":\"not base64!\"}}]}]}]}]}"
            + "|resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.bytesValue: \"not"
            + " base64!\" is not base64",
      })
  void parse_invalid(String json, String message) {
    assertThatThrownBy(() -> OtlpJson.parseTraces(json.getBytes(UTF_8)))
        .isInstanceOf(OtlpJsonException.class)
        .hasMessage(message);
  }

  @Test
  void parse_invalidMetricAndLogValues() {
    assertThatThrownBy(
            () ->
                OtlpJson.parseMetrics(
                    ("{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"gauge\":"
                            + "{\"dataPoints\":[{\"asDouble\":\"lots\"}]}}]}]}]}")
                        .getBytes(UTF_8)))
        .hasMessage(
            "resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].asDouble: expected"
                + " a number, got \"lots\"");
    assertThatThrownBy(
            () ->
                OtlpJson.parseLogs(
                    ("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"spanId\":\"abc\"}]}]}]}")
                        .getBytes(UTF_8)))
        .hasMessage(
            "resourceLogs[0].scopeLogs[0].logRecords[0].spanId: \"abc\" is not 16 hex characters");
    assertThatThrownBy(() -> OtlpJson.parseLogs(new byte[0]))
        .hasMessage("empty body (expected: an OTLP JSON object such as {\"resourceLogs\":[...]})");
  }

  @Test
  void parse_numericStringsAndSpecialDoubles() throws Exception {
    String json =
        "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"sum\":{\"dataPoints\":["
            + "{\"asDouble\":\"NaN\"},{\"asDouble\":\"-Infinity\"},{\"asDouble\":\"2.5\"},"
            + "{\"asInt\":\"-9223372036854775808\"},{\"asInt\":1e3}],"
            + "\"aggregationTemporality\":2}},{\"histogram\":{\"dataPoints\":[{\"count\":"
            + "\"18446744073709551615\",\"bucketCounts\":[\"1\",2]}]}}]}]}]}";

    ScopeMetrics scope =
        OtlpJson.parseMetrics(json.getBytes(UTF_8)).getResourceMetrics(0).getScopeMetrics(0);

    Sum sum = scope.getMetrics(0).getSum();
    assertThat(sum.getDataPoints(0).getAsDouble()).isNaN();
    assertThat(sum.getDataPoints(1).getAsDouble()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(sum.getDataPoints(2).getAsDouble()).isEqualTo(2.5);
    assertThat(sum.getDataPoints(3).getAsInt()).isEqualTo(Long.MIN_VALUE);
    assertThat(sum.getDataPoints(4).getAsInt()).isEqualTo(1000);
    assertThat(sum.getAggregationTemporality())
        .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    HistogramDataPoint point = scope.getMetrics(1).getHistogram().getDataPoints(0);
    assertThat(point.getCount()).isEqualTo(-1L);
    assertThat(point.getBucketCountsList()).containsExactly(1L, 2L);
  }

  @Test
  @Timeout(10)
  void parse_hugeExponentsAreRefusedAtOnce() throws Exception {
    for (String value :
        new String[] {"\"1700E000000123456789\"", "1e999999999", "\"1e-999999999\"", "1.5e300"}) {
      assertThatThrownBy(
              () -> OtlpJson.parseTraces(spanJson("startTimeUnixNano", value).getBytes(UTF_8)))
          .as(value)
          .isInstanceOf(OtlpJsonException.class)
          .hasMessageContaining("startTimeUnixNano: expected an unsigned 64-bit integer");
    }
    Span span =
        OtlpJson.parseTraces(spanJson("startTimeUnixNano", "\"17e17\"").getBytes(UTF_8))
            .getResourceSpans(0)
            .getScopeSpans(0)
            .getSpans(0);
    assertThat(span.getStartTimeUnixNano()).isEqualTo(1_700_000_000_000_000_000L);
    assertThat(
            OtlpJson.parseTraces(spanJson("endTimeUnixNano", "0.0e5").getBytes(UTF_8))
                .getResourceSpans(0)
                .getScopeSpans(0)
                .getSpans(0)
                .getEndTimeUnixNano())
        .isZero();
  }
}
