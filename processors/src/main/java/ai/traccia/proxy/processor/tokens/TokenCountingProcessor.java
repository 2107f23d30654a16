/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tokens;

import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.processor.genai.ChatMessage;
import ai.traccia.proxy.processor.genai.GenAiDialect;
import ai.traccia.proxy.processor.genai.LlmAttributes;
import ai.traccia.proxy.processor.genai.LlmSpan;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.List;

/**
 * Estimates the token counts an inference span lacks ({@code
 * instrumentation.enable_token_counting}).
 *
 * <p>A side (prompt or completion) is counted only when the span reports no count for it in any
 * dialect and carries its text; a count from the provider or the instrumentation is never replaced,
 * and spans that are not inference spans ({@link LlmSpan#isInference()}) are left alone. It writes,
 * per counted side, {@code llm.usage.prompt_tokens} / {@code llm.usage.completion_tokens} (int)
 * with {@code llm.usage.prompt_source} / {@code llm.usage.completion_source}, and {@code
 * llm.usage.source}:
 *
 * <ul>
 *   <li>{@code estimated.tiktoken}: OpenAI models, the model's own tiktoken encoding over plain
 *       text (JTokkit, ordinary text only);
 *   <li>{@code estimated.tiktoken_chat}: OpenAI models, a prompt recorded as messages, counted with
 *       tiktoken's chat overhead (3 tokens per message, 1 per name, 3 to prime the reply);
 *   <li>{@code estimated.heuristic}: every other model, and any span whose text exceeds the bound
 *       below: one token per four characters, rounded up.
 * </ul>
 *
 * <p>OpenInference's {@code input.value} / {@code output.value} with {@code input.mime_type} /
 * {@code output.mime_type} {@code application/json} hold the provider request and response as JSON
 * (what OpenInference keeps when {@code OPENINFERENCE_HIDE_INPUT_MESSAGES} / {@code
 * OPENINFERENCE_HIDE_OUTPUT_MESSAGES} hide the messages). The messages inside are counted as above;
 * JSON that holds none is counted as text and its source gets the suffix {@code _json} ({@code
 * estimated.tiktoken_json}, {@code estimated.heuristic_json}): an estimate of the JSON, not of the
 * text the model read or wrote.
 *
 * <p>{@code llm.usage.source} is written when it is absent or {@code provider_usage}: the common
 * source of both sides (a side with a reported count and no source counts as {@code
 * provider_usage}), else {@code mixed}. A span whose only count is the prompt estimate takes that
 * estimate's source, where the Traccia SDK wrote {@code mixed}. {@code llm.usage.total_tokens} is
 * never written.
 *
 * <p><b>Bound.</b> At most {@link Builder#setMaxEncodedChars maxEncodedChars} characters (default
 * {@value #DEFAULT_MAX_ENCODED_CHARS}) of one span's text are encoded exactly; a side that would go
 * over the remaining budget is estimated by the heuristic instead. BPE time grows with unusual text
 * (long runs without spaces, CJK) far faster than with English, so the bound keeps one span from
 * holding a receiver thread for seconds.
 *
 * <p>Thread-safe and non-blocking once built; building loads two tokenizer vocabularies.
 */
public final class TokenCountingProcessor implements SpanBatchProcessor {

  /** The default per-span bound on exactly encoded characters. */
  public static final int DEFAULT_MAX_ENCODED_CHARS = 65_536;

  private static final String PROVIDER_USAGE = "provider_usage";
  private static final String MIXED = "mixed";

  private final TokenEstimator estimator;
  private final long maxEncodedChars;

  private TokenCountingProcessor(Builder builder) {
    this.estimator = new TokenEstimator();
    this.maxEncodedChars = builder.maxEncodedChars;
  }

  /** A processor with the default bound. */
  public static TokenCountingProcessor create() {
    return builder().build();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "token_counting";
  }

  @Override
  public void process(SpanBatch batch) {
    for (int i = 0; i < batch.size(); i++) {
      if (!batch.isRejected(i)) {
        processSpan(batch, i);
      }
    }
  }

  private void processSpan(SpanBatch batch, int i) {
    LlmSpan span = LlmSpan.read(batch, i);
    if (!span.isInference()) {
      return;
    }
    boolean countPrompt = span.inputTokens() == LlmSpan.ABSENT && span.hasPrompt();
    boolean countCompletion = span.outputTokens() == LlmSpan.ABSENT && span.hasCompletion();
    if (!countPrompt && !countCompletion) {
      return;
    }
    TiktokenCounter encoding = estimator.encodingFor(span.model());
    Budget budget = new Budget(maxEncodedChars);
    String promptSource = null;
    String completionSource = null;
    if (countPrompt) {
      Count count = countPrompt(span, encoding, budget);
      if (count != null) {
        batch.putAttribute(i, LlmAttributes.USAGE_PROMPT_TOKENS, count.tokens);
        batch.putAttribute(i, LlmAttributes.USAGE_PROMPT_SOURCE, count.source);
        promptSource = count.source;
      }
    }
    if (countCompletion) {
      Count count = countCompletion(span, encoding, budget);
      if (count != null) {
        batch.putAttribute(i, LlmAttributes.USAGE_COMPLETION_TOKENS, count.tokens);
        batch.putAttribute(i, LlmAttributes.USAGE_COMPLETION_SOURCE, count.source);
        completionSource = count.source;
      }
    }
    if (promptSource == null && completionSource == null) {
      return;
    }
    String existing = string(batch.attribute(i, LlmAttributes.USAGE_SOURCE));
    if (existing != null && !existing.equals(PROVIDER_USAGE)) {
      return;
    }
    if (promptSource == null) {
      promptSource =
          reportedSource(batch, i, LlmAttributes.USAGE_PROMPT_SOURCE, span.inputTokens());
    }
    if (completionSource == null) {
      completionSource =
          reportedSource(batch, i, LlmAttributes.USAGE_COMPLETION_SOURCE, span.outputTokens());
    }
    String combined;
    if (promptSource == null) {
      combined = completionSource;
    } else if (completionSource == null || completionSource.equals(promptSource)) {
      combined = promptSource;
    } else {
      combined = MIXED;
    }
    batch.putAttribute(i, LlmAttributes.USAGE_SOURCE, combined);
  }

  // Structured messages first, except the SDK's llm.openai.messages, which is cut at 1000 chars
  // and so comes after its own llm.prompt.
  private static Count countPrompt(LlmSpan span, TiktokenCounter encoding, Budget budget) {
    GenAiDialect dialect = span.promptMessagesDialect();
    if (dialect != null && dialect != GenAiDialect.TRACCIA) {
      Count count = chat(span.promptMessages(), encoding, budget);
      if (count != null) {
        return count;
      }
    }
    if (span.promptText() != null) {
      if (span.promptTextIsJson()) {
        Count count = chat(nullToEmpty(span.promptJsonMessages()), encoding, budget);
        return count != null ? count : jsonText(span.promptText(), encoding, budget);
      }
      return text(span.promptText(), encoding, budget);
    }
    if (dialect == GenAiDialect.TRACCIA) {
      return chat(span.promptMessages(), encoding, budget);
    }
    return null;
  }

  private static Count countCompletion(LlmSpan span, TiktokenCounter encoding, Budget budget) {
    List<ChatMessage> messages = span.completionMessages();
    if (!messages.isEmpty()) {
      return contents(messages, encoding, budget);
    }
    if (span.completionText() != null) {
      if (span.completionTextIsJson()) {
        List<ChatMessage> answer = span.completionJsonMessages();
        return answer != null && !answer.isEmpty()
            ? contents(answer, encoding, budget)
            : jsonText(span.completionText(), encoding, budget);
      }
      return text(span.completionText(), encoding, budget);
    }
    return null;
  }

  // The text of each message, without chat overhead: what the model wrote.
  private static Count contents(
      List<ChatMessage> messages, TiktokenCounter encoding, Budget budget) {
    boolean exact = encoding != null && budget.take(TokenEstimator.chars(messages));
    long tokens = 0;
    for (ChatMessage message : messages) {
      tokens += TokenEstimator.countText(exact ? encoding : null, message.content());
    }
    return new Count(tokens, exact ? TokenEstimator.TIKTOKEN : TokenEstimator.HEURISTIC);
  }

  // JSON that holds no messages is counted as it is, and its source says so: the count is of the
  // recorded JSON, keys and punctuation included, not of what the model read or wrote.
  private static Count jsonText(String json, TiktokenCounter encoding, Budget budget) {
    Count count = text(json, encoding, budget);
    return new Count(count.tokens, count.source + TokenEstimator.JSON_SUFFIX);
  }

  private static List<ChatMessage> nullToEmpty(List<ChatMessage> messages) {
    return messages == null ? List.of() : messages;
  }

  private static Count chat(List<ChatMessage> messages, TiktokenCounter encoding, Budget budget) {
    if (messages.isEmpty()) {
      return null;
    }
    boolean exact = encoding != null && budget.take(TokenEstimator.chars(messages));
    return new Count(
        TokenEstimator.countChat(exact ? encoding : null, messages),
        exact ? TokenEstimator.TIKTOKEN_CHAT : TokenEstimator.HEURISTIC);
  }

  private static Count text(String text, TiktokenCounter encoding, Budget budget) {
    if (text.isEmpty()) {
      return new Count(0, TokenEstimator.HEURISTIC);
    }
    boolean exact = encoding != null && budget.take(text.length());
    return new Count(
        TokenEstimator.countText(exact ? encoding : null, text),
        exact ? TokenEstimator.TIKTOKEN : TokenEstimator.HEURISTIC);
  }

  private static String reportedSource(SpanBatch batch, int i, String key, long count) {
    String source = string(batch.attribute(i, key));
    if (source != null) {
      return source;
    }
    return count == LlmSpan.ABSENT ? null : PROVIDER_USAGE;
  }

  private static String string(AnyValue value) {
    if (value == null || value.getValueCase() != AnyValue.ValueCase.STRING_VALUE) {
      return null;
    }
    return value.getStringValue().isEmpty() ? null : value.getStringValue();
  }

  private static final class Count {
    final long tokens;
    final String source;

    Count(long tokens, String source) {
      this.tokens = tokens;
      this.source = source;
    }
  }

  /** Characters of one span that may still be encoded exactly. */
  private static final class Budget {
    private long remaining;

    Budget(long remaining) {
      this.remaining = remaining;
    }

    boolean take(long chars) {
      if (chars > remaining) {
        return false;
      }
      remaining -= chars;
      return true;
    }
  }

  /** Builds a {@link TokenCountingProcessor}. Not thread-safe. */
  public static final class Builder {
    private long maxEncodedChars = DEFAULT_MAX_ENCODED_CHARS;

    private Builder() {}

    /**
     * Sets how many characters of one span's text are encoded exactly; text beyond is estimated.
     * Zero means always estimate.
     *
     * @throws IllegalArgumentException if {@code maxEncodedChars} is negative
     */
    public Builder setMaxEncodedChars(long maxEncodedChars) {
      if (maxEncodedChars < 0) {
        throw new IllegalArgumentException(
            "maxEncodedChars: " + maxEncodedChars + " (expected: >= 0)");
      }
      this.maxEncodedChars = maxEncodedChars;
      return this;
    }

    /** The processor; loads the tokenizer vocabularies, which takes a fraction of a second. */
    public TokenCountingProcessor build() {
      return new TokenCountingProcessor(this);
    }
  }
}
