/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import ai.traccia.client.Observe;
import ai.traccia.client.Traccia;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;

/**
 * A small application with the Traccia Java client's {@code @Observe}, which {@link
 * PeerJavaClientIT} runs in its own JVM against the proxy: an agent span with an LLM span under it.
 *
 * <p>Arguments: the proxy's OTLP/HTTP traces URL. Prints one JSON line with the trace id and
 * whether {@code @Observe} was woven, and exits 0 when the spans were flushed, 1 otherwise.
 */
public final class ObservePeerApp {

  private static volatile String traceId = "";

  private ObservePeerApp() {}

  /** Runs the application; see the class comment for the argument. */
  public static void main(String[] args) {
    Traccia traccia =
        Traccia.builder()
            .setServiceName("java-observe-peer")
            .setEndpoint(args[0])
            .setAgentId("java-agent")
            .setAgentName("Java Agent")
            .setEnv("test")
            .set("rate_limiting.schedule_delay_millis", "100")
            .init();
    String answer = new ObservePeerApp().answer("What is the capital of France?");
    boolean sent = traccia.forceFlush(Duration.ofSeconds(10));
    System.out.println(
        "{\"trace_id\": \""
            + traceId
            + "\", \"observe_active\": "
            + traccia.observeActive()
            + ", \"sent\": "
            + sent
            + ", \"answer\": \""
            + answer
            + "\"}");
    traccia.shutdown();
    if (!sent) {
      System.exit(1);
    }
  }

  @Observe(name = "answer_question", asType = "agent")
  String answer(String question) {
    traceId = Span.current().getSpanContext().getTraceId();
    return chat("gpt-4o-mini", question);
  }

  @Observe(
      asType = "llm",
      attributes = {"gen_ai.system=openai", "llm.vendor=openai"})
  String chat(String model, String prompt) {
    Span span = Span.current();
    span.setAttribute("gen_ai.request.model", model);
    span.setAttribute("gen_ai.usage.input_tokens", 42L);
    span.setAttribute("gen_ai.usage.output_tokens", 14L);
    return "Paris.";
  }
}
