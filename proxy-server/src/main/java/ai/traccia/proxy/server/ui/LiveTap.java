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
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
  // Edited keys of roots taken out of their batch, by span id, until the root comes back
  // released; bounded. The ids are copies, not views of their request's bytes.
  private final Map<ByteString, List<String>> pendingRoots =
      new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteString, List<String>> eldest) {
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
    List<TapSpan> facts = new ArrayList<>(batch.size());
    Boolean releasedRoots = null; // whether this is a batch of released roots, once asked
    // Batches are mostly runs of spans of one trace, under one resource: their hex id and the
    // resource's values are made once per run.
    ByteString runTraceId = null;
    String runTraceHex = null;
    Resource runResource = null;
    ResourceFacts resource = null;
    for (int i = 0; i < batch.size(); i++) {
      ByteString parent = batch.parentSpanId(i);
      boolean root = parent.isEmpty();
      if (batch.isRejected(i)) {
        if (batch.rejectReason(i) == RejectReason.HELD) {
          // A held root: what the proxy added to it so far is marked when it returns.
          heldSeen = true;
          ByteString id = ByteString.copyFrom(batch.spanId(i).toByteArray());
          List<String> edited = List.copyOf(batch.editedAttributeKeys(i));
          synchronized (pendingRoots) {
            pendingRoots.put(id, edited);
          }
        }
        continue;
      }
      // Read once: another thread may set it between two reads.
      boolean holding = heldSeen;
      List<String> held = null;
      if (root && holding) {
        // A root released by the guardrail stage comes through here like any span, in a batch of
        // released roots, with its trace's summary appended to it.
        synchronized (pendingRoots) {
          held = pendingRoots.isEmpty() ? null : pendingRoots.remove(batch.spanId(i));
        }
      }
      if (held == null && holding && releasedRoots == null) {
        releasedRoots = isReleased(batch);
      }
      ByteString traceId = batch.traceId(i);
      if (!traceId.equals(runTraceId)) {
        runTraceId = traceId;
        runTraceHex = OtlpIds.hex(traceId);
      }
      Resource r = batch.resource(i);
      if (r != runResource) {
        runResource = r;
        resource = new ResourceFacts(batch, i);
      }
      facts.add(
          new TapSpan(
              batch,
              i,
              runTraceHex,
              parent,
              resource,
              held,
              held != null || (holding && releasedRoots)));
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

  /**
   * What one resource says, read once per run of its spans (through the run's first span {@code
   * i}); its agents only when asked for.
   */
  private static final class ResourceFacts {
    private final SpanBatch batch;
    private final int i;
    final String service;
    private boolean agentsRead;
    private String genAiAgent;
    private String agent;

    ResourceFacts(SpanBatch batch, int i) {
      this.batch = batch;
      this.i = i;
      this.service = text(batch.resourceAttribute(i, "service.name"));
    }

    /** The resource's {@code gen_ai.agent.name}, shortened, or null when it has none. */
    String genAiAgent() {
      readAgents();
      return genAiAgent;
    }

    /** The resource's {@code agent.name}, shortened, or null when it has none. */
    String agent() {
      readAgents();
      return agent;
    }

    private void readAgents() {
      if (!agentsRead) {
        agentsRead = true;
        genAiAgent = named(text(batch.resourceAttribute(i, "gen_ai.agent.name")));
        agent = named(text(batch.resourceAttribute(i, "agent.name")));
      }
    }
  }

  /**
   * One accepted span of the batch being processed, read as {@link LiveTraces} asks: its LLM
   * reading up front, strings and attribute lookups only when asked for. Valid during the {@code
   * addAll} call of the {@link #process} call that made it, the batch being confined to it.
   */
  private static final class TapSpan implements LiveTraces.SpanFacts {
    private final SpanBatch batch;
    private final int i;
    private final String traceId;
    private final ByteString parentSpanId;
    private final ResourceFacts resource;
    private final List<String> held;
    private final boolean released;
    private final boolean inference;
    private final String model;
    private final long inputTokens;
    private final long outputTokens;
    private final double costUsd;
    private final boolean unpriced;
    private boolean agentRead;
    private String agent;

    TapSpan(
        SpanBatch batch,
        int i,
        String traceId,
        ByteString parentSpanId,
        ResourceFacts resource,
        List<String> held,
        boolean released) {
      this.batch = batch;
      this.i = i;
      this.traceId = traceId;
      this.parentSpanId = parentSpanId;
      this.resource = resource;
      this.held = held;
      this.released = released;
      LlmSpan llm = LlmSpan.read(batch, i);
      this.inference = llm.isInference();
      this.model = llm.model() == null ? null : cut(llm.model());
      this.inputTokens = llm.inputTokens();
      this.outputTokens = llm.outputTokens();
      // Only inference spans are priced; the other spans' lookups are not worth their time.
      this.costUsd = inference ? number(batch.attribute(i, "llm.cost.usd")) : Double.NaN;
      this.unpriced =
          inference && "unpriced".equals(text(batch.attribute(i, "traccia.pricing.status")));
    }

    @Override
    public String traceId() {
      return traceId;
    }

    @Override
    public ByteString spanId() {
      return batch.spanId(i);
    }

    @Override
    public boolean root() {
      return parentSpanId.isEmpty();
    }

    @Override
    public String name() {
      return cut(batch.name(i));
    }

    @Override
    public String service() {
      return resource.service;
    }

    @Override
    public long startNanos() {
      return batch.startTimeUnixNano(i);
    }

    @Override
    public long endNanos() {
      return batch.endTimeUnixNano(i);
    }

    @Override
    public int statusCode() {
      return batch.statusCode(i);
    }

    @Override
    public boolean inference() {
      return inference;
    }

    @Override
    public String model() {
      return model;
    }

    @Override
    public long inputTokens() {
      return inputTokens;
    }

    @Override
    public long outputTokens() {
      return outputTokens;
    }

    @Override
    public double costUsd() {
      return costUsd;
    }

    @Override
    public boolean unpriced() {
      return unpriced;
    }

    @Override
    public LiveTraces.Pricing pricing() {
      if (!inference) {
        return null;
      }
      String source = text(batch.attribute(i, "llm.pricing.source"));
      if (source == null) {
        return null;
      }
      AnyValue age = batch.attribute(i, "llm.pricing.age_days");
      return new LiveTraces.Pricing(
          source,
          text(batch.attribute(i, "llm.pricing.generated_at")),
          age != null && age.hasIntValue() ? age.getIntValue() : -1,
          text(batch.attribute(i, "llm.pricing.snapshot_version")));
    }

    /**
     * The span's agent, else its resource's: {@code gen_ai.agent.name} first, then the older key.
     */
    @Override
    public String agent() {
      if (!agentRead) {
        agentRead = true;
        agent = named(text(batch.attribute(i, "gen_ai.agent.name")));
        if (agent == null) {
          agent = resource.genAiAgent();
        }
        if (agent == null) {
          agent = named(text(batch.attribute(i, "agent.name")));
        }
        if (agent == null) {
          agent = resource.agent();
        }
      }
      return agent;
    }

    @Override
    public String guardrailSummary() {
      return root() ? text(batch.attribute(i, "guardrail.summary")) : null;
    }

    /**
     * The span with its attributes as they are now, after the processors' edits: shortened,
     * credentials redacted, the proxy's own marked.
     */
    @Override
    public SpanView detail() {
      List<String> editedKeys = batch.editedAttributeKeys(i);
      Set<String> edited;
      if (held != null) {
        edited = new LinkedHashSet<>(held);
        edited.addAll(editedKeys);
      } else {
        edited = editedKeys.isEmpty() ? Set.of() : new LinkedHashSet<>(editedKeys);
      }
      List<SpanView.Attribute> attributes = new ArrayList<>();
      int count = batch.attributeCount(i);
      Set<String> seen = new HashSet<>();
      for (int k = 0; k < count; k++) {
        String key = batch.attributeKey(i, k);
        if (seen.add(key) && attributes.size() < MAX_ATTRIBUTES) {
          attributes.add(
              attribute(key, batch.attribute(i, key), isProxyKey(key, edited, released)));
        }
      }
      for (String key : edited) {
        if (seen.add(key) && attributes.size() < MAX_ATTRIBUTES) {
          attributes.add(attribute(key, batch.attribute(i, key), true));
        }
      }
      return new SpanView(
          OtlpIds.hex(batch.spanId(i)),
          OtlpIds.hex(parentSpanId),
          name(),
          resource.service,
          startNanos(),
          endNanos(),
          statusCode(),
          List.copyOf(attributes),
          Math.max(0, seen.size() - attributes.size()));
    }
  }

  /** {@code name}, shortened, or null when it is null or empty. */
  private static String named(String name) {
    return name == null || name.isEmpty() ? null : cut(name);
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
