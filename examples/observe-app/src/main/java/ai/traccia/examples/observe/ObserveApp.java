/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.examples.observe;

import ai.traccia.client.GuardrailSpan;
import ai.traccia.client.IdentityScope;
import ai.traccia.client.Traccia;
import io.opentelemetry.api.metrics.LongCounter;
import java.time.Duration;

/**
 * Plans two trips, each as its own agent run, and sends the spans to Traccia Proxy on {@code
 * http://localhost:4318} (or {@code TRACCIA_ENDPOINT}).
 */
public final class ObserveApp {

  private ObserveApp() {}

  /** Runs the example; no arguments. */
  public static void main(String[] args) {
    Traccia traccia =
        Traccia.builder()
            .setServiceName("observe-app")
            .setAgentId("trip-planner")
            .setAgentName("Trip Planner")
            .setEnv("dev")
            .init();
    LongCounter plans = Traccia.counter("example.trips.planned", "Trips planned");
    TripPlanner planner = new TripPlanner();

    try (IdentityScope run = Traccia.runIdentity("trip-planner-lucerne", "Lucerne run", "dev")) {
      System.out.println(planner.plan("LUZ", "Two days in Lucerne, what should I do?"));
      plans.add(1);
    }
    try (IdentityScope run = Traccia.runIdentity("trip-planner-geneva", "Geneva run", "dev")) {
      System.out.println(planner.plan("GVA", "My SSN is 123-45-6789, book Geneva."));
      plans.add(1);
    }
    try (GuardrailSpan check = Traccia.guardrailSpan("topic_filter", "moderation", "warn")) {
      check.setTriggered(false).suppressMissing("prompt_injection");
    }

    boolean sent = traccia.forceFlush(Duration.ofSeconds(10));
    System.out.println(
        (sent ? "Sent" : "Could not send")
            + " the spans to "
            + traccia.tracesEndpoint().map(Object::toString).orElse("nowhere")
            + (traccia.observeActive() ? "" : " (@Observe was not active; see the log above)"));
    traccia.shutdown();
  }
}
