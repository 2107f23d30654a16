/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.examples.observe;

import ai.traccia.client.Observe;
import io.opentelemetry.api.trace.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pretend travel agent: one plan is a guardrail check, a tool call and an LLM call, each an
 * {@link Observe} method. The model is simulated, so the example needs no API key or network beyond
 * the local proxy.
 */
final class TripPlanner {

  /** The whole run: the other spans nest below this one. */
  @Observe(
      name = "plan_trip",
      tags = {"example", "travel"})
  String plan(String destination, String userRequest) {
    if (containsPii(userRequest)) {
      return "Please leave personal details out of your request.";
    }
    List<String> flights = searchFlights("ZRH", destination);
    List<Map<String, String>> messages = new ArrayList<>();
    messages.add(message("system", "You are a concise travel assistant."));
    messages.add(message("user", userRequest + " Flights: " + flights));
    return chat("gpt-4o-mini", messages, 0.2, 200);
  }

  /** A guardrail: returning true means it fired ({@code guardrail.triggered}). */
  @Observe(
      asType = "guardrail",
      attributes = {"guardrail.category=pii"})
  boolean containsPii(String text) {
    return text.matches(".*\\b\\d{3}-\\d{2}-\\d{4}\\b.*");
  }

  /** A tool call; {@code span.type=tool}. */
  @Observe(
      asType = "tool",
      attributes = {"tool.name=flight_search"})
  List<String> searchFlights(String from, String to) {
    List<String> flights = new ArrayList<>();
    flights.add(from + "-" + to + " 08:15");
    flights.add(from + "-" + to + " 13:40");
    return flights;
  }

  /**
   * An LLM call. {@code @Observe} records {@code llm.model} and {@code llm.prompt} from the
   * arguments; the provider's usage goes on the span, and the proxy adds the cost.
   */
  @Observe(
      asType = "llm",
      attributes = {"gen_ai.system=openai", "llm.vendor=openai"})
  String chat(String model, List<Map<String, String>> messages, double temperature, int maxTokens) {
    String completion = "Take the 08:15 flight and spend the afternoon by the lake.";
    Span span = Span.current();
    span.setAttribute("gen_ai.request.model", model);
    span.setAttribute("gen_ai.response.model", model + "-2024-07-18");
    span.setAttribute("gen_ai.usage.input_tokens", 42L);
    span.setAttribute("gen_ai.usage.output_tokens", 14L);
    span.setAttribute("llm.completion", completion);
    return completion;
  }

  private static Map<String, String> message(String role, String content) {
    Map<String, String> message = new LinkedHashMap<>();
    message.put("role", role);
    message.put("content", content);
    return message;
  }
}
