/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ui;

import ai.traccia.proxy.codec.OtlpIds;
import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.processor.genai.LlmSpan;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live page's view of the pipeline: the last stage before sampling, it reads every accepted
 * span after enrichment (so with its cost, usage and guardrail findings) into {@link LiveTraces}.
 * It changes nothing and refuses nothing.
 *
 * <p>Root spans the guardrail processor holds back are taken out of their batch before this stage;
 * they come through it again, in a batch of released roots only, when the processor lets them go,
 * with the trace's guardrail summary on them. Placed before sampling, so the page shows every trace
 * the proxy accepted, as {@code /metrics} counts them, not only the sampled ones.
 */
public final class LiveTap implements SpanBatchProcessor {

  /** Characters of an attribute value kept; longer values are cut and end in an ellipsis. */
  static final int MAX_VALUE_CHARS = 256;

  /** Attributes kept per span; the rest are counted. */
  static final int MAX_ATTRIBUTES = 32;

  private static final int MAX_KEY_CHARS = 128;
  private static final int MAX_PENDING_ROOTS = 1024;

  /**
   * Parts of keys whose values are never shown: credentials that instrumentations sometimes record
   * (HTTP headers, client settings). Token counts ({@code *_tokens}) do not match.
   */
  private static final List<String> SECRET_PARTS =
      List.of(
          "authorization",
          "api_key",
          "api-key",
          "api.key",
          "apikey",
          "secret",
          "password",
          "passwd",
          "cookie",
          "credential",
          "bearer",
          "access_token",
          "access.token",
          "auth_token",
          "auth.token",
          "refresh_token",
          "session_token",
          "private_key",
          "signature");

  /** Keys already judged; keys repeat across spans, so most checks are one lookup. */
  private static final Map<String, Boolean> SECRET_KEYS = new ConcurrentHashMap<>();

  private static final int MAX_JUDGED_KEYS = 10_000;

  /** What the proxy writes on a root when it releases it, beyond what the batch showed. */
  private static final List<String> RELEASE_PREFIXES =
      List.of("traccia.trace.", "guardrail.summary");

  private static final String REDACTED = "[redacted]";

  private final LiveTraces traces;
  // Set at the first held root: until then no span can be a released one.
  private volatile boolean heldSeen;
  // Edited keys of roots taken out of their batch, until the root comes back released; bounded.
  private final Map<String, Set<String>> pendingRoots =
      new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
          return size() > MAX_PENDING_ROOTS;
        }
      };

  LiveTap(LiveTraces traces) {
    this.traces = traces;
  }

  @Override
  public String name() {
    return "live_page";
  }

  @Override
  public void process(SpanBatch batch) {
    List<LiveTraces.SpanFacts> facts = new ArrayList<>(batch.size());
    Boolean releasedRoots = null; // whether this is a batch of released roots, once asked
    for (int i = 0; i < batch.size(); i++) {
      boolean root = batch.parentSpanId(i).isEmpty();
      if (batch.isRejected(i)) {
        if (batch.rejectReason(i) == RejectReason.HELD) {
          // A held root: what the proxy added to it so far is marked when it returns.
          heldSeen = true;
          synchronized (pendingRoots) {
            pendingRoots.put(
                OtlpIds.hex(batch.spanId(i)), Set.copyOf(batch.editedAttributeKeys(i)));
          }
        }
        continue;
      }
      Set<String> held = null;
      if (root && heldSeen) {
        // A root released by the guardrail stage comes through here like any span, in a batch of
        // released roots, with its trace's summary appended to it.
        synchronized (pendingRoots) {
          held = pendingRoots.isEmpty() ? null : pendingRoots.remove(OtlpIds.hex(batch.spanId(i)));
        }
      }
      Set<String> edited = Set.copyOf(batch.editedAttributeKeys(i));
      if (held != null) {
        Set<String> both = new HashSet<>(held);
        both.addAll(edited);
        edited = both;
      }
      if (held == null && heldSeen && releasedRoots == null) {
        releasedRoots = isReleased(batch);
      }
      facts.add(read(batch, i, edited, held != null || (heldSeen && releasedRoots)));
    }
    traces.addAll(facts);
  }

  /**
   * Whether {@code batch} looks like roots the guardrail stage held and released, for a root no
   * longer among the pending roots (more were held than are remembered): every span a root, with a
   * summary that no stage wrote in this batch.
   */
  private static boolean isReleased(SpanBatch batch) {
    for (int i = 0; i < batch.size(); i++) {
      if (!batch.parentSpanId(i).isEmpty()
          || batch.attribute(i, "guardrail.summary") == null
          || batch.editedAttributeKeys(i).contains("guardrail.summary")) {
        return false;
      }
    }
    return batch.size() > 0;
  }

  private static LiveTraces.SpanFacts read(
      SpanBatch batch, int i, Set<String> edited, boolean released) {
    String service = text(batch.resourceAttribute(i, "service.name"));
    SpanView view =
        new SpanView(
            OtlpIds.hex(batch.spanId(i)),
            OtlpIds.hex(batch.parentSpanId(i)),
            cut(batch.name(i)),
            service,
            batch.startTimeUnixNano(i),
            batch.endTimeUnixNano(i),
            batch.statusCode(i),
            List.of(),
            0);
    LlmSpan llm = LlmSpan.read(batch, i);
    boolean inference = llm.isInference();
    boolean root = batch.parentSpanId(i).isEmpty();
    double cost = Double.NaN;
    boolean unpriced = false;
    LiveTraces.Pricing pricing = null;
    if (inference) {
      // Only inference spans are priced; the other lookups are not worth their time.
      cost = number(batch.attribute(i, "llm.cost.usd"));
      unpriced = "unpriced".equals(text(batch.attribute(i, "traccia.pricing.status")));
      String source = text(batch.attribute(i, "llm.pricing.source"));
      if (source != null) {
        AnyValue age = batch.attribute(i, "llm.pricing.age_days");
        pricing =
            new LiveTraces.Pricing(
                source,
                text(batch.attribute(i, "llm.pricing.generated_at")),
                age != null && age.hasIntValue() ? age.getIntValue() : -1,
                text(batch.attribute(i, "llm.pricing.snapshot_version")));
      }
    }
    return new LiveTraces.SpanFacts(
        OtlpIds.hex(batch.traceId(i)),
        view,
        () -> withAttributes(view, batch, i, edited, released),
        root,
        inference,
        llm.model() == null ? null : cut(llm.model()),
        agent(batch, i),
        llm.inputTokens(),
        llm.outputTokens(),
        cost,
        unpriced,
        pricing,
        root ? text(batch.attribute(i, "guardrail.summary")) : null);
  }

  /**
   * {@code view} with span {@code i}'s attributes as they are now, after the processors' edits:
   * shortened, credentials redacted, the proxy's own marked. Only for spans kept for a tree.
   */
  private static SpanView withAttributes(
      SpanView view, SpanBatch batch, int i, Set<String> edited, boolean released) {
    List<SpanView.Attribute> attributes = new ArrayList<>();
    int count = batch.attributeCount(i);
    Set<String> seen = new HashSet<>();
    for (int k = 0; k < count; k++) {
      String key = batch.attributeKey(i, k);
      if (seen.add(key) && attributes.size() < MAX_ATTRIBUTES) {
        attributes.add(attribute(key, batch.attribute(i, key), isProxyKey(key, edited, released)));
      }
    }
    for (String key : edited) {
      if (seen.add(key) && attributes.size() < MAX_ATTRIBUTES) {
        attributes.add(attribute(key, batch.attribute(i, key), true));
      }
    }
    return new SpanView(
        view.spanId(),
        view.parentSpanId(),
        view.name(),
        view.service(),
        view.startNanos(),
        view.endNanos(),
        view.statusCode(),
        List.copyOf(attributes),
        Math.max(0, seen.size() - attributes.size()));
  }

  private static boolean isProxyKey(String key, Set<String> edited, boolean released) {
    if (edited.contains(key)) {
      return true;
    }
    if (released) {
      for (String prefix : RELEASE_PREFIXES) {
        if (key.startsWith(prefix)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String agent(SpanBatch batch, int i) {
    for (String key : new String[] {"gen_ai.agent.name", "agent.name"}) {
      String name = text(batch.attribute(i, key));
      if (name != null && !name.isEmpty()) {
        return cut(name);
      }
      name = text(batch.resourceAttribute(i, key));
      if (name != null && !name.isEmpty()) {
        return cut(name);
      }
    }
    return null;
  }

  private static SpanView.Attribute attribute(String key, AnyValue value, boolean proxy) {
    String shownKey = key.length() > MAX_KEY_CHARS ? key.substring(0, MAX_KEY_CHARS) + "…" : key;
    String shown = isSecret(key) ? REDACTED : cut(display(value));
    return new SpanView.Attribute(shownKey, shown, proxy);
  }

  /** Whether values of {@code key} are credentials, by the parts of its name. */
  static boolean isSecret(String key) {
    Boolean known = SECRET_KEYS.get(key);
    if (known != null) {
      return known;
    }
    String lower = key.toLowerCase(Locale.ROOT);
    boolean secret = false;
    for (String part : SECRET_PARTS) {
      if (lower.contains(part)) {
        secret = true;
        break;
      }
    }
    if (SECRET_KEYS.size() < MAX_JUDGED_KEYS) {
      SECRET_KEYS.put(key, secret);
    }
    return secret;
  }

  /** The value as text: scalars as they are, arrays and maps in a compact JSON-like form. */
  static String display(AnyValue v) {
    if (v == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    append(out, v, 0);
    return out.toString();
  }

  private static void append(StringBuilder out, AnyValue v, int depth) {
    if (out.length() > MAX_VALUE_CHARS || depth > 4) {
      return;
    }
    switch (v.getValueCase()) {
      case STRING_VALUE ->
          out.append(
              v.getStringValue(), 0, Math.min(v.getStringValue().length(), MAX_VALUE_CHARS + 1));
      case BOOL_VALUE -> out.append(v.getBoolValue());
      case INT_VALUE -> out.append(v.getIntValue());
      case DOUBLE_VALUE -> out.append(v.getDoubleValue());
      case BYTES_VALUE -> out.append("<").append(v.getBytesValue().size()).append(" bytes>");
      case ARRAY_VALUE -> {
        out.append('[');
        List<AnyValue> values = v.getArrayValue().getValuesList();
        for (int k = 0; k < values.size() && out.length() <= MAX_VALUE_CHARS; k++) {
          out.append(k == 0 ? "" : ", ");
          append(out, values.get(k), depth + 1);
        }
        out.append(']');
      }
      case KVLIST_VALUE -> {
        out.append('{');
        List<KeyValue> values = v.getKvlistValue().getValuesList();
        for (int k = 0; k < values.size() && out.length() <= MAX_VALUE_CHARS; k++) {
          KeyValue kv = values.get(k);
          out.append(k == 0 ? "" : ", ").append(kv.getKey()).append(": ");
          if (isSecret(kv.getKey())) {
            out.append(REDACTED);
          } else {
            append(out, kv.getValue(), depth + 1);
          }
        }
        out.append('}');
      }
      default -> {}
    }
  }

  private static String text(AnyValue v) {
    if (v == null) {
      return null;
    }
    return v.hasStringValue() ? v.getStringValue() : display(v);
  }

  private static double number(AnyValue v) {
    if (v == null) {
      return Double.NaN;
    }
    if (v.hasDoubleValue()) {
      return v.getDoubleValue();
    }
    if (v.hasIntValue()) {
      return v.getIntValue();
    }
    if (v.hasStringValue()) {
      try {
        return Double.parseDouble(v.getStringValue());
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }

  static String cut(String s) {
    return s.length() > MAX_VALUE_CHARS ? s.substring(0, MAX_VALUE_CHARS) + "…" : s;
  }
}
