/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.genai;

/**
 * The attribute vocabularies of LLM instrumentation that {@link LlmSpan#read} understands.
 *
 * <p>The dialect of the attribute a value came from decides how it is interpreted; for example
 * whether a prompt-token count already includes cached tokens. The keys of each dialect are listed
 * in {@link LlmAttributes}.
 */
public enum GenAiDialect {
  /**
   * The Traccia SDK: {@code llm.model}, {@code llm.vendor}, {@code llm.usage.*}, {@code
   * llm.prompt}.
   */
  TRACCIA,
  /**
   * OpenTelemetry GenAI semantic conventions 1.37 and later: {@code gen_ai.provider.name}, {@code
   * gen_ai.usage.input_tokens}, {@code gen_ai.input.messages}.
   */
  OTEL_GENAI,
  /**
   * OpenTelemetry GenAI semantic conventions before 1.37: {@code gen_ai.system}, {@code
   * gen_ai.usage.prompt_tokens} and {@code gen_ai.usage.completion_tokens}.
   */
  OTEL_GENAI_LEGACY,
  /**
   * OpenLLMetry (Traceloop): {@code gen_ai.prompt.N.content}, {@code gen_ai.completion.N.content},
   * {@code gen_ai.usage.cache_read_input_tokens}, {@code llm.usage.total_tokens}, {@code
   * llm.request.type}, {@code traceloop.span.kind}.
   */
  OPENLLMETRY,
  /**
   * OpenInference (Arize Phoenix): {@code openinference.span.kind}, {@code llm.model_name}, {@code
   * llm.token_count.*}, {@code llm.input_messages.N.message.content}, {@code input.value}.
   */
  OPENINFERENCE
}
