/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.config.ConfigLoader;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.server.ProxyAssembly;
import ai.traccia.proxy.server.ProxyServer;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The proxy {@code serve} starts ({@link ProxyAssembly}) with redaction on, from an OTLP/HTTP
 * request to the file exporter's output: no secret survives anywhere, the root span held by the
 * guardrail processor included.
 */
class RedactionEndToEndTest {

  private static final String EMAIL = "jane.doe@example.com";
  private static final String CARD = "4111-1111-1111-1111";
  private static final String TOKEN = "ghp_" + "b".repeat(36);
  private static final List<String> SECRETS = List.of(EMAIL, CARD, TOKEN);

  @TempDir Path dir;

  private final HttpClient client = HttpClient.newHttpClient();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private ProxyAssembly proxy;
  private ProxyServer server;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  @Test
  void serve_fileExporterAndLogsHoldNoRedactedString_heldRootIncluded() throws Exception {
    Path file = dir.resolve("traces.jsonl");
    ProxyConfig config =
        ConfigLoader.builder()
            .setEnvironment(
                Map.of(
                    "TRACCIA_REDACTION_ENABLED", "true",
                    "TRACCIA_GUARDRAIL_ROOT_SPAN_WAIT_MS", "30000"))
            .setWorkingDirectory(dir)
            .setHomeDirectory(dir)
            .build()
            .load()
            .toBuilder()
            .setGrpcPort(0)
            .setHttpPort(0)
            .setAdminPort(0)
            .setScheduleDelay(Duration.ofMillis(10))
            .setFilePath(file)
            .build();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    // The proxy serve starts: the live page shows span attributes, and must show them redacted,
    // held root included.
    proxy = ProxyAssembly.start(config);
    server = proxy.server();
    SelfMetrics metrics = server.metrics();
    SpanBatchProcessor guardrails =
        proxy.pipeline().processors().stream()
            .filter(p -> p.name().equals("guardrail"))
            .findFirst()
            .orElseThrow();

    HttpResponse<byte[]> response =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.httpPort() + "/v1/traces"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request().toByteArray()))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    server.flush(Duration.ofSeconds(5));
    guardrails.shutdown(); // releases the held root through the stages after it: redaction
    server.flush(Duration.ofSeconds(5));

    String written = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(written).contains("[REDACTED:email]", "[REDACTED:card]", "[REDACTED:api_key]");
    assertThat(written).contains("guardrail.summary"); // the root was released and written
    String traces = admin(client, "/api/traces");
    assertThat(traces).contains("\"traceId\"");
    String traceId = traces.replaceAll("(?s).*?\"traceId\":\"([0-9a-f]{32})\".*", "$1");
    String tree = admin(client, "/api/trace?id=" + traceId);
    assertThat(tree).contains("[REDACTED:email]").contains("guardrail.summary");
    for (String secret : SECRETS) {
      assertThat(written).as(secret).doesNotContain(secret);
      assertThat(traces + tree).as(secret).doesNotContain(secret);
      for (ILoggingEvent event : logs.list) {
        assertThat(event.getFormattedMessage()).as(secret).doesNotContain(secret);
      }
    }
    assertThat(metrics.counterValue("traccia_proxy_redactions", "rule", "email", "mode", "mask"))
        .isGreaterThanOrEqualTo(2);
  }

  /** A GET on the admin port, answered 200. */
  private String admin(HttpClient client, String path) throws Exception {
    HttpResponse<String> answer =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(answer.statusCode()).as(path).isEqualTo(200);
    return answer.body();
  }

  private static ExportTraceServiceRequest request() {
    String text = "Reach me at " + EMAIL + ", card " + CARD + ", token " + TOKEN;
    Span root =
        span(1, 0)
            .addAttributes(kv("span.type", "agent"))
            .addAttributes(kv("llm.prompt", text))
            .build();
    Span child =
        span(2, 1)
            .addAttributes(kv("gen_ai.request.model", "gpt-4o"))
            .addAttributes(
                kv(
                    "gen_ai.input.messages",
                    "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\""
                        + text
                        + "\"}]}]"))
            .addEvents(
                Span.Event.newBuilder()
                    .setName("gen_ai.choice")
                    .addAttributes(kv("message", "Sent to " + EMAIL)))
            .build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "chat")))
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(root).addSpans(child)))
        .build();
  }

  private static Span.Builder span(int id, int parent) {
    Span.Builder b =
        Span.newBuilder()
            .setTraceId(
                ByteString.copyFrom(new byte[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 7, 8}))
            .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) id}))
            .setName("span " + id)
            .setStartTimeUnixNano(1_000)
            .setEndTimeUnixNano(2_000);
    if (parent != 0) {
      b.setParentSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) parent}));
    }
    return b;
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
