/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tokens;

import ai.traccia.proxy.processor.genai.ChatMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * tiktoken's own counts for fixed texts, from {@code tiktoken-counts.json}, which {@code
 * processors/scripts/tiktoken_counts.py} prints.
 */
final class TiktokenFixture {

  static final JsonNode ROOT = load();

  private TiktokenFixture() {}

  private static JsonNode load() {
    try (InputStream in = TiktokenFixture.class.getResourceAsStream("tiktoken-counts.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<ChatMessage> messages(JsonNode chat) {
    List<ChatMessage> out = new ArrayList<>();
    for (JsonNode m : chat.get("messages")) {
      out.add(
          new ChatMessage(
              m.get("role").asText(),
              m.get("content").asText(),
              m.has("name") ? m.get("name").asText() : null));
    }
    return out;
  }
}
