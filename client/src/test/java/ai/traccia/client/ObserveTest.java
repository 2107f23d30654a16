/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import static ai.traccia.client.Clients.only;
import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longArrayKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObserveTest {

  @TempDir Path directory;

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final ObservedService service = new ObservedService();
  private Traccia traccia;

  @BeforeEach
  void start() {
    traccia = Clients.inMemory(directory, exporter);
    assertThat(traccia.observeActive()).isTrue();
  }

  @AfterEach
  void stop() {
    Clients.stop();
  }

  @Test
  void observe_namesSpanAfterMethodWithClassAsScope() {
    assertThat(service.greet("Ada")).isEqualTo("Hello, Ada");

    SpanData span = only(exporter, "greet");
    assertThat(span.getInstrumentationScopeInfo().getName())
        .isEqualTo(ObservedService.class.getName());
    assertThat(span.getAttributes().get(stringKey("span.type"))).isEqualTo("span");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.OK);
  }

  @Test
  void observe_usesExplicitName() {
    service.named();

    assertThat(only(exporter, "custom.name").getAttributes().get(stringKey("result"))).isNull();
  }

  @Test
  void observe_nestsFollowingTheCallStack() {
    assertThat(service.outer(3)).isEqualTo(7);

    SpanData outer = only(exporter, "outer");
    SpanData inner = only(exporter, "inner");
    assertThat(inner.getParentSpanId()).isEqualTo(outer.getSpanId());
    assertThat(inner.getTraceId()).isEqualTo(outer.getTraceId());
    assertThat(outer.getParentSpanContext().isValid()).isFalse();
  }

  @Test
  void observe_nestsBelowManualSpan() throws Exception {
    Traccia.span("request", Collections.emptyMap(), span -> service.greet("Bob"));

    assertThat(only(exporter, "greet").getParentSpanId())
        .isEqualTo(only(exporter, "request").getSpanId());
  }

  @Test
  void observe_recordsArgumentsByParameterNameAndResult() {
    service.greet("Ada");

    SpanData span = only(exporter, "greet");
    assertThat(span.getAttributes().get(stringKey("name"))).isEqualTo("Ada");
    assertThat(span.getAttributes().get(stringKey("result"))).isEqualTo("Hello, Ada");
  }

  @Test
  void observe_staticMethod() {
    assertThat(ObservedService.twice("ab")).isEqualTo("abab");

    assertThat(only(exporter, "twice").getAttributes().get(stringKey("s"))).isEqualTo("ab");
  }

  @Test
  void observe_convertsStructuredValues() {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("q", "weather");
    payload.put("n", 2);
    service.structured(payload, Arrays.asList(1, 2, 3), new StringBuilder("sb"));

    SpanData span = only(exporter, "structured");
    assertThat(span.getAttributes().get(stringKey("payload")))
        .isEqualTo("{\"q\": \"weather\", \"n\": 2}");
    assertThat(span.getAttributes().get(longArrayKey("numbers"))).containsExactly(1L, 2L, 3L);
    assertThat(span.getAttributes().get(stringKey("other"))).isEqualTo("sb");
    assertThat(span.getAttributes().get(stringKey("result")))
        .isEqualTo("{\"q\": \"weather\", \"n\": 2}");
  }

  @Test
  void observe_skipsArgumentsAndResult() {
    assertThat(service.login("ada", "hunter2")).isEqualTo("token-ada");

    SpanData span = only(exporter, "login");
    assertThat(span.getAttributes().get(stringKey("user"))).isEqualTo("ada");
    assertThat(span.getAttributes().asMap().keySet())
        .extracting(k -> k.getKey())
        .doesNotContain("password", "result");
  }

  @Test
  void observe_cutsNonPrimitiveValuesTo1000ByDefault() {
    char[] chars = new char[1500];
    Arrays.fill(chars, 'x');
    String text = new String(chars);
    service.echo(text, Collections.singletonMap("k", text));

    SpanData span = only(exporter, "echo");
    // Strings are kept whole, as the Python SDK keeps primitives, unless a limit is configured.
    assertThat(span.getAttributes().get(stringKey("text"))).hasSize(1500);
    assertThat(span.getAttributes().get(stringKey("value")))
        .hasSize(1000)
        .startsWith("{\"k\": \"xxx");
  }

  @Test
  void observe_cutsEveryValueToAttrTruncationLimit() {
    Clients.stop();
    InMemorySpanExporter limited = InMemorySpanExporter.create();
    Traccia.Builder b = Clients.isolated(directory).setAttrTruncationLimit(10);
    b.spanExporter = limited;
    b.init();

    service.echo("abcdefghijklmnop", Arrays.asList("0123456789abc", 7));

    SpanData span = only(limited, "echo");
    assertThat(span.getAttributes().get(stringKey("text"))).isEqualTo("abcdefghij");
    assertThat(span.getAttributes().get(stringArrayKey("value")))
        .containsExactly("0123456789", "7");
    assertThat(span.getAttributes().get(stringKey("result"))).isEqualTo("abcdefghij");
  }

  @Test
  void observe_recordsErrorAndRethrows() {
    assertThatThrownBy(() -> service.fail("no permission"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no permission");

    SpanData span = only(exporter, "fail");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getStatus().getDescription()).isEqualTo("no permission");
    assertThat(span.getAttributes().get(stringKey("error.type")))
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(span.getAttributes().get(stringKey("error.message"))).isEqualTo("no permission");
    assertThat(span.getAttributes().get(stringKey("error.stack_trace")))
        .startsWith("java.lang.IllegalStateException: no permission")
        .contains("ObservedService.fail")
        .hasSizeLessThanOrEqualTo(2000);
    assertThat(span.getEvents()).extracting(e -> e.getName()).containsExactly("exception");
  }

  @Test
  void observe_endsAsyncSpanWhenFutureCompletes() {
    CompletableFuture<String> source = new CompletableFuture<>();
    CompletableFuture<String> returned = service.later(source);

    assertThat(returned).isSameAs(source);
    assertThat(Clients.named(exporter, "later")).isEmpty();

    source.complete("done");

    SpanData span = only(exporter, "later");
    assertThat(span.getAttributes().get(stringKey("result"))).isEqualTo("done");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.OK);
  }

  @Test
  void observe_recordsAsyncFailure() {
    CompletableFuture<String> source = new CompletableFuture<>();
    service.later(source);

    source.completeExceptionally(new IOException("backend down"));

    SpanData span = only(exporter, "later");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(stringKey("error.type"))).isEqualTo("java.io.IOException");
    assertThat(span.getAttributes().get(stringKey("error.message"))).isEqualTo("backend down");
  }

  @Test
  void observe_guardrailReturningBooleanSetsTriggered() {
    service.check("my ssn is 123");
    service.check("hello");

    List<SpanData> spans = Clients.named(exporter, "check");
    assertThat(spans).hasSize(2);
    assertThat(spans.get(0).getAttributes().get(booleanKey("guardrail.triggered"))).isTrue();
    assertThat(spans.get(1).getAttributes().get(booleanKey("guardrail.triggered"))).isFalse();
    assertThat(spans.get(0).getAttributes().get(stringKey("span.type"))).isEqualTo("guardrail");
  }

  @Test
  void observe_llmSpanTakesModelAndPromptFromArguments() {
    Map<String, String> message = new LinkedHashMap<>();
    message.put("role", "user");
    message.put("content", "Capital of France?");
    service.ask("gpt-4o-mini", Collections.singletonList(message), 0.2, 64);

    SpanData span = only(exporter, "ask");
    assertThat(span.getAttributes().get(stringKey("span.type"))).isEqualTo("llm");
    assertThat(span.getAttributes().get(stringKey("llm.model"))).isEqualTo("gpt-4o-mini");
    assertThat(span.getAttributes().get(doubleKey("llm.temperature"))).isEqualTo(0.2);
    assertThat(span.getAttributes().get(longKey("llm.max_tokens"))).isEqualTo(64L);
    assertThat(span.getAttributes().get(stringArrayKey("llm.prompt")))
        .containsExactly("{\"role\": \"user\", \"content\": \"Capital of France?\"}");
    assertThat(span.getAttributes().get(stringKey("result"))).isEqualTo("Paris.");
  }

  @Test
  void observe_toolSpanWithTagsAndFixedAttributes() {
    service.search("weather");

    SpanData span = only(exporter, "search");
    assertThat(span.getAttributes().get(stringKey("span.type"))).isEqualTo("tool");
    assertThat(span.getAttributes().get(stringKey("tool.name"))).isEqualTo("web_search");
    assertThat(span.getAttributes().get(stringKey("team"))).isEqualTo("core");
    assertThat(span.getAttributes().get(stringArrayKey("span.tags")))
        .containsExactly("search", "web");
  }

  @Test
  void observe_infersLlmTypeFromModelArgument() {
    service.inferred("claude-3-haiku");

    assertThat(only(exporter, "inferred").getAttributes().get(stringKey("span.type")))
        .isEqualTo("llm");
  }

  @Test
  void observe_recordsNothingAfterShutdown() {
    traccia.shutdown();
    exporter.reset();

    assertThat(service.greet("Ada")).isEqualTo("Hello, Ada");

    assertThat(exporter.getFinishedSpanItems()).isEmpty();
  }
}
