/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.redaction;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Redacts one value in one mode (not {@code DROP} of a whole attribute, which the processor does):
 * strings by the mode, JSON message lists string by string so they stay valid JSON, arrays and
 * key-value lists element by element. Confined to one span of one thread.
 */
final class ValueRedactor {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** JSON fields that carry a message's structure, not its content. */
  private static final Set<String> STRUCTURAL =
      Set.of("role", "type", "finish_reason", "id", "tool_call_id", "mime_type", "modality");

  private final RedactionRules rules;
  private final RedactionMode mode;
  private final RedactionProcessor.Tally tally;

  ValueRedactor(RedactionRules rules, RedactionMode mode, RedactionProcessor.Tally tally) {
    this.rules = rules;
    this.mode = mode;
    this.tally = tally;
  }

  /** {@code value} redacted, or {@code value} itself when nothing changed. */
  AnyValue value(AnyValue value, boolean mayBeJson) {
    switch (value.getValueCase()) {
      case STRING_VALUE:
        {
          String s = value.getStringValue();
          String out = mayBeJson ? jsonOrText(s) : text(s);
          return out.equals(s) ? value : AnyValue.newBuilder().setStringValue(out).build();
        }
      case ARRAY_VALUE:
        {
          ArrayValue.Builder b = null;
          ArrayValue array = value.getArrayValue();
          for (int k = 0; k < array.getValuesCount(); k++) {
            AnyValue v = array.getValues(k);
            AnyValue out = value(v, mayBeJson);
            if (out != v) {
              if (b == null) {
                b = array.toBuilder();
              }
              b.setValues(k, out);
            }
          }
          return b == null ? value : AnyValue.newBuilder().setArrayValue(b).build();
        }
      case KVLIST_VALUE:
        {
          KeyValueList.Builder b = null;
          KeyValueList list = value.getKvlistValue();
          for (int k = 0; k < list.getValuesCount(); k++) {
            KeyValue kv = list.getValues(k);
            if (STRUCTURAL.contains(kv.getKey())) {
              continue;
            }
            AnyValue out = value(kv.getValue(), mayBeJson);
            if (out != kv.getValue()) {
              if (b == null) {
                b = list.toBuilder();
              }
              b.setValues(k, kv.toBuilder().setValue(out));
            }
          }
          return b == null ? value : AnyValue.newBuilder().setKvlistValue(b).build();
        }
      default:
        return value;
    }
  }

  /**
   * The {@code guardrail.findings} JSON with each finding's {@code raw_excerpt} redacted (set to
   * null in the drop mode), or {@code value} itself when none changed.
   */
  AnyValue findings(AnyValue value) {
    if (!value.hasStringValue()) {
      return value;
    }
    JsonNode root = parse(value.getStringValue());
    if (root == null || !root.isArray()) {
      return value;
    }
    boolean changed = false;
    for (JsonNode finding : root) {
      JsonNode excerpt = finding.get("raw_excerpt");
      if (!(finding instanceof ObjectNode) || excerpt == null || !excerpt.isTextual()) {
        continue;
      }
      String s = excerpt.textValue();
      if (s.isEmpty()) {
        continue;
      }
      if (mode == RedactionMode.DROP) {
        ((ObjectNode) finding).putNull("raw_excerpt");
        tally.add(RedactionMode.DROP.label(), mode, 1);
        changed = true;
        continue;
      }
      String out = text(s);
      if (!out.equals(s)) {
        ((ObjectNode) finding).put("raw_excerpt", out);
        changed = true;
      }
    }
    return changed ? AnyValue.newBuilder().setStringValue(write(root)).build() : value;
  }

  /** A JSON document with its strings redacted, or any other string redacted as text. */
  private String jsonOrText(String s) {
    int start = 0;
    while (start < s.length() && Character.isWhitespace(s.charAt(start))) {
      start++;
    }
    if (start < s.length() && (s.charAt(start) == '[' || s.charAt(start) == '{')) {
      JsonNode root = parse(s);
      if (root != null && root.isContainerNode()) {
        return redactJson(root) ? write(root) : s;
      }
    }
    return text(s);
  }

  /** Redacts the strings of {@code node} in place; whether any changed. */
  private boolean redactJson(JsonNode node) {
    boolean changed = false;
    if (node instanceof ObjectNode) {
      ObjectNode object = (ObjectNode) node;
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode child = field.getValue();
        if (child.isTextual()) {
          if (STRUCTURAL.contains(field.getKey())) {
            continue;
          }
          String out = text(child.textValue());
          if (!out.equals(child.textValue())) {
            field.setValue(object.textNode(out));
            changed = true;
          }
        } else if (child.isContainerNode()) {
          changed |= redactJson(child);
        }
      }
    } else if (node instanceof ArrayNode) {
      ArrayNode array = (ArrayNode) node;
      for (int k = 0; k < array.size(); k++) {
        JsonNode child = array.get(k);
        if (child.isTextual()) {
          String out = text(child.textValue());
          if (!out.equals(child.textValue())) {
            array.set(k, array.textNode(out));
            changed = true;
          }
        } else if (child.isContainerNode()) {
          changed |= redactJson(child);
        }
      }
    }
    return changed;
  }

  /** One string redacted by the mode. */
  String text(String s) {
    if (s.isEmpty()) {
      return s;
    }
    switch (mode) {
      case HASH:
        tally.add(RedactionMode.HASH.label(), mode, 1);
        return rules.hash(s);
      case TRUNCATE:
        if (s.length() <= rules.truncateLength) {
          return s;
        }
        tally.add(RedactionMode.TRUNCATE.label(), mode, 1);
        return cut(s, rules.truncateLength);
      case DROP:
        tally.add(RedactionMode.DROP.label(), mode, 1);
        return "";
      case MASK:
        return mask(s);
      default:
        return s;
    }
  }

  private String mask(String s) {
    String out = s;
    if (out.length() > rules.maxScanChars) {
      // Text past the bound is never passed on unscanned: it is cut.
      out = cut(out, rules.maxScanChars);
      tally.add("max_scan_chars", mode, 1);
    }
    int[] count = new int[1];
    for (MaskPattern p : rules.patterns) {
      count[0] = 0;
      try {
        out = p.mask(out, count);
      } catch (MaskPattern.Budget.Exceeded e) {
        // A user pattern that backtracks without end: the whole value goes, not the pattern's
        // guess at it.
        tally.add(p.name(), mode, 1);
        return "[REDACTED:" + p.name() + "]";
      }
      tally.add(p.name(), mode, count[0]);
    }
    return out;
  }

  /** The first {@code length} characters of {@code s}, never splitting a surrogate pair. */
  private static String cut(String s, int length) {
    int end = length;
    if (end > 0 && end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }

  private static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree read from JSON is written back", e);
    }
  }
}
