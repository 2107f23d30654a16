/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ui;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The live page's memory: a ring of the last traces' summaries, the spans of the newest of them for
 * their trees, and per-minute cost and token totals for the last hour.
 *
 * <p>Every part is bounded: at most {@code maxTraces} summaries (the least recently updated trace
 * goes first), at most {@code maxSpans} spans over all traces and {@value #MAX_SPANS_PER_TRACE} per
 * trace (the least recently updated traces lose their spans first, their summaries stay), and at
 * most {@value #MAX_VALUES_PER_MINUTE} models, services and agents each per minute, the rest
 * counted as {@code other}. Nothing of a request is kept but what {@link SpanView} holds, the span
 * ids seen per trace (at most {@value #MAX_IDS_PER_TRACE}), and the last {@value #RECENT_SUMMARIES}
 * guardrail summaries read, of {@value #MAX_RECENT_SUMMARY_CHARS} characters at most, to read a
 * summary seen again with one comparison.
 *
 * <p>Thread-safe: spans are added from the receivers' threads and read from the admin server's;
 * every method holds the lock for a short copy only.
 */
final class LiveTraces {

  /** Spans kept for one trace's tree at most; later ones are counted, not kept. */
  static final int MAX_SPANS_PER_TRACE = 200;

  /** Distinct values of each dimension per minute; past it they add up as {@code other}. */
  static final int MAX_VALUES_PER_MINUTE = 50;

  /** Span ids remembered per trace to count a retried request's spans once. */
  private static final int MAX_IDS_PER_TRACE = 1000;

  /**
   * New traces per second whose spans are kept for their trees; the others get a summary only.
   * Reading a span's attributes is most of this stage's cost, so under load it is spent on a steady
   * sample of traces rather than on spans the ring would drop a moment later.
   */
  static final int DETAILED_TRACES_PER_SECOND = 20;

  /** Distinct unpriced models listed at most. */
  private static final int MAX_UNPRICED_MODELS = 50;

  private static final int MINUTES = 60;
  private static final String OTHER = "other";

  /** Guardrail summaries remembered with what they say. */
  private static final int RECENT_SUMMARIES = 8;

  /** Longer summaries are read every time, not remembered: the memory stays small. */
  private static final int MAX_RECENT_SUMMARY_CHARS = 16 * 1024;

  /** Categories of each kind read from a guardrail summary at most. */
  private static final int MAX_CATEGORIES = 16;

  private static final JsonFactory JSON = new JsonFactory();

  private final int maxTraces;
  private final int maxSpans;
  private final Clock clock;
  // Access order is update order: re-inserted on every update, so the head is the stalest trace.
  private final LinkedHashMap<String, Trace> traces = new LinkedHashMap<>();
  // The traces that still keep spans, in the same order: where the span budget takes from first.
  private final LinkedHashMap<String, Trace> withSpans = new LinkedHashMap<>();
  // The last entry of each map, or null. Batches are mostly runs of one trace's spans, and a trace
  // that is already the last entry needs no re-insertion: one comparison instead of two hashings.
  private Trace newest;
  private Trace newestWithSpans;
  private final Minute[] minutes = new Minute[MINUTES];
  private final Map<String, Long> unpricedModels = new TreeMap<>();
  private int spansKept;
  private long detailSecond = -1;
  private int detailedThisSecond;
  private long spansSeen;
  private Pricing lastPricing;
  // The last guardrail summaries read and what they said, replaced in turn: the traces of an
  // application have a few summaries between them, so most roots are read with a comparison.
  private final String[] recentSummaries = new String[RECENT_SUMMARIES];
  private final Guardrails[] recentGuardrails = new Guardrails[RECENT_SUMMARIES];
  private int nextRecent;

  LiveTraces(int maxTraces, int maxSpans, Clock clock) {
    if (maxTraces < 1 || maxSpans < 0) {
      throw new IllegalArgumentException(
          "maxTraces: " + maxTraces + ", maxSpans: " + maxSpans + " (expected: >= 1, >= 0)");
    }
    this.maxTraces = maxTraces;
    this.maxSpans = maxSpans;
    this.clock = clock;
  }

  /**
   * What the tap read from one accepted span. Parts that cost a lookup or a string ({@link #name},
   * {@link #agent}, {@link #pricing}, {@link #guardrailSummary}, {@link #detail}) are asked for
   * only where they can matter, within the {@link #addAll} call that is given the span.
   */
  interface SpanFacts {

    /** The trace id in hex. */
    String traceId();

    /** The span id as it arrived; 8 bytes unless the sender broke the rule. */
    ByteString spanId();

    boolean root();

    /** The span's name, shortened; asked for roots only. */
    String name();

    String service();

    long startNanos();

    long endNanos();

    int statusCode();

    boolean inference();

    String model();

    long inputTokens();

    long outputTokens();

    double costUsd();

    boolean unpriced();

    /** The agent the span or its resource names, or null. */
    String agent();

    /** The pricing the span was priced with, or null. */
    Pricing pricing();

    /** The root's guardrail summary as JSON, or null; asked for roots only. */
    String guardrailSummary();

    /** The span as kept for its trace's tree, with its attributes; for kept spans only. */
    SpanView detail();
  }

  /** What a guardrail summary says, for the badges; unknown when it could not be read. */
  record Guardrails(
      boolean known, List<String> detected, List<String> triggered, List<String> missing) {
    static final Guardrails UNREADABLE = new Guardrails(false, List.of(), List.of(), List.of());
  }

  /** The pricing a priced span was computed with. */
  record Pricing(String source, String generatedAt, long ageDays, String snapshotVersion) {}

  /**
   * Adds accepted spans, under one lock. A span id already seen in its trace (a request the client
   * sent again) replaces the kept copy and is not counted again.
   */
  synchronized void addAll(List<? extends SpanFacts> spans) {
    // Roots first: their agent then stands for the spans under them that name none.
    for (SpanFacts s : spans) {
      if (s.root()) {
        add(s);
      }
    }
    for (SpanFacts s : spans) {
      if (!s.root()) {
        add(s);
      }
    }
    // Only the last pricing in that order is kept: look for it from the end, not on every span.
    Pricing pricing = null;
    for (int k = spans.size() - 1; k >= 0 && pricing == null; k--) {
      if (!spans.get(k).root()) {
        pricing = spans.get(k).pricing();
      }
    }
    for (int k = spans.size() - 1; k >= 0 && pricing == null; k--) {
      if (spans.get(k).root()) {
        pricing = spans.get(k).pricing();
      }
    }
    if (pricing != null) {
      lastPricing = pricing;
    }
  }

  private void add(SpanFacts s) {
    spansSeen++;
    Trace t = newest;
    if (t == null || !t.traceId.equals(s.traceId())) {
      t = traces.remove(s.traceId());
      if (t == null) {
        t = new Trace(s.traceId());
        long second = clock.millis() / 1000;
        if (second != detailSecond) {
          detailSecond = second;
          detailedThisSecond = 0;
        }
        t.detailed = maxSpans > 0 && detailedThisSecond++ < DETAILED_TRACES_PER_SECOND;
      }
      traces.put(s.traceId(), t);
      newest = t;
    }
    boolean repeated = t.ids.seen(s.spanId());
    if (t.ids.size() > MAX_IDS_PER_TRACE) {
      t.ids.clear(); // keeps memory bounded; a very late retry may then count twice
    }
    String summary = s.root() ? s.guardrailSummary() : null;
    t.update(s, repeated, clock.millis(), summary == null ? null : guardrails(summary));
    if (!repeated) {
      addToMinute(s, s.agent() != null ? s.agent() : t.agent);
      if (s.unpriced() && s.model() != null) {
        if (unpricedModels.containsKey(s.model()) || unpricedModels.size() < MAX_UNPRICED_MODELS) {
          unpricedModels.merge(s.model(), 1L, Long::sum);
        }
      }
    }
    keepSpan(t, s, repeated);
    while (traces.size() > maxTraces) {
      Iterator<Trace> oldest = traces.values().iterator();
      Trace evicted = oldest.next();
      spansKept -= evicted.spans.size();
      if (withSpans.remove(evicted.traceId) == newestWithSpans) {
        newestWithSpans = null;
      }
      if (evicted == newest) {
        newest = null;
      }
      oldest.remove();
    }
  }

  private void keepSpan(Trace t, SpanFacts s, boolean repeated) {
    SpanView detail = null;
    if (repeated && !t.spans.isEmpty()) {
      detail = s.detail();
      for (int k = 0; k < t.spans.size(); k++) {
        if (t.spans.get(k).spanId().equals(detail.spanId())) {
          t.spans.set(k, detail);
          return;
        }
      }
    }
    if (!t.detailed || t.spans.size() >= MAX_SPANS_PER_TRACE) {
      t.spansLeftOut++;
      return;
    }
    t.spans.add(detail != null ? detail : s.detail());
    spansKept++;
    if (t != newestWithSpans) {
      withSpans.remove(t.traceId);
      withSpans.put(t.traceId, t);
      newestWithSpans = t;
    }
    // Over budget: the stalest traces give up their spans, never the one being written.
    Iterator<Trace> it = withSpans.values().iterator();
    while (spansKept > maxSpans && it.hasNext()) {
      Trace stale = it.next();
      if (stale == t) {
        break;
      }
      spansKept -= stale.spans.size();
      stale.spansLeftOut += stale.spans.size();
      stale.spans.clear();
      it.remove();
    }
  }

  private void addToMinute(SpanFacts s, String agent) {
    if (!s.inference()) {
      return;
    }
    long minute = clock.millis() / 60_000;
    int slot = (int) (minute % MINUTES);
    Minute m = minutes[slot];
    if (m == null || m.minute != minute) {
      m = new Minute(minute);
      minutes[slot] = m;
    }
    double cost = Double.isNaN(s.costUsd()) ? 0 : s.costUsd();
    long tokens = Math.max(0, s.inputTokens()) + Math.max(0, s.outputTokens());
    m.add("model", s.model(), cost, tokens);
    m.add("service", s.service(), cost, tokens);
    m.add("agent", agent, cost, tokens);
  }

  /** What {@code summaryJson} says; the last few summaries read are remembered. */
  private Guardrails guardrails(String summaryJson) {
    for (int k = 0; k < RECENT_SUMMARIES; k++) {
      String recent = recentSummaries[k];
      if (summaryJson.equals(recent)) {
        return recentGuardrails[k];
      }
    }
    Guardrails read = readGuardrails(summaryJson);
    if (summaryJson.length() > MAX_RECENT_SUMMARY_CHARS) {
      return read;
    }
    recentSummaries[nextRecent] = summaryJson;
    recentGuardrails[nextRecent] = read;
    nextRecent = (nextRecent + 1) % RECENT_SUMMARIES;
    return read;
  }

  /**
   * Reads the three lists of categories out of a guardrail summary, at most {@value
   * #MAX_CATEGORIES} each, with a streaming parser: the rest of the summary is skipped, not built.
   * Reads what Jackson's tree model would: the value of the last of duplicate keys; the values of
   * an object where an array is expected; text only, other values passed over; and a summary is
   * unreadable only when its first JSON value is not well-formed (what follows it is not read).
   */
  static Guardrails readGuardrails(String summaryJson) {
    try (JsonParser p = JSON.createParser(summaryJson)) {
      List<String> detected = List.of();
      List<String> triggered = List.of();
      List<String> missing = List.of();
      JsonToken first = p.nextToken();
      if (first == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken value = p.nextToken();
          switch (field) {
            case "detected_categories" -> detected = categories(p, value, false);
            case "triggered_categories" -> triggered = categories(p, value, false);
            case "missing_categories" -> missing = categories(p, value, true);
            default -> p.skipChildren();
          }
        }
      } else if (first != null) {
        p.skipChildren();
      }
      return new Guardrails(true, detected, triggered, missing);
    } catch (IOException | RuntimeException e) {
      // Not ours to judge here: the summary stays on the span; the badges are left out.
      return Guardrails.UNREADABLE;
    }
  }

  /**
   * The categories in the value at {@code p}, which starts with {@code token}: its text elements,
   * or with {@code inCategory} the text {@code category} field of its object elements.
   */
  private static List<String> categories(JsonParser p, JsonToken token, boolean inCategory)
      throws IOException {
    if (token == JsonToken.START_ARRAY) {
      List<String> out = new ArrayList<>(4);
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        String category = category(p, t, inCategory);
        if (category != null && out.size() < MAX_CATEGORIES) {
          out.add(category);
        }
      }
      return List.copyOf(out);
    }
    if (token == JsonToken.START_OBJECT) {
      // Not what a summary holds; read as the tree model iterates an object: its values, in the
      // order of their keys' first appearance, the last value of a repeated key.
      Map<String, String> values = new LinkedHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        values.put(key, category(p, p.nextToken(), inCategory));
      }
      List<String> out = new ArrayList<>();
      for (String category : values.values()) {
        if (category != null && out.size() < MAX_CATEGORIES) {
          out.add(category);
        }
      }
      return List.copyOf(out);
    }
    p.skipChildren();
    return List.of();
  }

  /** One element's category, or null; leaves {@code p} at the element's last token. */
  private static String category(JsonParser p, JsonToken token, boolean inCategory)
      throws IOException {
    if (!inCategory) {
      if (token == JsonToken.VALUE_STRING) {
        return p.getText();
      }
      p.skipChildren();
      return null;
    }
    if (token != JsonToken.START_OBJECT) {
      p.skipChildren();
      return null;
    }
    String category = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      boolean isCategory = p.currentName().equals("category");
      JsonToken value = p.nextToken();
      if (isCategory) {
        category = value == JsonToken.VALUE_STRING ? p.getText() : null;
      }
      p.skipChildren();
    }
    return category;
  }

  /** The kept traces, newest update first, that match every non-null filter; at most limit. */
  synchronized List<Map<String, Object>> traces(
      String service, String agent, String model, int limit) {
    List<Map<String, Object>> out = new ArrayList<>();
    List<Trace> all = new ArrayList<>(traces.values());
    for (int k = all.size() - 1; k >= 0 && out.size() < limit; k--) {
      Trace t = all.get(k);
      if ((service == null || service.equals(t.service))
          && (agent == null || agent.equals(t.agent))
          && (model == null || t.models.contains(model))) {
        out.add(t.summary());
      }
    }
    return out;
  }

  /** The services, agents and models of the kept traces, for the filters. */
  synchronized Map<String, Object> facets() {
    Set<String> services = new TreeSet<>();
    Set<String> agents = new TreeSet<>();
    Set<String> models = new TreeSet<>();
    for (Trace t : traces.values()) {
      if (t.service != null) {
        services.add(t.service);
      }
      if (t.agent != null) {
        agents.add(t.agent);
      }
      models.addAll(t.models);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("services", services);
    out.put("agents", agents);
    out.put("models", models);
    return out;
  }

  /** One trace's summary and kept spans, or null when it is not kept. */
  synchronized Map<String, Object> trace(String traceId) {
    Trace t = traces.get(traceId);
    if (t == null) {
      return null;
    }
    Map<String, Object> out = t.summary();
    List<Map<String, Object>> spans = new ArrayList<>();
    List<SpanView> sorted = new ArrayList<>(t.spans);
    sorted.sort(Comparator.comparingLong(SpanView::startNanos));
    for (SpanView v : sorted) {
      Map<String, Object> span = new LinkedHashMap<>();
      span.put("spanId", v.spanId());
      span.put("parentSpanId", v.parentSpanId());
      span.put("name", v.name());
      span.put("service", v.service());
      span.put("startMs", v.startNanos() / 1_000_000);
      span.put("durationMs", durationMs(v.startNanos(), v.endNanos()));
      span.put("status", v.statusCode() == 2 ? "error" : v.statusCode() == 1 ? "ok" : "unset");
      List<Map<String, Object>> attributes = new ArrayList<>();
      for (SpanView.Attribute a : v.attributes()) {
        Map<String, Object> attribute = new LinkedHashMap<>();
        attribute.put("key", a.key());
        attribute.put("value", a.value());
        attribute.put("proxy", a.proxy());
        attributes.add(attribute);
      }
      span.put("attributes", attributes);
      span.put("attributesLeftOut", v.attributesLeftOut());
      spans.add(span);
    }
    out.put("spans", spans);
    out.put("spansLeftOut", t.spansLeftOut);
    return out;
  }

  /**
   * Cost and tokens per minute over the last {@code window} minutes (1 to 60), per model, service
   * and agent; each dimension's {@code top} values by cost, the others folded into {@code other}.
   */
  synchronized Map<String, Object> costs(int window, int top) {
    long now = clock.millis() / 60_000;
    List<Long> times = new ArrayList<>(window);
    for (long minute = now - window + 1; minute <= now; minute++) {
      times.add(minute * 60);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("windowMinutes", window);
    out.put("minutes", times);
    double totalCost = 0;
    long totalTokens = 0;
    for (String dimension : List.of("model", "service", "agent")) {
      Map<String, double[]> cost = new HashMap<>();
      Map<String, double[]> tokens = new HashMap<>();
      Map<String, Double> totals = new HashMap<>();
      for (int k = 0; k < window; k++) {
        long minute = now - window + 1 + k;
        Minute m = minutes[(int) (minute % MINUTES)];
        if (m == null || m.minute != minute) {
          continue;
        }
        for (Map.Entry<String, double[]> e :
            m.values.getOrDefault(dimension, Map.of()).entrySet()) {
          String value = e.getKey();
          cost.computeIfAbsent(value, v -> new double[window])[k] += e.getValue()[0];
          tokens.computeIfAbsent(value, v -> new double[window])[k] += e.getValue()[1];
          totals.merge(value, e.getValue()[0] + e.getValue()[1] * 1e-12, Double::sum);
          if (dimension.equals("model")) {
            totalCost += e.getValue()[0];
            totalTokens += (long) e.getValue()[1];
          }
        }
      }
      List<String> ranked = new ArrayList<>(totals.keySet());
      ranked.sort(Comparator.comparing((String v) -> -totals.get(v)).thenComparing(v -> v));
      List<Map<String, Object>> series = new ArrayList<>();
      double[] otherCost = new double[window];
      double[] otherTokens = new double[window];
      boolean folded = false;
      for (String value : ranked) {
        if (series.size() < top && !value.equals(OTHER)) {
          series.add(series(value, cost.get(value), tokens.get(value)));
        } else {
          folded = true;
          for (int k = 0; k < window; k++) {
            otherCost[k] += cost.get(value)[k];
            otherTokens[k] += tokens.get(value)[k];
          }
        }
      }
      if (folded) {
        series.add(series(OTHER, otherCost, otherTokens));
      }
      out.put(dimension, series);
    }
    out.put("totalCostUsd", totalCost);
    out.put("totalTokens", totalTokens);
    return out;
  }

  private static Map<String, Object> series(String name, double[] cost, double[] tokens) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("name", name);
    s.put("costUsd", cost);
    s.put("tokens", tokens);
    double total = 0;
    for (double c : cost) {
      total += c;
    }
    s.put("totalCostUsd", total);
    return s;
  }

  /** Pricing and the ring's own bookkeeping, for the status panel. */
  synchronized Map<String, Object> status() {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> pricing = new LinkedHashMap<>();
    if (lastPricing != null) {
      pricing.put("source", lastPricing.source());
      pricing.put("generatedAt", lastPricing.generatedAt());
      pricing.put("ageDays", lastPricing.ageDays() < 0 ? null : lastPricing.ageDays());
      pricing.put("snapshotVersion", lastPricing.snapshotVersion());
    }
    pricing.put("unpricedModels", new LinkedHashMap<>(unpricedModels));
    out.put("pricing", pricing);
    Map<String, Object> ring = new LinkedHashMap<>();
    ring.put("traces", traces.size());
    ring.put("maxTraces", maxTraces);
    ring.put("spans", spansKept);
    ring.put("maxSpans", maxSpans);
    ring.put("spansSeen", spansSeen);
    out.put("ring", ring);
    return out;
  }

  /** Spans kept over all traces; for tests of the budget. */
  synchronized int spansKept() {
    return spansKept;
  }

  private static long durationMs(long start, long end) {
    return end > start ? (end - start) / 1_000_000 : 0;
  }

  /** One minute's totals per dimension (model, service, agent): value to {cost, tokens}. */
  private static final class Minute {
    final long minute;
    final Map<String, Map<String, double[]>> values = new HashMap<>();

    Minute(long minute) {
      this.minute = minute;
    }

    void add(String dimension, String value, double cost, long tokens) {
      Map<String, double[]> byValue = values.computeIfAbsent(dimension, d -> new HashMap<>());
      String v = value == null || value.isEmpty() ? "unknown" : value;
      double[] sums = byValue.get(v);
      if (sums == null) {
        // Past the cap a new value adds to "other"; "other" itself may take the cap's last place.
        sums =
            byValue.size() < MAX_VALUES_PER_MINUTE
                ? byValue.computeIfAbsent(v, k -> new double[2])
                : byValue.computeIfAbsent(OTHER, k -> new double[2]);
      }
      sums[0] += cost;
      sums[1] += tokens;
    }
  }

  /** One trace's running summary and its kept spans. */
  private static final class Trace {
    final String traceId;
    final SpanIds ids = new SpanIds();
    final List<SpanView> spans = new ArrayList<>();
    final Set<String> models = new TreeSet<>();
    boolean detailed;
    int spansLeftOut;
    String rootName;
    String service;
    String agent;
    long rootStart;
    long rootEnd;
    long minStart = Long.MAX_VALUE;
    long maxEnd;
    int spanCount;
    int llmCalls;
    long inputTokens;
    long outputTokens;
    double costUsd;
    boolean unpriced;
    boolean error;
    List<String> detected = List.of();
    List<String> triggered = List.of();
    List<String> missing = List.of();
    boolean guardrailKnown;
    long updatedMillis;

    Trace(String traceId) {
      this.traceId = traceId;
    }

    void update(SpanFacts s, boolean repeated, long nowMillis, Guardrails guardrails) {
      updatedMillis = nowMillis;
      if (s.root()) {
        rootName = s.name();
        rootStart = s.startNanos();
        rootEnd = s.endNanos();
        if (s.service() != null) {
          service = s.service();
        }
        String named = s.agent();
        if (named != null) {
          agent = named;
        }
        if (guardrails != null) {
          guardrailKnown = guardrails.known();
          if (guardrails.known()) {
            detected = guardrails.detected();
            triggered = guardrails.triggered();
            missing = guardrails.missing();
          }
        }
      }
      if (service == null) {
        service = s.service();
      }
      if (agent == null) {
        agent = s.agent();
      }
      if (s.startNanos() > 0) {
        minStart = Math.min(minStart, s.startNanos());
      }
      maxEnd = Math.max(maxEnd, s.endNanos());
      error |= s.statusCode() == 2;
      if (repeated) {
        return;
      }
      spanCount++;
      if (s.inference()) {
        llmCalls++;
        if (s.model() != null && models.size() < 20) {
          models.add(s.model());
        }
        inputTokens += Math.max(0, s.inputTokens());
        outputTokens += Math.max(0, s.outputTokens());
        if (!Double.isNaN(s.costUsd())) {
          costUsd += s.costUsd();
        }
        unpriced |= s.unpriced();
      }
    }

    Map<String, Object> summary() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("traceId", traceId);
      out.put("root", rootName);
      out.put("service", service);
      out.put("agent", agent);
      boolean rooted = rootName != null;
      long start = rooted ? rootStart : (minStart == Long.MAX_VALUE ? 0 : minStart);
      long end = rooted ? rootEnd : maxEnd;
      out.put("startMs", start / 1_000_000);
      out.put("durationMs", durationMs(start, end));
      out.put("spanCount", spanCount);
      out.put("llmCalls", llmCalls);
      out.put("inputTokens", inputTokens);
      out.put("outputTokens", outputTokens);
      out.put("costUsd", costUsd);
      out.put("unpriced", unpriced);
      out.put("error", error);
      out.put("models", List.copyOf(models));
      Map<String, Object> guardrails = new LinkedHashMap<>();
      guardrails.put("known", guardrailKnown);
      guardrails.put("detected", detected);
      guardrails.put("triggered", triggered);
      guardrails.put("missing", missing);
      out.put("guardrails", guardrails);
      out.put("updatedMs", updatedMillis);
      return out;
    }
  }

  /**
   * The span ids one trace has seen, to count a span sent again once. Ids of 8 bytes, as OTLP has
   * them, are kept as longs; others (empty, or the wrong length) as copies of their bytes. Not
   * thread-safe: used under the ring's lock.
   */
  static final class SpanIds {
    private final Set<Long> longs = new HashSet<>();
    // A copy of each id: it may be a view of the whole request's bytes, which must not stay.
    private final Set<ByteString> others = new HashSet<>();

    /** Adds {@code id}; whether it was seen before. An empty id is never "seen before". */
    boolean seen(ByteString id) {
      if (id.size() != 8) {
        return !others.add(ByteString.copyFrom(id.toByteArray())) && !id.isEmpty();
      }
      long key = 0;
      for (int k = 0; k < 8; k++) {
        key = key << 8 | (id.byteAt(k) & 0xff);
      }
      return !longs.add(key);
    }

    int size() {
      return longs.size() + others.size();
    }

    void clear() {
      longs.clear();
      others.clear();
    }
  }
}
