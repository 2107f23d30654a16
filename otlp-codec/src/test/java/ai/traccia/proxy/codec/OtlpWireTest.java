/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link OtlpWire} must accept exactly what protobuf-java's {@code parseFrom} accepts and count the
 * same items; checked on hand-made edge cases and on many random corruptions of real requests.
 */
class OtlpWireTest {

  private interface Counter {
    int count(byte[] bytes) throws InvalidProtocolBufferException;
  }

  private static final ByteString TRACE_ID = id(16, 1);
  private static final ByteString SPAN_ID = id(8, 2);

  /** {@code length} bytes counting up from {@code first}. */
  private static ByteString id(int length, int first) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (first + i);
    }
    return ByteString.copyFrom(bytes);
  }

  private static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  private static ExportTraceServiceRequest traces() {
    AnyValue nested =
        AnyValue.newBuilder()
            .setArrayValue(
                ArrayValue.newBuilder()
                    .addValues(str("héllo wörld ✓"))
                    .addValues(AnyValue.newBuilder().setIntValue(-42))
                    .addValues(AnyValue.newBuilder().setDoubleValue(1.5))
                    .addValues(
                        AnyValue.newBuilder()
                            .setKvlistValue(
                                KeyValueList.newBuilder()
                                    .addValues(kv("inner", str("x")))
                                    .addValues(
                                        kv(
                                            "bytes",
                                            AnyValue.newBuilder()
                                                .setBytesValue(
                                                    ByteString.copyFrom(new byte[] {-1, 0, -128}))
                                                .build())))))
            .build();
    Span.Builder span =
        Span.newBuilder()
            .setTraceId(TRACE_ID)
            .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
            .setParentSpanId(ByteString.copyFrom(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}))
            .setTraceState("ot=th:8")
            .setName("chat gpt-4o")
            .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
            .setStartTimeUnixNano(1_700_000_000_000_000_000L)
            .setEndTimeUnixNano(1_700_000_001_000_000_000L)
            .setFlags(0x301)
            .addAttributes(kv("gen_ai.prompt", str("日本語のテキスト")))
            .addAttributes(kv("list", nested))
            .addAttributes(kv("flag", AnyValue.newBuilder().setBoolValue(true).build()))
            .setDroppedAttributesCount(3)
            .addEvents(
                Span.Event.newBuilder()
                    .setName("exception")
                    .setTimeUnixNano(5)
                    .addAttributes(kv("exception.message", str("denied"))))
            .addLinks(
                Span.Link.newBuilder()
                    .setTraceId(TRACE_ID)
                    .setSpanId(SPAN_ID)
                    .setTraceState("a=b")
                    .addAttributes(kv("l", str("v"))))
            .setStatus(
                Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("x"));
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", str("svc"))))
                .setSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
                .addScopeSpans(
                    ScopeSpans.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName("s").setVersion("1"))
                        .addSpans(span)
                        .addSpans(span.setName("second"))))
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .addScopeSpans(
                    ScopeSpans.newBuilder()
                        .addSpans(
                            Span.newBuilder()
                                .setTraceId(TRACE_ID)
                                .setSpanId(SPAN_ID)
                                .setName("3"))))
        .build();
  }

  private static ExportMetricsServiceRequest metrics() {
    NumberDataPoint number =
        NumberDataPoint.newBuilder().setAsDouble(2.5).addAttributes(kv("k", str("v"))).build();
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .addScopeMetrics(
                    ScopeMetrics.newBuilder()
                        .addMetrics(
                            Metric.newBuilder()
                                .setName("g")
                                .setGauge(Gauge.newBuilder().addDataPoints(number)))
                        .addMetrics(
                            Metric.newBuilder()
                                .setName("s")
                                .setSum(
                                    Sum.newBuilder().addDataPoints(number).addDataPoints(number)))
                        .addMetrics(
                            Metric.newBuilder()
                                .setName("h")
                                .setHistogram(
                                    Histogram.newBuilder()
                                        .addDataPoints(
                                            HistogramDataPoint.newBuilder()
                                                .addAllBucketCounts(Arrays.asList(1L, 2L, 3L))
                                                .addAllExplicitBounds(Arrays.asList(0.5, 1.0)))))
                        .addMetrics(
                            Metric.newBuilder()
                                .setName("e")
                                .setExponentialHistogram(
                                    ExponentialHistogram.newBuilder()
                                        .addDataPoints(
                                            ExponentialHistogramDataPoint.newBuilder()
                                                .setScale(3)
                                                .setPositive(
                                                    ExponentialHistogramDataPoint.Buckets
                                                        .newBuilder()
                                                        .setOffset(-2)
                                                        .addAllBucketCounts(
                                                            Arrays.asList(300L, 1L, 70000L))))))
                        .addMetrics(
                            Metric.newBuilder()
                                .setName("q")
                                .setSummary(
                                    Summary.newBuilder()
                                        .addDataPoints(
                                            SummaryDataPoint.newBuilder()
                                                .setCount(4)
                                                .addQuantileValues(
                                                    SummaryDataPoint.ValueAtQuantile.newBuilder()
                                                        .setQuantile(0.5)
                                                        .setValue(2)))))))
        .build();
  }

  private static ExportLogsServiceRequest logs() {
    LogRecord record =
        LogRecord.newBuilder().setBody(str("a log line ü")).setSeverityText("INFO").build();
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record).addLogRecords(record))
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record)))
        .build();
  }

  @Test
  void countsItemsOfValidRequests() throws Exception {
    assertThat(OtlpWire.countSpans(traces().toByteArray())).isEqualTo(3);
    assertThat(OtlpWire.countDataPoints(metrics().toByteArray())).isEqualTo(6);
    assertThat(OtlpWire.countLogRecords(logs().toByteArray())).isEqualTo(3);
    assertThat(OtlpWire.countSpans(new byte[0])).isZero();
  }

  @Test
  void refusesInvalidUtf8InAStringField() throws Exception {
    byte[] bytes = traces().toByteArray();
    int at = indexOf(bytes, "chat".getBytes(StandardCharsets.UTF_8));
    bytes[at] = (byte) 0xC3; // a lead byte followed by 'h': not UTF-8
    assertThatThrownBy(() -> ExportTraceServiceRequest.parseFrom(bytes))
        .isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> OtlpWire.countSpans(bytes))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("UTF-8");
  }

  @Test
  void utf8IsCheckedAsProtobufJavaChecksIt() throws Exception {
    // Every one- to four-byte sequence around the boundaries: overlongs, surrogates, past U+10FFFF,
    // truncated and stray continuation bytes, each inside ASCII text of short and long runs.
    int[] leads = {
      0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef,
      0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff
    };
    int[] tails = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff};
    int checked = 0;
    for (int lead : leads) {
      for (int second : tails) {
        for (int third : tails) {
          for (int length = 1; length <= 4; length++) {
            byte[] sequence = {(byte) lead, (byte) second, (byte) third, (byte) 0x80};
            // Around the sequence: strings shorter than eight bytes, longer, and both.
            for (String around : List.of("", "ab", "abcde", "abcdefghijklmnopq")) {
              byte[] name =
                  concat(
                      concat(
                          around.getBytes(StandardCharsets.US_ASCII),
                          Arrays.copyOf(sequence, length)),
                      around.getBytes(StandardCharsets.US_ASCII));
              // A span whose name (field 5) is these bytes; the builder would refuse them.
              byte[] bytes = requestOfSpanBytes(concat(new byte[] {42, (byte) name.length}, name));
              assertSameVerdict(
                  bytes,
                  OtlpWire::countSpans,
                  b -> count(withValidIds(ExportTraceServiceRequest.parseFrom(b))),
                  0);
              checked++;
            }
          }
        }
      }
    }
    assertThat(checked).isEqualTo(leads.length * tails.length * tails.length * 16);
  }

  @Test
  void acceptsInvalidUtf8InABytesField() throws Exception {
    ByteString notUtf8 = ByteString.copyFrom(new byte[] {-61, 40}).concat(id(14, 1));
    Span span = Span.newBuilder().setTraceId(notUtf8).setSpanId(SPAN_ID).build();
    byte[] bytes = request(span).toByteArray();
    assertThat(OtlpWire.countSpans(bytes)).isEqualTo(1);
  }

  @Test
  void nestingLimitMatchesProtobufJava() throws Exception {
    for (int depth = 90; depth <= 110; depth++) {
      AnyValue value = str("leaf");
      for (int d = 0; d < depth; d++) {
        value =
            AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(value)).build();
      }
      byte[] bytes =
          request(Span.newBuilder().addAttributes(kv("deep", value)).build()).toByteArray();
      assertSameVerdict(
          bytes,
          OtlpWire::countSpans,
          b -> count(withValidIds(ExportTraceServiceRequest.parseFrom(b))),
          1);
    }
  }

  @Test
  void unknownFieldsAndGroupsAreSkippedLikeProtobufJava() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    cos.writeString(99, "unknown field");
    cos.writeUInt64(98, 7);
    cos.writeTag(97, 3); // a group holding a nested group
    cos.writeFixed32(1, 5);
    cos.writeTag(2, 3);
    cos.writeTag(2, 4);
    cos.writeTag(97, 4);
    cos.writeUInt64(1, 12); // resource_spans sent as a varint: kept as an unknown field
    cos.flush();
    byte[] prefix = out.toByteArray();
    byte[] spans = traces().toByteArray();
    byte[] bytes = concat(prefix, spans);
    assertThat(ExportTraceServiceRequest.parseFrom(bytes).getResourceSpansCount()).isEqualTo(2);
    assertThat(OtlpWire.countSpans(bytes)).isEqualTo(3);

    byte[] unbalanced = concat(new byte[] {(byte) ((97 << 3) | 3), 1}, spans);
    unbalanced[1] = 0x08; // group 97 never ends
    assertSameVerdict(
        unbalanced,
        OtlpWire::countSpans,
        b -> count(withValidIds(ExportTraceServiceRequest.parseFrom(b))),
        -1);
  }

  @Test
  void tenByteVarintsEndWhereProtobufJavaEndsThem() throws Exception {
    byte[] ff = new byte[9];
    Arrays.fill(ff, (byte) 0xff);
    // An int64 attribute value whose tenth byte keeps its continuation bit: protobuf-java's 64-bit
    // reader stops there anyway. The same bytes as a span's kind (an enum, read as 32 bits) are
    // malformed.
    byte[] int64Value = concat(concat(new byte[] {24}, ff), new byte[] {(byte) 0x81});
    byte[] anyValue = concat(new byte[] {(byte) int64Value.length}, int64Value);
    byte[] keyValue = concat(new byte[] {10, 1, 'k', 18}, anyValue);
    byte[] span = concat(new byte[] {74, (byte) keyValue.length}, keyValue);
    byte[] kind = concat(concat(new byte[] {48}, ff), new byte[] {(byte) 0x81});
    for (byte[] body : List.of(span, kind)) {
      byte[] request = requestOfSpanBytes(body);
      assertSameVerdict(
          request,
          OtlpWire::countSpans,
          b -> count(withValidIds(ExportTraceServiceRequest.parseFrom(b))),
          0);
    }
    assertThat(OtlpWire.countSpans(requestOfSpanBytes(span))).isEqualTo(1);
  }

  @Test
  void packedScalarsAreChecked() throws Exception {
    byte[] bytes = metrics().toByteArray();
    // Concatenated requests are one request with both lists: the merge the batcher relies on.
    byte[] twice = concat(bytes, bytes);
    assertThat(OtlpWire.countDataPoints(twice)).isEqualTo(12);
    assertSameVerdict(
        twice,
        OtlpWire::countDataPoints,
        b -> countPoints(ExportMetricsServiceRequest.parseFrom(b)),
        12);
  }

  @Test
  void randomCorruptionsGetProtobufJavasVerdict() throws Exception {
    fuzz(
        traces().toByteArray(),
        OtlpWire::countSpans,
        b -> count(withValidIds(ExportTraceServiceRequest.parseFrom(b))));
    // Verdicts only for metrics: a corrupted Metric can carry two of its one-of data fields, which
    // protobuf-java resolves to the last and the walk counts both (see OtlpWire).
    fuzz(
        metrics().toByteArray(),
        b -> OtlpWire.countDataPoints(b) * 0,
        b -> countPoints(ExportMetricsServiceRequest.parseFrom(b)) * 0);
    fuzz(
        logs().toByteArray(),
        OtlpWire::countLogRecords,
        b -> count(withValidIds(ExportLogsServiceRequest.parseFrom(b))));
  }

  private static final String SPAN_PATH = "resource_spans[0].scope_spans[0].spans[0]";

  @Test
  void spanIdsOfEveryWrongLengthAreRefusedWithTheirPath() throws Exception {
    for (int length = 0; length <= 100; length++) {
      ByteString id = id(length, 1);
      assertIdVerdict(
          Span.newBuilder().setTraceId(id).setSpanId(SPAN_ID).build(),
          length == 16,
          SPAN_PATH
              + ".trace_id: "
              + lengthOrMissing(length)
              + " (expected: 16 bytes, not all zeros)");
      assertIdVerdict(
          Span.newBuilder().setTraceId(TRACE_ID).setSpanId(id).build(),
          length == 8,
          SPAN_PATH
              + ".span_id: "
              + lengthOrMissing(length)
              + " (expected: 8 bytes, not all zeros)");
      assertIdVerdict(
          Span.newBuilder().setTraceId(TRACE_ID).setSpanId(SPAN_ID).setParentSpanId(id).build(),
          length == 0 || length == 8,
          SPAN_PATH + ".parent_span_id: " + length + " bytes (expected: empty or 8 bytes)");
      assertIdVerdict(
          Span.newBuilder()
              .setTraceId(TRACE_ID)
              .setSpanId(SPAN_ID)
              .addLinks(Span.Link.newBuilder().setTraceId(TRACE_ID).setSpanId(SPAN_ID))
              .addLinks(Span.Link.newBuilder().setTraceId(id).setSpanId(SPAN_ID))
              .build(),
          length == 16,
          SPAN_PATH
              + ".links[1].trace_id: "
              + lengthOrMissing(length)
              + " (expected: 16 bytes, not all zeros)");
      assertIdVerdict(
          Span.newBuilder()
              .setTraceId(TRACE_ID)
              .setSpanId(SPAN_ID)
              .addLinks(Span.Link.newBuilder().setTraceId(TRACE_ID).setSpanId(id))
              .build(),
          length == 8,
          SPAN_PATH
              + ".links[0].span_id: "
              + lengthOrMissing(length)
              + " (expected: 8 bytes, not all zeros)");
    }
  }

  @Test
  void allZeroIdsAreRefusedButAnAllZeroParentIsNone() throws Exception {
    ByteString zeros16 = ByteString.copyFrom(new byte[16]);
    ByteString zeros8 = ByteString.copyFrom(new byte[8]);
    assertIdVerdict(
        Span.newBuilder().setTraceId(zeros16).setSpanId(SPAN_ID).build(),
        false,
        SPAN_PATH + ".trace_id: all zeros (expected: 16 bytes, not all zeros)");
    assertIdVerdict(
        Span.newBuilder().setTraceId(TRACE_ID).setSpanId(zeros8).build(),
        false,
        SPAN_PATH + ".span_id: all zeros (expected: 8 bytes, not all zeros)");
    assertIdVerdict(
        Span.newBuilder()
            .setTraceId(TRACE_ID)
            .setSpanId(SPAN_ID)
            .addLinks(Span.Link.newBuilder().setTraceId(zeros16).setSpanId(SPAN_ID))
            .build(),
        false,
        SPAN_PATH + ".links[0].trace_id: all zeros (expected: 16 bytes, not all zeros)");
    // One zero byte is not all zeros, wherever it is.
    for (int i = 0; i < 16; i++) {
      byte[] almost = new byte[16];
      almost[i] = 1;
      assertIdVerdict(
          Span.newBuilder().setTraceId(ByteString.copyFrom(almost)).setSpanId(SPAN_ID).build(),
          true,
          "");
    }
    // Some SDKs write a root span's parent as eight zero bytes: the invalid span id, no parent.
    assertIdVerdict(
        Span.newBuilder().setTraceId(TRACE_ID).setSpanId(SPAN_ID).setParentSpanId(zeros8).build(),
        true,
        "");
  }

  @Test
  void idsAreCheckedWhereverTheSpanIs() throws Exception {
    Span good = Span.newBuilder().setTraceId(TRACE_ID).setSpanId(SPAN_ID).build();
    Span bad = good.toBuilder().setSpanId(id(7, 1)).build();
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(good)))
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(Resource.newBuilder().addAttributes(kv("k", str("v"))))
                    .addScopeSpans(ScopeSpans.newBuilder().addSpans(good))
                    .addScopeSpans(
                        ScopeSpans.newBuilder().addSpans(good).addSpans(good).addSpans(bad)))
            .build();
    assertThatThrownBy(() -> OtlpWire.countSpans(request.toByteArray()))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessage(
            "resource_spans[1].scope_spans[1].spans[2].span_id: 7 bytes (expected: 8 bytes, not"
                + " all zeros)");
  }

  @Test
  void idsOfLogRecordsMayBeEmptyButNotOfAnotherLength() throws Exception {
    for (int length = 0; length <= 100; length++) {
      LogRecord record = LogRecord.newBuilder().setTraceId(id(length, 0)).build();
      byte[] bytes =
          ExportLogsServiceRequest.newBuilder()
              .addResourceLogs(
                  ResourceLogs.newBuilder()
                      .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record)))
              .build()
              .toByteArray();
      if (length == 0 || length == 16) {
        assertThat(OtlpWire.countLogRecords(bytes)).isEqualTo(1);
      } else {
        assertThatThrownBy(() -> OtlpWire.countLogRecords(bytes))
            .hasMessage(
                "resource_logs[0].scope_logs[0].log_records[0].trace_id: "
                    + length
                    + " bytes (expected: empty or 16 bytes)");
      }
    }
  }

  @Test
  void attributeCountIsBounded() throws Exception {
    SpanLimits limits = new SpanLimits(100, 1024);
    Span.Builder span = Span.newBuilder();
    for (int i = 0; i < 100; i++) {
      span.addAttributes(kv("k" + i, str("v")));
    }
    assertThat(OtlpWire.countSpans(request(span.build()).toByteArray(), limits)).isEqualTo(1);
    span.addAttributes(kv("one too many", str("v")));
    assertThatThrownBy(() -> OtlpWire.countSpans(request(span.build()).toByteArray(), limits))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessage(
            SPAN_PATH
                + ".attributes[100]: more than 100 attributes (expected: at most 100,"
                + " advanced.max_attributes)");

    // The same bound for resources, events, links and key-value lists; not for arrays.
    KeyValueList.Builder list = KeyValueList.newBuilder();
    ArrayValue.Builder array = ArrayValue.newBuilder();
    Resource.Builder resource = Resource.newBuilder();
    for (int i = 0; i <= 100; i++) {
      list.addValues(kv("k" + i, str("v")));
      array.addValues(str("v"));
      resource.addAttributes(kv("k" + i, str("v")));
    }
    Span withList =
        Span.newBuilder()
            .addAttributes(kv("list", AnyValue.newBuilder().setKvlistValue(list).build()))
            .build();
    assertThatThrownBy(() -> OtlpWire.countSpans(request(withList).toByteArray(), limits))
        .hasMessageStartingWith(SPAN_PATH + ".attributes[0].value.kvlist_value.values[100]: ");
    Span.Event.Builder event = Span.Event.newBuilder().addAllAttributes(list.getValuesList());
    assertThatThrownBy(
            () ->
                OtlpWire.countSpans(
                    request(Span.newBuilder().addEvents(event).build()).toByteArray(), limits))
        .hasMessageStartingWith(SPAN_PATH + ".events[0].attributes[100]: ");
    byte[] withResource =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                request(Span.getDefaultInstance()).getResourceSpans(0).toBuilder()
                    .setResource(resource))
            .build()
            .toByteArray();
    assertThatThrownBy(() -> OtlpWire.countSpans(withResource, limits))
        .hasMessageStartingWith("resource_spans[0].resource.attributes[100]: ");
    Span withArray =
        Span.newBuilder()
            .addAttributes(kv("array", AnyValue.newBuilder().setArrayValue(array).build()))
            .build();
    assertThat(OtlpWire.countSpans(request(withArray).toByteArray(), limits)).isEqualTo(1);
  }

  @Test
  void aHundredThousandAttributesInASpanAreRefusedByDefault() throws Exception {
    Span.Builder span = Span.newBuilder();
    for (int i = 0; i < 100_000; i++) {
      span.addAttributes(kv("k" + i, str("v")));
    }
    byte[] bytes = request(span.build()).toByteArray();
    assertThatThrownBy(() -> OtlpWire.countSpans(bytes))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessage(
            SPAN_PATH
                + ".attributes[1024]: more than 1024 attributes (expected: at most 1024,"
                + " advanced.max_attributes)");
  }

  @Test
  void attributeValueSizeIsBoundedAtEveryDepth() throws Exception {
    SpanLimits limits = new SpanLimits(1024, 10);
    String fits = "0123456789";
    assertThat(
            OtlpWire.countSpans(
                request(Span.newBuilder().addAttributes(kv("k", str(fits))).build()).toByteArray(),
                limits))
        .isEqualTo(1);
    // Keys and other strings are not attribute values.
    assertThat(
            OtlpWire.countSpans(
                request(
                        Span.newBuilder()
                            .setName(fits + fits)
                            .addAttributes(kv(fits + fits, str("")))
                            .build())
                    .toByteArray(),
                limits))
        .isEqualTo(1);
    assertThatThrownBy(
            () ->
                OtlpWire.countSpans(
                    request(Span.newBuilder().addAttributes(kv("k", str(fits + "!"))).build())
                        .toByteArray(),
                    limits))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessage(
            SPAN_PATH
                + ".attributes[0].value.string_value: 11 bytes (expected: at most 10,"
                + " advanced.max_attribute_value_bytes)");
    AnyValue bytesInArray =
        AnyValue.newBuilder()
            .setArrayValue(
                ArrayValue.newBuilder()
                    .addValues(str("a"))
                    .addValues(AnyValue.newBuilder().setBytesValue(id(11, 0))))
            .build();
    assertThatThrownBy(
            () ->
                OtlpWire.countSpans(
                    request(Span.newBuilder().addAttributes(kv("k", bytesInArray)).build())
                        .toByteArray(),
                    limits))
        .hasMessage(
            SPAN_PATH
                + ".attributes[0].value.array_value.values[1].bytes_value: 11 bytes (expected: at"
                + " most 10, advanced.max_attribute_value_bytes)");
  }

  @Test
  void aFiftyMebibyteValueIsRefusedByDefault() throws Exception {
    byte[] big = new byte[50 * 1024 * 1024];
    Arrays.fill(big, (byte) 'x');
    AnyValue value = AnyValue.newBuilder().setStringValueBytes(ByteString.copyFrom(big)).build();
    byte[] bytes =
        request(Span.newBuilder().addAttributes(kv("gen_ai.prompt", value)).build()).toByteArray();
    assertThatThrownBy(() -> OtlpWire.countSpans(bytes))
        .hasMessage(
            SPAN_PATH
                + ".attributes[0].value.string_value: 52428800 bytes (expected: at most 1048576,"
                + " advanced.max_attribute_value_bytes)");
  }

  @Test
  void nestedKeyValueListsAreBoundedByTheRecursionLimit() throws Exception {
    // Each level of a key-value list is three messages (AnyValue, KeyValueList, KeyValue), under
    // the four of the request down to a span's attribute: 31 levels fit in protobuf-java's 100.
    for (int levels : new int[] {10, 31, 32, 200}) {
      AnyValue value = str("leaf");
      for (int d = 0; d < levels; d++) {
        value =
            AnyValue.newBuilder()
                .setKvlistValue(KeyValueList.newBuilder().addValues(kv("k", value)))
                .build();
      }
      byte[] bytes =
          request(Span.newBuilder().addAttributes(kv("deep", value)).build()).toByteArray();
      if (levels <= 31) {
        assertThat(OtlpWire.countSpans(bytes)).isEqualTo(1);
        assertThat(count(ExportTraceServiceRequest.parseFrom(bytes))).isEqualTo(1);
      } else {
        assertThatThrownBy(() -> OtlpWire.countSpans(bytes))
            .isInstanceOf(InvalidProtocolBufferException.class)
            .hasMessage("Protocol message had too many levels of nesting.");
        assertThatThrownBy(() -> ExportTraceServiceRequest.parseFrom(bytes))
            .isInstanceOf(InvalidProtocolBufferException.class);
      }
    }
  }

  private static String lengthOrMissing(int length) {
    return length == 0 ? "missing" : length + " bytes";
  }

  private static void assertIdVerdict(Span span, boolean valid, String message) throws Exception {
    byte[] bytes =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
            .build()
            .toByteArray();
    if (valid) {
      assertThat(OtlpWire.countSpans(bytes)).isEqualTo(1);
    } else {
      assertThatThrownBy(() -> OtlpWire.countSpans(bytes))
          .isInstanceOf(InvalidProtocolBufferException.class)
          .hasMessage(message);
    }
    // The same verdict as the rules written out on the decoded request.
    assertSameVerdict(
        bytes,
        OtlpWire::countSpans,
        b -> count(withValidIds(ExportTraceServiceRequest.parseFrom(b))),
        valid ? 1 : -1);
  }

  private static void fuzz(byte[] valid, Counter wire, Counter parsed) throws IOException {
    Random random = new Random(20261206L + valid.length);
    int invalid = 0;
    for (int round = 0; round < 20_000; round++) {
      byte[] bytes = mutate(valid, random);
      Integer expected;
      try {
        expected = parsed.count(bytes);
      } catch (InvalidProtocolBufferException e) {
        expected = null;
        invalid++;
      }
      Integer actual;
      try {
        actual = wire.count(bytes);
      } catch (InvalidProtocolBufferException e) {
        actual = null;
      }
      assertThat(actual).as("verdict on %s", Arrays.toString(bytes)).isEqualTo(expected);
    }
    // The corpus must exercise both verdicts, or the comparison proves little.
    assertThat(invalid).isBetween(500, 19_500);
  }

  private static byte[] mutate(byte[] valid, Random random) {
    byte[] bytes = valid.clone();
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      switch (random.nextInt(5)) {
        case 0:
          bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
          break;
        case 1:
          bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
          break;
        case 2:
          bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
          if (bytes.length == 0) {
            return bytes;
          }
          break;
        case 3:
          {
            int at = random.nextInt(bytes.length);
            byte[] grown = new byte[bytes.length + 1];
            System.arraycopy(bytes, 0, grown, 0, at);
            grown[at] = (byte) random.nextInt(256);
            System.arraycopy(bytes, at, grown, at + 1, bytes.length - at);
            bytes = grown;
            break;
          }
        default:
          {
            int at = random.nextInt(bytes.length);
            byte[] shrunk = new byte[bytes.length - 1];
            System.arraycopy(bytes, 0, shrunk, 0, at);
            System.arraycopy(bytes, at + 1, shrunk, at, bytes.length - at - 1);
            bytes = shrunk;
            if (bytes.length == 0) {
              return bytes;
            }
            break;
          }
      }
    }
    return bytes;
  }

  private static void assertSameVerdict(byte[] bytes, Counter wire, Counter parsed, int expected)
      throws Exception {
    Integer byParse;
    try {
      byParse = parsed.count(bytes);
    } catch (InvalidProtocolBufferException e) {
      byParse = null;
    }
    Integer byWire;
    try {
      byWire = wire.count(bytes);
    } catch (InvalidProtocolBufferException e) {
      byWire = null;
    }
    assertThat(byWire).isEqualTo(byParse);
    if (expected < 0) {
      assertThat(byWire).isNull();
    }
  }

  private static byte[] requestOfSpanBytes(byte[] fields) {
    // Valid ids first, then the fields under test.
    byte[] span =
        concat(
            request(Span.getDefaultInstance())
                .getResourceSpans(0)
                .getScopeSpans(0)
                .getSpans(0)
                .toByteArray(),
            fields);
    byte[] scope = concat(new byte[] {18, (byte) span.length}, span);
    byte[] resource = concat(new byte[] {18, (byte) scope.length}, scope);
    return concat(new byte[] {10, (byte) resource.length}, resource);
  }

  /** A request of {@code span}, given valid ids unless it has ids of its own. */
  private static ExportTraceServiceRequest request(Span span) {
    Span.Builder withIds = span.toBuilder();
    if (span.getTraceId().isEmpty()) {
      withIds.setTraceId(TRACE_ID);
    }
    if (span.getSpanId().isEmpty()) {
      withIds.setSpanId(SPAN_ID);
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(withIds)))
        .build();
  }

  /**
   * {@code request} if its ids follow the OTLP rules OtlpWire checks, written out plainly here from
   * the decoded request; otherwise the refusal a decode would then give.
   */
  private static ExportTraceServiceRequest withValidIds(ExportTraceServiceRequest request)
      throws InvalidProtocolBufferException {
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          boolean valid =
              isValidId(span.getTraceId(), 16)
                  && isValidId(span.getSpanId(), 8)
                  && (span.getParentSpanId().isEmpty() || span.getParentSpanId().size() == 8);
          for (Span.Link link : span.getLinksList()) {
            valid &= isValidId(link.getTraceId(), 16) && isValidId(link.getSpanId(), 8);
          }
          if (!valid) {
            throw new InvalidProtocolBufferException("invalid id");
          }
        }
      }
    }
    return request;
  }

  private static ExportLogsServiceRequest withValidIds(ExportLogsServiceRequest request)
      throws InvalidProtocolBufferException {
    for (ResourceLogs rl : request.getResourceLogsList()) {
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord record : sl.getLogRecordsList()) {
          if ((!record.getTraceId().isEmpty() && record.getTraceId().size() != 16)
              || (!record.getSpanId().isEmpty() && record.getSpanId().size() != 8)) {
            throw new InvalidProtocolBufferException("invalid id");
          }
        }
      }
    }
    return request;
  }

  private static boolean isValidId(ByteString id, int length) {
    return id.size() == length && !id.equals(ByteString.copyFrom(new byte[length]));
  }

  private static int count(ExportTraceServiceRequest request) {
    return request.getResourceSpansList().stream()
        .flatMap(rs -> rs.getScopeSpansList().stream())
        .mapToInt(ScopeSpans::getSpansCount)
        .sum();
  }

  private static int count(ExportLogsServiceRequest request) {
    return request.getResourceLogsList().stream()
        .flatMap(rl -> rl.getScopeLogsList().stream())
        .mapToInt(ScopeLogs::getLogRecordsCount)
        .sum();
  }

  private static int countPoints(ExportMetricsServiceRequest request) {
    int points = 0;
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          points +=
              m.getGauge().getDataPointsCount()
                  + m.getSum().getDataPointsCount()
                  + m.getHistogram().getDataPointsCount()
                  + m.getExponentialHistogram().getDataPointsCount()
                  + m.getSummary().getDataPointsCount();
        }
      }
    }
    return points;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
