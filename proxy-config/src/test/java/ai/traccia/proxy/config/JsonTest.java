/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonTest {

  @Test
  void parse_objectsKeepOrderAndNumbersStayExact() throws Exception {
    Object value =
        Json.parse(
            " {\"b\": {\"prompt\": 0.0000025, \"n\": -1.5e3}, \"a\": [true, false, null, \"x\\u00e9\\n\"]} ");

    assertThat(value).isInstanceOf(Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) value;
    assertThat(map.keySet()).containsExactly("b", "a");
    @SuppressWarnings("unchecked")
    Map<String, Object> b = (Map<String, Object>) map.get("b");
    assertThat(b.get("prompt")).isEqualTo(new BigDecimal("0.0000025"));
    assertThat(((BigDecimal) b.get("n")).compareTo(new BigDecimal("-1500"))).isZero();
    assertThat(map.get("a")).isEqualTo(Arrays.asList(true, false, Json.NULL, "xé\n"));
  }

  @Test
  void parse_emptyContainers() throws Exception {
    assertThat(Json.parse("{}")).isEqualTo(Map.of());
    assertThat(Json.parse("[ ]")).isEqualTo(Arrays.asList());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''                | unexpected end of input, expected a value at column 1",
        "{\"a\": 1,}       | unexpected '}', expected a quoted key at column 9",
        "{\"a\" 1}         | unexpected '1', expected ':' at column 6",
        "{\"a\": 1, \"a\": 2} | duplicate key \"a\" at column 10",
        "[1 2]             | unexpected '2', expected ',' or ']' at column 4",
        "01                | unexpected '1' after the end of the value at column 2",
        "1.                | unexpected end of input, expected a digit after '.' at column 3",
        "-                 | unexpected end of input, expected a digit at column 2",
        "\"abc             | unterminated string at column 5",
        "\"a\\qb\"         | invalid escape \\q at column 3",
        "tru               | unexpected 't', expected a value at column 1",
        "{} x              | unexpected 'x' after the end of the value at column 4",
        "// comment        | unexpected '/', expected a value at column 1",
      })
  void parse_rejectsWithColumn(String text, String message) {
    assertThatThrownBy(() -> Json.parse(text))
        .isInstanceOf(Json.JsonException.class)
        .hasMessage(message);
  }

  @Test
  void parse_rejectsDeepNesting() {
    StringBuilder deep = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      deep.append('[');
    }
    assertThatThrownBy(() -> Json.parse(deep.toString()))
        .hasMessage("nesting deeper than 64 levels at column 66");
  }
}
