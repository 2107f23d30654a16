/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tokens;

import static ai.traccia.proxy.processor.TestSpans.attributes;
import static ai.traccia.proxy.processor.TestSpans.batch;
import static ai.traccia.proxy.processor.TestSpans.forwarded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pipeline.SpanBatchProcessorContract;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenCountingProcessorTest extends SpanBatchProcessorContract {

  private static final TokenCountingProcessor PROCESSOR = TokenCountingProcessor.create();

  @Override
  protected SpanBatchProcessor newProcessor() {
    return PROCESSOR;
  }

  @Override
  protected Set<String> keysWritten() {
    return Set.of("llm.usage.*");
  }

  /** tiktoken's count of {@code text} for {@code model}, from the committed fixture. */
  private static long tiktoken(String model, String text) {
    for (JsonNode c : TiktokenFixture.ROOT.get("texts")) {
      if (c.get("model").asText().equals(model) && c.get("text").asText().equals(text)) {
        return c.get("tokens").asLong();
      }
    }
    throw new AssertionError("no fixture count for " + model + ": " + text);
  }

  @Test
  void process_openAiPlainTextIsCountedWithTheModelsEncoding() {
    SpanBatch batch =
        batch(
            attributes(
                "llm.vendor", "openai",
                "llm.model", "gpt-4o",
                "llm.prompt", "What is the capital of France?",
                "llm.completion", "Hello, world!"));

    PROCESSOR.process(batch);

    assertThat(forwarded(batch, 0))
        .contains(
            entry("llm.usage.prompt_tokens", tiktoken("gpt-4o", "What is the capital of France?")),
            entry("llm.usage.prompt_source", "estimated.tiktoken"),
            entry("llm.usage.completion_tokens", tiktoken("gpt-4o", "Hello, world!")),
            entry("llm.usage.completion_source", "estimated.tiktoken"),
            entry("llm.usage.source", "estimated.tiktoken"))
        .doesNotContainKey("llm.usage.total_tokens");
  }

  @Test
  void process_cl100kModel() {
    String text = "def add(a, b):\n    return a + b\n\nprint(add(2, 3))  # 5\n";
    SpanBatch batch = batch(attributes("gen_ai.request.model", "gpt-4", "input.value", text));

    PROCESSOR.process(batch);

    assertThat(forwarded(batch, 0))
        .contains(entry("llm.usage.prompt_tokens", tiktoken("gpt-4", text)));
  }

  @Test
  void process_openInferenceMessagesGetTheChatOverhead() {
    JsonNode chat = TiktokenFixture.ROOT.get("chats").get(0); // gpt-4o-mini, terse system + Hi
    assertThat(chat.get("model").asText()).isEqualTo("gpt-4o-mini");
    SpanBatch batch =
        batch(
            attributes(
                "openinference.span.kind", "LLM",
                "llm.model_name", "gpt-4o-mini",
                "input.value", "ignored when messages are present",
                "llm.input_messages.0.message.role", "system",
                "llm.input_messages.0.message.content", "You are terse.",
                "llm.input_messages.1.message.role", "user",
                "llm.input_messages.1.message.content", "Hi",
                "llm.output_messages.0.message.role", "assistant",
                "llm.output_messages.0.message.content", "Hello, world!"));

    PROCESSOR.process(batch);

    assertThat(forwarded(batch, 0))
        .contains(
            entry("llm.usage.prompt_tokens", chat.get("tokens").asLong()),
            entry("llm.usage.prompt_source", "estimated.tiktoken_chat"),
            entry("llm.usage.completion_tokens", tiktoken("gpt-4o", "Hello, world!")),
            entry("llm.usage.completion_source", "estimated.tiktoken"),
            entry("llm.usage.source", "mixed"));
  }

  @Test
  void process_otelMessagesJsonWithSystemInstructions() {
    JsonNode chat = TiktokenFixture.ROOT.get("chats").get(4); // gpt-4, terse system + Hi
    assertThat(chat.get("model").asText()).isEqualTo("gpt-4");
    SpanBatch batch =
        batch(
            attributes(
                "gen_ai.operation.name", "chat",
                "gen_ai.provider.name", "openai",
                "gen_ai.request.model", "gpt-4",
                "gen_ai.system_instructions",
                    "[{\"type\":\"text\",\"content\":\"You are terse.\"}]",
                "gen_ai.input.messages",
                    "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Hi\"}]}]"));

    PROCESSOR.process(batch);

    assertThat(forwarded(batch, 0))
        .contains(
            entry("llm.usage.prompt_tokens", chat.get("tokens").asLong()),
            entry("llm.usage.prompt_source", "estimated.tiktoken_chat"),
            entry("llm.usage.source", "estimated.tiktoken_chat"));
  }

  @Test
  void process_nonOpenAiModelIsEstimatedByTheHeuristic() {
    // Spec example D: @observe(as_type="llm") around a Claude model, no usage, no completion.
    SpanBatch batch =
        batch(
            attributes(
                "span.type", "llm",
                "llm.model", "claude-3-haiku-20240307",
                "llm.prompt", "What is the capital of France?"));

    PROCESSOR.process(batch);

    assertThat(forwarded(batch, 0))
        .contains(
            entry("llm.usage.prompt_tokens", 8L),
            entry("llm.usage.prompt_source", "estimated.heuristic"),
            entry("llm.usage.source", "estimated.heuristic"))
        .doesNotContainKeys("llm.usage.completion_tokens", "llm.usage.completion_source");
  }

  @Test
  void process_providerCountsAreNeverReplaced() {
    SpanBatch batch =
        batch(
            attributes(
                "gen_ai.request.model", "gpt-4o",
                "gen_ai.usage.input_tokens", 100L,
                "gen_ai.prompt.0.role", "user",
                "gen_ai.prompt.0.content", "What is the capital of France?",
                "gen_ai.completion.0.content", "Hello, world!"));

    PROCESSOR.process(batch);

    Map<String, Object> out = forwarded(batch, 0);
    assertThat(out)
        .contains(
            entry("gen_ai.usage.input_tokens", 100L),
            entry("llm.usage.completion_tokens", tiktoken("gpt-4o", "Hello, world!")),
            entry("llm.usage.source", "mixed"))
        .doesNotContainKeys("llm.usage.prompt_tokens", "llm.usage.prompt_source");
  }

  @Test
  void process_zeroCountIsACount() {
    SpanBatch batch =
        batch(
            attributes(
                "llm.model", "gpt-4o",
                "llm.usage.prompt_tokens", 0L,
                "llm.usage.completion_tokens", 0L,
                "llm.prompt", "Hello",
                "llm.completion", "Hi"));

    PROCESSOR.process(batch);

    assertThat(batch.isModified()).isFalse();
  }

  @Test
  void process_providerUsageWithAFilledSideBecomesMixed() {
    SpanBatch batch =
        batch(
            attributes(
                "llm.model", "gpt-4o",
                "llm.usage.source", "provider_usage",
                "llm.usage.prompt_tokens", 14L,
                "llm.usage.prompt_source", "provider_usage",
                "llm.completion", "Hello, world!"));

    PROCESSOR.process(batch);

    assertThat(forwarded(batch, 0))
        .contains(
            entry("llm.usage.prompt_tokens", 14L),
            entry("llm.usage.completion_source", "estimated.tiktoken"),
            entry("llm.usage.source", "mixed"));
  }

  @Test
  void process_anotherUsageSourceIsKept() {
    SpanBatch batch =
        batch(
            attributes(
                "llm.model", "gpt-4o",
                "llm.usage.source", "gateway",
                "llm.completion", "Hello, world!"));

    PROCESSOR.process(batch);

    assertThat(forwarded(batch, 0)).contains(entry("llm.usage.source", "gateway"));
  }

  @Test
  void process_emptyStringIsNoText() {
    SpanBatch batch = batch(attributes("llm.model", "gpt-4o", "llm.prompt", ""));

    PROCESSOR.process(batch);

    assertThat(batch.isModified()).isFalse();
  }

  @Test
  void process_messageWithoutContentCountsItsOverhead() {
    JsonNode chat = TiktokenFixture.ROOT.get("chats").get(3); // gpt-4o-mini, one empty user message
    assertThat(chat.get("model").asText()).isEqualTo("gpt-4o-mini");
    SpanBatch batch =
        batch(attributes("gen_ai.request.model", "gpt-4o-mini", "gen_ai.prompt.0.role", "user"));

    PROCESSOR.process(batch);

    assertThat(batch.attribute(0, "llm.usage.prompt_tokens").getIntValue())
        .isEqualTo(chat.get("tokens").asLong());
  }

  @Test
  void process_textOverTheBoundIsEstimated() {
    TokenCountingProcessor bounded =
        TokenCountingProcessor.builder().setMaxEncodedChars(20).build();
    SpanBatch batch =
        batch(
            attributes(
                "llm.model", "gpt-4o",
                "llm.prompt", "What is the capital of France?",
                "llm.completion", "Hello, world!"));

    bounded.process(batch);

    assertThat(forwarded(batch, 0))
        .contains(
            entry("llm.usage.prompt_tokens", 8L),
            entry("llm.usage.prompt_source", "estimated.heuristic"),
            entry("llm.usage.completion_tokens", tiktoken("gpt-4o", "Hello, world!")),
            entry("llm.usage.completion_source", "estimated.tiktoken"),
            entry("llm.usage.source", "mixed"));
  }

  @Test
  void process_nonInferenceSpansAreLeftAlone() {
    SpanBatch batch =
        batch(
            attributes(
                "openinference.span.kind",
                "AGENT",
                "llm.model_name",
                "gpt-4o",
                "input.value",
                "Hi"),
            attributes(
                "gen_ai.operation.name",
                "invoke_agent",
                "gen_ai.request.model",
                "gpt-4o",
                "gen_ai.input.messages",
                "[{\"role\":\"user\",\"content\":\"Hi\"}]"),
            attributes("span.type", "tool", "llm.model", "gpt-4o", "llm.prompt", "Hi"),
            attributes("http.url", "https://example.com", "llm.prompt", "no model"));

    PROCESSOR.process(batch);

    assertThat(batch.isModified()).isFalse();
  }

  @Test
  void process_rejectedSpansAreSkipped() {
    SpanBatch batch = batch(attributes("llm.model", "gpt-4o", "llm.prompt", "Hi"));
    batch.reject(0, RejectReason.RATE_LIMITED);

    PROCESSOR.process(batch);

    assertThat(batch.attribute(0, "llm.usage.prompt_tokens")).isNull();
  }

  @Test
  void process_hugeTextStaysFast() {
    String huge = "的".repeat(4 << 20);
    SpanBatch batch = batch(attributes("llm.model", "gpt-4o", "llm.prompt", huge));

    long start = System.nanoTime();
    PROCESSOR.process(batch);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(batch.attribute(0, "llm.usage.prompt_tokens").getIntValue()).isEqualTo(1 << 20);
    assertThat(millis).isLessThan(2_000);
  }

  @Test
  void builder_negativeBoundIsRejected() {
    assertThatThrownBy(() -> TokenCountingProcessor.builder().setMaxEncodedChars(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxEncodedChars: -1 (expected: >= 0)");
  }

  @Test
  void name_isTokenCounting() {
    assertThat(PROCESSOR.name()).isEqualTo("token_counting");
  }

  // openinference-instrumentation-openai 0.1 with OPENINFERENCE_HIDE_INPUT_MESSAGES and
  // OPENINFERENCE_HIDE_OUTPUT_MESSAGES: llm.input_messages.* / llm.output_messages.* are dropped,
  // input.value keeps the request parameters and output.value the ChatCompletion, both as JSON
  // with mime type application/json. The counts are those of the messages inside, the same as
  // when the messages are visible.
  @Test
  void process_openInferenceOpenAiHiddenMessages_countsTheMessagesInsideTheJson() {
    Object[] common = {
      "openinference.span.kind", "LLM",
      "llm.provider", "openai",
      "llm.system", "openai",
      "llm.model_name", "gpt-4o",
      "llm.invocation_parameters", "{\"model\": \"gpt-4o\"}"
    };
    SpanBatch hidden =
        batch(
            attributes(
                concat(
                    common,
                    "input.value",
                    "{\"messages\": [{\"role\": \"system\", \"content\": \"You are terse.\"},"
                        + " {\"role\": \"user\", \"content\": \"What is the capital of"
                        + " France?\"}], \"model\": \"gpt-4o\"}",
                    "input.mime_type",
                    "application/json",
                    "output.value",
                    "{\"id\": \"chatcmpl-1\", \"choices\": [{\"finish_reason\": \"stop\","
                        + " \"index\": 0, \"logprobs\": null, \"message\": {\"content\": \"The"
                        + " capital of France is Paris.\", \"refusal\": null, \"role\":"
                        + " \"assistant\", \"tool_calls\": null}}], \"created\": 1, \"model\":"
                        + " \"gpt-4o\", \"object\": \"chat.completion\"}",
                    "output.mime_type",
                    "application/json")));
    SpanBatch visible =
        batch(
            attributes(
                concat(
                    common,
                    "llm.input_messages.0.message.role",
                    "system",
                    "llm.input_messages.0.message.content",
                    "You are terse.",
                    "llm.input_messages.1.message.role",
                    "user",
                    "llm.input_messages.1.message.content",
                    "What is the capital of France?",
                    "llm.output_messages.0.message.role",
                    "assistant",
                    "llm.output_messages.0.message.content",
                    "The capital of France is Paris.")));

    PROCESSOR.process(hidden);
    PROCESSOR.process(visible);

    Map<String, Object> expected = forwarded(visible, 0);
    assertThat(forwarded(hidden, 0))
        .contains(
            entry("llm.usage.prompt_tokens", expected.get("llm.usage.prompt_tokens")),
            entry("llm.usage.prompt_source", "estimated.tiktoken_chat"),
            entry("llm.usage.completion_tokens", expected.get("llm.usage.completion_tokens")),
            entry("llm.usage.completion_source", "estimated.tiktoken"));
  }

  // openinference-instrumentation-anthropic (_wrappers.py, _get_inputs / _get_outputs) with the
  // messages hidden: the Messages request (system, messages) and the Message response (content
  // blocks) as JSON.
  @Test
  void process_openInferenceAnthropicHiddenMessages_countsTheMessagesInsideTheJson() {
    Object[] common = {
      "openinference.span.kind", "LLM",
      "llm.provider", "anthropic",
      "llm.system", "anthropic",
      "llm.model_name", "claude-sonnet-4-5"
    };
    SpanBatch hidden =
        batch(
            attributes(
                concat(
                    common,
                    "input.value",
                    "{\"max_tokens\": 1024, \"messages\": [{\"role\": \"user\", \"content\":"
                        + " [{\"type\": \"text\", \"text\": \"What is the capital of"
                        + " France?\"}]}], \"model\": \"claude-sonnet-4-5\", \"system\": \"You"
                        + " are terse.\"}",
                    "input.mime_type",
                    "application/json",
                    "output.value",
                    "{\"id\": \"msg_1\", \"content\": [{\"citations\": null, \"text\": \"The"
                        + " capital of France is Paris.\", \"type\": \"text\"}], \"model\":"
                        + " \"claude-sonnet-4-5\", \"role\": \"assistant\", \"stop_reason\":"
                        + " \"end_turn\", \"type\": \"message\"}",
                    "output.mime_type",
                    "application/json")));
    SpanBatch visible =
        batch(
            attributes(
                concat(
                    common,
                    "llm.input_messages.0.message.role",
                    "system",
                    "llm.input_messages.0.message.content",
                    "You are terse.",
                    "llm.input_messages.1.message.role",
                    "user",
                    "llm.input_messages.1.message.content",
                    "What is the capital of France?",
                    "llm.output_messages.0.message.role",
                    "assistant",
                    "llm.output_messages.0.message.content",
                    "The capital of France is Paris.")));

    PROCESSOR.process(hidden);
    PROCESSOR.process(visible);

    Map<String, Object> expected = forwarded(visible, 0);
    assertThat(forwarded(hidden, 0))
        .contains(
            entry("llm.usage.prompt_tokens", expected.get("llm.usage.prompt_tokens")),
            entry("llm.usage.prompt_source", "estimated.heuristic"),
            entry("llm.usage.completion_tokens", expected.get("llm.usage.completion_tokens")),
            entry("llm.usage.completion_source", "estimated.heuristic"));
  }

  // JSON that is not a provider request (a chain's input recorded as JSON) is counted as it is,
  // and its source says the count is of the JSON.
  @Test
  void process_jsonWithoutMessages_isCountedAndMarked() {
    String json = "{\"query\": \"What is the capital of France?\"}";
    SpanBatch batch =
        batch(
            attributes(
                "openinference.span.kind", "LLM",
                "llm.model_name", "gpt-4o",
                "input.value", json,
                "input.mime_type", "application/json"));

    PROCESSOR.process(batch);

    assertThat(forwarded(batch, 0))
        .contains(
            entry("llm.usage.prompt_source", "estimated.tiktoken_json"),
            entry("llm.usage.source", "estimated.tiktoken_json"));
  }

  private static Object[] concat(Object[] first, Object... rest) {
    Object[] out = java.util.Arrays.copyOf(first, first.length + rest.length);
    System.arraycopy(rest, 0, out, first.length, rest.length);
    return out;
  }
}
