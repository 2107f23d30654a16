/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.genai;

import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.processor.genai.LlmAttributes.Binding;
import ai.traccia.proxy.processor.genai.LlmAttributes.Field;
import ai.traccia.proxy.processor.genai.LlmAttributes.IndexedBinding;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one span says about an LLM call, whichever instrumentation wrote it: model, provider, usage,
 * text, and whether it is an inference span at all.
 *
 * <p>{@link #read} makes one pass over the span's attributes and looks each key up in {@link
 * LlmAttributes}. A result is confined to the thread that read it; it is a snapshot and does not
 * follow later edits of the batch.
 */
public final class LlmSpan implements SpanBatch.View {

  /** The value of a count accessor when the span carries no such count. */
  public static final long ABSENT = -1;

  /** {@code gen_ai.operation.name} values of spans that wrap inference rather than perform it. */
  private static final Set<String> NON_INFERENCE_OPERATIONS =
      Set.of("invoke_agent", "create_agent", "execute_tool", "invoke_workflow", "apply_guardrail");

  private static final Field[] FIELDS = Field.values();

  /** The counts the token counter writes, by key: the only edits this view reads. */
  private static final Map<String, Field> COUNTS_WRITTEN =
      Map.of(
          LlmAttributes.USAGE_PROMPT_TOKENS, Field.INPUT_TOKENS,
          LlmAttributes.USAGE_COMPLETION_TOKENS, Field.OUTPUT_TOKENS);

  // Indexed by Field.ordinal(): the winning row's rank and dialect, and its value.
  private final int[] ranks = new int[FIELDS.length];
  private final GenAiDialect[] dialects = new GenAiDialect[FIELDS.length];
  private final String[] strings = new String[FIELDS.length];
  private final long[] counts = new long[FIELDS.length];
  private double cost = Double.NaN;
  // Bits by Field.ordinal(): the counts taken from the token counter's edits, not from the span.
  private int countsFromEdits;
  // The instrumentation scope; read only for spans with cache counts, the only ones it decides.
  private String scopeName;
  // Only allocated for spans with indexed message keys.
  private MessageSlots promptSlots;
  private MessageSlots completionSlots;
  // The messages, parsed at the first call: the token counter and the guardrails both ask. Shared
  // with the copies edited() makes, which view the same messages.
  private final ParsedMessages parsed;

  private LlmSpan() {
    parsed = new ParsedMessages();
    Arrays.fill(ranks, Integer.MAX_VALUE);
    Arrays.fill(counts, ABSENT);
  }

  /** A copy of {@code read}, sharing what does not change once read: strings and messages. */
  private LlmSpan(LlmSpan read) {
    System.arraycopy(read.ranks, 0, ranks, 0, ranks.length);
    System.arraycopy(read.dialects, 0, dialects, 0, dialects.length);
    System.arraycopy(read.strings, 0, strings, 0, strings.length);
    System.arraycopy(read.counts, 0, counts, 0, counts.length);
    cost = read.cost;
    countsFromEdits = read.countsFromEdits;
    scopeName = read.scopeName;
    promptSlots = read.promptSlots;
    completionSlots = read.completionSlots;
    parsed = read.parsed;
  }

  /**
   * Reads span {@code i} of {@code batch}.
   *
   * <p>Attributes are read as they arrived, plus the token counts an earlier processor of this
   * package wrote ({@link LlmAttributes#USAGE_PROMPT_TOKENS}, {@link
   * LlmAttributes#USAGE_COMPLETION_TOKENS}), so the cost processor sees the token counter's
   * estimates.
   */
  public static LlmSpan read(SpanBatch batch, int i) {
    // Every processor reads every span; the view is kept in the batch until the span is edited.
    SpanBatch.View view = batch.view(i);
    if (view instanceof LlmSpan) {
      return (LlmSpan) view;
    }
    LlmSpan span = readNow(batch, i);
    batch.setView(i, span);
    return span;
  }

  /**
   * Every field but the token counts is read as the span arrived; of the edits, only the counts the
   * token counter writes where a side was missing are read. Other edits (cost, findings, redacted
   * content) leave this view as it is. A count written for a missing side gives a copy with it,
   * which keeps the messages already parsed: the token counter parses them, and the guardrails ask
   * for them after it has written its counts.
   */
  @Override
  public SpanBatch.View edited(SpanBatch batch, int i, String key) {
    Field side = COUNTS_WRITTEN.get(key);
    if (side == null) {
      return this;
    }
    int f = side.ordinal();
    int bit = 1 << f;
    if (counts[f] != ABSENT && (countsFromEdits & bit) == 0) {
      return this; // the side arrived with the span; edits of it are not read
    }
    LlmSpan copy = new LlmSpan(this);
    copy.counts[f] = ABSENT;
    copy.ranks[f] = Integer.MAX_VALUE;
    copy.dialects[f] = null;
    copy.countsFromEdits &= ~bit;
    copy.acceptEdited(batch, i, key, side);
    return copy;
  }

  private static LlmSpan readNow(SpanBatch batch, int i) {
    LlmSpan span = new LlmSpan();
    for (int k = 0, n = batch.attributeCount(i); k < n; k++) {
      span.accept(batch, i, k);
    }
    if (batch.isModified()) {
      // The token counter writes a side only where it was missing; look for its edits there only.
      for (Map.Entry<String, Field> written : COUNTS_WRITTEN.entrySet()) {
        if (span.counts[written.getValue().ordinal()] == ABSENT) {
          span.acceptEdited(batch, i, written.getKey(), written.getValue());
        }
      }
    }
    if (span.counts[Field.CACHE_READ_TOKENS.ordinal()] > 0
        || span.counts[Field.CACHE_WRITE_TOKENS.ordinal()] > 0) {
      span.scopeName = batch.scope(i).getName();
    }
    return span;
  }

  /**
   * Takes the edited count {@code key}, which the token counter writes for {@code side}, of a side
   * that has none ({@link #COUNTS_WRITTEN}).
   */
  private void acceptEdited(SpanBatch batch, int i, String key, Field side) {
    AnyValue value = batch.attribute(i, key);
    if (value != null) {
      acceptBinding(LlmAttributes.binding(key), value);
      int f = side.ordinal();
      if (counts[f] != ABSENT) {
        countsFromEdits |= 1 << f;
      }
    }
  }

  // Attribute k of span i as it arrived; its value is decoded only when its key is one we read.
  private void accept(SpanBatch batch, int i, int k) {
    int length = batch.attributeKeyLength(i, k);
    if (length == 0
        || !LlmAttributes.mayBind(
            batch.attributeKeyByte(i, k, 0), batch.attributeKeyByte(i, k, length - 1), length)) {
      return;
    }
    String key = batch.attributeKey(i, k);
    Binding binding = LlmAttributes.binding(key);
    if (binding != null) {
      acceptBinding(binding, batch.attributeValue(i, k));
      return;
    }
    char first = key.isEmpty() ? ' ' : key.charAt(0);
    if (first == 'g' || first == 'l') {
      acceptIndexed(key, batch, i, k);
    }
  }

  private void acceptBinding(Binding binding, AnyValue value) {
    int f = binding.field().ordinal();
    if (binding.rank() > ranks[f]) {
      return;
    }
    switch (binding.field()) {
      case INPUT_TOKENS:
      case OUTPUT_TOKENS:
      case TOTAL_TOKENS:
      case CACHE_READ_TOKENS:
      case CACHE_WRITE_TOKENS:
      case REASONING_TOKENS:
        long count = count(value);
        if (count == ABSENT) {
          return;
        }
        counts[f] = count;
        break;
      case COST_USD:
        double usd = number(value);
        if (Double.isNaN(usd)) {
          return;
        }
        cost = usd;
        break;
      default:
        String text = string(value);
        if (text == null) {
          return;
        }
        strings[f] = text;
        break;
    }
    ranks[f] = binding.rank();
    dialects[f] = binding.dialect();
  }

  private void acceptIndexed(String key, SpanBatch batch, int i, int k) {
    for (IndexedBinding b : LlmAttributes.INDEXED_MESSAGES) {
      if (!key.startsWith(b.prefix())) {
        continue;
      }
      int end = b.prefix().length();
      int index = 0;
      while (end < key.length() && Character.isDigit(key.charAt(end))) {
        index = index * 10 + (key.charAt(end) - '0');
        if (index > LlmAttributes.MAX_MESSAGE_INDEX) {
          return;
        }
        end++;
      }
      if (end == b.prefix().length() || !b.matchesRest(key.substring(end))) {
        continue;
      }
      String text = string(batch.attributeValue(i, k));
      if (text == null) {
        return;
      }
      MessageSlots slots;
      if (b.completion()) {
        slots = completionSlots == null ? (completionSlots = new MessageSlots()) : completionSlots;
      } else {
        slots = promptSlots == null ? (promptSlots = new MessageSlots()) : promptSlots;
      }
      slots.put(index, b.part(), text, b.dialect());
      return;
    }
  }

  // --- Values ---------------------------------------------------------------------------------

  private static String string(AnyValue value) {
    if (value.getValueCase() != AnyValue.ValueCase.STRING_VALUE) {
      return null;
    }
    String s = value.getStringValue();
    return s.isEmpty() ? null : s;
  }

  // A non-negative whole count from an int, an integral double or a decimal string; else ABSENT.
  private static long count(AnyValue value) {
    switch (value.getValueCase()) {
      case INT_VALUE:
        return value.getIntValue() >= 0 ? value.getIntValue() : ABSENT;
      case DOUBLE_VALUE:
        double d = value.getDoubleValue();
        return d >= 0 && d <= Long.MAX_VALUE && d == Math.rint(d) ? (long) d : ABSENT;
      case STRING_VALUE:
        String s = value.getStringValue().trim();
        if (s.isEmpty() || s.length() > 18) {
          return ABSENT;
        }
        for (int k = 0; k < s.length(); k++) {
          if (s.charAt(k) < '0' || s.charAt(k) > '9') {
            return ABSENT;
          }
        }
        return Long.parseLong(s);
      default:
        return ABSENT;
    }
  }

  private static double number(AnyValue value) {
    switch (value.getValueCase()) {
      case DOUBLE_VALUE:
        double d = value.getDoubleValue();
        return Double.isFinite(d) && d >= 0 ? d : Double.NaN;
      case INT_VALUE:
        return value.getIntValue() >= 0 ? value.getIntValue() : Double.NaN;
      case STRING_VALUE:
        try {
          double parsed = Double.parseDouble(value.getStringValue().trim());
          return Double.isFinite(parsed) && parsed >= 0 ? parsed : Double.NaN;
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
      default:
        return Double.NaN;
    }
  }

  // --- Classification -------------------------------------------------------------------------

  /**
   * Whether this span is an LLM inference call whose usage may be counted and priced.
   *
   * <p>Spans that wrap inference (agents, chains, workflows, tools) repeat their children's usage
   * and are not inference spans: OpenInference kinds other than {@code LLM}, {@code
   * gen_ai.operation.name} {@code invoke_agent}, {@code create_agent}, {@code execute_tool} or
   * {@code invoke_workflow}, a Traccia {@code span.type} other than {@code llm} (any case), an
   * OpenAI Agents {@code agent.span.type} other than {@code generation}, a CrewAI {@code
   * crewai.type} other than {@code llm}, and OpenLLMetry {@code traceloop.span.kind} spans
   * (workflow, task, agent, tool). Otherwise a span is an inference span when it names a model or
   * one of those markers says so.
   */
  public boolean isInference() {
    String kind = strings[Field.OPENINFERENCE_KIND.ordinal()];
    if (kind != null) {
      return kind.equalsIgnoreCase("LLM");
    }
    String spanType = strings[Field.SPAN_TYPE.ordinal()];
    if (spanType != null && !spanType.equalsIgnoreCase("llm")) {
      return false;
    }
    String agentType = strings[Field.AGENT_SPAN_TYPE.ordinal()];
    if (agentType != null && !agentType.equals("generation")) {
      return false;
    }
    String crewType = strings[Field.CREWAI_TYPE.ordinal()];
    if (crewType != null && !crewType.equals("llm")) {
      return false;
    }
    String traceloopKind = strings[Field.TRACELOOP_KIND.ordinal()];
    if (traceloopKind != null && !traceloopKind.equalsIgnoreCase("llm")) {
      return false;
    }
    String operation = strings[Field.OPERATION.ordinal()];
    if (operation != null && NON_INFERENCE_OPERATIONS.contains(operation)) {
      return false;
    }
    return operation != null || spanType != null || agentType != null || model() != null;
  }

  // --- Model and provider ---------------------------------------------------------------------

  /** The model that was asked for, or {@code null}. */
  public String requestModel() {
    return strings[Field.REQUEST_MODEL.ordinal()];
  }

  /** The model that answered ({@code gen_ai.response.model}), or {@code null}. */
  public String responseModel() {
    return strings[Field.RESPONSE_MODEL.ordinal()];
  }

  /** The response model when recorded, else the request model, else {@code null}. */
  public String model() {
    String response = responseModel();
    return response != null ? response : requestModel();
  }

  /**
   * The provider in lower case ({@code openai}, {@code anthropic}, {@code aws.bedrock}), or null.
   */
  public String provider() {
    String provider = strings[Field.PROVIDER.ordinal()];
    return provider == null ? null : provider.toLowerCase(Locale.ROOT);
  }

  /** {@code gen_ai.operation.name}, or {@code null}. */
  public String operation() {
    return strings[Field.OPERATION.ordinal()];
  }

  /**
   * Whether the call went to an Anthropic model, whose API reports input tokens without the cached
   * ones: the provider names Anthropic, or the model is a Claude model (directly or on Bedrock).
   */
  public boolean isAnthropic() {
    String provider = provider();
    if (provider != null && provider.contains("anthropic")) {
      return true;
    }
    for (String model : new String[] {responseModel(), requestModel()}) {
      if (model != null) {
        String m = model.toLowerCase(Locale.ROOT);
        if (m.startsWith("claude") || m.contains("anthropic.") || m.contains("/claude")) {
          return true;
        }
      }
    }
    return false;
  }

  // --- Usage ----------------------------------------------------------------------------------

  /** Prompt tokens as the span reports them, or {@link #ABSENT}. */
  public long inputTokens() {
    return counts[Field.INPUT_TOKENS.ordinal()];
  }

  /** The dialect {@link #inputTokens()} came from, or {@code null}. */
  public GenAiDialect inputTokensDialect() {
    return dialects[Field.INPUT_TOKENS.ordinal()];
  }

  /**
   * Whether {@link #inputTokens()} already includes {@link #cacheReadTokens()} and {@link
   * #cacheWriteTokens()}, as decided from the instrumentation that wrote the span, the dialect and
   * the provider ({@link CacheConvention}); true when the span reports no cache counts.
   */
  public boolean inputIncludesCache() {
    long cache = Math.max(0, cacheReadTokens()) + Math.max(0, cacheWriteTokens());
    return cache == 0 || CacheConvention.includesCache(this, inputTokens(), outputTokens(), cache);
  }

  /**
   * Every prompt token the call consumed, cache reads and writes included: {@link #inputTokens()},
   * plus the cache counts when it excludes them. {@link #ABSENT} when no prompt count is reported.
   */
  public long consumedInputTokens() {
    long input = inputTokens();
    if (input == ABSENT || inputIncludesCache()) {
      return input;
    }
    return input + Math.max(0, cacheReadTokens()) + Math.max(0, cacheWriteTokens());
  }

  /**
   * The name of the instrumentation scope that emitted the span, when the span reports cache counts
   * (the only spans for which it decides anything); else {@code null}.
   */
  public String instrumentationScope() {
    return scopeName;
  }

  /** {@code telemetry.sdk.name} as the span carries it (openlit writes it per span), or null. */
  String sdkName() {
    return strings[Field.SDK_NAME.ordinal()];
  }

  /** Completion tokens, or {@link #ABSENT}. */
  public long outputTokens() {
    return counts[Field.OUTPUT_TOKENS.ordinal()];
  }

  /** The dialect {@link #outputTokens()} came from, or {@code null}. */
  public GenAiDialect outputTokensDialect() {
    return dialects[Field.OUTPUT_TOKENS.ordinal()];
  }

  /** Total tokens as reported, or {@link #ABSENT}. */
  public long totalTokens() {
    return counts[Field.TOTAL_TOKENS.ordinal()];
  }

  /** Prompt tokens read from a cache, or {@link #ABSENT}. */
  public long cacheReadTokens() {
    return counts[Field.CACHE_READ_TOKENS.ordinal()];
  }

  /** Prompt tokens written to a cache, or {@link #ABSENT}. */
  public long cacheWriteTokens() {
    return counts[Field.CACHE_WRITE_TOKENS.ordinal()];
  }

  /** Reasoning tokens, part of the output, or {@link #ABSENT}. */
  public long reasoningTokens() {
    return counts[Field.REASONING_TOKENS.ordinal()];
  }

  /** A cost in USD already on the span, or {@code NaN}. */
  public double existingCostUsd() {
    return cost;
  }

  /** The dialect of {@link #existingCostUsd()}, or {@code null}. */
  public GenAiDialect existingCostDialect() {
    return dialects[Field.COST_USD.ordinal()];
  }

  // --- Text -----------------------------------------------------------------------------------

  /** The prompt as one plain string ({@code llm.prompt}, {@code input.value}), or {@code null}. */
  public String promptText() {
    return strings[Field.PROMPT_TEXT.ordinal()];
  }

  /** The completion as one plain string, or {@code null}. */
  public String completionText() {
    return strings[Field.COMPLETION_TEXT.ordinal()];
  }

  /**
   * Whether {@link #promptText()} is JSON ({@code input.mime_type = application/json}), as
   * OpenInference records the request when its messages are hidden.
   */
  public boolean promptTextIsJson() {
    return isJson(strings[Field.PROMPT_MIME_TYPE.ordinal()]) && promptText() != null;
  }

  /** Whether {@link #completionText()} is JSON ({@code output.mime_type = application/json}). */
  public boolean completionTextIsJson() {
    return isJson(strings[Field.COMPLETION_MIME_TYPE.ordinal()]) && completionText() != null;
  }

  /**
   * The messages inside a JSON {@link #promptText()} (a provider request: {@code messages}, {@code
   * system}, {@code input}, {@code instructions}), or {@code null} when the prompt text is not JSON
   * or holds no messages. Parsed on each call.
   */
  public List<ChatMessage> promptJsonMessages() {
    return promptTextIsJson() ? MessagesJson.requestMessages(promptText()) : null;
  }

  /**
   * The answer inside a JSON {@link #completionText()} (a provider response: {@code choices},
   * {@code content}, {@code output}), or {@code null} when the completion text is not JSON or holds
   * no answer. Parsed on each call.
   */
  public List<ChatMessage> completionJsonMessages() {
    return completionTextIsJson() ? MessagesJson.responseMessages(completionText()) : null;
  }

  private static boolean isJson(String mimeType) {
    if (mimeType == null) {
      return false;
    }
    String m = mimeType.trim().toLowerCase(Locale.ROOT);
    int semicolon = m.indexOf(';');
    if (semicolon >= 0) {
      m = m.substring(0, semicolon).trim();
    }
    return m.equals("application/json") || m.endsWith("+json");
  }

  /**
   * The prompt as structured messages, or an empty list: indexed message keys when present, else
   * {@code gen_ai.system_instructions} (as one {@code system} message) followed by {@code
   * gen_ai.input.messages}, else the SDK's {@code llm.openai.messages}. JSON is parsed at the first
   * call; call it only when the messages are needed. The list cannot be changed.
   */
  public List<ChatMessage> promptMessages() {
    if (parsed.prompt == null) {
      parsed.prompt = Collections.unmodifiableList(readPromptMessages());
    }
    return parsed.prompt;
  }

  private List<ChatMessage> readPromptMessages() {
    if (promptSlots != null) {
      return promptSlots.toMessages();
    }
    String json = strings[Field.PROMPT_MESSAGES_JSON.ordinal()];
    String system = strings[Field.SYSTEM_INSTRUCTIONS_JSON.ordinal()];
    List<ChatMessage> messages = json == null ? List.of() : MessagesJson.messages(json);
    if (system == null) {
      return messages;
    }
    String systemText = MessagesJson.partsText(system);
    if (systemText.isEmpty()) {
      return messages;
    }
    List<ChatMessage> withSystem = new ArrayList<>(messages.size() + 1);
    withSystem.add(new ChatMessage("system", systemText, null));
    withSystem.addAll(messages);
    return withSystem;
  }

  /** The completion as structured messages (indexed keys, else {@code gen_ai.output.messages}). */
  public List<ChatMessage> completionMessages() {
    if (parsed.completion == null) {
      String json = strings[Field.COMPLETION_MESSAGES_JSON.ordinal()];
      parsed.completion =
          Collections.unmodifiableList(
              completionSlots != null
                  ? completionSlots.toMessages()
                  : json == null ? List.of() : MessagesJson.messages(json));
    }
    return parsed.completion;
  }

  /** Whether the span carries any prompt text, plain or structured. */
  public boolean hasPrompt() {
    return promptSlots != null
        || strings[Field.PROMPT_MESSAGES_JSON.ordinal()] != null
        || strings[Field.PROMPT_TEXT.ordinal()] != null;
  }

  /** Whether the span carries any completion text, plain or structured. */
  public boolean hasCompletion() {
    return completionSlots != null
        || strings[Field.COMPLETION_MESSAGES_JSON.ordinal()] != null
        || strings[Field.COMPLETION_TEXT.ordinal()] != null;
  }

  /**
   * Whether the span carries completion text that is not empty: a content-filtered answer recorded
   * with empty parts, {@code null} content or an empty string produced no text for a user to see.
   * JSON that holds no recognisable answer counts as text.
   */
  public boolean hasCompletionText() {
    List<ChatMessage> messages = completionMessages();
    if (messages.isEmpty() && completionTextIsJson()) {
      List<ChatMessage> answer = completionJsonMessages();
      if (answer == null) {
        return true;
      }
      messages = answer;
    } else if (messages.isEmpty()) {
      return completionText() != null;
    }
    for (ChatMessage m : messages) {
      if (!m.content().isEmpty()) {
        return true;
      }
    }
    // Structured messages hold no text; a plain completion beside them may still have some.
    return completionText() != null && !completionTextIsJson();
  }

  /** The dialect of the prompt's structured messages, or {@code null} when there are none. */
  public GenAiDialect promptMessagesDialect() {
    if (promptSlots != null) {
      return promptSlots.dialect;
    }
    return dialects[Field.PROMPT_MESSAGES_JSON.ordinal()];
  }

  /** Indexed messages, collected in any order. */
  private static final class MessageSlots {
    String[] roles = new String[4];
    StringBuilder[] contents = new StringBuilder[4];
    String[] names = new String[4];
    // OpenInference records a message's text both whole and as parts; the whole text wins.
    boolean[] whole = new boolean[4];
    int size;
    GenAiDialect dialect;

    void put(int index, LlmAttributes.MessagePart part, String text, GenAiDialect from) {
      if (index >= roles.length) {
        int capacity = Math.max(index + 1, roles.length * 2);
        roles = Arrays.copyOf(roles, capacity);
        contents = Arrays.copyOf(contents, capacity);
        names = Arrays.copyOf(names, capacity);
        whole = Arrays.copyOf(whole, capacity);
      }
      size = Math.max(size, index + 1);
      dialect = from;
      switch (part) {
        case ROLE:
          roles[index] = text;
          break;
        case NAME:
          names[index] = text;
          break;
        case CONTENT:
          contents[index] = new StringBuilder(text);
          whole[index] = true;
          break;
        default:
          if (whole[index]) {
            break;
          }
          if (contents[index] == null) {
            contents[index] = new StringBuilder(text);
          } else {
            contents[index].append('\n').append(text);
          }
          break;
      }
    }

    List<ChatMessage> toMessages() {
      List<ChatMessage> out = new ArrayList<>(size);
      for (int k = 0; k < size; k++) {
        if (roles[k] == null && contents[k] == null && names[k] == null) {
          continue;
        }
        out.add(
            new ChatMessage(
                roles[k] == null ? "" : roles[k],
                contents[k] == null ? "" : contents[k].toString(),
                names[k]));
      }
      return out;
    }
  }

  /** The messages of one span, parsed when first asked for; null until then. */
  private static final class ParsedMessages {
    List<ChatMessage> prompt;
    List<ChatMessage> completion;
  }
}
