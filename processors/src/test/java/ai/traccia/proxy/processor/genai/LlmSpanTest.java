/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.genai;

import static ai.traccia.proxy.processor.TestSpans.attributes;
import static ai.traccia.proxy.processor.TestSpans.batch;
import static ai.traccia.proxy.processor.TestSpans.llmSpan;
import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.processor.TestSpans;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlmSpanTest {

  // --- Traccia SDK (spec 1.11 examples A-D) ---------------------------------------------------

  @Test
  void read_tracciaOpenAiChat() {
    LlmSpan span =
        llmSpan(
            attributes(
                "llm.vendor", "openai",
                "llm.model", "gpt-4o-mini",
                "llm.openai.messages",
                    "[{\"role\": \"system\", \"content\": \"You are terse.\"}, "
                        + "{\"role\": \"user\", \"content\": \"Hi\"}]",
                "llm.prompt", "system: You are terse.\nuser: Hi",
                "llm.completion", "Hello!",
                "llm.finish_reason", "stop",
                "llm.usage.source", "provider_usage",
                "llm.usage.prompt_tokens", 18L,
                "llm.usage.completion_tokens", 5L,
                "llm.usage.total_tokens", 23L,
                "llm.usage.prompt_source", "provider_usage",
                "llm.usage.completion_source", "provider_usage"));

    assertThat(span.isInference()).isTrue();
    assertThat(span.model()).isEqualTo("gpt-4o-mini");
    assertThat(span.provider()).isEqualTo("openai");
    assertThat(span.inputTokens()).isEqualTo(18);
    assertThat(span.outputTokens()).isEqualTo(5);
    assertThat(span.totalTokens()).isEqualTo(23);
    assertThat(span.inputTokensDialect()).isEqualTo(GenAiDialect.TRACCIA);
    assertThat(span.promptText()).isEqualTo("system: You are terse.\nuser: Hi");
    assertThat(span.completionText()).isEqualTo("Hello!");
    assertThat(span.promptMessagesDialect()).isEqualTo(GenAiDialect.TRACCIA);
    assertThat(span.promptMessages())
        .containsExactly(
            new ChatMessage("system", "You are terse.", null), new ChatMessage("user", "Hi", null));
    assertThat(span.cacheReadTokens()).isEqualTo(LlmSpan.ABSENT);
    assertThat(span.existingCostUsd()).isNaN();
  }

  @Test
  void read_tracciaLangChainAnthropicWithTypeMarker() {
    LlmSpan span =
        llmSpan(
            attributes(
                "llm.vendor", "anthropic",
                "llm.model", "claude-sonnet-4-20250514",
                "llm.prompt", "system: Be brief\nhuman: Capital of France?",
                "llm.usage.prompt_tokens", 14L,
                "llm.usage.completion_tokens", 6L,
                "llm.completion", "Paris.",
                "llm.cost.usd", 0.000132,
                "span.type", "LLM"));

    assertThat(span.isInference()).isTrue();
    assertThat(span.isAnthropic()).isTrue();
    assertThat(span.existingCostUsd()).isEqualTo(0.000132);
    assertThat(span.existingCostDialect()).isEqualTo(GenAiDialect.TRACCIA);
  }

  @Test
  void read_tracciaAgentsGenerationIsInferenceButFunctionIsNot() {
    LlmSpan generation =
        llmSpan(
            attributes(
                "agent.span.type", "generation",
                "llm.model", "gpt-4o",
                "llm.usage.input_tokens", 120L,
                "llm.usage.prompt_tokens", 120L,
                "llm.usage.output_tokens", 30L,
                "llm.usage.completion_tokens", 30L,
                "llm.usage.total_tokens", 150L));
    LlmSpan function =
        llmSpan(
            attributes(
                "agent.span.type", "function",
                "agent.tool.name", "get_weather",
                "llm.model", "gpt-4o"));

    assertThat(generation.isInference()).isTrue();
    assertThat(generation.inputTokens()).isEqualTo(120);
    assertThat(generation.outputTokens()).isEqualTo(30);
    assertThat(function.isInference()).isFalse();
  }

  @Test
  void read_tracciaObserveLlmAndToolSpans() {
    LlmSpan observed =
        llmSpan(
            attributes(
                "model", "claude-3-haiku-20240307",
                "prompt", "What is the capital of France?",
                "span.type", "llm",
                "llm.model", "claude-3-haiku-20240307",
                "llm.prompt", "What is the capital of France?",
                "result", "Paris."));
    LlmSpan tool = llmSpan(attributes("span.type", "tool", "llm.model", "gpt-4o"));
    LlmSpan plain = llmSpan(attributes("span.type", "span", "http.url", "https://x"));

    assertThat(observed.isInference()).isTrue();
    assertThat(observed.inputTokens()).isEqualTo(LlmSpan.ABSENT);
    assertThat(observed.hasPrompt()).isTrue();
    assertThat(observed.hasCompletion()).isFalse();
    assertThat(tool.isInference()).isFalse();
    assertThat(plain.isInference()).isFalse();
  }

  @Test
  void read_crewAiAgentSpanIsNotInference() {
    LlmSpan agent =
        llmSpan(
            attributes(
                "crewai.type", "agent", "crewai.agent.llm_model", "gpt-4o", "llm.model", "gpt-4o"));

    assertThat(agent.isInference()).isFalse();
  }

  // --- OpenTelemetry GenAI 1.37+ ----------------------------------------------------------------

  @Test
  void read_otelGenAiChat() {
    LlmSpan span =
        llmSpan(
            attributes(
                "gen_ai.operation.name",
                "chat",
                "gen_ai.provider.name",
                "openai",
                "gen_ai.request.model",
                "gpt-4o",
                "gen_ai.response.model",
                "gpt-4o-2024-08-06",
                "gen_ai.response.id",
                "chatcmpl-123",
                "gen_ai.usage.input_tokens",
                1000L,
                "gen_ai.usage.output_tokens",
                500L,
                "gen_ai.usage.cache_read.input_tokens",
                200L,
                "gen_ai.usage.cache_creation.input_tokens",
                0L,
                "gen_ai.system_instructions",
                "[{\"type\":\"text\",\"content\":\"You are a helpful bot\"}]",
                "gen_ai.input.messages",
                "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Weather in"
                    + " Paris?\"}]},{\"role\":\"assistant\",\"parts\":[{\"type\":\"tool_call\","
                    + "\"id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":{\"location\":"
                    + "\"Paris\"}}]},{\"role\":\"tool\",\"parts\":[{\"type\":"
                    + "\"tool_call_response\",\"id\":\"call_1\",\"response\":\"rainy, 57F\"}]}]",
                "gen_ai.output.messages",
                "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"It is"
                    + " rainy.\"}],\"finish_reason\":\"stop\"}]"));

    assertThat(span.isInference()).isTrue();
    assertThat(span.requestModel()).isEqualTo("gpt-4o");
    assertThat(span.responseModel()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(span.model()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(span.provider()).isEqualTo("openai");
    assertThat(span.operation()).isEqualTo("chat");
    assertThat(span.inputTokens()).isEqualTo(1000);
    assertThat(span.inputTokensDialect()).isEqualTo(GenAiDialect.OTEL_GENAI);
    assertThat(span.cacheReadTokens()).isEqualTo(200);
    assertThat(span.cacheWriteTokens()).isZero();
    assertThat(span.promptMessagesDialect()).isEqualTo(GenAiDialect.OTEL_GENAI);
    assertThat(span.promptMessages())
        .containsExactly(
            new ChatMessage("system", "You are a helpful bot", null),
            new ChatMessage("user", "Weather in Paris?", null),
            new ChatMessage("assistant", "get_weather\n{\"location\":\"Paris\"}", null),
            new ChatMessage("tool", "rainy, 57F", null));
    assertThat(span.completionMessages())
        .containsExactly(new ChatMessage("assistant", "It is rainy.", null));
  }

  @Test
  void read_otelAgentAndToolOperationsAreNotInference() {
    for (String operation :
        new String[] {"invoke_agent", "create_agent", "execute_tool", "invoke_workflow"}) {
      LlmSpan span =
          llmSpan(
              attributes(
                  "gen_ai.operation.name",
                  operation,
                  "gen_ai.provider.name",
                  "openai",
                  "gen_ai.request.model",
                  "gpt-4o",
                  "gen_ai.usage.input_tokens",
                  5000L,
                  "gen_ai.usage.output_tokens",
                  700L));

      assertThat(span.isInference()).as(operation).isFalse();
    }
    LlmSpan embeddings =
        llmSpan(
            attributes(
                "gen_ai.operation.name", "embeddings",
                "gen_ai.request.model", "text-embedding-3-small",
                "gen_ai.usage.input_tokens", 8L));
    assertThat(embeddings.isInference()).isTrue();
  }

  // --- OpenTelemetry GenAI before 1.37 ----------------------------------------------------------

  @Test
  void read_otelGenAiLegacy() {
    LlmSpan span =
        llmSpan(
            attributes(
                "gen_ai.system", "openai",
                "gen_ai.operation.name", "chat",
                "gen_ai.request.model", "gpt-3.5-turbo",
                "gen_ai.response.model", "gpt-3.5-turbo-0125",
                "gen_ai.usage.prompt_tokens", 42L,
                "gen_ai.usage.completion_tokens", 7L));

    assertThat(span.isInference()).isTrue();
    assertThat(span.provider()).isEqualTo("openai");
    assertThat(span.inputTokens()).isEqualTo(42);
    assertThat(span.outputTokens()).isEqualTo(7);
    assertThat(span.inputTokensDialect()).isEqualTo(GenAiDialect.OTEL_GENAI_LEGACY);
  }

  // --- OpenLLMetry ------------------------------------------------------------------------------

  @Test
  void read_openLlmetryAnthropicChat() {
    LlmSpan span =
        llmSpan(
            attributes(
                "gen_ai.system", "Anthropic",
                "llm.request.type", "completion",
                "gen_ai.request.model", "claude-3-5-sonnet-latest",
                "gen_ai.response.model", "claude-3-5-sonnet-20241022",
                "gen_ai.prompt.0.role", "system",
                "gen_ai.prompt.0.content", "Be brief",
                "gen_ai.prompt.1.content", "Capital of France?",
                "gen_ai.prompt.1.role", "user",
                "gen_ai.completion.0.content", "Paris.",
                "gen_ai.completion.0.role", "assistant",
                "gen_ai.usage.input_tokens", 5014L,
                "gen_ai.usage.output_tokens", 6L,
                "llm.usage.total_tokens", 5020L,
                "gen_ai.usage.cache_read_input_tokens", 5000L,
                "gen_ai.usage.cache_creation_input_tokens", 0L));

    assertThat(span.isInference()).isTrue();
    assertThat(span.provider()).isEqualTo("anthropic");
    assertThat(span.isAnthropic()).isTrue();
    assertThat(span.inputTokens()).isEqualTo(5014);
    assertThat(span.totalTokens()).isEqualTo(5020);
    assertThat(span.cacheReadTokens()).isEqualTo(5000);
    assertThat(span.promptMessagesDialect()).isEqualTo(GenAiDialect.OPENLLMETRY);
    assertThat(span.promptMessages())
        .containsExactly(
            new ChatMessage("system", "Be brief", null),
            new ChatMessage("user", "Capital of France?", null));
    assertThat(span.completionMessages())
        .containsExactly(new ChatMessage("assistant", "Paris.", null));
  }

  @Test
  void read_openLlmetryWorkflowSpanIsNotInference() {
    LlmSpan span =
        llmSpan(
            attributes(
                "traceloop.span.kind", "workflow",
                "traceloop.entity.name", "answer_question",
                "gen_ai.request.model", "gpt-4o"));

    assertThat(span.isInference()).isFalse();
  }

  // --- OpenInference ----------------------------------------------------------------------------

  @Test
  void read_openInferenceLlm() {
    LlmSpan span =
        llmSpan(
            attributes(
                "openinference.span.kind", "LLM",
                "llm.model_name", "gpt-4o-mini-2024-07-18",
                "llm.provider", "openai",
                "llm.system", "openai",
                "llm.invocation_parameters", "{\"temperature\": 0}",
                "input.value", "{\"messages\": [...]}",
                "input.mime_type", "application/json",
                "llm.input_messages.0.message.role", "system",
                "llm.input_messages.0.message.content", "You are terse.",
                "llm.input_messages.1.message.role", "user",
                "llm.input_messages.1.message.contents.0.message_content.type", "text",
                "llm.input_messages.1.message.contents.0.message_content.text", "Look at",
                "llm.input_messages.1.message.contents.1.message_content.text", "this",
                "llm.output_messages.0.message.role", "assistant",
                "llm.output_messages.0.message.content", "Hi there!",
                "llm.output_messages.0.message.contents.0.message_content.text", "Hi there!",
                "output.value", "Hi there!",
                "llm.token_count.prompt", 10L,
                "llm.token_count.completion", 5L,
                "llm.token_count.total", 15L,
                "llm.token_count.prompt_details.cache_read", 2L,
                "llm.token_count.prompt_details.cache_write", 1L,
                "llm.token_count.completion_details.reasoning", 3L));

    assertThat(span.isInference()).isTrue();
    assertThat(span.model()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(span.provider()).isEqualTo("openai");
    assertThat(span.inputTokens()).isEqualTo(10);
    assertThat(span.outputTokens()).isEqualTo(5);
    assertThat(span.totalTokens()).isEqualTo(15);
    assertThat(span.cacheReadTokens()).isEqualTo(2);
    assertThat(span.cacheWriteTokens()).isEqualTo(1);
    assertThat(span.reasoningTokens()).isEqualTo(3);
    assertThat(span.inputTokensDialect()).isEqualTo(GenAiDialect.OPENINFERENCE);
    assertThat(span.promptMessagesDialect()).isEqualTo(GenAiDialect.OPENINFERENCE);
    assertThat(span.promptMessages())
        .containsExactly(
            new ChatMessage("system", "You are terse.", null),
            new ChatMessage("user", "Look at\nthis", null));
    assertThat(span.completionMessages())
        .containsExactly(new ChatMessage("assistant", "Hi there!", null));
    assertThat(span.completionText()).isEqualTo("Hi there!");
  }

  @Test
  void read_openInferenceAgentChainAndToolAreNotInference() {
    for (String kind : new String[] {"AGENT", "CHAIN", "TOOL", "RETRIEVER", "EMBEDDING"}) {
      LlmSpan span =
          llmSpan(
              attributes(
                  "openinference.span.kind",
                  kind,
                  "llm.model_name",
                  "gpt-4o",
                  "llm.token_count.prompt",
                  900L,
                  "llm.token_count.completion",
                  100L));

      assertThat(span.isInference()).as(kind).isFalse();
    }
  }

  // --- Table rules ------------------------------------------------------------------------------

  @Test
  void read_firstRowWinsWhateverTheAttributeOrder() {
    List<KeyValue> attributes =
        new ArrayList<>(
            attributes(
                "llm.usage.prompt_tokens", 11L,
                "gen_ai.usage.input_tokens", 22L,
                "llm.token_count.prompt", 33L,
                "llm.model", "request-a",
                "gen_ai.request.model", "request-b"));

    LlmSpan forward = llmSpan(attributes);
    Collections.reverse(attributes);
    LlmSpan backward = llmSpan(attributes);

    assertThat(forward.inputTokens()).isEqualTo(22);
    assertThat(backward.inputTokens()).isEqualTo(22);
    assertThat(forward.requestModel()).isEqualTo("request-b");
    assertThat(backward.requestModel()).isEqualTo("request-b");
  }

  @Test
  void read_countsFromNumericStringsAndIntegralDoubles() {
    LlmSpan span =
        llmSpan(
            attributes(
                "gen_ai.request.model",
                "gpt-4o",
                "gen_ai.usage.input_tokens",
                "120",
                "gen_ai.usage.output_tokens",
                30.0,
                "gen_ai.usage.cache_read.input_tokens",
                2.5));

    assertThat(span.inputTokens()).isEqualTo(120);
    assertThat(span.outputTokens()).isEqualTo(30);
    assertThat(span.cacheReadTokens()).isEqualTo(LlmSpan.ABSENT);
  }

  @Test
  void read_invalidValuesAreIgnoredAndALowerRowFillsIn() {
    LlmSpan span =
        llmSpan(
            attributes(
                "gen_ai.request.model", "",
                "llm.model", "gpt-4o",
                "gen_ai.usage.input_tokens", "not a number",
                "llm.usage.prompt_tokens", 9L,
                "gen_ai.usage.output_tokens", -3L,
                "gen_ai.usage.cost", "free"));

    assertThat(span.requestModel()).isEqualTo("gpt-4o");
    assertThat(span.inputTokens()).isEqualTo(9);
    assertThat(span.outputTokens()).isEqualTo(LlmSpan.ABSENT);
    assertThat(span.existingCostUsd()).isNaN();
  }

  @Test
  void read_hugeMessageIndexIsIgnored() {
    LlmSpan span =
        llmSpan(
            attributes(
                "gen_ai.request.model", "gpt-4o",
                "gen_ai.prompt.999999999.content", "x",
                "gen_ai.prompt.1024.content", "y",
                "gen_ai.prompt.3.content", "z"));

    assertThat(span.promptMessages()).containsExactly(new ChatMessage("", "z", null));
  }

  @Test
  void read_truncatedMessagesJsonGivesNoMessages() {
    LlmSpan span =
        llmSpan(
            attributes(
                "llm.model",
                "gpt-4o",
                "llm.openai.messages",
                "[{\"role\": \"user\", \"content\": \"Hi"));

    assertThat(span.hasPrompt()).isTrue();
    assertThat(span.promptMessages()).isEmpty();
  }

  @Test
  void read_seesTheTokenCountersEditsOfMissingCounts() {
    SpanBatch batch = batch(attributes("llm.model", "gpt-4o", "llm.prompt", "Hi"));
    batch.putAttribute(0, LlmAttributes.USAGE_PROMPT_TOKENS, 1L);
    batch.putAttribute(0, LlmAttributes.USAGE_COMPLETION_TOKENS, 0L);

    LlmSpan span = LlmSpan.read(batch, 0);

    assertThat(span.inputTokens()).isEqualTo(1);
    assertThat(span.outputTokens()).isZero();
  }

  @Test
  void read_spanWithoutLlmAttributes() {
    LlmSpan span = llmSpan(attributes("http.method", "GET", "http.url", "https://x"));

    assertThat(span.isInference()).isFalse();
    assertThat(span.model()).isNull();
    assertThat(span.provider()).isNull();
    assertThat(span.hasPrompt()).isFalse();
    assertThat(span.promptMessages()).isEmpty();
    assertThat(span.completionMessages()).isEmpty();
  }

  @Test
  void read_isKeptAcrossEditsItDoesNotReadAndFollowsTheTokenCountersCounts() {
    SpanBatch batch =
        TestSpans.batch(
            attributes(
                "gen_ai.operation.name", "chat",
                "gen_ai.request.model", "gpt-4o",
                "gen_ai.output.messages",
                    "[{\"role\": \"assistant\", \"parts\": [{\"type\": \"text\","
                        + " \"content\": \"Paris\"}]}]"));
    LlmSpan first = LlmSpan.read(batch, 0);
    List<ChatMessage> completion = first.completionMessages();

    // Cost, findings and redaction write keys this view does not read: it stays, messages parsed.
    batch.putAttribute(0, "llm.cost.usd", AnyValue.newBuilder().setDoubleValue(0.5).build());
    batch.putAttribute(0, "gen_ai.output.messages", "[]");
    assertThat(LlmSpan.read(batch, 0)).isSameAs(first);
    assertThat(LlmSpan.read(batch, 0).completionMessages()).isSameAs(completion);
    assertThat(completion).extracting(ChatMessage::content).containsExactly("Paris");

    // The token counter's counts are read from the edits: a new view has them.
    batch.putAttribute(
        0, LlmAttributes.USAGE_COMPLETION_TOKENS, AnyValue.newBuilder().setIntValue(1).build());
    LlmSpan counted = LlmSpan.read(batch, 0);
    assertThat(counted).isNotSameAs(first);
    assertThat(counted.outputTokens()).isEqualTo(1);
    assertThat(first.outputTokens()).isEqualTo(LlmSpan.ABSENT);
    // The messages are those the span arrived with, parsed once for both views.
    assertThat(counted.completionMessages()).isSameAs(completion);
  }

  @Test
  void read_afterTheTokenCountersEdits_isWhatAFreshReadSees_withMessagesParsedOnce() {
    SpanBatch batch =
        TestSpans.batch(
            attributes(
                "gen_ai.operation.name",
                "chat",
                "gen_ai.request.model",
                "gpt-4o",
                "gen_ai.usage.output_tokens",
                7L,
                "gen_ai.input.messages",
                "[{\"role\": \"user\", \"parts\": [{\"type\": \"text\","
                    + " \"content\": \"Capital of France?\"}]}]",
                "gen_ai.output.messages",
                "[{\"role\": \"assistant\", \"parts\": [{\"type\": \"text\","
                    + " \"content\": \"Paris\"}]}]"));
    LlmSpan first = LlmSpan.read(batch, 0);
    List<ChatMessage> prompt = first.promptMessages();

    // The token counter writes the missing side; a count for the side that arrived is not read.
    batch.putAttribute(
        0, LlmAttributes.USAGE_PROMPT_TOKENS, AnyValue.newBuilder().setIntValue(5).build());
    LlmSpan afterPrompt = LlmSpan.read(batch, 0);
    List<ChatMessage> completion = first.completionMessages(); // asked of the first view, later
    batch.putAttribute(
        0, LlmAttributes.USAGE_COMPLETION_TOKENS, AnyValue.newBuilder().setIntValue(99).build());
    LlmSpan afterBoth = LlmSpan.read(batch, 0);

    assertThat(afterBoth).isSameAs(afterPrompt);
    assertThat(afterBoth.inputTokens()).isEqualTo(5);
    assertThat(afterBoth.outputTokens()).isEqualTo(7);
    assertThat(afterBoth.promptMessages()).isSameAs(prompt);
    assertThat(afterBoth.completionMessages()).isSameAs(completion);
    assertSameAsFreshRead(batch, afterBoth);

    // A count written and then removed is missing again, as a fresh read finds it.
    batch.removeAttribute(0, LlmAttributes.USAGE_PROMPT_TOKENS);
    LlmSpan removed = LlmSpan.read(batch, 0);
    assertThat(removed.inputTokens()).isEqualTo(LlmSpan.ABSENT);
    assertSameAsFreshRead(batch, removed);
    // Written again, it is read again.
    batch.putAttribute(
        0, LlmAttributes.USAGE_PROMPT_TOKENS, AnyValue.newBuilder().setIntValue(6).build());
    assertThat(LlmSpan.read(batch, 0).inputTokens()).isEqualTo(6);
    assertSameAsFreshRead(batch, LlmSpan.read(batch, 0));
  }

  /** {@code view} reads as the span does when read anew, with no view kept. */
  private static void assertSameAsFreshRead(SpanBatch batch, LlmSpan view) {
    batch.setView(0, null);
    LlmSpan fresh = LlmSpan.read(batch, 0);
    batch.setView(0, view);
    assertThat(view.inputTokens()).isEqualTo(fresh.inputTokens());
    assertThat(view.outputTokens()).isEqualTo(fresh.outputTokens());
    assertThat(view.inputTokensDialect()).isEqualTo(fresh.inputTokensDialect());
    assertThat(view.outputTokensDialect()).isEqualTo(fresh.outputTokensDialect());
    assertThat(view.consumedInputTokens()).isEqualTo(fresh.consumedInputTokens());
    assertThat(view.model()).isEqualTo(fresh.model());
    assertThat(view.promptMessages()).isEqualTo(fresh.promptMessages());
    assertThat(view.completionMessages()).isEqualTo(fresh.completionMessages());
  }
}
