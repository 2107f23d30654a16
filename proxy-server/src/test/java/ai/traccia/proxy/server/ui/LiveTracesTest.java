/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveTracesTest {

  private final MutableClock clock = new MutableClock();

  /** Facts as given, the span's id its view's id in bytes. */
  record Facts(
      String traceId,
      SpanView view,
      boolean root,
      boolean inference,
      String model,
      String agent,
      long inputTokens,
      long outputTokens,
      double costUsd,
      boolean unpriced,
      LiveTraces.Pricing pricing,
      String guardrailSummary)
      implements LiveTraces.SpanFacts {

    @Override
    public ByteString spanId() {
      return ByteString.copyFromUtf8(view.spanId());
    }

    @Override
    public String name() {
      return view.name();
    }

    @Override
    public String service() {
      return view.service();
    }

    @Override
    public long startNanos() {
      return view.startNanos();
    }

    @Override
    public long endNanos() {
      return view.endNanos();
    }

    @Override
    public int statusCode() {
      return view.statusCode();
    }

    @Override
    public SpanView detail() {
      return view;
    }
  }

  private static LiveTraces.SpanFacts llm(
      String trace, String span, String parent, String model, String agent, double cost) {
    SpanView view =
        new SpanView(span, parent, "chat", "svc", 1_000_000, 2_000_000, 0, List.of(), 0);
    return new Facts(
        trace, view, parent.isEmpty(), true, model, agent, 10, 5, cost, false, null, null);
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
  void addAll_aTraceBackAfterAnotherIsTheNewestAgain_forTheRingAndTheSpanBudget() {
    LiveTraces traces = new LiveTraces(2, 3, clock);
    traces.addAll(List.of(llm("a", "a0", "", "m", null, 0), llm("a", "a1", "a0", "m", null, 0)));
    traces.addAll(List.of(llm("b", "b0", "", "m", null, 0)));
    // a is the newest again: past the budget of 3 spans, b (now the stalest) gives up its span.
    traces.addAll(List.of(llm("a", "a2", "a0", "m", null, 0)));

    assertThat(traces.spansKept()).isEqualTo(3);
    assertThat(traces.trace("b").get("spans")).asList().isEmpty();
    assertThat(traces.trace("a").get("spans")).asList().hasSize(3);

    // c pushes the stalest trace, b, out of the ring of 2.
    traces.addAll(List.of(llm("c", "c0", "", "m", null, 0)));

    assertThat(traces.traces(null, null, null, 10))
        .extracting(t -> t.get("traceId"))
        .containsExactly("c", "a");
    // Over budget again, a (the stalest with spans) gives up its spans, not c.
    assertThat(traces.trace("c").get("spans")).asList().hasSize(1);
    assertThat(traces.spansKept()).isLessThanOrEqualTo(3);
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
            new Facts(
                "t", root, true, false, null, "planner", 0, 0, Double.NaN, false, null, null)));

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> agents = (List<Map<String, Object>>) traces.costs(15, 6).get("agent");
    assertThat(agents).extracting(a -> a.get("name")).containsExactly("planner");
  }

  @Test
  void addAll_retriedSpanWithTheSameEightByteIdCountedOnce() {
    LiveTraces traces = new LiveTraces(10, 100, clock);
    traces.addAll(List.of(llm("t", "root0001", "", "m", null, 0.5)));
    traces.addAll(
        List.of(
            llm("t", "child001", "root0001", "m", null, 0.25),
            llm("t", "root0001", "", "m", null, 0.5)));
    traces.addAll(List.of(llm("t", "child001", "root0001", "m", null, 0.25)));

    assertThat(traces.trace("t").get("spanCount")).isEqualTo(2);
    assertThat(traces.trace("t").get("costUsd")).isEqualTo(0.75);
    assertThat(traces.trace("t").get("spans")).asList().hasSize(2);
  }

  @Test
  void addAll_idsNotEightBytesAreCountedOnceTooAndEmptyIdsEveryTime() {
    LiveTraces traces = new LiveTraces(10, 100, clock);
    String sixteen = "0123456789abcdef";
    for (int k = 0; k < 2; k++) {
      traces.addAll(
          List.of(
              llm("t", "root", "", "m", null, 1),
              llm("t", sixteen, "root", "m", null, 1),
              llm("t", "\0".repeat(8), "root", "m", null, 1),
              llm("t", "", "root", "m", null, 1)));
    }

    // Each id once, the empty one each time it came.
    assertThat(traces.trace("t").get("spanCount")).isEqualTo(5);
  }

  @Test
  void spanIds_tellRepeatsAcrossGrowthAndForgetOnClear() {
    LiveTraces.SpanIds ids = new LiveTraces.SpanIds();
    for (long n = 0; n < 1000; n++) {
      assertThat(ids.seen(eightBytes(n * 7919))).isFalse();
    }
    for (long n = 0; n < 1000; n++) {
      assertThat(ids.seen(eightBytes(n * 7919))).isTrue();
    }
    assertThat(ids.seen(ByteString.copyFromUtf8("short"))).isFalse();
    assertThat(ids.seen(ByteString.copyFromUtf8("short"))).isTrue();
    assertThat(ids.seen(ByteString.EMPTY)).isFalse();
    assertThat(ids.seen(ByteString.EMPTY)).isFalse();
    assertThat(ids.size()).isEqualTo(1002);

    ids.clear();
    assertThat(ids.size()).isZero();
    assertThat(ids.seen(eightBytes(0))).isFalse();
    assertThat(ids.seen(eightBytes(7919))).isFalse();
    assertThat(ids.seen(eightBytes(0))).isTrue();
  }

  @Test
  void status_pricingIsTheLastPricedSpanNonRootsAfterRoots() {
    LiveTraces traces = new LiveTraces(10, 10, clock);
    SpanView child = new SpanView("c", "r", "chat", "svc", 1, 2, 0, List.of(), 0);
    SpanView root = new SpanView("r", "", "chat", "svc", 1, 2, 0, List.of(), 0);
    traces.addAll(
        List.of(
            new Facts("t", child, false, true, "m", null, 1, 1, 0.1, false, pricing("child"), null),
            new Facts("t", root, true, true, "m", null, 1, 1, 0.1, false, pricing("root"), null)));

    assertThat(((Map<?, ?>) traces.status().get("pricing")).get("source")).isEqualTo("child");
  }

  @Test
  void addAll_rootsWithTheSameSummaryEachGetItsBadges() {
    LiveTraces traces = new LiveTraces(10, 10, clock);
    String summary =
        "{\"detected_categories\": [\"pii\"], \"triggered_categories\": [],"
            + " \"missing_categories\": [{\"category\": \"moderation\"}]}";
    for (String trace : List.of("a", "b")) {
      SpanView root = new SpanView("r", "", "run", "svc", 1, 2, 0, List.of(), 0);
      traces.addAll(
          List.of(
              new Facts(
                  trace, root, true, false, null, null, 0, 0, Double.NaN, false, null, summary)));
    }
    SpanView bad = new SpanView("r", "", "run", "svc", 1, 2, 0, List.of(), 0);
    traces.addAll(
        List.of(new Facts("c", bad, true, false, null, null, 0, 0, Double.NaN, false, null, "{")));

    for (String trace : List.of("a", "b")) {
      assertThat(traces.trace(trace).get("guardrails"))
          .isEqualTo(
              Map.of(
                  "known", true,
                  "detected", List.of("pii"),
                  "triggered", List.of(),
                  "missing", List.of("moderation")));
    }
    assertThat(((Map<?, ?>) traces.trace("c").get("guardrails")).get("known")).isEqualTo(false);
  }

  @Test
  void addAll_rootsTakingTurnsWithManySummariesEachGetTheirOwnBadges() {
    LiveTraces traces = new LiveTraces(100, 0, clock);
    for (int round = 0; round < 2; round++) {
      for (int k = 0; k < 12; k++) {
        SpanView root = new SpanView("r", "", "run", "svc", 1, 2, 0, List.of(), 0);
        String summary = "{\"detected_categories\": [\"c" + k + "\"]}";
        traces.addAll(
            List.of(
                new Facts(
                    "t" + round + "-" + k,
                    root,
                    true,
                    false,
                    null,
                    null,
                    0,
                    0,
                    Double.NaN,
                    false,
                    null,
                    summary)));
      }
    }

    for (int round = 0; round < 2; round++) {
      for (int k = 0; k < 12; k++) {
        assertThat(
                ((Map<?, ?>) traces.trace("t" + round + "-" + k).get("guardrails")).get("detected"))
            .isEqualTo(List.of("c" + k));
      }
    }
  }

  /**
   * The streaming read gives what reading the summary as a tree gave, on summaries as written and
   * on odd ones: repeated keys, objects for arrays, non-text values, too many categories, trailing
   * text, broken JSON.
   */
  @Test
  void readGuardrails_readsWhatTheTreeModelReads() {
    List<String> summaries =
        List.of(
            GUARDRAIL_SUMMARY,
            "",
            "  ",
            "null",
            "[1, 2]",
            "\"text\"",
            "{}",
            "{} trailing",
            "{\"detected_categories\": [\"a\"]} {",
            "{\"detected_categories\": [\"a\", 1, null, true, [\"b\"], {\"c\": \"d\"}, \"e\"]}",
            "{\"detected_categories\": [\"a\"], \"detected_categories\": [\"b\"]}",
            "{\"detected_categories\": {\"x\": \"a\", \"y\": 2, \"x\": \"c\", \"z\": \"b\"}}",
            "{\"triggered_categories\": \"a\", \"missing_categories\": 3}",
            "{\"missing_categories\": [{\"category\": \"a\", \"category\": \"b\"},"
                + " {\"category\": 1}, \"c\", [\"d\"], {\"why\": {\"category\": \"e\"}},"
                + " {\"category\": \"f\", \"category\": [1]}, {\"x\": 1, \"category\": \"g\"}]}",
            "{\"missing_categories\": {\"a\": {\"category\": \"h\"}, \"b\": \"i\"}}",
            "{\"detected_categories\": [" + "\"x\", ".repeat(40) + "\"y\"]}",
            "{\"detected_categories\": [\"\\u00e9\\n\"], \"nested\": {\"a\": [[{}]]}, \"n\": -1.5e3}",
            "{\"detected_categories\": [\"a\"",
            "{\"detected_categories\": [\"a\"], \"x\": [1,]}",
            "{\"detected_categories\": [\"a\"], \"x\": \"\\q\"}",
            "{\"detected_categories\": [\"a\"], 'x': 1}",
            "{\"a\": 1}}",
            "]");
    for (String summary : summaries) {
      assertThat(LiveTraces.readGuardrails(summary)).as(summary).isEqualTo(treeRead(summary));
    }
  }

  /** What the page read from a summary before, with Jackson's tree model: the oracle. */
  private static LiveTraces.Guardrails treeRead(String summaryJson) {
    try {
      JsonNode summary = new ObjectMapper().readTree(summaryJson);
      return new LiveTraces.Guardrails(
          true,
          treeStrings(summary.path("detected_categories"), null),
          treeStrings(summary.path("triggered_categories"), null),
          treeStrings(summary.path("missing_categories"), "category"));
    } catch (java.io.IOException | RuntimeException e) {
      return LiveTraces.Guardrails.UNREADABLE;
    }
  }

  private static List<String> treeStrings(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) {
      JsonNode value = field == null ? n : n.path(field);
      if (value.isTextual() && out.size() < 16) {
        out.add(value.asText());
      }
    }
    return List.copyOf(out);
  }

  /** A summary as the guardrail stage writes it. */
  private static final String GUARDRAIL_SUMMARY =
      "{\"detected_categories\": [\"tool_permission\", \"unknown\"], \"triggered_categories\":"
          + " [\"tool_permission\"], \"missing_categories\": [{\"category\": \"input_validation\","
          + " \"why_required\": \"Agent makes LLM calls with prompt data (may be user-provided)\","
          + " \"missing_confidence\": \"medium\", \"evidence_ref\": {\"attribute_keys\":"
          + " [\"calls_llm\", \"handles_user_text\"]}}, {\"category\": \"tool_permission\","
          + " \"why_required\": \"Agent uses tool/function calls\", \"missing_confidence\":"
          + " \"high\", \"evidence_ref\": {\"attribute_keys\": [\"uses_tools\"]}}],"
          + " \"coverage_confidence\": \"medium\", \"capabilities_observed\": [\"calls_llm\"],"
          + " \"limitations\": [\"2 expected guardrail categories not detected in trace.\"]}";

  private static LiveTraces.Pricing pricing(String source) {
    return new LiveTraces.Pricing(source, "2026-01-01", 3, "v1");
  }

  private static ByteString eightBytes(long n) {
    byte[] b = new byte[8];
    for (int k = 0; k < 8; k++) {
      b[k] = (byte) (n >>> (56 - 8 * k));
    }
    return ByteString.copyFrom(b);
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
