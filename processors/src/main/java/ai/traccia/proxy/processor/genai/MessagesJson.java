/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.genai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
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

  // A reader resolves the tree's type and deserializer once; ObjectMapper.readTree looks both up
  // again on every call (a sixth of a message list's parse).
  private static final ObjectReader TREES = new ObjectMapper().reader();

  private MessagesJson() {}

  /** The messages of a JSON message list, or an empty list when it is not one. */
  static List<ChatMessage> messages(String json) {
    JsonNode root = parse(json);
    if (root == null || !root.isArray()) {
      return List.of();
    }
    return messages(root, new ArrayList<>(root.size()));
  }

  /**
   * The prompt messages of a provider request recorded as JSON (OpenInference's {@code input.value}
   * with {@code input.mime_type = application/json}), or {@code null} when the JSON holds no
   * messages: OpenAI Chat Completions ({@code messages}), Anthropic Messages ({@code system} and
   * {@code messages}) and OpenAI Responses ({@code instructions} and {@code input}).
   */
  static List<ChatMessage> requestMessages(String json) {
    JsonNode root = parse(json);
    if (root == null || !root.isObject()) {
      return null;
    }
    JsonNode messages = root.get("messages");
    JsonNode input = root.get("input");
    JsonNode system = root.has("system") ? root.get("system") : root.get("instructions");
    if ((messages == null || !messages.isArray())
        && (input == null || !(input.isArray() || input.isTextual()))) {
      return null;
    }
    List<ChatMessage> out = new ArrayList<>();
    if (system != null && !system.isNull()) {
      StringBuilder text = new StringBuilder();
      appendParts(system, text);
      if (text.length() > 0) {
        out.add(new ChatMessage("system", text.toString(), null));
      }
    }
    if (messages != null && messages.isArray()) {
      return messages(messages, out);
    }
    if (input.isTextual()) {
      out.add(new ChatMessage("user", input.asText(), null));
      return out;
    }
    return messages(input, out);
  }

  /**
   * The completion messages of a provider response recorded as JSON (OpenInference's {@code
   * output.value} with {@code output.mime_type = application/json}), or {@code null} when the JSON
   * holds no answer: OpenAI Chat Completions ({@code choices[].message}, {@code choices[].text}),
   * Anthropic Messages ({@code content} blocks) and OpenAI Responses ({@code output} items). An
   * answer without text (content filtered, {@code "content": null}) is a message with empty
   * content.
   */
  static List<ChatMessage> responseMessages(String json) {
    JsonNode root = parse(json);
    if (root == null || !root.isObject()) {
      return null;
    }
    JsonNode choices = root.get("choices");
    if (choices != null && choices.isArray()) {
      List<ChatMessage> out = new ArrayList<>(choices.size());
      for (JsonNode choice : choices) {
        JsonNode message = choice.get("message");
        StringBuilder text = new StringBuilder();
        if (message != null && message.isObject()) {
          appendParts(message.get("content"), text);
          appendToolCalls(message.get("tool_calls"), text);
        } else {
          appendParts(choice.get("text"), text);
        }
        String role = message == null ? "assistant" : message.path("role").asText("assistant");
        out.add(new ChatMessage(role, text.toString(), null));
      }
      return out;
    }
    JsonNode content = root.has("content") ? root.get("content") : root.get("output");
    if (content == null || !(content.isArray() || content.isNull())) {
      return null;
    }
    StringBuilder text = new StringBuilder();
    appendParts(content, text);
    return List.of(new ChatMessage(root.path("role").asText("assistant"), text.toString(), null));
  }

  private static List<ChatMessage> messages(JsonNode array, List<ChatMessage> out) {
    for (JsonNode message : array) {
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

  // OpenAI's tool calls: {"function": {"name", "arguments"}}.
  private static void appendToolCalls(JsonNode calls, StringBuilder text) {
    if (calls == null || !calls.isArray()) {
      return;
    }
    for (JsonNode call : calls) {
      appendParts(call.get("function"), text);
    }
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
      return TREES.readTree(json);
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
    if (content != null && content.isArray()) {
      // An OpenAI Responses output item: {"type": "message", "content": [{"text"}]}.
      appendParts(content, text);
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
