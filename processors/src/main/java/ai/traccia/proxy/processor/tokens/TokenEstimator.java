/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tokens;

import ai.traccia.proxy.processor.genai.ChatMessage;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Counts the tokens of prompt and completion text: exactly with the model's tiktoken encoding for
 * OpenAI models, by a heuristic for every other model.
 *
 * <p>Exact counts ({@link TiktokenCounter}) treat special-token strings such as {@code
 * <|endoftext|>} as ordinary text, so they never throw. The heuristic is one token per four UTF-16
 * characters, rounded up: OpenAI's rule of thumb for English, and the tokenizers of other vendors
 * (Claude, Gemini, Llama) are not available offline.
 *
 * <p>Thread-safe: counters are immutable. Each vocabulary is loaded the first time a model that
 * uses it is counted (a fraction of a second, once), so a proxy whose applications only call
 * GPT-4o-family models, or no OpenAI models at all, does not hold the others.
 */
final class TokenEstimator {

  /** Source of a count made with the model's tiktoken encoding. */
  static final String TIKTOKEN = "estimated.tiktoken";

  /** Source of a chat count: tiktoken plus the per-message overhead. */
  static final String TIKTOKEN_CHAT = "estimated.tiktoken_chat";

  /** Source of a heuristic count. */
  static final String HEURISTIC = "estimated.heuristic";

  /** Appended to a source when the text counted was JSON holding no recognisable messages. */
  static final String JSON_SUFFIX = "_json";

  // tiktoken's guidance for chat models, also what the Traccia SDK adds: every message is framed
  // by 3 tokens, a name costs 1 more, and every reply is primed with 3.
  static final int TOKENS_PER_MESSAGE = 3;
  static final int TOKENS_PER_NAME = 1;
  static final int REPLY_PRIMING_TOKENS = 3;

  private final ConcurrentMap<String, TiktokenCounter> counters = new ConcurrentHashMap<>();

  /** The encoding that counts {@code model}'s tokens exactly, or {@code null} if none does. */
  TiktokenCounter encodingFor(String model) {
    if (model == null) {
      return null;
    }
    String name = TiktokenModels.encodingNameForSpanModel(model);
    return name == null
        ? null
        : counters.computeIfAbsent(TiktokenModels.vocabulary(name), TiktokenCounter::load);
  }

  /** Tokens of plain text; {@code encoding == null} means the heuristic. */
  static long countText(TiktokenCounter encoding, String text) {
    if (text.isEmpty()) {
      return 0;
    }
    return encoding == null ? heuristic(text) : encoding.count(text);
  }

  /** Tokens of a prompt sent as chat messages, with the per-message overhead. */
  static long countChat(TiktokenCounter encoding, List<ChatMessage> messages) {
    long tokens = REPLY_PRIMING_TOKENS;
    for (ChatMessage message : messages) {
      tokens += TOKENS_PER_MESSAGE;
      tokens += countText(encoding, message.role());
      tokens += countText(encoding, message.content());
      if (message.name() != null) {
        tokens += TOKENS_PER_NAME + countText(encoding, message.name());
      }
    }
    return tokens;
  }

  /** One token per four UTF-16 characters, rounded up. */
  static long heuristic(String text) {
    return (text.length() + 3L) / 4;
  }

  /** The characters an exact count of {@code messages} would encode. */
  static long chars(List<ChatMessage> messages) {
    long chars = 0;
    for (ChatMessage message : messages) {
      chars += message.role().length() + message.content().length();
      if (message.name() != null) {
        chars += message.name().length();
      }
    }
    return chars;
  }
}
