/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client.internal;

import static io.opentelemetry.api.common.AttributeKey.booleanArrayKey;
import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.doubleArrayKey;
import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longArrayKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ValuesTest {

  private final Values defaults = Values.of(OptionalInt.empty());

  private static SpanData record(Consumer<Span> body) {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    try (SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build()) {
      Span span = provider.get("test").spanBuilder("s").startSpan();
      body.accept(span);
      span.end();
      // Read before close: shutting the provider down clears the exporter.
      return exporter.getFinishedSpanItems().get(0);
    }
  }

  private Attributes put(Values values, Object value) {
    return record(span -> values.put(span, "v", value)).getAttributes();
  }

  @Test
  void put_keepsPrimitives() {
    assertThat(put(defaults, "text").get(stringKey("v"))).isEqualTo("text");
    assertThat(put(defaults, 'c').get(stringKey("v"))).isEqualTo("c");
    assertThat(put(defaults, 42).get(longKey("v"))).isEqualTo(42L);
    assertThat(put(defaults, (short) 4).get(longKey("v"))).isEqualTo(4L);
    assertThat(put(defaults, 2.5f).get(doubleKey("v"))).isEqualTo(2.5);
    assertThat(put(defaults, true).get(booleanKey("v"))).isTrue();
    assertThat(put(defaults, StatusCode.OK).get(stringKey("v"))).isEqualTo("OK");
  }

  @Test
  void put_nullRecordsNothing() {
    assertThat(put(defaults, null).isEmpty()).isTrue();
  }

  @Test
  void put_typedArraysWhenEveryItemHasTheType() {
    assertThat(put(defaults, Arrays.asList(true, false)).get(booleanArrayKey("v")))
        .containsExactly(true, false);
    assertThat(put(defaults, new long[] {1, 2}).get(longArrayKey("v"))).containsExactly(1L, 2L);
    assertThat(put(defaults, Arrays.asList(1, 2.5)).get(doubleArrayKey("v")))
        .containsExactly(1.0, 2.5);
  }

  @Test
  void put_mixedListsBecomeStrings() {
    assertThat(
            put(defaults, Arrays.asList("a", 1, null, Collections.singletonMap("k", 1)))
                .get(stringArrayKey("v")))
        .containsExactly("a", "1", "null", "{\"k\": 1}");
    assertThat(put(defaults, Collections.emptyList()).get(stringArrayKey("v"))).isEmpty();
  }

  @Test
  void put_capsListsAt100Items() {
    List<Integer> many = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      many.add(i);
    }

    assertThat(put(defaults, many).get(longArrayKey("v"))).hasSize(100).endsWith(99L);
  }

  @Test
  void put_mapsAsJsonAndObjectsAsToStringCutTo1000() {
    Object big =
        new Object() {
          @Override
          public String toString() {
            return String.join("", Collections.nCopies(2000, "y"));
          }
        };

    assertThat(put(defaults, Collections.singletonMap("a", 1)).get(stringKey("v")))
        .isEqualTo("{\"a\": 1}");
    assertThat(put(defaults, big).get(stringKey("v"))).hasSize(1000);
  }

  @Test
  void put_objectWhoseToStringThrowsRecordsItsClassName() {
    Object broken =
        new Object() {
          @Override
          public String toString() {
            throw new IllegalStateException("no");
          }
        };

    assertThat(put(defaults, broken).get(stringKey("v"))).isEqualTo(broken.getClass().getName());
  }

  @Test
  void put_configuredLimitCutsStringsToo() {
    Values limited = Values.of(OptionalInt.of(3));

    assertThat(put(limited, "abcdef").get(stringKey("v"))).isEqualTo("abc");
    assertThat(put(limited, Arrays.asList("abcdef", 1)).get(stringArrayKey("v")))
        .containsExactly("abc", "1");
  }

  @Test
  void cut_neverSplitsASurrogatePair() {
    assertThat(Values.cut("ab\uD83D\uDE00", 3)).isEqualTo("ab");
    assertThat(Values.cut("abc", 5)).isEqualTo("abc");
  }

  @Test
  void recordError_writesErrorAttributesEventAndStatus() {
    SpanData span = record(s -> Values.recordError(s, new IllegalArgumentException("bad")));

    assertThat(span.getAttributes().get(stringKey("error.type")))
        .isEqualTo("java.lang.IllegalArgumentException");
    assertThat(span.getAttributes().get(stringKey("error.message"))).isEqualTo("bad");
    assertThat(span.getAttributes().get(stringKey("error.stack_trace")))
        .startsWith("java.lang.IllegalArgumentException: bad");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getEvents()).hasSize(1);
  }

  @Test
  void recordError_cutsLongStackTracesTo2000() {
    Throwable deep = new RuntimeException("deep");
    StackTraceElement[] frames = new StackTraceElement[500];
    Arrays.fill(frames, new StackTraceElement("a.B", "c", "B.java", 1));
    deep.setStackTrace(frames);

    SpanData span = record(s -> Values.recordError(s, deep));

    assertThat(span.getAttributes().get(stringKey("error.stack_trace"))).hasSize(2000);
  }
}
