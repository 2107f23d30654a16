/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.genai;

import static ai.traccia.proxy.processor.TestSpans.attributes;
import static ai.traccia.proxy.processor.TestSpans.batchInScope;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * One test per instrumentation library, with the attributes and scope each writes for a call that
 * read 3,000 tokens from the prompt cache. Each asserts what the call consumed: uncached input plus
 * cache reads and writes.
 */
class CacheConventionTest {

  private static LlmSpan read(String scope, String version, Object... kv) {
    return LlmSpan.read(batchInScope(scope, version, attributes(kv)), 0);
  }

  // openlit 1.34 (sdk/python/src/openlit/instrumentation/anthropic/utils.py, common_chat_logic):
  // gen_ai.usage.input_tokens is Anthropic's usage.input_tokens (cache excluded), no total, the
  // cache counts under the dotted OTel names, the tracer from openlit/otel/tracing.py.
  @Test
  void consumedInputTokens_openlitAnthropic_addsTheCacheEvenWhenTheInputIsLarger() {
    LlmSpan span =
        read(
            "openlit.otel.tracing",
            "",
            "telemetry.sdk.name",
            "openlit",
            "gen_ai.operation.name",
            "chat",
            "gen_ai.system",
            "anthropic",
            "gen_ai.request.model",
            "claude-sonnet-4-5",
            "gen_ai.response.model",
            "claude-sonnet-4-5",
            "gen_ai.usage.input_tokens",
            4000L,
            "gen_ai.usage.output_tokens",
            50L,
            "gen_ai.client.token.usage",
            4050L,
            "gen_ai.usage.cost",
            0.0,
            "gen_ai.usage.cache_read.input_tokens",
            3000L,
            "gen_ai.usage.cache_creation.input_tokens",
            0L);

    assertThat(span.inputIncludesCache()).isFalse();
    assertThat(span.consumedInputTokens()).isEqualTo(7000);
  }

  // openlit names itself per span; the scope name alone (no telemetry.sdk.name) is enough too.
  @Test
  void consumedInputTokens_openlitScopeOnly_isRecognised() {
    LlmSpan span =
        read(
            "openlit.otel.tracing",
            "",
            "gen_ai.system",
            "anthropic",
            "gen_ai.request.model",
            "claude-sonnet-4-5",
            "gen_ai.usage.input_tokens",
            4000L,
            "gen_ai.usage.output_tokens",
            50L,
            "gen_ai.usage.cache_read.input_tokens",
            3000L);

    assertThat(span.consumedInputTokens()).isEqualTo(7000);
  }

  // openlit 1.34 (instrumentation/openai/utils.py, process_chat_chunk and the non-streaming path):
  // gen_ai.usage.input_tokens is OpenAI's prompt_tokens, which includes cached_tokens.
  @Test
  void consumedInputTokens_openlitOpenAi_keepsTheInput() {
    LlmSpan span =
        read(
            "openlit.otel.tracing",
            "",
            "telemetry.sdk.name",
            "openlit",
            "gen_ai.operation.name",
            "chat",
            "gen_ai.provider.name",
            "openai",
            "gen_ai.request.model",
            "gpt-4o",
            "gen_ai.usage.input_tokens",
            4000L,
            "gen_ai.usage.output_tokens",
            50L,
            "gen_ai.usage.cache_read.input_tokens",
            3000L,
            "gen_ai.usage.cache_creation.input_tokens",
            0L);

    assertThat(span.inputIncludesCache()).isTrue();
    assertThat(span.consumedInputTokens()).isEqualTo(4000);
  }

  // OpenLLMetry opentelemetry-instrumentation-anthropic 0.53.1 (__init__.py, _set_token_usage):
  // input_tokens = usage.input_tokens + cache_read + cache_creation, llm.usage.total_tokens.
  @Test
  void consumedInputTokens_openLlmetryAnthropic_keepsTheInput() {
    LlmSpan span =
        read(
            "opentelemetry.instrumentation.anthropic",
            "0.53.1",
            "gen_ai.system",
            "Anthropic",
            "llm.request.type",
            "completion",
            "gen_ai.request.model",
            "claude-sonnet-4-5",
            "gen_ai.response.model",
            "claude-sonnet-4-5",
            "gen_ai.usage.input_tokens",
            7000L,
            "gen_ai.usage.output_tokens",
            50L,
            "llm.usage.total_tokens",
            7050L,
            "gen_ai.usage.cache_read.input_tokens",
            3000L,
            "gen_ai.usage.cache_creation.input_tokens",
            0L);

    assertThat(span.inputIncludesCache()).isTrue();
    assertThat(span.consumedInputTokens()).isEqualTo(7000);
  }

  // The scope decides even without a total: OpenLLMetry's input is inclusive for Anthropic, where
  // the provider's own convention would say otherwise.
  @Test
  void consumedInputTokens_openLlmetryAnthropicWithoutTotal_scopeDecides() {
    LlmSpan span =
        read(
            "opentelemetry.instrumentation.anthropic",
            "0.53.1",
            "gen_ai.system",
            "Anthropic",
            "gen_ai.request.model",
            "claude-sonnet-4-5",
            "gen_ai.usage.input_tokens",
            7000L,
            "gen_ai.usage.output_tokens",
            50L,
            "gen_ai.usage.cache_read.input_tokens",
            3000L);

    assertThat(span.consumedInputTokens()).isEqualTo(7000);
  }

  // openinference-instrumentation-anthropic (_wrappers.py, _get_llm_token_counts, the version with
  // cache details): llm.token_count.prompt = input_tokens + cache_creation + cache_read.
  @Test
  void consumedInputTokens_openInferenceAnthropic_keepsTheInput() {
    LlmSpan span =
        read(
            "openinference.instrumentation.anthropic",
            "0.1.20",
            "openinference.span.kind",
            "LLM",
            "llm.provider",
            "anthropic",
            "llm.system",
            "anthropic",
            "llm.model_name",
            "claude-sonnet-4-5",
            "llm.token_count.prompt",
            7000L,
            "llm.token_count.completion",
            50L,
            "llm.token_count.prompt_details.cache_read",
            3000L);

    assertThat(span.inputIncludesCache()).isTrue();
    assertThat(span.consumedInputTokens()).isEqualTo(7000);
  }

  // An instrumentation not in the table, no total: the provider's own convention, Anthropic's
  // input_tokens excluding the cache, whichever number is larger.
  @Test
  void consumedInputTokens_unknownAnthropic_followsTheProvider() {
    LlmSpan span =
        read(
            "my.company.llm",
            "1.0",
            "gen_ai.provider.name",
            "anthropic",
            "gen_ai.request.model",
            "claude-sonnet-4-5",
            "gen_ai.usage.input_tokens",
            4000L,
            "gen_ai.usage.output_tokens",
            50L,
            "gen_ai.usage.cache_read.input_tokens",
            3000L);

    assertThat(span.inputIncludesCache()).isFalse();
    assertThat(span.consumedInputTokens()).isEqualTo(7000);
  }

  @Test
  void consumedInputTokens_unknownOpenAi_followsTheProvider() {
    LlmSpan span =
        read(
            "my.company.llm",
            "1.0",
            "gen_ai.provider.name",
            "openai",
            "gen_ai.request.model",
            "gpt-4o",
            "gen_ai.usage.input_tokens",
            1000L,
            "gen_ai.usage.output_tokens",
            50L,
            "gen_ai.usage.cache_read.input_tokens",
            3000L);

    assertThat(span.consumedInputTokens()).isEqualTo(1000);
  }

  @Test
  void known_tableRows() {
    assertThat(CacheConvention.known("openlit.otel.tracing", null).rule)
        .isEqualTo(CacheConvention.Rule.PROVIDER);
    assertThat(CacheConvention.known("", "openlit").rule).isEqualTo(CacheConvention.Rule.PROVIDER);
    assertThat(CacheConvention.known("opentelemetry.instrumentation.openai_v2", null).rule)
        .isEqualTo(CacheConvention.Rule.INCLUDES);
    assertThat(CacheConvention.known("openinference.instrumentation.openai", null).rule)
        .isEqualTo(CacheConvention.Rule.INCLUDES);
    assertThat(CacheConvention.known("traccia.langchain", null)).isNull();
    assertThat(CacheConvention.known(null, null)).isNull();
  }
}
