/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The keys only an application's SDK reads (the Java client here, and the Python SDK that shares
 * the file), and the client's catalog: these plus the shared keys it needs.
 *
 * <p>A proxy cannot honour these keys: each carries the reason ({@link Setting#clientOnlyReason}),
 * which the proxy's loader gives when one is set in its file or flags. They live apart from the
 * proxy's catalog ({@code ProxyKeys}) so that it, {@code ProxyConfig} and its template hold only
 * what the proxy reads. Immutable after class initialisation.
 */
final class ClientKeys {

  private ClientKeys() {}

  private static final List<Setting<?>> REGISTRY = new ArrayList<>();

  private static final String TRACE_REASON =
      "the proxy receives finished spans and cannot start traces inside an application";
  private static final String PATCH_REASON =
      "the proxy receives finished spans and cannot patch libraries inside an application";
  private static final String INSTRUMENT_REASON =
      "the proxy receives finished spans and cannot change how an application instruments its"
          + " calls";
  private static final String RUNTIME_REASON =
      "the proxy serves many applications and cannot give all of them one identity";
  private static final String GOVERNANCE_REASON =
      "governance checks run inside the application before a call is made";

  // --- [tracing] ------------------------------------------------------------------------------

  static final Setting<Boolean> AUTO_START_TRACE =
      add(
          Setting.builder("tracing", "auto_start_trace", ValueType.BOOLEAN)
              .defaultValue(true)
              .alias("auto_start_trace")
              .env("AGENT_DASHBOARD_AUTO_START_TRACE")
              .clientOnly(TRACE_REASON)
              .description("Application SDK only: start a root span automatically."));

  static final Setting<String> AUTO_TRACE_NAME =
      add(
          Setting.builder("tracing", "auto_trace_name", ValueType.STRING)
              .defaultValue("root")
              .alias("auto_trace_name")
              .check(Checks::nonBlank)
              .clientOnly(TRACE_REASON)
              .description("Application SDK only: name of the automatic root span."));

  // --- [instrumentation] ----------------------------------------------------------------------

  static final Setting<Boolean> ENABLE_PATCHING =
      add(
          Setting.builder("instrumentation", "enable_patching", ValueType.BOOLEAN)
              .defaultValue(true)
              .alias("enable_patching")
              .env("AGENT_DASHBOARD_ENABLE_PATCHING")
              .clientOnly(PATCH_REASON)
              .description("Application SDK only: patch LLM client libraries."));

  static final Setting<Boolean> AUTO_INSTRUMENT_TOOLS =
      add(
          Setting.builder("instrumentation", "auto_instrument_tools", ValueType.BOOLEAN)
              .defaultValue(false)
              .alias("auto_instrument_tools")
              .clientOnly(INSTRUMENT_REASON)
              .description("Application SDK only: trace tool calls automatically."));

  static final Setting<Integer> MAX_TOOL_SPANS =
      add(
          Setting.builder("instrumentation", "max_tool_spans", ValueType.INT)
              .defaultValue(100)
              .alias("max_tool_spans")
              .check(Checks::positive)
              .clientOnly(INSTRUMENT_REASON)
              .description("Application SDK only: most tool spans per trace."));

  static final Setting<Integer> MAX_SPAN_DEPTH =
      add(
          Setting.builder("instrumentation", "max_span_depth", ValueType.INT)
              .defaultValue(10)
              .alias("max_span_depth")
              .check(Checks::positive)
              .clientOnly(INSTRUMENT_REASON)
              .description("Application SDK only: deepest span nesting."));

  static final Setting<Boolean> OPENAI_AGENTS =
      add(
          Setting.builder("instrumentation", "openai_agents", ValueType.BOOLEAN)
              .defaultValue(true)
              .alias("openai_agents")
              .clientOnly(INSTRUMENT_REASON)
              .description("Application SDK only: instrument the OpenAI Agents SDK."));

  static final Setting<Boolean> CREWAI =
      add(
          Setting.builder("instrumentation", "crewai", ValueType.BOOLEAN)
              .defaultValue(true)
              .alias("crewai")
              .clientOnly(INSTRUMENT_REASON)
              .description("Application SDK only: instrument CrewAI."));

  // --- [runtime] (application SDK only) -------------------------------------------------------

  static final Setting<String> SESSION_ID = runtime("session_id");
  static final Setting<String> USER_ID = runtime("user_id");
  static final Setting<String> TENANT_ID = runtime("tenant_id");
  static final Setting<String> PROJECT_ID = runtime("project_id");

  static final Setting<String> AGENT_ID =
      add(
          Setting.builder("runtime", "agent_id", ValueType.STRING)
              .alias("agent_id")
              .env("AGENT_DASHBOARD_AGENT_ID")
              .optional("\"\"")
              .clientOnly(RUNTIME_REASON)
              .description("Application SDK only: agent.id of every span."));

  static final Setting<String> AGENT_NAME = runtime("agent_name");
  static final Setting<String> ENV = runtime("env");

  // --- [governance] (application SDK only) ----------------------------------------------------

  static final Setting<URI> STATUS_CHECK_ENDPOINT =
      add(
          Setting.builder("governance", "status_check_endpoint", ValueType.URL)
              .check(Checks::httpUrl)
              .optional("\"\"")
              .clientOnly(GOVERNANCE_REASON)
              .description("Application SDK only: governance status endpoint."));

  static final Setting<URI> POST_BLOCK_ENDPOINT =
      add(
          Setting.builder("governance", "post_block_endpoint", ValueType.URL)
              .check(Checks::httpUrl)
              .optional("\"\"")
              .clientOnly(GOVERNANCE_REASON)
              .description("Application SDK only: where blocked calls are reported."));

  static final Setting<Long> STATUS_CACHE_TTL_SECONDS =
      add(
          Setting.builder("governance", "status_cache_ttl_seconds", ValueType.LONG)
              .defaultValue(60L)
              .check(Checks::positive)
              .clientOnly(GOVERNANCE_REASON)
              .description("Application SDK only: how long a governance status is cached, in s."));

  // --- Catalogs -------------------------------------------------------------------------------

  /** The keys only an application reads, in documentation order. */
  static final List<Setting<?>> ONLY = Collections.unmodifiableList(new ArrayList<>(REGISTRY));

  /**
   * Every key the Java client reads, in documentation order: the shared keys of {@link SharedKeys}
   * that it uses and {@link #ONLY}. The other proxy keys are accepted in its file and ignored.
   */
  static final List<Setting<?>> ALL =
      Collections.unmodifiableList(
          Arrays.asList(
              SharedKeys.API_KEY,
              SharedKeys.ENDPOINT,
              SharedKeys.SAMPLE_RATE,
              SharedKeys.USE_OTLP,
              SharedKeys.SERVICE_NAME,
              AUTO_START_TRACE,
              AUTO_TRACE_NAME,
              SharedKeys.PROTOCOL,
              SharedKeys.HEADERS,
              SharedKeys.COMPRESSION,
              SharedKeys.TIMEOUT_MS,
              SharedKeys.CA_FILE,
              SharedKeys.CLIENT_CERT_FILE,
              SharedKeys.CLIENT_KEY_FILE,
              SharedKeys.MAX_QUEUE_SIZE,
              SharedKeys.MAX_EXPORT_BATCH_SIZE,
              SharedKeys.SCHEDULE_DELAY_MILLIS,
              SharedKeys.ENABLE_METRICS,
              SharedKeys.METRICS_ENDPOINT,
              ENABLE_PATCHING,
              AUTO_INSTRUMENT_TOOLS,
              MAX_TOOL_SPANS,
              MAX_SPAN_DEPTH,
              OPENAI_AGENTS,
              CREWAI,
              SESSION_ID,
              USER_ID,
              TENANT_ID,
              PROJECT_ID,
              AGENT_ID,
              AGENT_NAME,
              ENV,
              SharedKeys.DEBUG,
              SharedKeys.ATTR_TRUNCATION_LIMIT,
              STATUS_CHECK_ENDPOINT,
              POST_BLOCK_ENDPOINT,
              STATUS_CACHE_TTL_SECONDS));

  // --- Helpers --------------------------------------------------------------------------------

  private static <T> Setting<T> add(Setting.Builder<T> builder) {
    Setting<T> setting = builder.build();
    REGISTRY.add(setting);
    return setting;
  }

  private static Setting<String> runtime(String name) {
    return add(
        Setting.builder("runtime", name, ValueType.STRING)
            .alias(name)
            .optional("\"\"")
            .clientOnly(RUNTIME_REASON)
            .description("Application SDK only: " + name.replace('_', '.') + " of every span."));
  }
}
