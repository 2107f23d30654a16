/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void write_usesPythonSeparatorsAndKeepsOrder() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("role", "user");
    map.put("n", 3);
    map.put("ok", true);
    map.put("none", null);
    map.put("list", Arrays.asList(1.5, "a"));

    assertThat(Json.write(map, 1000))
        .isEqualTo(
            "{\"role\": \"user\", \"n\": 3, \"ok\": true, \"none\": null, \"list\": [1.5, \"a\"]}");
  }

  @Test
  void write_escapesControlAndNonAsciiCharacters() {
    assertThat(Json.write("a\"b\\c\nd\té€", 1000))
        .isEqualTo("\"a\\\"b\\\\c\\nd\\t\\u00e9\\u20ac\"");
  }

  @Test
  void write_arraysEnumsOptionalsAndOtherObjects() {
    assertThat(Json.write(new int[] {1, 2}, 1000)).isEqualTo("[1, 2]");
    assertThat(Json.write(TimeUnit.SECONDS, 1000)).isEqualTo("\"SECONDS\"");
    assertThat(Json.write(Optional.of("x"), 1000)).isEqualTo("\"x\"");
    assertThat(Json.write(Double.NaN, 1000)).isEqualTo("null");
    assertThat(Json.write(new StringBuilder("sb"), 1000)).isEqualTo("\"sb\"");
  }

  @Test
  void write_stopsSoonAfterTheLimit() {
    List<Integer> many = Collections.nCopies(10_000, 7);

    assertThat(Json.write(many, 20).length()).isLessThan(30);
  }

  @Test
  void write_endsCyclesAtFixedDepth() {
    List<Object> cycle = new java.util.ArrayList<>();
    cycle.add(cycle);

    assertThat(Json.write(cycle, 100_000)).startsWith("[[[[[[[[\"");
  }
}
