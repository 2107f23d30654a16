/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tokens;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which tiktoken encoding an OpenAI model uses: our own copy of tiktoken 0.14.0's {@code
 * MODEL_TO_ENCODING} (exact names, tried first) and {@code MODEL_PREFIX_TO_ENCODING} (prefixes, in
 * tiktoken's order). JTokkit's own model map stops at gpt-4o and maps gpt-4.1 to the wrong
 * encoding, so it is not used.
 *
 * <p>Two encodings are mapped onto what JTokkit 1.1.0 ships: {@code o200k_harmony} (gpt-oss) has
 * exactly the ranks and split pattern of {@code o200k_base} and differs only in special tokens,
 * which ordinary counting never produces, so it is counted with {@code O200K_BASE}; {@code
 * p50k_edit} is JTokkit's {@code P50K_EDIT}. tiktoken's {@code gpt2} encoding (models {@code gpt2},
 * {@code gpt-2}) is left out: those models are never priced.
 *
 * <p>Immutable.
 */
final class TiktokenModels {

  private static final Map<String, String> EXACT = new LinkedHashMap<>();
  private static final List<String[]> PREFIXES =
      List.of(
          new String[] {"o1-", "o200k_base"},
          new String[] {"o3-", "o200k_base"},
          new String[] {"o4-mini-", "o200k_base"},
          new String[] {"gpt-5", "o200k_base"},
          new String[] {"gpt-4.5-", "o200k_base"},
          new String[] {"gpt-4.1-", "o200k_base"},
          new String[] {"chatgpt-4o-", "o200k_base"},
          new String[] {"gpt-4o-", "o200k_base"},
          new String[] {"gpt-4-", "cl100k_base"},
          new String[] {"gpt-3.5-turbo-", "cl100k_base"},
          new String[] {"gpt-35-turbo-", "cl100k_base"},
          new String[] {"gpt-oss-", "o200k_harmony"},
          new String[] {"ft:gpt-4o", "o200k_base"},
          new String[] {"ft:gpt-4", "cl100k_base"},
          new String[] {"ft:gpt-3.5-turbo", "cl100k_base"},
          new String[] {"ft:davinci-002", "cl100k_base"},
          new String[] {"ft:babbage-002", "cl100k_base"});

  static {
    exact("o200k_base", "o1", "o3", "o4-mini", "gpt-5", "gpt-4.1", "gpt-4o");
    exact(
        "cl100k_base",
        "gpt-4",
        "gpt-3.5-turbo",
        "gpt-3.5",
        "gpt-35-turbo",
        "davinci-002",
        "babbage-002",
        "text-embedding-ada-002",
        "text-embedding-3-small",
        "text-embedding-3-large");
    exact(
        "p50k_base",
        "text-davinci-003",
        "text-davinci-002",
        "code-davinci-002",
        "code-davinci-001",
        "code-cushman-002",
        "code-cushman-001",
        "davinci-codex",
        "cushman-codex");
    exact("p50k_edit", "text-davinci-edit-001", "code-davinci-edit-001");
    exact(
        "r50k_base",
        "text-davinci-001",
        "text-curie-001",
        "text-babbage-001",
        "text-ada-001",
        "davinci",
        "curie",
        "babbage",
        "ada",
        "text-similarity-davinci-001",
        "text-similarity-curie-001",
        "text-similarity-babbage-001",
        "text-similarity-ada-001",
        "text-search-davinci-doc-001",
        "text-search-curie-doc-001",
        "text-search-babbage-doc-001",
        "text-search-ada-doc-001",
        "code-search-babbage-code-001",
        "code-search-ada-code-001");
  }

  private TiktokenModels() {}

  private static void exact(String encoding, String... models) {
    for (String model : models) {
      EXACT.put(model, encoding);
    }
  }

  /**
   * tiktoken's {@code encoding_name_for_model}: the encoding name for {@code model} as given
   * (case-sensitive), or {@code null} where tiktoken raises {@code KeyError}.
   */
  static String encodingName(String model) {
    String exact = EXACT.get(model);
    if (exact != null) {
      return exact;
    }
    for (String[] prefix : PREFIXES) {
      if (model.startsWith(prefix[0])) {
        return prefix[1];
      }
    }
    return null;
  }

  /**
   * The encoding name for a model as spans record it: as given, else lower-cased, else without a
   * leading {@code provider/} segment ({@code openai/gpt-4o}, {@code azure/gpt-4o-mini}), else
   * {@code null} for models that are not OpenAI's.
   */
  static String encodingNameForSpanModel(String model) {
    String name = encodingName(model);
    if (name != null) {
      return name;
    }
    String lower = model.trim().toLowerCase(Locale.ROOT);
    name = encodingName(lower);
    if (name != null) {
      return name;
    }
    int slash = lower.lastIndexOf('/');
    return slash >= 0 ? encodingName(lower.substring(slash + 1)) : null;
  }

  /** The vocabulary that counts ordinary text exactly as tiktoken's encoding {@code name} does. */
  static String vocabulary(String name) {
    switch (name) {
      case "o200k_base":
      case "o200k_harmony":
        return "o200k_base";
      case "cl100k_base":
      case "p50k_base":
      case "p50k_edit":
      case "r50k_base":
        return name;
      default:
        throw new IllegalArgumentException("unknown encoding: " + name);
    }
  }
}
