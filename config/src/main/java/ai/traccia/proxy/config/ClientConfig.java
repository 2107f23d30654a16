/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static ai.traccia.proxy.config.ClientKeys.*;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The validated configuration of an application's Java client ({@code ai.traccia.client.Traccia}),
 * with the origin of every value: the keys of {@link ClientKeys#ALL}, read from the same file and
 * environment variables as the proxy's.
 *
 * <p>Load it with {@link ConfigReader#loadClient()}, which ignores the proxy's keys, or build it
 * with {@link #builder()}. Immutable and thread-safe; {@link #toString()} and {@link #describe()}
 * never show the API key or header values.
 */
public final class ClientConfig extends SharedConfig {

  private final List<ConfigWarning> warnings;

  private ClientConfig(
      Map<Setting<?>, Object> values,
      Map<Setting<?>, String> origins,
      List<ConfigWarning> warnings) {
    super(values, origins);
    this.warnings = Collections.unmodifiableList(new ArrayList<>(warnings));
  }

  /** A builder holding the built-in defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The built-in defaults: no config file, no environment. */
  public static ClientConfig defaults() {
    return builder().build();
  }

  /** What loading found worth a look (deprecated names, misspelt variables); empty if built. */
  public List<ConfigWarning> warnings() {
    return warnings;
  }

  // --- [tracing] ------------------------------------------------------------------------------

  // --- [exporters] ----------------------------------------------------------------------------

  // --- [rate_limiting] ------------------------------------------------------------------------

  // --- [metrics] ------------------------------------------------------------------------------

  /** The metrics endpoint as configured ({@code metrics.metrics_endpoint}); empty if not set. */
  public Optional<URI> metricsEndpoint() {
    return Optional.ofNullable(get(SharedKeys.METRICS_ENDPOINT));
  }

  // --- [logging] and [advanced] ---------------------------------------------------------------

  // --- Application only -----------------------------------------------------------------------

  /** start a root span automatically ({@code tracing.auto_start_trace}). */
  public boolean autoStartTrace() {
    return get(AUTO_START_TRACE);
  }

  /** name of the automatic root span ({@code tracing.auto_trace_name}). */
  public String autoTraceName() {
    return get(AUTO_TRACE_NAME);
  }

  /** patch LLM libraries ({@code instrumentation.enable_patching}). */
  public boolean patchingEnabled() {
    return get(ENABLE_PATCHING);
  }

  /** trace tools automatically ({@code instrumentation.auto_instrument_tools}). */
  public boolean autoInstrumentTools() {
    return get(AUTO_INSTRUMENT_TOOLS);
  }

  /** most tool spans per trace ({@code instrumentation.max_tool_spans}). */
  public int maxToolSpans() {
    return get(MAX_TOOL_SPANS);
  }

  /** deepest span nesting ({@code instrumentation.max_span_depth}). */
  public int maxSpanDepth() {
    return get(MAX_SPAN_DEPTH);
  }

  /** instrument the OpenAI Agents SDK ({@code instrumentation.openai_agents}). */
  public boolean openaiAgentsEnabled() {
    return get(OPENAI_AGENTS);
  }

  /** instrument CrewAI ({@code instrumentation.crewai}). */
  public boolean crewaiEnabled() {
    return get(CREWAI);
  }

  /** session id of every span ({@code runtime.session_id}). */
  public Optional<String> sessionId() {
    return Optional.ofNullable(get(SESSION_ID));
  }

  /** user id of every span ({@code runtime.user_id}). */
  public Optional<String> userId() {
    return Optional.ofNullable(get(USER_ID));
  }

  /** tenant id of every span ({@code runtime.tenant_id}). */
  public Optional<String> tenantId() {
    return Optional.ofNullable(get(TENANT_ID));
  }

  /** project id of every span ({@code runtime.project_id}). */
  public Optional<String> projectId() {
    return Optional.ofNullable(get(PROJECT_ID));
  }

  /** agent id of every span ({@code runtime.agent_id}). */
  public Optional<String> agentId() {
    return Optional.ofNullable(get(AGENT_ID));
  }

  /** agent name of every span ({@code runtime.agent_name}). */
  public Optional<String> agentName() {
    return Optional.ofNullable(get(AGENT_NAME));
  }

  /** deployment environment of every span ({@code runtime.env}). */
  public Optional<String> environment() {
    return Optional.ofNullable(get(ENV));
  }

  /** governance status endpoint ({@code governance.status_check_endpoint}). */
  public Optional<URI> governanceStatusCheckEndpoint() {
    return Optional.ofNullable(get(STATUS_CHECK_ENDPOINT));
  }

  /** where blocked calls are reported ({@code governance.post_block_endpoint}). */
  public Optional<URI> governancePostBlockEndpoint() {
    return Optional.ofNullable(get(POST_BLOCK_ENDPOINT));
  }

  /** governance status cache time ({@code governance.status_cache_ttl_seconds}). */
  public Duration governanceStatusCacheTtl() {
    return Duration.ofSeconds(get(STATUS_CACHE_TTL_SECONDS));
  }

  // --- Origins and description ----------------------------------------------------------------

  /**
   * Where the value of {@code key} came from: {@code traccia.toml:14:3}, {@code env
   * TRACCIA_SESSION_ID}, {@code --runtime.session_id} (set in code), {@code default} or {@code
   * builder}.
   *
   * @param key a client key in any spelling, such as {@code runtime.session_id}
   * @throws IllegalArgumentException if the client has no such key
   */
  public String origin(String key) {
    Setting<?> setting = Catalog.CLIENT.byKey(key);
    if (setting == null || !Catalog.CLIENT.reads(setting)) {
      throw new IllegalArgumentException("unknown client configuration key: " + key);
    }
    return origins.get(setting.target());
  }

  /**
   * One line per key, {@code tracing.sample_rate: 1.0 (default)}, in documentation order. Secrets
   * are shown as {@code ****}.
   */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    for (Setting<?> s : ClientKeys.ALL) {
      lines.add(s.key + ": " + s.showUnchecked(values.get(s)) + " (" + origins.get(s) + ")");
    }
    return lines;
  }

  /** Compares values, not origins or warnings. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ClientConfig && ((ClientConfig) o).values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** Every key and its value, with secrets shown as {@code ****}. */
  @Override
  public String toString() {
    StringJoiner joiner = new StringJoiner(", ", "ClientConfig{", "}");
    for (Setting<?> s : ClientKeys.ALL) {
      joiner.add(s.key + "=" + s.showUnchecked(values.get(s)));
    }
    return joiner.toString();
  }

  /**
   * Builds a {@link ClientConfig}. Not thread-safe. Each setter checks its value and throws {@link
   * IllegalArgumentException} with the pinned message form ({@code instrumentation.max_tool_spans:
   * 0 (expected: > 0)}); {@link #build()} checks the rules between keys. Values set here have the
   * origin {@code builder}. Shared keys are set through the loader ({@code Traccia.builder().set}).
   */
  public static final class Builder {

    private final Map<Setting<?>, Object> values = new HashMap<>();
    private final Map<Setting<?>, String> origins = new HashMap<>();
    private final List<ConfigWarning> warnings = new ArrayList<>();

    private Builder() {
      for (Setting<?> s : ClientKeys.ALL) {
        values.put(s, s.defaultValue);
        origins.put(s, SharedConfig.DEFAULT_ORIGIN);
      }
    }

    private <T> Builder set(Setting<T> setting, T value) {
      values.put(setting.target(), setting.require(value));
      origins.put(setting.target(), SharedConfig.BUILDER_ORIGIN);
      return this;
    }

    /** Sets a value read by the loader, already checked, with its origin. */
    <T> void setFrom(Setting<T> setting, T value, String origin) {
      values.put(setting.target(), value);
      origins.put(setting.target(), origin);
    }

    /** Sets the values a loader read, already checked, keyed by their target setting. */
    void setAllFrom(Map<Setting<?>, Object> loaded, Map<Setting<?>, String> loadedOrigins) {
      values.putAll(loaded);
      origins.putAll(loadedOrigins);
    }

    void addWarnings(List<ConfigWarning> loaded) {
      warnings.addAll(loaded);
    }

    /** Sets {@code tracing.auto_start_trace}. */
    public Builder setAutoStartTrace(boolean autoStart) {
      return set(AUTO_START_TRACE, autoStart);
    }

    /** Sets {@code tracing.auto_trace_name}, non-blank. */
    public Builder setAutoTraceName(String name) {
      return set(AUTO_TRACE_NAME, Objects.requireNonNull(name, "name"));
    }

    /** Sets {@code instrumentation.enable_patching}. */
    public Builder setPatchingEnabled(boolean enabled) {
      return set(ENABLE_PATCHING, enabled);
    }

    /** Sets {@code instrumentation.auto_instrument_tools}. */
    public Builder setAutoInstrumentTools(boolean enabled) {
      return set(AUTO_INSTRUMENT_TOOLS, enabled);
    }

    /** Sets {@code instrumentation.max_tool_spans}: &gt; 0. */
    public Builder setMaxToolSpans(int maxToolSpans) {
      return set(MAX_TOOL_SPANS, maxToolSpans);
    }

    /** Sets {@code instrumentation.max_span_depth}: &gt; 0. */
    public Builder setMaxSpanDepth(int maxSpanDepth) {
      return set(MAX_SPAN_DEPTH, maxSpanDepth);
    }

    /** Sets {@code instrumentation.openai_agents}. */
    public Builder setOpenaiAgentsEnabled(boolean enabled) {
      return set(OPENAI_AGENTS, enabled);
    }

    /** Sets {@code instrumentation.crewai}. */
    public Builder setCrewaiEnabled(boolean enabled) {
      return set(CREWAI, enabled);
    }

    /** Sets {@code runtime.session_id}; null or empty clears it. */
    public Builder setSessionId(String id) {
      return set(SESSION_ID, emptyToNull(id));
    }

    /** Sets {@code runtime.user_id}; null or empty clears it. */
    public Builder setUserId(String id) {
      return set(USER_ID, emptyToNull(id));
    }

    /** Sets {@code runtime.tenant_id}; null or empty clears it. */
    public Builder setTenantId(String id) {
      return set(TENANT_ID, emptyToNull(id));
    }

    /** Sets {@code runtime.project_id}; null or empty clears it. */
    public Builder setProjectId(String id) {
      return set(PROJECT_ID, emptyToNull(id));
    }

    /** Sets {@code runtime.agent_id}; null or empty clears it. */
    public Builder setAgentId(String id) {
      return set(AGENT_ID, emptyToNull(id));
    }

    /** Sets {@code runtime.agent_name}; null or empty clears it. */
    public Builder setAgentName(String name) {
      return set(AGENT_NAME, emptyToNull(name));
    }

    /** Sets {@code runtime.env}; null or empty clears it. */
    public Builder setEnvironment(String environment) {
      return set(ENV, emptyToNull(environment));
    }

    /** Sets {@code governance.status_check_endpoint}; null clears it. */
    public Builder setGovernanceStatusCheckEndpoint(URI endpoint) {
      return set(STATUS_CHECK_ENDPOINT, endpoint);
    }

    /** Sets {@code governance.post_block_endpoint}; null clears it. */
    public Builder setGovernancePostBlockEndpoint(URI endpoint) {
      return set(POST_BLOCK_ENDPOINT, endpoint);
    }

    /** Sets {@code governance.status_cache_ttl_seconds}: &gt; 0, whole seconds. */
    public Builder setGovernanceStatusCacheTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      return set(STATUS_CACHE_TTL_SECONDS, ttl.getSeconds());
    }

    private static String emptyToNull(String s) {
      return s == null || s.isEmpty() ? null : s;
    }

    /**
     * Returns the configuration.
     *
     * @throws ConfigException if a client certificate is set without its key, or the reverse
     */
    public ClientConfig build() {
      List<ConfigProblem> problems = crossFieldProblems(Collections.<Setting<?>>emptySet());
      if (!problems.isEmpty()) {
        throw new ConfigException(problems);
      }
      return new ClientConfig(values, origins, warnings);
    }

    /**
     * The rules between the client's keys; a rule is skipped if one of its keys is in {@code skip}.
     * A batch size left at its default is not checked against the queue size: the client then uses
     * its own, capped to the queue, as OTel's batch processor does.
     */
    List<ConfigProblem> crossFieldProblems(Set<Setting<?>> skip) {
      List<ConfigProblem> problems = new ArrayList<>();
      Setting<Integer> batch = SharedKeys.MAX_EXPORT_BATCH_SIZE;
      Setting<Integer> queue = SharedKeys.MAX_QUEUE_SIZE;
      if (!skip.contains(batch)
          && !skip.contains(queue)
          && !SharedConfig.DEFAULT_ORIGIN.equals(origins.get(batch))
          && (Integer) values.get(batch) > (Integer) values.get(queue)) {
        problems.add(
            ConfigProblem.of(
                batch.key,
                batch.showUnchecked(values.get(batch)),
                "<= "
                    + queue.key
                    + ", which is "
                    + queue.showUnchecked(values.get(queue))
                    + " ["
                    + origins.get(queue)
                    + "]",
                origins.get(batch)));
      }
      Setting<Path> cert = SharedKeys.CLIENT_CERT_FILE;
      Setting<Path> key = SharedKeys.CLIENT_KEY_FILE;
      if (!skip.contains(cert) && !skip.contains(key)) {
        boolean hasCert = values.get(cert) != null;
        boolean hasKey = values.get(key) != null;
        if (hasCert != hasKey) {
          Setting<Path> set = hasCert ? cert : key;
          Setting<Path> missing = hasCert ? key : cert;
          problems.add(
              ConfigProblem.of(
                  set.key,
                  set.showUnchecked(values.get(set)),
                  "set together with " + missing.key + ", which is not set",
                  origins.get(set)));
        }
      }
      return problems;
    }
  }
}
