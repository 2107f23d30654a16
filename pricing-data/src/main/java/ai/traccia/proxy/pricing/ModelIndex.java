/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lookup structure of one merged table: hash maps built once, so that {@link #find} costs a
 * bounded number of hash lookups (one per normalisation step and per separator of the name), plus a
 * bounded cache of results per (model, provider).
 *
 * <p>Design note: the steps run from the most exact to the loosest, and the first hit wins, so a
 * table key the name matches exactly is never shadowed by a looser rule. Provider preference is
 * applied inside each step rather than across steps: {@code provider=azure, model=gpt-4o} finds
 * {@code azure/gpt-4o}, but an exact {@code gpt-4o-2024-08-06} is not traded for {@code
 * azure/gpt-4o}. Immutable apart from the result cache; thread-safe.
 */
final class ModelIndex {

  /** Results kept per table; past this the cache is emptied, which bounds memory. */
  static final int MAX_CACHED = 8192;

  private static final int MAX_PREFIX = 200;

  private static final int MAX_NAME = 512;

  private static final String SEPARATORS = "-_.:@/";

  // Bedrock cross-region inference prefixes, longest first so us-gov. wins over us.
  private static final String[] REGION_PREFIXES = {
    "us-gov.", "global.", "apac.", "us.", "eu.", "jp.", "au."
  };

  private static final Pattern FINE_TUNE = Pattern.compile("ft:([^:]+):.*");

  // Suffixes stripped one at a time, from the end: versions, dates, snapshots.
  private static final Pattern[] SUFFIXES = {
    Pattern.compile("@[a-z0-9.\\-]+$"), // vertex_ai/claude-sonnet-4-5@20250929, @001, @latest
    Pattern.compile("-v\\d+(:\\d+)?$"), // bedrock -v1:0, -v2
    Pattern.compile(":\\d+$"), // bedrock :0
    Pattern.compile("-\\d{4}-\\d{2}-\\d{2}$"), // openai -2024-08-06
    Pattern.compile("-\\d{8}$"), // anthropic -20241022
    Pattern.compile("-\\d{3,4}$"), // vertex -001, openai -0613
    Pattern.compile("-latest$"),
  };

  // gen_ai.provider.name and gen_ai.system values that name a provider differently.
  private static final Map<String, String> PROVIDER_ALIASES =
      Map.ofEntries(
          Map.entry("aws.bedrock", "bedrock"),
          Map.entry("bedrock_converse", "bedrock"),
          Map.entry("gcp.vertex_ai", "vertex_ai"),
          Map.entry("vertexai", "vertex_ai"),
          Map.entry("gcp.gemini", "gemini"),
          Map.entry("gcp.gen_ai", "gemini"),
          Map.entry("google", "gemini"),
          Map.entry("az.ai.openai", "azure"),
          Map.entry("azure.ai.openai", "azure"),
          Map.entry("azure_openai", "azure"),
          Map.entry("az.ai.inference", "azure_ai"),
          Map.entry("azure.ai.inference", "azure_ai"),
          Map.entry("mistral_ai", "mistral"),
          Map.entry("mistralai", "mistral"),
          Map.entry("x_ai", "xai"),
          Map.entry("ibm.watsonx.ai", "watsonx"),
          Map.entry("together", "together_ai"),
          Map.entry("fireworks", "fireworks_ai"));

  private final Map<String, PricedModel> exact;
  private final Map<String, PricedModel[]> lower;
  private final ConcurrentHashMap<String, Optional<PriceMatch>> cache = new ConcurrentHashMap<>();

  ModelIndex(Map<String, PricedModel> entries) {
    this.exact = new HashMap<>(entries);
    Map<String, List<PricedModel>> byLower = new HashMap<>();
    for (PricedModel m : entries.values()) {
      byLower.computeIfAbsent(m.key.toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(m);
    }
    this.lower = new HashMap<>(byLower.size() * 2);
    for (Map.Entry<String, List<PricedModel>> e : byLower.entrySet()) {
      List<PricedModel> same = e.getValue();
      // Keys that differ only by case: the higher layer first, then the table's order.
      same.sort(Comparator.comparingInt(m -> m.source.ordinal()));
      this.lower.put(e.getKey(), same.toArray(new PricedModel[0]));
    }
  }

  Optional<PriceMatch> find(String model, String provider) {
    if (model == null) {
      return Optional.empty();
    }
    String cacheKey = provider == null ? model : provider + '\u0000' + model;
    Optional<PriceMatch> hit = cache.get(cacheKey);
    if (hit != null) {
      return hit;
    }
    PricedModel found = lookup(model, provider);
    Optional<PriceMatch> result = found == null ? Optional.empty() : Optional.of(found.match);
    if (cache.size() >= MAX_CACHED) {
      cache.clear(); // Cheaper than LRU bookkeeping; a miss costs microseconds.
    }
    cache.put(cacheKey, result);
    return result;
  }

  private PricedModel lookup(String model, String rawProvider) {
    String name = model.trim();
    if (name.isEmpty()) {
      return null;
    }
    String p = provider(rawProvider);
    String lowerName = name.toLowerCase(Locale.ROOT);
    PricedModel m = exact.get(name);
    if (m != null) {
      if (p == null || matches(m.provider, p)) {
        return m;
      }
      // The provider's own key (azure/gpt-4o, or a key differing by case) beats the exact one.
      PricedModel own = step(lowerName, p);
      return own != null && matches(own.provider, p) ? own : m;
    }
    if (name.length() > MAX_NAME) {
      return step(lowerName, p); // No key is this long; keep a hostile name's cost bounded.
    }
    // Exact forms first: the name, then without each provider or path prefix
    // (openai/gpt-4o, bedrock/us-east-1/anthropic.claude-...), a fine-tune's base model, and
    // Bedrock's cross-region prefix.
    List<String> forms = new ArrayList<>(4);
    forms.add(lowerName);
    for (int slash = lowerName.indexOf('/');
        slash >= 0;
        slash = lowerName.indexOf('/', slash + 1)) {
      forms.add(lowerName.substring(slash + 1));
    }
    String bare = forms.get(forms.size() - 1);
    String fineTuned = fineTuneBase(bare);
    if (fineTuned != null) {
      forms.add(bare = fineTuned);
    }
    String unregioned = withoutRegion(bare);
    if (unregioned != null) {
      forms.add(bare = unregioned);
    }
    for (String form : forms) {
      m = step(form, p);
      if (m != null) {
        return m;
      }
    }
    // Then each form without its date or version suffixes, one suffix at a time.
    for (String form : forms) {
      for (String s = withoutSuffix(form); s != null; s = withoutSuffix(s)) {
        m = step(s, p);
        if (m != null) {
          return m;
        }
      }
    }
    m = longestPrefix(lowerName, p);
    return m != null || bare.equals(lowerName) ? m : longestPrefix(bare, p);
  }

  private PricedModel step(String candidate, String p) {
    if (p != null && !candidate.startsWith(p + "/")) {
      PricedModel m = lowerKey(p + "/" + candidate, p);
      if (m != null) {
        return m;
      }
    }
    return lowerKey(candidate, p);
  }

  private PricedModel longestPrefix(String name, String p) {
    // Bounded: no table key is this long, and a hostile name must not cost more.
    for (int i = Math.min(name.length(), MAX_PREFIX) - 1; i > 0; i--) {
      if (SEPARATORS.indexOf(name.charAt(i)) >= 0) {
        PricedModel m = step(name.substring(0, i), p);
        if (m != null) {
          return m;
        }
      }
    }
    return null;
  }

  private PricedModel lowerKey(String key) {
    PricedModel[] all = lower.get(key);
    return all == null ? null : all[0];
  }

  private PricedModel lowerKey(String key, String p) {
    PricedModel[] all = lower.get(key);
    if (all == null) {
      return null;
    }
    if (p != null && all.length > 1) {
      for (PricedModel m : all) {
        if (matches(m.provider, p)) {
          return m;
        }
      }
    }
    return all[0];
  }

  static String provider(String raw) {
    if (raw == null) {
      return null;
    }
    String p = raw.trim().toLowerCase(Locale.ROOT);
    if (p.isEmpty()) {
      return null;
    }
    return PROVIDER_ALIASES.getOrDefault(p, p);
  }

  // LiteLLM splits some providers: vertex_ai-language-models, bedrock_converse, ...
  private static boolean matches(String entryProvider, String p) {
    return entryProvider != null
        && (entryProvider.equals(p)
            || entryProvider.startsWith(p + "-")
            || (p.equals("bedrock") && entryProvider.startsWith("bedrock")));
  }

  static String fineTuneBase(String name) {
    Matcher m = FINE_TUNE.matcher(name);
    return m.matches() ? m.group(1) : null;
  }

  static String withoutRegion(String name) {
    for (String prefix : REGION_PREFIXES) {
      if (name.startsWith(prefix) && name.length() > prefix.length()) {
        return name.substring(prefix.length());
      }
    }
    return null;
  }

  static String withoutSuffix(String name) {
    for (Pattern suffix : SUFFIXES) {
      Matcher m = suffix.matcher(name);
      if (m.find() && m.start() > 0) {
        return name.substring(0, m.start());
      }
    }
    return null;
  }

  int size() {
    return exact.size();
  }
}
