/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The proxy jar forwarding over OTLP/gRPC to Grafana Tempo and to Jaeger, each in a tag-pinned
 * container: an LLM span sent to the proxy can be read back through the backend's own query API,
 * with the cost the proxy added. Skipped where no Docker engine is reachable.
 */
@Testcontainers(disabledWithoutDocker = true)
class TempoJaegerContainersIT {

  private static final DockerImageName TEMPO = DockerImageName.parse("grafana/tempo:2.8.2");
  private static final DockerImageName JAEGER =
      DockerImageName.parse("jaegertracing/jaeger:2.10.0");
  private static final int OTLP_GRPC = 4317;
  private static final int TEMPO_HTTP = 3200;
  private static final int JAEGER_QUERY = 16686;
  private static final Duration ARRIVAL = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static final String TEMPO_CONFIG =
      String.join(
          "\n",
          "server:",
          "  http_listen_port: " + TEMPO_HTTP,
          "distributor:",
          "  receivers:",
          "    otlp:",
          "      protocols:",
          "        grpc:",
          "          endpoint: 0.0.0.0:" + OTLP_GRPC,
          "ingester:",
          "  max_block_duration: 5m",
          "storage:",
          "  trace:",
          "    backend: local",
          "    local:",
          "      path: /tmp/tempo/blocks",
          "    wal:",
          "      path: /tmp/tempo/wal",
          "");

  @Container
  private static final GenericContainer<?> tempo =
      new GenericContainer<>(TEMPO)
          .withCopyToContainer(Transferable.of(TEMPO_CONFIG), "/etc/tempo.yaml")
          .withCommand("-config.file=/etc/tempo.yaml")
          .withExposedPorts(OTLP_GRPC, TEMPO_HTTP)
          .waitingFor(
              Wait.forHttp("/ready").forPort(TEMPO_HTTP).withStartupTimeout(Duration.ofMinutes(2)));

  @Container
  private static final GenericContainer<?> jaeger =
      new GenericContainer<>(JAEGER)
          .withExposedPorts(OTLP_GRPC, JAEGER_QUERY)
          .waitingFor(
              Wait.forHttp("/").forPort(JAEGER_QUERY).withStartupTimeout(Duration.ofMinutes(2)));

  @TempDir Path work;

  @Test
  void tempo_spanArrivesThroughProxy() throws Exception {
    String traceId = sendThroughProxy(tempo, "tempo");
    String url =
        "http://"
            + tempo.getHost()
            + ":"
            + tempo.getMappedPort(TEMPO_HTTP)
            + "/api/traces/"
            + traceId;

    String body = awaitTrace(url);

    assertThat(body).contains("chat gpt-4o-mini").contains("llm.cost.usd");
  }

  @Test
  void jaeger_spanArrivesThroughProxy() throws Exception {
    String traceId = sendThroughProxy(jaeger, "jaeger");
    String url =
        "http://"
            + jaeger.getHost()
            + ":"
            + jaeger.getMappedPort(JAEGER_QUERY)
            + "/api/traces/"
            + traceId;

    String body = awaitTrace(url);

    assertThat(body).contains("chat gpt-4o-mini").contains("llm.cost.usd");
  }

  /** Starts the proxy towards the container's OTLP/gRPC port, sends one span, returns its trace. */
  private String sendThroughProxy(GenericContainer<?> backend, String name) throws Exception {
    String endpoint = "http://" + backend.getHost() + ":" + backend.getMappedPort(OTLP_GRPC);
    try (ProxyProcess proxy =
        ProxyProcess.start(
            work.resolve("proxy-" + name),
            ProxyProcess.env(
                "TRACCIA_ENDPOINT",
                endpoint,
                "TRACCIA_EXPORTER_PROTOCOL",
                "grpc",
                "TRACCIA_SCHEDULE_DELAY_MILLIS",
                "50"))) {
      String traceId;
      try (SdkTracerProvider tracing =
          SdkTracerProvider.builder()
              .setResource(Resource.getDefault().toBuilder().put("service.name", name).build())
              .addSpanProcessor(
                  SimpleSpanProcessor.create(
                      OtlpGrpcSpanExporter.builder().setEndpoint(proxy.grpcEndpoint()).build()))
              .build()) {
        Span span =
            tracing
                .get("containers-it")
                .spanBuilder("chat gpt-4o-mini")
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("gen_ai.operation.name", "chat")
                .setAttribute("gen_ai.request.model", "gpt-4o-mini")
                .setAttribute("gen_ai.usage.input_tokens", 100L)
                .setAttribute("gen_ai.usage.output_tokens", 20L)
                .startSpan();
        span.end();
        traceId = span.getSpanContext().getTraceId();
        assertThat(tracing.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      }
      // Closing the proxy drains its queue to the backend before it exits.
      assertThat(proxy.stop()).isZero();
      return traceId;
    }
  }

  /** Polls the backend's trace-by-id API until it answers 200, and returns the body. */
  private static String awaitTrace(String url) {
    return await()
        .atMost(ARRIVAL)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsInstanceOf(IOException.class)
        .until(
            () ->
                HTTP.send(
                    HttpRequest.newBuilder(URI.create(url))
                        .header("Accept", "application/json")
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()),
            r -> r.statusCode() == 200 && r.body().contains("chat gpt-4o-mini"))
        .body();
  }
}
