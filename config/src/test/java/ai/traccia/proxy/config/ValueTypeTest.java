/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypeTest {

  private final ValueType.Context context =
      new ValueType.Context(Path.of("/home/me"), Path.of("/srv/proxy"));

  @Test
  void boolean_acceptsTheSixWordsInAnyCase() throws Exception {
    for (String t : new String[] {"true", "TRUE", "1", "yes", " Yes "}) {
      assertThat(ValueType.BOOLEAN.fromText(t, context)).as(t).isTrue();
    }
    for (String f : new String[] {"false", "0", "no", "NO"}) {
      assertThat(ValueType.BOOLEAN.fromText(f, context)).as(f).isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"on", "off", "y", "n", "2", "enabled", ""})
  void boolean_rejectsEverythingElse(String text) {
    assertThatThrownBy(() -> ValueType.BOOLEAN.fromText(text, context))
        .isInstanceOf(ValueType.InvalidValue.class)
        .hasMessage("true, false, 1, 0, yes or no");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.5f", "0x10", "NaN", "Infinity", "1,5", ""})
  void double_rejectsJavaOnlySpellings(String text) {
    assertThatThrownBy(() -> ValueType.DOUBLE.fromText(text, context))
        .isInstanceOf(ValueType.InvalidValue.class)
        .hasMessage("a number");
  }

  @Test
  void double_acceptsDecimalAndExponent() throws Exception {
    assertThat(ValueType.DOUBLE.fromText(" .5 ", context)).isEqualTo(0.5);
    assertThat(ValueType.DOUBLE.fromText("1e2", context)).isEqualTo(100.0);
    assertThat(ValueType.DOUBLE.fromText("-3", context)).isEqualTo(-3.0);
  }

  @Test
  void path_expandsHomeAndResolvesAgainstWorkingDirectory() throws Exception {
    assertThat(ValueType.PATH.fromText("~/a/b.json", context))
        .isEqualTo(Path.of("/home/me/a/b.json"));
    assertThat(ValueType.PATH.fromText("~", context)).isEqualTo(Path.of("/home/me"));
    assertThat(ValueType.PATH.fromText("out/../t.jsonl", context))
        .isEqualTo(Path.of("/srv/proxy/t.jsonl"));
    assertThat(ValueType.PATH.fromText("/abs/x", context)).isEqualTo(Path.of("/abs/x"));
  }

  @Test
  void percentDecode() {
    assertThat(ValueType.percentDecode("a%20b+c%3D%3D")).isEqualTo("a b+c==");
    assertThat(ValueType.percentDecode("%C3%A9t%C3%A9")).isEqualTo("été");
    assertThat(ValueType.percentDecode("plain")).isEqualTo("plain");
    assertThat(ValueType.percentDecode("bad%2")).isNull();
    assertThat(ValueType.percentDecode("bad%zz")).isNull();
  }

  @Test
  void headers_fromTextSkipsEmptyEntries() throws Exception {
    assertThat(ValueType.HEADERS.fromText(" a = 1 ,, b=2=3 ", context))
        .containsExactly(Map.entry("a", "1"), Map.entry("b", "2=3"));
  }

  @Test
  void showUri_hidesUserInfoAndQuery() {
    assertThat(ValueType.showUri("https://u:p@h:1/x?key=s")).isEqualTo("https://****@h:1/x?****");
    assertThat(ValueType.showUri("http://h/x")).isEqualTo("http://h/x");
  }

  @Test
  void showPlain_truncatesLongValues() {
    String shown = ValueType.showPlain("x".repeat(200), false);
    assertThat(shown).hasSize(83).endsWith("...");
  }
}
