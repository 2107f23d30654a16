/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Methods woven by the tests; compiled without -parameters, so names come from debug info. */
class ObservedService {

  @Observe
  String greet(String name) {
    return "Hello, " + name;
  }

  @Observe(name = "custom.name")
  void named() {}

  @Observe
  int outer(int x) {
    return inner(x) + 1;
  }

  @Observe
  int inner(int x) {
    return x * 2;
  }

  @Observe(skipArgs = "password", skipResult = true)
  String login(String user, String password) {
    return "token-" + user;
  }

  @Observe
  Object structured(Map<String, Object> payload, List<Integer> numbers, Object other) {
    return payload;
  }

  @Observe
  String echo(String text, Object value) {
    return text;
  }

  @Observe
  void fail(String why) {
    throw new IllegalStateException(why);
  }

  @Observe
  CompletableFuture<String> later(CompletableFuture<String> source) {
    return source;
  }

  @Observe(asType = "guardrail")
  boolean check(String text) {
    return text.contains("ssn");
  }

  @Observe(asType = "llm")
  String ask(String model, List<Map<String, String>> messages, double temperature, int maxTokens) {
    return "Paris.";
  }

  @Observe(
      asType = "tool",
      tags = {"search", "web"},
      attributes = {"tool.name=web_search", "team = core"})
  String search(String query) {
    return "3 results";
  }

  @Observe
  String inferred(String model) {
    return "ok";
  }

  @Observe
  static String twice(String s) {
    return s + s;
  }
}
