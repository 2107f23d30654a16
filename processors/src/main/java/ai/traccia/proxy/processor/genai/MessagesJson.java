/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.genai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads message lists recorded as JSON strings: OpenTelemetry GenAI {@code gen_ai.input.messages}
 * and {@code gen_ai.output.messages} ({@code [{"role","parts":[{"type","content"}]}]}), {@code
 * gen_ai.system_instructions} (a list of parts) and the Traccia SDK's {@code llm.openai.messages}
 * ({@code [{"role","content"[,"name"]}]}, where content may also be a list of {@code {"text"}}
 * parts).
 *
 * <p>Thread-safe. Malformed or truncated JSON (the SDK cuts {@code llm.openai.messages} at 1000
 * characters) gives an empty list, never an exception.
 */
final class MessagesJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private MessagesJson() {}

  /** The messages of a JSON message list, or an empty list when it is not one. */
  static List<ChatMessage> messages(String json) {
    JsonNode root = parse(json);
    if (root == null || !root.isArray()) {
      return List.of();
    }
    List<ChatMessage> out = new ArrayList<>(root.size());
    for (JsonNode message : root) {
      if (!message.isObject()) {
        continue;
      }
      String role = message.path("role").asText("");
      JsonNode name = message.get("name");
      StringBuilder text = new StringBuilder();
      appendParts(message.has("parts") ? message.get("parts") : message.get("content"), text);
      out.add(
          new ChatMessage(
              role, text.toString(), name != null && name.isTextual() ? name.asText() : null));
    }
    return out;
  }

  /** The text of a JSON list of parts ({@code gen_ai.system_instructions}), or {@code ""}. */
  static String partsText(String json) {
    JsonNode root = parse(json);
    if (root == null) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    appendParts(root, text);
    return text.toString();
  }

  private static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  // A part is text ("content" or "text"), a tool call (name and arguments) or a tool result.
  private static void appendParts(JsonNode node, StringBuilder text) {
    if (node == null || node.isNull()) {
      return;
    }
    if (node.isTextual()) {
      append(text, node.asText());
      return;
    }
    if (node.isArray()) {
      for (JsonNode part : node) {
        appendParts(part, text);
      }
      return;
    }
    if (!node.isObject()) {
      append(text, node.toString());
      return;
    }
    JsonNode content = node.has("content") ? node.get("content") : node.get("text");
    if (content != null && content.isTextual()) {
      append(text, content.asText());
      return;
    }
    JsonNode name = node.get("name");
    if (name != null && name.isTextual()) {
      append(text, name.asText());
    }
    for (String field : new String[] {"arguments", "response", "result"}) {
      JsonNode value = node.get(field);
      if (value != null && !value.isNull()) {
        append(text, value.isTextual() ? value.asText() : value.toString());
      }
    }
  }

  private static void append(StringBuilder text, String part) {
    if (part.isEmpty()) {
      return;
    }
    if (text.length() > 0) {
      text.append('\n');
    }
    text.append(part);
  }
}
