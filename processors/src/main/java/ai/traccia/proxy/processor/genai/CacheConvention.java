/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.genai;

import java.util.List;
import java.util.Locale;

/**
 * Whether the prompt-token count a span reports already includes the prompt-cache reads and writes
 * it reports beside it.
 *
 * <p>Providers disagree: OpenAI's {@code prompt_tokens} includes {@code cached_tokens}, while
 * Anthropic's {@code input_tokens} excludes {@code cache_read_input_tokens} and {@code
 * cache_creation_input_tokens}. Instrumentations disagree too: some add Anthropic's cache counts to
 * the input they record, some copy the provider's number as it is. The answer is taken from what
 * the instrumentation is, never from which of the numbers is larger (an openlit span with 4,000
 * uncached and 3,000 cached tokens looks like an inclusive count but is not):
 *
 * <ol>
 *   <li>a known instrumentation, by its instrumentation scope name (or {@code telemetry.sdk.name}
 *       on the span), uses its row of {@link #KNOWN};
 *   <li>otherwise a reported total decides when it adds up one way only: {@code input + output +
 *       cache} means the input excludes the cache, {@code input + output} that it includes it;
 *   <li>otherwise the dialect's convention: OpenInference's {@code llm.token_count.prompt} includes
 *       its {@code prompt_details} (every OpenInference instrumentation that reports cache details
 *       sums them in); the other dialects carry no rule of their own, and the provider's convention
 *       applies: excluded for Anthropic models (directly or on Bedrock and Vertex), included for
 *       everyone else (OpenAI, Gemini, DeepSeek and the OpenAI-compatible APIs).
 * </ol>
 *
 * <p>Stateless and thread-safe.
 */
final class CacheConvention {

  /** How an instrumentation reports input tokens next to cache counts. */
  enum Rule {
    /** The input count includes cache reads and writes, whatever the provider. */
    INCLUDES,
    /** The input count is the provider's own number: Anthropic's excludes the cache. */
    PROVIDER
  }

  /** One instrumentation: its scope name (a prefix of it) and its rule. */
  static final class Known {
    final String scopePrefix;
    final Rule rule;
    final String library;

    Known(String scopePrefix, Rule rule, String library) {
      this.scopePrefix = scopePrefix;
      this.rule = rule;
      this.library = library;
    }
  }

  /**
   * The instrumentations whose behaviour was read in their source, first match wins. The scope name
   * is the tracer name each library passes to {@code get_tracer}; versions checked are named.
   */
  static final List<Known> KNOWN =
      List.of(
          // openlit 1.3x: every instrumentation uses the tracer from openlit/otel/tracing.py
          // (get_tracer(__name__)) and writes telemetry.sdk.name=openlit on each span. Anthropic:
          // gen_ai.usage.input_tokens is usage.input_tokens as the API returns it, cache counts in
          // gen_ai.usage.cache_read.input_tokens / cache_creation.input_tokens; OpenAI:
          // prompt_tokens, which includes prompt_tokens_details.cached_tokens.
          new Known("openlit", Rule.PROVIDER, "openlit"),
          // OpenLLMetry opentelemetry-instrumentation-anthropic 0.4x-0.53 and the OpenTelemetry
          // contrib opentelemetry-instrumentation-anthropic (both use this module name) write
          // gen_ai.usage.input_tokens = input_tokens + cache_read + cache_creation.
          new Known("opentelemetry.instrumentation.anthropic", Rule.INCLUDES, "anthropic"),
          // OpenLLMetry opentelemetry-instrumentation-openai and the contrib openai-v2: OpenAI's
          // prompt_tokens, cached tokens included.
          new Known("opentelemetry.instrumentation.openai", Rule.INCLUDES, "openai"),
          // OpenInference instrumentations (anthropic, bedrock, langchain, openai, ...) write
          // llm.token_count.prompt with cache reads and writes summed in.
          new Known("openinference.instrumentation", Rule.INCLUDES, "openinference"));

  private CacheConvention() {}

  /** The row of the instrumentation that wrote {@code span}, or {@code null} when unknown. */
  static Known known(String scopeName, String sdkName) {
    String scope = scopeName == null ? "" : scopeName.toLowerCase(Locale.ROOT);
    String sdk = sdkName == null ? "" : sdkName.toLowerCase(Locale.ROOT);
    for (Known k : KNOWN) {
      if (scope.startsWith(k.scopePrefix) || sdk.equals(k.scopePrefix)) {
        return k;
      }
    }
    return null;
  }

  /**
   * Whether {@code input}, as {@code span} reports it, includes {@code cache} reused or written
   * prompt tokens. Meaningful only when {@code cache > 0}.
   */
  static boolean includesCache(LlmSpan span, long input, long output, long cache) {
    Known known = known(span.instrumentationScope(), span.sdkName());
    Rule rule;
    if (known != null) {
      rule = known.rule;
    } else {
      long total = span.totalTokens();
      if (total != LlmSpan.ABSENT && output != LlmSpan.ABSENT && cache > 0) {
        if (total == input + output + cache) {
          return false;
        }
        if (total == input + output) {
          return true;
        }
      }
      rule =
          span.inputTokensDialect() == GenAiDialect.OPENINFERENCE ? Rule.INCLUDES : Rule.PROVIDER;
    }
    return rule == Rule.INCLUDES || !span.isAnthropic();
  }
}
