/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.redaction;

import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Redacts the content of LLM spans (prompts, completions, messages, tool arguments and results) in
 * every dialect the proxy reads, after the processors that count, price and detect have read it.
 *
 * <p>Content is found by key: {@code gen_ai.input.messages}, {@code gen_ai.output.messages} and
 * {@code gen_ai.system_instructions}, OpenLLMetry's {@code gen_ai.prompt.N.*} and {@code
 * gen_ai.completion.N.*}, the Traccia SDK's {@code llm.prompt}, {@code llm.completion} and {@code
 * llm.openai.messages}, OpenInference's {@code input.value}, {@code output.value} and {@code
 * llm.input_messages.*} / {@code llm.output_messages.*}, tool call arguments and results, every key
 * named in {@code redaction.attribute_modes}, the same keys and the message fields of {@code
 * gen_ai.*} events in span events, and the {@code raw_excerpt} of guardrail findings. Structural
 * parts (roles, finish reasons, ids, types) are left alone.
 *
 * <p>Each span with a redaction gets {@code traccia.redaction.rules} (the rules that applied) and
 * {@code traccia.redaction.matches} (how many values or matches); never what was redacted. Usage
 * and cost attributes the earlier processors wrote are not touched, so they stay those of the
 * original text.
 *
 * <p>Fails closed: a span whose redaction fails is refused ({@link RejectReason#INVALID}) rather
 * than forwarded as it arrived. Thread-safe; the rules are swapped whole by {@link #setRules}.
 */
public final class RedactionProcessor implements SpanBatchProcessor {

  /** The rules that redacted something on the span (str[]). */
  public static final String RULES = "traccia.redaction.rules";

  /** How many values or pattern matches were redacted on the span (int). */
  public static final String MATCHES = "traccia.redaction.matches";

  static final Set<String> CONTENT_KEYS =
      Set.of(
          "gen_ai.input.messages",
          "gen_ai.output.messages",
          "gen_ai.system_instructions",
          "gen_ai.prompt",
          "gen_ai.completion",
          "gen_ai.tool.call.arguments",
          "gen_ai.tool.call.result",
          "gen_ai.tool.definitions",
          "llm.prompt",
          "llm.completion",
          "llm.openai.messages",
          "input.value",
          "output.value",
          "tool.parameters",
          "gen_ai.guardrail.security.content.input.value",
          "gen_ai.guardrail.security.content.output.value",
          "traceloop.entity.input",
          "traceloop.entity.output");

  private static final List<String> CONTENT_PREFIXES =
      List.of(
          "gen_ai.prompt.",
          "gen_ai.completion.",
          "llm.input_messages.",
          "llm.output_messages.",
          "llm.prompts.");

  /** Suffixes of indexed keys that carry structure, not content. */
  private static final List<String> STRUCTURAL_SUFFIXES =
      List.of(".role", ".finish_reason", ".id", ".type", ".tool_call_id", ".index");

  /** Keys of event attributes that hold a message in {@code gen_ai.*} events. */
  private static final Set<String> EVENT_CONTENT_KEYS =
      Set.of("content", "message", "body", "tool_calls", "arguments", "gen_ai.event.content");

  private static final String FINDINGS = "guardrail.findings";
  private static final String SERVICE_NAME = "service.name";

  private final AtomicReference<RedactionRules> rules;
  private final RedactionListener listener;

  private RedactionProcessor(RedactionRules rules, RedactionListener listener) {
    this.rules = new AtomicReference<>(rules);
    this.listener = listener;
  }

  /** A processor applying {@code rules}, telling {@code listener} of every redaction. */
  public static RedactionProcessor create(RedactionRules rules, RedactionListener listener) {
    return new RedactionProcessor(
        Objects.requireNonNull(rules, "rules"), Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public String name() {
    return "redaction";
  }

  /** Swaps the rules in, for a reload; spans already being redacted finish with the old ones. */
  public void setRules(RedactionRules next) {
    rules.set(Objects.requireNonNull(next, "next"));
  }

  /** The rules in force. */
  public RedactionRules rules() {
    return rules.get();
  }

  /** Whether {@code key} names a content attribute under {@code r}. */
  static boolean isContentKey(String key, RedactionRules r) {
    if (CONTENT_KEYS.contains(key) || r.attributeModes.containsKey(key)) {
      return true;
    }
    for (String prefix : CONTENT_PREFIXES) {
      if (key.startsWith(prefix)) {
        for (String suffix : STRUCTURAL_SUFFIXES) {
          if (key.endsWith(suffix)) {
            return false;
          }
        }
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean readsSpans() {
    // Always in the chain so that a reload can switch it on; while off, it must not cost the
    // pass-through path its wire-only handling.
    return rules.get().enabled;
  }

  @Override
  public void process(SpanBatch batch) {
    RedactionRules r = rules.get();
    if (!r.enabled) {
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      if (batch.isRejected(i)) {
        continue;
      }
      try {
        redactSpan(batch, i, r);
      } catch (RuntimeException e) {
        // Never forward content that should have been redacted.
        batch.reject(i, RejectReason.INVALID);
      }
    }
  }

  private void redactSpan(SpanBatch batch, int i, RedactionRules r) {
    List<String> keys = null;
    for (int k = 0, n = batch.attributeCount(i); k < n; k++) {
      int first = batch.attributeKeyLength(i, k) == 0 ? 0 : batch.attributeKeyByte(i, k, 0);
      if (first != 'g'
          && first != 'l'
          && first != 'i'
          && first != 'o'
          && first != 't'
          && r.attributeModes.isEmpty()) {
        continue;
      }
      String key = batch.attributeKey(i, k);
      if (isContentKey(key, r) || key.equals(FINDINGS)) {
        if (keys == null) {
          keys = new ArrayList<>(4);
        }
        if (!keys.contains(key)) {
          keys.add(key);
        }
      }
    }
    // Attributes earlier processors wrote can carry content too (the findings on a root).
    for (String key : batch.editedAttributeKeys(i)) {
      if (isContentKey(key, r) || key.equals(FINDINGS)) {
        if (keys == null) {
          keys = new ArrayList<>(4);
        }
        if (!keys.contains(key)) {
          keys.add(key);
        }
      }
    }
    boolean events = batch.eventCount(i) > 0;
    if (keys == null && !events) {
      return; // most spans: nothing to redact, found without decoding a value
    }
    AnyValue service = batch.resourceAttribute(i, SERVICE_NAME);
    RedactionMode spanMode =
        r.serviceMode(
            service != null && service.hasStringValue() ? service.getStringValue() : null);
    Tally tally = new Tally();
    if (keys != null) {
      for (String key : keys) {
        AnyValue value = batch.attribute(i, key);
        if (value == null) {
          continue;
        }
        RedactionMode mode = r.modeFor(spanMode, key);
        if (mode == RedactionMode.OFF) {
          continue;
        }
        ValueRedactor redactor = new ValueRedactor(r, mode, tally);
        if (key.equals(FINDINGS)) {
          AnyValue out = redactor.findings(value);
          if (out != value) {
            batch.putAttribute(i, key, out);
          }
          continue;
        }
        if (mode == RedactionMode.DROP) {
          batch.removeAttribute(i, key);
          tally.add(RedactionMode.DROP.label(), mode, 1);
          continue;
        }
        AnyValue out = redactor.value(value, true);
        if (out != value) {
          batch.putAttribute(i, key, out);
        }
      }
    }
    if (events) {
      redactEvents(batch, i, r, spanMode, tally);
    }
    if (tally.total > 0) {
      ArrayValue.Builder names = ArrayValue.newBuilder();
      for (String rule : tally.byRule.keySet()) {
        names.addValues(AnyValue.newBuilder().setStringValue(rule));
      }
      batch.putAttribute(i, RULES, AnyValue.newBuilder().setArrayValue(names).build());
      batch.putAttribute(i, MATCHES, (long) tally.total);
      for (Map.Entry<String, int[]> e : tally.byRule.entrySet()) {
        listener.onRedacted(e.getKey(), tally.modes.get(e.getKey()), e.getValue()[0]);
      }
    }
  }

  private static void redactEvents(
      SpanBatch batch, int i, RedactionRules r, RedactionMode spanMode, Tally tally) {
    List<Span.Event> events = batch.events(i);
    List<Span.Event> out = null;
    for (int e = 0; e < events.size(); e++) {
      Span.Event event = events.get(e);
      boolean genAi = event.getName().startsWith("gen_ai.");
      List<KeyValue> attributes = null;
      for (int a = 0; a < event.getAttributesCount(); a++) {
        KeyValue kv = event.getAttributes(a);
        String key = kv.getKey();
        if (!isContentKey(key, r) && !(genAi && EVENT_CONTENT_KEYS.contains(key))) {
          continue;
        }
        RedactionMode mode = r.modeFor(spanMode, key);
        if (mode == RedactionMode.OFF) {
          continue;
        }
        AnyValue value = kv.getValue();
        AnyValue redacted = null;
        if (mode == RedactionMode.DROP) {
          tally.add(RedactionMode.DROP.label(), mode, 1);
        } else {
          redacted = new ValueRedactor(r, mode, tally).value(value, true);
          if (redacted == value) {
            continue;
          }
        }
        if (attributes == null) {
          attributes = new ArrayList<>(event.getAttributesList());
        }
        // Null marks a dropped attribute until the list is rebuilt below.
        attributes.set(a, redacted == null ? null : kv.toBuilder().setValue(redacted).build());
      }
      if (attributes != null) {
        attributes.removeIf(Objects::isNull);
        if (out == null) {
          out = new ArrayList<>(events);
        }
        out.set(e, event.toBuilder().clearAttributes().addAllAttributes(attributes).build());
      }
    }
    if (out != null) {
      batch.setEvents(i, out);
    }
  }

  /** What one span's redaction did, by rule. */
  static final class Tally {
    final Map<String, int[]> byRule = new java.util.LinkedHashMap<>();
    final Map<String, RedactionMode> modes = new java.util.HashMap<>();
    int total;

    void add(String rule, RedactionMode mode, int count) {
      if (count <= 0) {
        return;
      }
      byRule.computeIfAbsent(rule, k -> new int[1])[0] += count;
      modes.put(rule, mode);
      total += count;
    }
  }
}
