/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveTracesTest {

  private final MutableClock clock = new MutableClock();

  private static LiveTraces.SpanFacts llm(
      String trace, String span, String parent, String model, String agent, double cost) {
    SpanView view =
        new SpanView(span, parent, "chat", "svc", 1_000_000, 2_000_000, 0, List.of(), 0);
    return new LiveTraces.SpanFacts(
        trace,
        view,
        () -> view,
        parent.isEmpty(),
        true,
        model,
        agent,
        10,
        5,
        cost,
        false,
        null,
        null);
  }

  @Test
  void addAll_keepsAtMostMaxTracesDroppingTheStalest() {
    LiveTraces traces = new LiveTraces(3, 100, clock);
    for (int t = 0; t < 10; t++) {
      traces.addAll(List.of(llm("t" + t, "s" + t, "", "m", null, 0.1)));
    }
    // An update makes a trace the newest again.
    traces.addAll(List.of(llm("t7", "x", "s7", "m", null, 0.1)));

    List<Map<String, Object>> kept = traces.traces(null, null, null, 100);
    assertThat(kept).extracting(t -> t.get("traceId")).containsExactly("t7", "t9", "t8");
    assertThat(traces.status())
        .extracting(s -> ((Map<?, ?>) s.get("ring")).get("traces"))
        .isEqualTo(3);
  }

  @Test
  void addAll_spanBudgetTakesSpansFromTheStalestTraces() {
    LiveTraces traces = new LiveTraces(100, 10, clock);
    for (int t = 0; t < 5; t++) {
      List<LiveTraces.SpanFacts> spans = new ArrayList<>();
      for (int s = 0; s < 4; s++) {
        spans.add(llm("t" + t, "s" + s, s == 0 ? "" : "s0", "m", null, 0.01));
      }
      traces.addAll(spans);
    }

    assertThat(traces.spansKept()).isLessThanOrEqualTo(10);
    assertThat(traces.trace("t4").get("spans")).asList().hasSize(4);
    assertThat(traces.trace("t0").get("spans")).asList().isEmpty();
    assertThat(traces.trace("t0").get("spansLeftOut")).isEqualTo(4);
    // The summary stays whole.
    assertThat(traces.trace("t0").get("llmCalls")).isEqualTo(4);
  }

  @Test
  void addAll_oneTraceKeepsAtMostItsShareOfSpans() {
    LiveTraces traces = new LiveTraces(10, 100_000, clock);
    List<LiveTraces.SpanFacts> spans = new ArrayList<>();
    for (int s = 0; s < LiveTraces.MAX_SPANS_PER_TRACE + 50; s++) {
      spans.add(llm("big", "s" + s, s == 0 ? "" : "s0", "m", null, 0));
    }
    traces.addAll(spans);

    assertThat(traces.spansKept()).isEqualTo(LiveTraces.MAX_SPANS_PER_TRACE);
    assertThat(traces.trace("big").get("spansLeftOut")).isEqualTo(50);
    assertThat(traces.trace("big").get("spanCount")).isEqualTo(LiveTraces.MAX_SPANS_PER_TRACE + 50);
  }

  @Test
  void addAll_keepsTreesOfAFewNewTracesPerSecondOnly() {
    LiveTraces traces = new LiveTraces(1000, 100_000, clock);
    int burst = LiveTraces.DETAILED_TRACES_PER_SECOND + 30;
    for (int t = 0; t < burst; t++) {
      traces.addAll(List.of(llm("a" + t, "s", "", "m", null, 0.1)));
    }
    assertThat(traces.spansKept()).isEqualTo(LiveTraces.DETAILED_TRACES_PER_SECOND);
    assertThat(traces.trace("a" + (burst - 1)).get("spansLeftOut")).isEqualTo(1);
    // Summaries are kept for all of them.
    assertThat(traces.traces(null, null, null, 1000)).hasSize(burst);

    clock.advanceMillis(1000);
    traces.addAll(List.of(llm("b", "s", "", "m", null, 0.1)));
    assertThat(traces.trace("b").get("spansLeftOut")).isEqualTo(0);
  }

  @Test
  void addAll_aRetriedRequestIsCountedOnce() {
    LiveTraces traces = new LiveTraces(10, 100, clock);
    List<LiveTraces.SpanFacts> request = List.of(llm("t", "s1", "", "gpt-4o", "a", 0.5));
    traces.addAll(request);
    traces.addAll(request);

    assertThat(traces.trace("t").get("costUsd")).isEqualTo(0.5);
    assertThat(traces.trace("t").get("spanCount")).isEqualTo(1);
    assertThat(traces.costs(15, 6).get("totalCostUsd")).isEqualTo(0.5);
  }

  @Test
  void costs_capDistinctValuesPerMinuteAndFoldTheRest() {
    LiveTraces traces = new LiveTraces(10, 0, clock);
    List<LiveTraces.SpanFacts> spans = new ArrayList<>();
    for (int m = 0; m < LiveTraces.MAX_VALUES_PER_MINUTE + 30; m++) {
      spans.add(llm("t" + m, "s", "", "model-" + m, null, 1.0));
    }
    traces.addAll(spans);

    Map<String, Object> costs = traces.costs(60, 6);
    List<?> models = (List<?>) costs.get("model");
    assertThat(models).hasSize(7); // six named and "other"
    assertThat(((Map<?, ?>) models.get(6)).get("name")).isEqualTo("other");
    assertThat(((Map<?, ?>) models.get(6)).get("totalCostUsd"))
        .isEqualTo((double) LiveTraces.MAX_VALUES_PER_MINUTE + 30 - 6);
    assertThat(costs.get("totalCostUsd")).isEqualTo((double) LiveTraces.MAX_VALUES_PER_MINUTE + 30);
  }

  @Test
  void costs_forgetMinutesOlderThanTheWindow() {
    LiveTraces traces = new LiveTraces(10, 10, clock);
    traces.addAll(List.of(llm("old", "s", "", "m", null, 2.0)));
    clock.advanceMinutes(20);
    traces.addAll(List.of(llm("new", "s", "", "m", null, 1.0)));

    assertThat(traces.costs(15, 6).get("totalCostUsd")).isEqualTo(1.0);
    assertThat(traces.costs(60, 6).get("totalCostUsd")).isEqualTo(3.0);
    clock.advanceMinutes(61);
    assertThat(traces.costs(60, 6).get("totalCostUsd")).isEqualTo(0.0);
  }

  @Test
  void costs_agentOfTheRootStandsForItsChildren() {
    LiveTraces traces = new LiveTraces(10, 10, clock);
    SpanView root = new SpanView("r", "", "run", "svc", 1, 2, 0, List.of(), 0);
    traces.addAll(
        List.of(
            llm("t", "c", "r", "m", null, 1.0),
            new LiveTraces.SpanFacts(
                "t",
                root,
                () -> root,
                true,
                false,
                null,
                "planner",
                0,
                0,
                Double.NaN,
                false,
                null,
                null)));

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> agents = (List<Map<String, Object>>) traces.costs(15, 6).get("agent");
    assertThat(agents).extracting(a -> a.get("name")).containsExactly("planner");
  }

  @Test
  void create_refusesNonsenseBounds() {
    assertThatThrownBy(() -> new LiveTraces(0, 10, clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LiveTraces(10, -1, clock))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T10:00:30Z");

    void advanceMinutes(long minutes) {
      now = now.plusSeconds(60 * minutes);
    }

    void advanceMillis(long millis) {
      now = now.plusMillis(millis);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public long millis() {
      return now.toEpochMilli();
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
