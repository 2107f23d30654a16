/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.trace.ReadableSpan;
import java.util.List;
import java.util.Set;

/**
 * The {@code llm.*} attributes an {@code @Observe(asType = "llm")} method gets from its arguments,
 * each only when the span does not have it yet: {@code llm.model} from {@code model}, {@code
 * llm.temperature} from {@code temperature}, {@code llm.max_tokens} from {@code max_tokens} or
 * {@code maxTokens}, and {@code llm.prompt} from {@code messages} (an array of strings) or else
 * from {@code prompt} (cut to the value limit). Arguments in {@code skipArgs} are not used.
 * Stateless.
 */
final class LlmArguments {

  private LlmArguments() {}

  static void record(
      Span span, List<String> names, Set<String> skip, Object[] arguments, Values values) {
    Object model = argument("model", names, skip, arguments);
    if (model != null && absent(span, "llm.model")) {
      span.setAttribute("llm.model", String.valueOf(model));
    }
    Object temperature = argument("temperature", names, skip, arguments);
    if (temperature instanceof Number && absent(span, "llm.temperature")) {
      span.setAttribute("llm.temperature", ((Number) temperature).doubleValue());
    }
    Object maxTokens = argument("max_tokens", names, skip, arguments);
    if (maxTokens == null) {
      maxTokens = argument("maxTokens", names, skip, arguments);
    }
    if (maxTokens instanceof Number && absent(span, "llm.max_tokens")) {
      span.setAttribute("llm.max_tokens", ((Number) maxTokens).longValue());
    }
    if (absent(span, "llm.prompt")) {
      Object messages = argument("messages", names, skip, arguments);
      Object prompt = argument("prompt", names, skip, arguments);
      if (messages != null) {
        span.setAttribute(AttributeKey.stringArrayKey("llm.prompt"), values.textList(messages));
      } else if (prompt instanceof CharSequence) {
        span.setAttribute("llm.prompt", Values.cut(prompt.toString(), values.valueLimit()));
      }
    }
  }

  private static Object argument(
      String name, List<String> names, Set<String> skip, Object[] arguments) {
    if (skip.contains(name)) {
      return null;
    }
    int i = names.indexOf(name);
    return i >= 0 && arguments != null && i < arguments.length ? arguments[i] : null;
  }

  private static boolean absent(Span span, String key) {
    return !(span instanceof ReadableSpan) || !ObserveRuntime.has((ReadableSpan) span, key);
  }
}
