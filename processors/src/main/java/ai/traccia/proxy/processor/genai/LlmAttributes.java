/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.genai;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one table of span attributes that describe an LLM call, in every dialect the proxy reads, and
 * the names of the attributes the enrichment processors write.
 *
 * <p>Each row binds an attribute key to the {@link Field} it fills and the {@link GenAiDialect} it
 * belongs to. When a span carries several keys for one field, the row listed first wins, whatever
 * the order of the attributes on the span. Indexed keys ({@code gen_ai.prompt.0.content}, {@code
 * llm.input_messages.0.message.content}) are matched by prefix and suffix in {@link
 * #INDEXED_MESSAGES}.
 *
 * <p>Immutable and safe to share.
 */
public final class LlmAttributes {

  // --- Written by the token-counting processor (the Traccia SDK's names). ----------------------

  /** Prompt tokens, provider-reported or estimated (int). */
  public static final String USAGE_PROMPT_TOKENS = "llm.usage.prompt_tokens";

  /** Completion tokens, provider-reported or estimated (int). */
  public static final String USAGE_COMPLETION_TOKENS = "llm.usage.completion_tokens";

  /** How {@link #USAGE_PROMPT_TOKENS} was obtained, e.g. {@code estimated.tiktoken} (str). */
  public static final String USAGE_PROMPT_SOURCE = "llm.usage.prompt_source";

  /** How {@link #USAGE_COMPLETION_TOKENS} was obtained (str). */
  public static final String USAGE_COMPLETION_SOURCE = "llm.usage.completion_source";

  /** How the usage as a whole was obtained: one side's source, {@code mixed} or {@code unknown}. */
  public static final String USAGE_SOURCE = "llm.usage.source";

  // --- Written by the cost processor. ----------------------------------------------------------

  /** Cost of the call in USD (double). */
  public static final String COST_USD = "llm.cost.usd";

  /** Deprecated alias of {@link #USAGE_SOURCE}, written beside the cost as the SDK does (str). */
  public static final String COST_SOURCE = "llm.cost.source";

  /** Which price table priced the span: {@code bundled}, {@code local_cache}, ... (str). */
  public static final String PRICING_SOURCE = "llm.pricing.source";

  /** The price-table key that matched the model (str). */
  public static final String PRICING_MODEL_KEY = "llm.pricing.model_key";

  /** When the price table was generated, ISO-8601, or {@code unknown} (str). */
  public static final String PRICING_GENERATED_AT = "llm.pricing.generated_at";

  /** Whole days between the table's generation and now (int); absent when unknown. */
  public static final String PRICING_AGE_DAYS = "llm.pricing.age_days";

  /** Version of the price table (str). */
  public static final String PRICING_SNAPSHOT_VERSION = "llm.pricing.snapshot_version";

  /**
   * Outcome of pricing an inference span (str): {@code priced} when {@link #COST_USD} was written,
   * {@code unpriced} when the model is not in the price table, {@code provided} when the span
   * already carried a cost that was left alone.
   */
  public static final String PRICING_STATUS = "traccia.pricing.status";

  /**
   * The proxy's own cost in USD (double), written only beside a cost the span already carried and
   * only when the two differ.
   */
  public static final String COMPUTED_COST_USD = "traccia.cost.computed_usd";

  /** OpenTelemetry GenAI input tokens, all prompt tokens including cached ones (int). */
  public static final String GEN_AI_INPUT_TOKENS = "gen_ai.usage.input_tokens";

  /** OpenTelemetry GenAI output tokens (int). */
  public static final String GEN_AI_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";

  /** What a row of the table fills. */
  enum Field {
    REQUEST_MODEL,
    RESPONSE_MODEL,
    PROVIDER,
    OPERATION,
    OPENINFERENCE_KIND,
    SPAN_TYPE,
    AGENT_SPAN_TYPE,
    CREWAI_TYPE,
    TRACELOOP_KIND,
    INPUT_TOKENS,
    OUTPUT_TOKENS,
    TOTAL_TOKENS,
    CACHE_READ_TOKENS,
    CACHE_WRITE_TOKENS,
    REASONING_TOKENS,
    PROMPT_TEXT,
    COMPLETION_TEXT,
    PROMPT_MESSAGES_JSON,
    SYSTEM_INSTRUCTIONS_JSON,
    COMPLETION_MESSAGES_JSON,
    PROMPT_MIME_TYPE,
    COMPLETION_MIME_TYPE,
    SDK_NAME,
    COST_USD
  }

  /** One row: key, field, dialect, and its rank among the rows of the same field. */
  record Binding(String key, Field field, GenAiDialect dialect, int rank) {}

  /** Which part of a message an indexed key holds. */
  enum MessagePart {
    ROLE,
    CONTENT,
    /** One text part of a multi-part content, appended to the message's content. */
    CONTENT_PART,
    NAME
  }

  /** A family of indexed keys: {@code prefix + N + suffix}. */
  record IndexedBinding(
      String prefix,
      String suffix,
      // When set, the key continues past the suffix (a second index) and must end with this.
      String tail,
      boolean completion,
      MessagePart part,
      GenAiDialect dialect) {

    IndexedBinding(
        String prefix, String suffix, boolean completion, MessagePart part, GenAiDialect dialect) {
      this(prefix, suffix, null, completion, part, dialect);
    }

    /** Whether {@code rest}, the key after {@code prefix + N}, belongs to this family. */
    boolean matchesRest(String rest) {
      if (tail == null) {
        return rest.equals(suffix);
      }
      return rest.startsWith(suffix) && rest.endsWith(tail);
    }
  }

  private static final List<Binding> ROWS = new ArrayList<>();

  static {
    // Models. The response model names the exact snapshot; the request model is what was asked.
    row("gen_ai.response.model", Field.RESPONSE_MODEL, GenAiDialect.OTEL_GENAI);
    row("gen_ai.request.model", Field.REQUEST_MODEL, GenAiDialect.OTEL_GENAI);
    row("llm.model", Field.REQUEST_MODEL, GenAiDialect.TRACCIA);
    row("llm.model_name", Field.REQUEST_MODEL, GenAiDialect.OPENINFERENCE);

    // Provider, in the words of each dialect ("openai", "anthropic", "aws.bedrock", ...).
    row("gen_ai.provider.name", Field.PROVIDER, GenAiDialect.OTEL_GENAI);
    row("gen_ai.system", Field.PROVIDER, GenAiDialect.OTEL_GENAI_LEGACY);
    row("llm.vendor", Field.PROVIDER, GenAiDialect.TRACCIA);
    row("llm.provider", Field.PROVIDER, GenAiDialect.OPENINFERENCE);
    row("llm.system", Field.PROVIDER, GenAiDialect.OPENINFERENCE);

    // What kind of span this is.
    row("gen_ai.operation.name", Field.OPERATION, GenAiDialect.OTEL_GENAI);
    row("openinference.span.kind", Field.OPENINFERENCE_KIND, GenAiDialect.OPENINFERENCE);
    row("span.type", Field.SPAN_TYPE, GenAiDialect.TRACCIA);
    row("agent.span.type", Field.AGENT_SPAN_TYPE, GenAiDialect.TRACCIA);
    row("crewai.type", Field.CREWAI_TYPE, GenAiDialect.TRACCIA);
    row("traceloop.span.kind", Field.TRACELOOP_KIND, GenAiDialect.OPENLLMETRY);

    // Usage. The normalised gen_ai names come first: they are what this proxy writes.
    row(GEN_AI_INPUT_TOKENS, Field.INPUT_TOKENS, GenAiDialect.OTEL_GENAI);
    row("llm.token_count.prompt", Field.INPUT_TOKENS, GenAiDialect.OPENINFERENCE);
    row("gen_ai.usage.prompt_tokens", Field.INPUT_TOKENS, GenAiDialect.OTEL_GENAI_LEGACY);
    row(USAGE_PROMPT_TOKENS, Field.INPUT_TOKENS, GenAiDialect.TRACCIA);
    row("llm.usage.input_tokens", Field.INPUT_TOKENS, GenAiDialect.TRACCIA);

    row(GEN_AI_OUTPUT_TOKENS, Field.OUTPUT_TOKENS, GenAiDialect.OTEL_GENAI);
    row("llm.token_count.completion", Field.OUTPUT_TOKENS, GenAiDialect.OPENINFERENCE);
    row("gen_ai.usage.completion_tokens", Field.OUTPUT_TOKENS, GenAiDialect.OTEL_GENAI_LEGACY);
    row(USAGE_COMPLETION_TOKENS, Field.OUTPUT_TOKENS, GenAiDialect.TRACCIA);
    row("llm.usage.output_tokens", Field.OUTPUT_TOKENS, GenAiDialect.TRACCIA);

    row("llm.token_count.total", Field.TOTAL_TOKENS, GenAiDialect.OPENINFERENCE);
    row("llm.usage.total_tokens", Field.TOTAL_TOKENS, GenAiDialect.OPENLLMETRY);
    row("gen_ai.usage.total_tokens", Field.TOTAL_TOKENS, GenAiDialect.OTEL_GENAI);

    row("gen_ai.usage.cache_read.input_tokens", Field.CACHE_READ_TOKENS, GenAiDialect.OTEL_GENAI);
    row("llm.token_count.prompt_details.cache_read", Field.CACHE_READ_TOKENS, oi());
    row("gen_ai.usage.cache_read_input_tokens", Field.CACHE_READ_TOKENS, ollm());

    // Renamed in 2026; the old name is still read.
    row("gen_ai.usage.cache_write.input_tokens", Field.CACHE_WRITE_TOKENS, otel());
    row("gen_ai.usage.cache_creation.input_tokens", Field.CACHE_WRITE_TOKENS, otel());
    row("llm.token_count.prompt_details.cache_write", Field.CACHE_WRITE_TOKENS, oi());
    row("gen_ai.usage.cache_creation_input_tokens", Field.CACHE_WRITE_TOKENS, ollm());
    row("gen_ai.usage.cache_write_input_tokens", Field.CACHE_WRITE_TOKENS, ollm());

    row("gen_ai.usage.reasoning.output_tokens", Field.REASONING_TOKENS, otel());
    row("llm.token_count.completion_details.reasoning", Field.REASONING_TOKENS, oi());
    row("gen_ai.usage.reasoning_tokens", Field.REASONING_TOKENS, ollm());

    // Text. Structured messages are preferred by the token counter; see LlmSpan.
    row("gen_ai.input.messages", Field.PROMPT_MESSAGES_JSON, GenAiDialect.OTEL_GENAI);
    row("llm.openai.messages", Field.PROMPT_MESSAGES_JSON, GenAiDialect.TRACCIA);
    row("gen_ai.system_instructions", Field.SYSTEM_INSTRUCTIONS_JSON, GenAiDialect.OTEL_GENAI);
    row("gen_ai.output.messages", Field.COMPLETION_MESSAGES_JSON, GenAiDialect.OTEL_GENAI);
    row("llm.prompt", Field.PROMPT_TEXT, GenAiDialect.TRACCIA);
    row("input.value", Field.PROMPT_TEXT, GenAiDialect.OPENINFERENCE);
    row("llm.completion", Field.COMPLETION_TEXT, GenAiDialect.TRACCIA);
    row("output.value", Field.COMPLETION_TEXT, GenAiDialect.OPENINFERENCE);
    // OpenInference says what input.value / output.value hold: text/plain or application/json.
    row("input.mime_type", Field.PROMPT_MIME_TYPE, GenAiDialect.OPENINFERENCE);
    row("output.mime_type", Field.COMPLETION_MIME_TYPE, GenAiDialect.OPENINFERENCE);

    // Which instrumentation wrote the span, where it says so on the span itself (openlit does).
    row("telemetry.sdk.name", Field.SDK_NAME, GenAiDialect.OTEL_GENAI);

    // A cost already on the span, from the SDK or from another collector.
    row(COST_USD, Field.COST_USD, GenAiDialect.TRACCIA);
    row("gen_ai.usage.cost", Field.COST_USD, GenAiDialect.OTEL_GENAI);
    row("llm.cost.total", Field.COST_USD, GenAiDialect.OPENINFERENCE);
  }

  /** Exact keys to their row. */
  static final Map<String, Binding> BY_KEY;

  /**
   * For each ASCII first character, one bit for each key in {@link #BY_KEY} that starts with it,
   * chosen by the key's length and last character: most keys on most spans are ruled out without
   * hashing them, or decoding them when they are read from the wire.
   */
  private static final long[] SHAPES_BY_FIRST = new long[128];

  static {
    Map<String, Binding> byKey = new HashMap<>();
    for (Binding b : ROWS) {
      byKey.put(b.key(), b);
      SHAPES_BY_FIRST[b.key().charAt(0)] |=
          shape(b.key().length(), b.key().charAt(b.key().length() - 1));
    }
    BY_KEY = Collections.unmodifiableMap(byKey);
  }

  private static long shape(int length, int last) {
    return 1L << (length * 31 + last);
  }

  /** The row of {@code key}, or null. */
  static Binding binding(String key) {
    if (key.isEmpty()) {
      return null;
    }
    char first = key.charAt(0);
    int length = key.length();
    if (first >= 128 || (SHAPES_BY_FIRST[first] & shape(length, key.charAt(length - 1))) == 0) {
      return null;
    }
    return BY_KEY.get(key);
  }

  /**
   * Whether a key of {@code length} UTF-8 bytes, {@code first} and {@code last} among them, may
   * have a row or be an indexed message key: false rules it out before it is decoded. Every such
   * key is ASCII, so a key of other bytes is ruled out whatever its length in characters.
   */
  static boolean mayBind(int first, int last, int length) {
    return first == 'g'
        || first == 'l'
        || (first < 128 && (SHAPES_BY_FIRST[first] & shape(length, last)) != 0);
  }

  /** Indexed message keys, OpenLLMetry's and OpenInference's. */
  static final List<IndexedBinding> INDEXED_MESSAGES =
      List.of(
          new IndexedBinding("gen_ai.prompt.", ".content", false, MessagePart.CONTENT, ollm()),
          new IndexedBinding("gen_ai.prompt.", ".role", false, MessagePart.ROLE, ollm()),
          new IndexedBinding("gen_ai.completion.", ".content", true, MessagePart.CONTENT, ollm()),
          new IndexedBinding("gen_ai.completion.", ".role", true, MessagePart.ROLE, ollm()),
          new IndexedBinding(
              "llm.input_messages.", ".message.content", false, MessagePart.CONTENT, oi()),
          new IndexedBinding("llm.input_messages.", ".message.role", false, MessagePart.ROLE, oi()),
          new IndexedBinding("llm.input_messages.", ".message.name", false, MessagePart.NAME, oi()),
          new IndexedBinding(
              "llm.input_messages.",
              ".message.contents.",
              ".message_content.text",
              false,
              MessagePart.CONTENT_PART,
              oi()),
          new IndexedBinding(
              "llm.output_messages.", ".message.content", true, MessagePart.CONTENT, oi()),
          new IndexedBinding(
              "llm.output_messages.",
              ".message.contents.",
              ".message_content.text",
              true,
              MessagePart.CONTENT_PART,
              oi()),
          new IndexedBinding(
              "llm.output_messages.", ".message.role", true, MessagePart.ROLE, oi()));

  /**
   * Indexes above this are ignored, so a hostile {@code gen_ai.prompt.999999999.content} cannot
   * make the reader allocate a huge array.
   */
  static final int MAX_MESSAGE_INDEX = 1023;

  private LlmAttributes() {}

  private static void row(String key, Field field, GenAiDialect dialect) {
    int rank = 0;
    for (Binding b : ROWS) {
      if (b.field() == field) {
        rank++;
      }
    }
    ROWS.add(new Binding(key, field, dialect, rank));
  }

  private static GenAiDialect otel() {
    return GenAiDialect.OTEL_GENAI;
  }

  private static GenAiDialect oi() {
    return GenAiDialect.OPENINFERENCE;
  }

  private static GenAiDialect ollm() {
    return GenAiDialect.OPENLLMETRY;
  }
}
