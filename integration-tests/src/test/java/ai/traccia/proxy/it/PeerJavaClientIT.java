/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static ai.traccia.proxy.it.OtlpAttributes.attributes;
import static ai.traccia.proxy.it.OtlpAttributes.decimal;
import static ai.traccia.proxy.it.OtlpAttributes.find;
import static ai.traccia.proxy.it.OtlpAttributes.hex;
import static ai.traccia.proxy.it.OtlpAttributes.resourceOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Traccia Java client's {@code @Observe}, in an application running in its own JVM ({@link
 * ObservePeerApp}), through the proxy jar to a real OpenTelemetry Collector: the woven spans arrive
 * nested, with the client's attributes, and the proxy prices the LLM span.
 */
class PeerJavaClientIT {

  private static final Duration ARRIVAL = Duration.ofSeconds(30);

  @TempDir Path work;
  private CollectorBackend collector;
  private ProxyProcess proxy;

  @BeforeEach
  void startBackendAndProxy() {
    CollectorBackend.assumeAvailable();
    collector = CollectorBackend.start();
    proxy =
        ProxyProcess.start(
            work.resolve("proxy"),
            ProxyProcess.env(
                "TRACCIA_ENDPOINT",
                collector.grpcEndpoint(),
                "TRACCIA_EXPORTER_PROTOCOL",
                "grpc",
                "TRACCIA_SCHEDULE_DELAY_MILLIS",
                "50"));
  }

  @AfterEach
  void stopAll() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (collector != null) {
      collector.close();
    }
  }

  @Test
  void observe_spansArriveNestedAndLlmSpanIsPriced() {
    JsonNode run =
        PeerRuntime.locate()
            .run(
                work.resolve("app"),
                Map.of(),
                List.of(
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    ObservePeerApp.class.getName(),
                    proxy.httpEndpoint() + "/v1/traces"));
    assertThat(run.get("observe_active").asBoolean()).as("@Observe was woven").isTrue();
    String traceId = run.get("trace_id").asText();

    Span agent = awaitSpan(traceId, "answer_question");
    Span llm = awaitSpan(traceId, "chat");
    assertThat(hex(llm.getParentSpanId())).isEqualTo(hex(agent.getSpanId()));
    Map<String, Object> a = attributes(llm);
    assertThat(a)
        .containsEntry("span.type", "llm")
        .containsEntry("llm.model", "gpt-4o-mini")
        .containsEntry("gen_ai.system", "openai")
        .containsEntry("gen_ai.usage.input_tokens", 42L)
        .containsEntry("gen_ai.usage.output_tokens", 14L)
        .containsEntry("llm.pricing.model_key", "gpt-4o-mini")
        .containsEntry("traccia.pricing.status", "priced");
    assertThat(decimal(a.get("llm.cost.usd")))
        .isEqualByComparingTo(PeerSdkIT.bundledCost("gpt-4o-mini", 42, 14));
    assertThat(attributes(agent)).doesNotContainKey("llm.cost.usd");
    assertThat(resourceOf(collector.receivedTraces(), hex(llm.getSpanId())).orElseThrow())
        .containsEntry("service.name", "java-observe-peer")
        .containsEntry("agent.id", "java-agent");
  }

  private Span awaitSpan(String traceId, String name) {
    return await()
        .atMost(ARRIVAL)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> find(collector.receivedSpans(), traceId, name), Optional::isPresent)
        .orElseThrow();
  }
}
