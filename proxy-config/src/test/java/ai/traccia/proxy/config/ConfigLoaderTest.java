/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.traccia.proxy.pricing.PricePoint;
import ai.traccia.proxy.pricing.PricingOverride;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

  @TempDir Path dir;
  private Path home;

  @BeforeEach
  void setUp() throws IOException {
    home = Files.createDirectories(dir.resolve("home"));
  }

  private ConfigLoader.Builder loader() {
    return ConfigLoader.builder()
        .setEnvironment(Collections.emptyMap())
        .setWorkingDirectory(dir)
        .setHomeDirectory(home);
  }

  private ConfigReader.Builder clientLoader() {
    return ConfigReader.builder()
        .setEnvironment(Collections.emptyMap())
        .setWorkingDirectory(dir)
        .setHomeDirectory(home);
  }

  private void writeToml(String toml) throws IOException {
    Files.write(dir.resolve("traccia.toml"), toml.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> map(String... keyValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  private List<String> problems(ConfigLoader.Builder builder) {
    try {
      builder.load();
    } catch (ConfigException e) {
      return e.getProblems().stream().map(ConfigProblem::message).collect(Collectors.toList());
    }
    throw new AssertionError("expected a ConfigException");
  }

  // --- Precedence -----------------------------------------------------------------------------

  @Test
  void load_fileBeatsDefault() throws IOException {
    writeToml("[rate_limiting]\nmax_queue_size = 1000\n");

    ProxyConfig config = loader().load();

    assertThat(config.maxQueueSize()).isEqualTo(1000);
    assertThat(config.origin("rate_limiting.max_queue_size")).isEqualTo("traccia.toml:2:1");
    assertThat(config.origin("server.grpc_port")).isEqualTo("default");
  }

  @Test
  void load_envBeatsFile() throws IOException {
    writeToml("[rate_limiting]\n  max_queue_size = 1000\n");

    ProxyConfig config = loader().setEnvironment(map("TRACCIA_MAX_QUEUE_SIZE", "2000")).load();

    assertThat(config.maxQueueSize()).isEqualTo(2000);
    assertThat(config.origin("rate_limiting.max_queue_size"))
        .isEqualTo("env TRACCIA_MAX_QUEUE_SIZE");
  }

  @Test
  void load_flagBeatsEnv() {
    ProxyConfig config =
        loader()
            .setEnvironment(map("TRACCIA_MAX_QUEUE_SIZE", "2000"))
            .setFlags(map("max-queue-size", "3000"))
            .load();

    assertThat(config.maxQueueSize()).isEqualTo(3000);
    assertThat(config.origin("rate_limiting.max_queue_size")).isEqualTo("--max-queue-size");
  }

  @Test
  void load_adminBounds_defaultsAndAdminBindAddressFollowsBindAddress() {
    ProxyConfig config = loader().setFlags(map("bind-address", "0.0.0.0")).load();

    assertThat(config.adminBindAddress()).isEqualTo("0.0.0.0");
    assertThat(config.adminHeaderTimeout()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(config.adminIdleTimeout()).isEqualTo(java.time.Duration.ofSeconds(120));
    assertThat(config.adminMaxConnections()).isEqualTo(256);
    assertThat(config.metricsMaxLabelLength()).isEqualTo(128);
  }

  @Test
  void load_adminBindAddress_ownValue() throws IOException {
    writeToml("[server]\nbind_address = \"0.0.0.0\"\nadmin_bind_address = \"127.0.0.1\"\n");

    ProxyConfig config = loader().load();

    assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(config.adminBindAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void load_rootSpanWait_underTheTraceStateLifetime() {
    assertThat(problems(loader().setFlags(map("guardrail-root-span-wait-ms", "60000"))))
        .containsExactly(
            "guardrails.root_span_wait_ms: 60000 (expected: from 0 to 59999, under the 60 s a"
                + " trace's state is kept) [--guardrail-root-span-wait-ms]");
    assertThat(
            loader()
                .setFlags(map("guardrail-root-span-wait-ms", "59999"))
                .load()
                .guardrailRootSpanWaitMs())
        .isEqualTo(59_999);
  }

  @Test
  void load_adminBounds_invalid() {
    assertThat(
            problems(
                loader()
                    .setFlags(
                        map(
                            "admin-max-connections", "0",
                            "admin-header-timeout-ms", "0",
                            "metrics-max-label-length", "-1"))))
        .containsExactlyInAnyOrder(
            "server.admin_header_timeout_ms: 0 (expected: > 0) [--admin-header-timeout-ms]",
            "server.admin_max_connections: 0 (expected: > 0) [--admin-max-connections]",
            "metrics.max_label_length: -1 (expected: > 0) [--metrics-max-label-length]");
  }

  @Test
  void load_exporterRules_proxyOnly() {
    Map<String, String> env =
        map("TRACCIA_EXPORTER_PROTOCOL", "grpc", "TRACCIA_ENDPOINT", "http://proxy:4318/v1/traces");

    assertThat(problems(loader().setEnvironment(env)))
        .containsExactly(
            "tracing.endpoint: http://proxy:4318/v1/traces (expected: scheme://host:port without a"
                + " path or query, such as http://localhost:4317, with exporters.protocol, which is"
                + " grpc [env TRACCIA_EXPORTER_PROTOCOL]; OTLP/gRPC has no URL path or query) [env"
                + " TRACCIA_ENDPOINT]");
    // An application's client sends OTLP/HTTP whatever the protocol says; the rule is not its.
    assertThat(clientLoader().setEnvironment(env).loadClient().endpoint())
        .hasValue(java.net.URI.create("http://proxy:4318/v1/traces"));
  }

  @Test
  void load_flagBeatsFile() throws IOException {
    writeToml("[server]\ngrpc_port = 5317\n");

    ProxyConfig config = loader().setFlags(map("grpc-port", "0")).load();

    assertThat(config.grpcPort()).isZero();
    assertThat(config.origin("server.grpc_port")).isEqualTo("--grpc-port");
  }

  @Test
  void load_flagAcceptsFullKeyInAnySpelling() {
    ProxyConfig config = loader().setFlags(map("--rate-limiting.max_queue_size", "10000")).load();

    assertThat(config.maxQueueSize()).isEqualTo(10000);
    assertThat(config.origin("rate_limiting.max_queue_size"))
        .isEqualTo("--rate-limiting.max_queue_size");
  }

  @Test
  void load_keysAreNormalisedInTheFile() throws IOException {
    writeToml("[Rate-Limiting]\nMax-Queue-Size = 77\n");

    assertThat(loader().load().maxQueueSize()).isEqualTo(77);
  }

  @Test
  void load_envAppliesWithoutConfigFile() {
    // The Python SDK reads most TRACCIA_* variables only when a config file exists.
    ProxyConfig config =
        loader()
            .setEnvironment(
                map(
                    "TRACCIA_API_KEY", "sk-123",
                    "TRACCIA_ENDPOINT", "https://collector.example.com/v1/traces",
                    "TRACCIA_SAMPLE_RATE", "0.25"))
            .load();

    assertThat(config.apiKey()).contains("sk-123");
    assertThat(config.endpoint()).contains(URI.create("https://collector.example.com/v1/traces"));
    assertThat(config.sampleRate()).isEqualTo(0.25);
  }

  @Test
  void load_legacyEnvHasLowerPrecedenceThanTracciaEnv() {
    LoadedConfig loaded =
        loader()
            .setEnvironment(
                map(
                    "AGENT_DASHBOARD_API_KEY", "legacy",
                    "AGENT_DASHBOARD_ENDPOINT", "http://legacy:4318/v1/traces",
                    "TRACCIA_ENDPOINT", "http://new:4318/v1/traces"))
            .loadWithReport();

    assertThat(loaded.config().apiKey()).contains("legacy");
    assertThat(loaded.config().endpoint()).contains(URI.create("http://new:4318/v1/traces"));
    assertThat(loaded.config().origin("tracing.api_key")).isEqualTo("env AGENT_DASHBOARD_API_KEY");
    assertThat(loaded.environmentVariablesUsed())
        .containsExactly("AGENT_DASHBOARD_API_KEY", "TRACCIA_ENDPOINT");
  }

  @Test
  void load_emptyEnvCountsAsUnset() throws IOException {
    writeToml("[tracing]\nservice_name = \"from-file\"\n");

    ProxyConfig config =
        loader().setEnvironment(map("TRACCIA_SERVICE_NAME", "", "TRACCIA_API_KEY", " ")).load();

    assertThat(config.serviceName()).contains("from-file");
    assertThat(config.apiKey()).isEmpty();
  }

  @Test
  void load_emptyMaxSpansPerSecondEnvMeansUnlimited() throws IOException {
    writeToml("[rate_limiting]\nmax_spans_per_second = 50\n");

    ProxyConfig config = loader().setEnvironment(map("TRACCIA_MAX_SPANS_PER_SECOND", "")).load();

    assertThat(config.maxSpansPerSecond()).isEmpty();
    assertThat(config.origin("rate_limiting.max_spans_per_second"))
        .isEqualTo("env TRACCIA_MAX_SPANS_PER_SECOND");
  }

  @Test
  void load_envBooleansAreStrictButCaseInsensitive() {
    ProxyConfig config =
        loader()
            .setEnvironment(
                map(
                    "TRACCIA_ENABLE_CONSOLE", "YES",
                    "TRACCIA_ENABLE_FILE", "1",
                    "TRACCIA_ENABLE_METRICS", "No",
                    "TRACCIA_DEBUG", "TRUE"))
            .load();

    assertThat(config.consoleEnabled()).isTrue();
    assertThat(config.fileEnabled()).isTrue();
    assertThat(config.metricsEnabled()).isFalse();
    assertThat(config.debug()).isTrue();
  }

  // --- Finding the file -----------------------------------------------------------------------

  @Test
  void load_homeFileWhenNoLocalFile() throws IOException {
    Files.createDirectories(home.resolve(".traccia"));
    Files.write(home.resolve(".traccia/config.toml"), "[server]\nadmin_port = 9000\n".getBytes());

    LoadedConfig loaded = loader().loadWithReport();

    assertThat(loaded.config().adminPort()).isEqualTo(9000);
    assertThat(loaded.sourceName()).contains("~/.traccia/config.toml");
    assertThat(loaded.sourceFile()).contains(home.resolve(".traccia/config.toml"));
    assertThat(loaded.config().origin("server.admin_port")).isEqualTo("~/.traccia/config.toml:2:1");
  }

  @Test
  void load_localFileHidesHomeFile() throws IOException {
    Files.createDirectories(home.resolve(".traccia"));
    Files.write(home.resolve(".traccia/config.toml"), "[server]\nadmin_port = 9000\n".getBytes());
    writeToml("[server]\nhttp_port = 9001\n");

    ProxyConfig config = loader().load();

    assertThat(config.adminPort()).isEqualTo(13133);
    assertThat(config.httpPort()).isEqualTo(9001);
  }

  @Test
  void load_noFileIsFine() {
    LoadedConfig loaded = loader().loadWithReport();

    assertThat(loaded.sourceFile()).isEmpty();
    assertThat(loaded.config()).isEqualTo(loaded.config().toBuilder().build());
    assertThat(loaded.warnings()).isEmpty();
  }

  @Test
  void load_explicitFileNamedAsGiven() throws IOException {
    Files.createDirectories(dir.resolve("conf"));
    Files.write(dir.resolve("conf/proxy.toml"), "[server]\nhttp_port = 9001\n".getBytes());

    LoadedConfig loaded = loader().setConfigFile(Path.of("conf/proxy.toml")).loadWithReport();

    assertThat(loaded.config().origin("server.http_port")).isEqualTo("conf/proxy.toml:2:1");
    assertThat(loaded.sourceFile()).contains(dir.resolve("conf/proxy.toml"));
  }

  @Test
  void load_explicitFileMissing() {
    assertThat(problems(loader().setConfigFile(Path.of("missing.toml"))))
        .containsExactly(
            "config_file: missing.toml (expected: an existing, readable file) [--config]");
  }

  @Test
  void load_tomlSyntaxErrorWithLineAndColumn() throws IOException {
    writeToml("[tracing]\nsample_rate = = 1\n");

    assertThat(problems(loader()))
        .containsExactly("traccia.toml:2:15: invalid TOML: Unexpected '=', expected a value");
  }

  @Test
  void load_locateConfigFile() throws IOException {
    assertThat(loader().build().locateConfigFile()).isEmpty();
    writeToml("");
    assertThat(loader().build().locateConfigFile()).contains(dir.resolve("traccia.toml"));
    assertThat(loader().setConfigFile(Path.of("x.toml")).build().locateConfigFile())
        .contains(dir.resolve("x.toml"));
  }

  // --- Unknown keys ---------------------------------------------------------------------------

  @Test
  void load_unknownKeySuggestsClosest() throws IOException {
    writeToml("[tracing]\nsample_rat = 0.5\n");

    assertThat(problems(loader()))
        .containsExactly(
            "tracing.sample_rat: 0.5 (expected: a known key of [tracing]; did you mean"
                + " tracing.sample_rate?) [traccia.toml:2:1]");
  }

  @Test
  void load_keyInWrongSectionSuggestsItsSection() throws IOException {
    writeToml("[tracing]\nmax_queue_size = 5\n");

    assertThat(problems(loader()))
        .containsExactly(
            "tracing.max_queue_size: 5 (expected: a known key of [tracing]; did you mean"
                + " rate_limiting.max_queue_size?) [traccia.toml:2:1]");
  }

  @Test
  void load_topLevelKeySuggestsSection() throws IOException {
    writeToml("endpoint = \"http://x:4318\"\n");

    assertThat(problems(loader()))
        .containsExactly(
            "endpoint: \"http://x:4318\" (expected: a key inside a section; did you mean"
                + " tracing.endpoint?) [traccia.toml:1:1]");
  }

  @Test
  void load_unknownSectionSuggestsClosest() throws IOException {
    writeToml("[tracng]\nsample_rate = 0.5\n\n[nonsense]\nx = 1\n");

    assertThat(problems(loader()))
        .containsExactly(
            "tracng: (table) (expected: a known section; did you mean tracing?)"
                + " [traccia.toml:1:1]",
            "nonsense: (table) (expected: one of the sections server, tracing, exporters,"
                + " rate_limiting, metrics, instrumentation, guardrails, redaction, kafka, ui,"
                + " runtime, logging, advanced, pricing, governance) [traccia.toml:4:1]");
  }

  @Test
  void load_sectionThatIsNotATable() throws IOException {
    writeToml("tracing = 5\n");

    assertThat(problems(loader()))
        .containsExactly(
            "tracing: 5 (expected: a table: [tracing] with keys below it) [traccia.toml:1:1]");
  }

  @Test
  void load_unknownFlagSuggestsClosest() {
    assertThat(problems(loader().setFlags(map("max-queu-size", "5", "frobnicate", "x"))))
        .containsExactly(
            "--max-queu-size: 5 (expected: a known option; did you mean --max-queue-size?)"
                + " [--max-queu-size]",
            "--frobnicate: x (expected: a known option) [--frobnicate]");
  }

  @Test
  void load_keySetTwiceInTheFile() throws IOException {
    writeToml("[rate_limiting]\nmax_queue_size = 5\nmax-queue-size = 6\n");

    assertThat(problems(loader()))
        .containsExactly(
            "rate_limiting.max_queue_size: 6 (expected: set only once;"
                + " rate_limiting.max_queue_size is also set [traccia.toml:2:1])"
                + " [traccia.toml:3:1]");
  }

  @Test
  void load_misspeltEnvironmentVariableIsAWarning() {
    LoadedConfig loaded =
        loader()
            .setEnvironment(
                map("TRACCIA_MAX_QUEU_SIZE", "5", "TRACCIA_API_URL", "x", "TRACCIA_PORT", "x"))
            .loadWithReport();

    assertThat(loaded.warnings())
        .extracting(ConfigWarning::message)
        .containsExactly(
            "TRACCIA_MAX_QUEU_SIZE is not a Traccia setting and is ignored; did you mean"
                + " TRACCIA_MAX_QUEUE_SIZE? [env TRACCIA_MAX_QUEU_SIZE]");
  }

  // --- Application-only keys ------------------------------------------------------------------

  @Test
  void load_clientOnlyKeysRejectedInProxyMode() throws IOException {
    writeToml(
        "[tracing]\nauto_start_trace = false\n\n[instrumentation]\nenable_patching = true\n\n"
            + "[runtime]\nsession_id = \"s-1\"\n\n[governance]\nstatus_cache_ttl_seconds = 5\n");

    assertThat(problems(loader().setFlags(map("max-tool-spans", "3"))))
        .containsExactly(
            "tracing.auto_start_trace: false (expected: not set; the proxy receives finished"
                + " spans and cannot start traces inside an application, set this in the"
                + " application's SDK configuration) [traccia.toml:2:1]",
            "instrumentation.enable_patching: true (expected: not set; the proxy receives"
                + " finished spans and cannot patch libraries inside an application, set this in"
                + " the application's SDK configuration) [traccia.toml:5:1]",
            "runtime.session_id: \"s-1\" (expected: not set; the proxy serves many applications"
                + " and cannot give all of them one identity, set this in the application's SDK"
                + " configuration) [traccia.toml:8:1]",
            "governance.status_cache_ttl_seconds: 5 (expected: not set; governance checks run"
                + " inside the application before a call is made, set this in the application's"
                + " SDK configuration) [traccia.toml:11:1]",
            "instrumentation.max_tool_spans: 3 (expected: not set; the proxy receives finished"
                + " spans and cannot change how an application instruments its calls, set this"
                + " in the application's SDK configuration) [--max-tool-spans]");
  }

  @Test
  void load_clientOnlyEnvIsIgnoredWithAWarningInProxyMode() {
    LoadedConfig loaded =
        loader().setEnvironment(map("TRACCIA_ENV", "production")).loadWithReport();

    assertThat(loaded.origins()).doesNotContainKey("runtime.env");
    assertThat(loaded.environmentVariablesUsed()).isEmpty();
    assertThat(loaded.warnings())
        .extracting(ConfigWarning::message)
        .containsExactly(
            "runtime.env: set by TRACCIA_ENV but ignored; the proxy serves many applications and"
                + " cannot give all of them one identity, set it in the application's SDK"
                + " configuration [env TRACCIA_ENV]");
  }

  // --- Validation messages --------------------------------------------------------------------

  static Stream<Arguments> fileProblems() {
    return Stream.of(
        Arguments.of(
            "[rate_limiting]\nmax_queue_size = 0",
            "rate_limiting.max_queue_size: 0 (expected: > 0) [traccia.toml:2:1]"),
        Arguments.of(
            "[rate_limiting]\nmax_queue_size = 5000.0",
            "rate_limiting.max_queue_size: 5000.0 (expected: an integer) [traccia.toml:2:1]"),
        Arguments.of(
            "[rate_limiting]\nmax_queue_size = \"5000\"",
            "rate_limiting.max_queue_size: \"5000\" (expected: an integer) [traccia.toml:2:1]"),
        Arguments.of(
            "[rate_limiting]\nmax_queue_size = 3000000000",
            "rate_limiting.max_queue_size: 3000000000 (expected: an integer from -2147483648 to 2147483647) [traccia.toml:2:1]"),
        Arguments.of(
            "[rate_limiting]\nmax_block_ms = -1",
            "rate_limiting.max_block_ms: -1 (expected: >= 0) [traccia.toml:2:1]"),
        Arguments.of(
            "[rate_limiting]\nmax_spans_per_second = 0",
            "rate_limiting.max_spans_per_second: 0 (expected: > 0) [traccia.toml:2:1]"),
        Arguments.of(
            "[rate_limiting]\nschedule_delay_millis = 0",
            "rate_limiting.schedule_delay_millis: 0 (expected: > 0) [traccia.toml:2:1]"),
        Arguments.of(
            "[tracing]\nsample_rate = 1.5",
            "tracing.sample_rate: 1.5 (expected: a number from 0 to 1) [traccia.toml:2:1]"),
        Arguments.of(
            "[tracing]\nsample_rate = nan",
            "tracing.sample_rate: NaN (expected: a number) [traccia.toml:2:1]"),
        Arguments.of(
            "[tracing]\nuse_otlp = \"yes\"",
            "tracing.use_otlp: \"yes\" (expected: true or false) [traccia.toml:2:1]"),
        Arguments.of(
            "[tracing]\nendpoint = \"localhost:4318\"",
            "tracing.endpoint: \"localhost:4318\" (expected: an http or https URL with a host) [traccia.toml:2:1]"),
        Arguments.of(
            "[tracing]\nendpoint = \"ftp://host/x\"",
            "tracing.endpoint: \"ftp://host/x\" (expected: an http or https URL with a host) [traccia.toml:2:1]"),
        Arguments.of(
            "[tracing]\nendpoint = \"http:///v1/traces\"",
            "tracing.endpoint: \"http:///v1/traces\" (expected: an http or https URL with a host) [traccia.toml:2:1]"),
        Arguments.of(
            "[tracing]\nendpoint = \"http://otel_collector:4318\"",
            "tracing.endpoint: \"http://otel_collector:4318\" (expected: a host name without '_' (use '-' or an IP address)) [traccia.toml:2:1]"),
        Arguments.of(
            "[tracing]\nendpoint = \"https://user:hunter2@host/v1/traces\"",
            "tracing.endpoint: \"https://****@host/v1/traces\" (expected: a URL without user information; put credentials in tracing.api_key or exporters.headers) [traccia.toml:2:1]"),
        Arguments.of(
            "[server]\ngrpc_port = 70000",
            "server.grpc_port: 70000 (expected: an integer from 0 to 65535; 0 picks a free port) [traccia.toml:2:1]"),
        Arguments.of(
            "[server]\nbind_address = \"my host\"",
            "server.bind_address: \"my host\" (expected: an IP address or host name) [traccia.toml:2:1]"),
        Arguments.of(
            "[server]\nbind_address = \"300.1.1.1\"",
            "server.bind_address: \"300.1.1.1\" (expected: an IP address or host name) [traccia.toml:2:1]"),
        Arguments.of(
            "[server]\nmax_request_bytes = 0",
            "server.max_request_bytes: 0 (expected: > 0) [traccia.toml:2:1]"),
        Arguments.of(
            "[server]\nshutdown_timeout_ms = -5",
            "server.shutdown_timeout_ms: -5 (expected: >= 0) [traccia.toml:2:1]"),
        Arguments.of(
            "[exporters]\nprotocol = \"http/json\"",
            "exporters.protocol: \"http/json\" (expected: one of grpc, http/protobuf) [traccia.toml:2:1]"),
        Arguments.of(
            "[exporters]\ncompression = \"zstd\"",
            "exporters.compression: \"zstd\" (expected: one of gzip, none) [traccia.toml:2:1]"),
        Arguments.of(
            "[exporters]\ntimeout_ms = 0",
            "exporters.timeout_ms: 0 (expected: > 0) [traccia.toml:2:1]"),
        Arguments.of(
            "[exporters]\nca_file = \"certs/ca.pem\"",
            "exporters.ca_file: \"certs/ca.pem\" (expected: an existing, readable file) [traccia.toml:2:1]"),
        Arguments.of(
            "[exporters]\nretry_initial_backoff_ms = 0",
            "exporters.retry_initial_backoff_ms: 0 (expected: > 0) [traccia.toml:2:1]"),
        Arguments.of(
            "[exporters]\nretry_max_elapsed_ms = -1",
            "exporters.retry_max_elapsed_ms: -1 (expected: >= 0) [traccia.toml:2:1]"),
        Arguments.of(
            "[exporters]\nheaders = { \"bad name\" = \"secret-1\" }",
            "exporters.headers: {bad name=****} (expected: header names of letters, digits, '-', '_' or '.') [traccia.toml:2:1]"),
        Arguments.of(
            "[exporters]\nheaders = { authorization = 5 }",
            "exporters.headers.authorization: 5 (expected: a string) [traccia.toml:2:13]"),
        Arguments.of(
            "[exporters]\nheaders = \"a=b\"",
            "exporters.headers: a=**** (expected: a table of header names to values) [traccia.toml:2:1]"),
        Arguments.of(
            "[exporters]\nlogs_endpoint = \"nope\"",
            "exporters.logs_endpoint: \"nope\" (expected: an http or https URL with a host) [traccia.toml:2:1]"),
        Arguments.of(
            "[metrics]\nmetrics_sample_rate = -0.1",
            "metrics.metrics_sample_rate: -0.1 (expected: a number from 0 to 1) [traccia.toml:2:1]"),
        Arguments.of(
            "[metrics]\nmetrics_endpoint = \"http://\"",
            "metrics.metrics_endpoint: \"http://\" (expected: an http or https URL with a host) [traccia.toml:2:1]"),
        Arguments.of(
            "[logging]\nlevel = \"verbose\"",
            "logging.level: \"verbose\" (expected: one of error, warn, info, debug, trace) [traccia.toml:2:1]"),
        Arguments.of(
            "[advanced]\nattr_truncation_limit = 0",
            "advanced.attr_truncation_limit: 0 (expected: > 0) [traccia.toml:2:1]"),
        Arguments.of(
            "[tracing]\napi_key = 12345",
            "tracing.api_key: **** (expected: a string) [traccia.toml:2:1]"),
        Arguments.of(
            "[pricing]\ncache_path = \"\"",
            "pricing.cache_path: \"\" (expected: a file path) [traccia.toml:2:1]"),
        Arguments.of(
            "[pricing.override]\n\"gpt-4.1\" = { prompt = -1, completion = 0.01 }",
            "pricing.override.\"gpt-4.1\".prompt: -1 (expected: >= 0, in USD per 1,000 tokens) [traccia.toml:2:15]"),
        Arguments.of(
            "[pricing.override]\ngpt-4o = { completion = 0.01 }",
            "pricing.override.gpt-4o: {completion=0.01} (expected: both a prompt and a completion price) [traccia.toml:2:1]"),
        Arguments.of(
            "[pricing.override]\ngpt-4o = { prompt = 1, completion = 2, promt = 3 }",
            "pricing.override.gpt-4o.promt: 3 (expected: one of prompt, completion, cache_write, cached_prompt; did you mean prompt?) [traccia.toml:2:40]"),
        Arguments.of(
            "[pricing.override]\ngpt-4o = { prompt = \"1\", completion = 2 }",
            "pricing.override.gpt-4o.prompt: \"1\" (expected: a number, in USD per 1,000 tokens) [traccia.toml:2:12]"),
        Arguments.of(
            "[pricing.override]\ngpt-4o = 5",
            "pricing.override.gpt-4o: 5 (expected: a table of prices such as { prompt = 0.0025, completion = 0.01 }) [traccia.toml:2:1]"),
        Arguments.of(
            "[pricing]\noverride_json = '{\"gpt-4o\": '",
            "pricing.override_json: \"{\\\"gpt-4o\\\": \" (expected: valid JSON (Unexpected end-of-input within/between Object entries at column 12)) [traccia.toml:2:1]"),
        Arguments.of(
            "[pricing]\noverride_json = '[1]'",
            "pricing.override_json: \"[1]\" (expected: a table of model names to prices, such as \"gpt-4o\" = { prompt = 0.0025, completion = 0.01 }) [traccia.toml:2:1]"));
  }

  @ParameterizedTest
  @MethodSource("fileProblems")
  void load_fileProblem(String toml, String message) throws IOException {
    writeToml(toml + "\n");

    assertThat(problems(loader())).containsExactly(message);
  }

  static Stream<Arguments> envProblems() {
    return Stream.of(
        Arguments.of(
            "TRACCIA_SAMPLE_RATE",
            "1.5",
            "tracing.sample_rate: 1.5 (expected: a number from 0 to 1) [env TRACCIA_SAMPLE_RATE]"),
        Arguments.of(
            "TRACCIA_SAMPLE_RATE",
            "half",
            "tracing.sample_rate: half (expected: a number) [env TRACCIA_SAMPLE_RATE]"),
        Arguments.of(
            "AGENT_DASHBOARD_SAMPLE_RATE",
            "2",
            "tracing.sample_rate: 2 (expected: a number from 0 to 1) [env AGENT_DASHBOARD_SAMPLE_RATE]"),
        Arguments.of(
            "TRACCIA_MAX_QUEUE_SIZE",
            "0",
            "rate_limiting.max_queue_size: 0 (expected: > 0) [env TRACCIA_MAX_QUEUE_SIZE]"),
        Arguments.of(
            "TRACCIA_MAX_QUEUE_SIZE",
            "1e3",
            "rate_limiting.max_queue_size: 1e3 (expected: an integer) [env TRACCIA_MAX_QUEUE_SIZE]"),
        Arguments.of(
            "TRACCIA_MAX_SPANS_PER_SECOND",
            "-3",
            "rate_limiting.max_spans_per_second: -3 (expected: > 0) [env TRACCIA_MAX_SPANS_PER_SECOND]"),
        Arguments.of(
            "TRACCIA_USE_OTLP",
            "on",
            "tracing.use_otlp: on (expected: true, false, 1, 0, yes or no) [env TRACCIA_USE_OTLP]"),
        Arguments.of(
            "TRACCIA_ENABLE_FILE",
            "ture",
            "exporters.enable_file: ture (expected: true, false, 1, 0, yes or no) [env TRACCIA_ENABLE_FILE]"),
        Arguments.of(
            "TRACCIA_ENDPOINT",
            "collector:4318",
            "tracing.endpoint: collector:4318 (expected: an http or https URL with a host) [env TRACCIA_ENDPOINT]"),
        Arguments.of(
            "TRACCIA_EXPORTER_PROTOCOL",
            "http",
            "exporters.protocol: http (expected: one of grpc, http/protobuf) [env TRACCIA_EXPORTER_PROTOCOL]"),
        Arguments.of(
            "TRACCIA_EXPORTER_HEADERS",
            "authorization=Bearer s3cret,oops",
            "exporters.headers: authorization=****,**** (expected: name=value pairs separated by commas, values percent-encoded) [env TRACCIA_EXPORTER_HEADERS]"),
        Arguments.of(
            "TRACCIA_EXPORTER_HEADERS",
            "x-token=abc%2",
            "exporters.headers: x-token=**** (expected: name=value pairs separated by commas, values percent-encoded) [env TRACCIA_EXPORTER_HEADERS]"),
        Arguments.of(
            "TRACCIA_EXPORTER_HEADERS",
            "x-token=line%0Abreak",
            "exporters.headers: x-token=**** (expected: header values of printable ASCII characters, without line breaks) [env TRACCIA_EXPORTER_HEADERS]"),
        Arguments.of(
            "TRACCIA_LOG_LEVEL",
            "loud",
            "logging.level: loud (expected: one of error, warn, info, debug, trace) [env TRACCIA_LOG_LEVEL]"),
        Arguments.of(
            "TRACCIA_GRPC_PORT",
            "-1",
            "server.grpc_port: -1 (expected: an integer from 0 to 65535; 0 picks a free port) [env TRACCIA_GRPC_PORT]"),
        Arguments.of(
            "TRACCIA_PRICING_OVERRIDE_JSON",
            "{\"gpt-4o\": {\"prompt\": 1}}",
            "pricing.override_from_env.gpt-4o: {prompt=1} (expected: both a prompt and a completion price) [env TRACCIA_PRICING_OVERRIDE_JSON]"),
        Arguments.of(
            "TRACCIA_PRICING_OVERRIDE_JSON",
            "{gpt-4o}",
            "pricing.override_from_env: {gpt-4o} (expected: valid JSON (Unexpected character ('g' (code 103)): was expecting double-quote to start field name at column 2)) [env TRACCIA_PRICING_OVERRIDE_JSON]"));
  }

  @ParameterizedTest
  @MethodSource("envProblems")
  void load_envProblem(String name, String value, String message) {
    assertThat(problems(loader().setEnvironment(map(name, value)))).containsExactly(message);
  }

  @Test
  void load_collectsEveryProblemBeforeFailing() throws IOException {
    writeToml("[rate_limiting]\nmax_queue_size = 0\n[tracing]\nsample_rat = 1\n");

    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                loader()
                    .setEnvironment(map("TRACCIA_SAMPLE_RATE", "1.5"))
                    .setFlags(map("grpc-port", "x"))
                    .load());

    assertThat(e.getMessage())
        .isEqualTo(
            "Invalid configuration (4 problems):\n"
                + "  - rate_limiting.max_queue_size: 0 (expected: > 0) [traccia.toml:2:1]\n"
                + "  - tracing.sample_rat: 1 (expected: a known key of [tracing]; did you mean"
                + " tracing.sample_rate?) [traccia.toml:4:1]\n"
                + "  - tracing.sample_rate: 1.5 (expected: a number from 0 to 1) [env"
                + " TRACCIA_SAMPLE_RATE]\n"
                + "  - server.grpc_port: x (expected: an integer) [--grpc-port]");
  }

  @Test
  void load_crossFieldProblemsNameBothKeys() throws IOException {
    writeToml("[server]\ngrpc_port = 4318\n[rate_limiting]\nmax_queue_size = 100\n");

    assertThat(problems(loader().setEnvironment(map("TRACCIA_MAX_EXPORT_BATCH_SIZE", "200"))))
        .containsExactly(
            "server.http_port: 4318 (expected: a port not used by server.grpc_port"
                + " [traccia.toml:2:1]) [default]",
            "rate_limiting.max_export_batch_size: 200 (expected: <= rate_limiting.max_queue_size,"
                + " which is 100 [traccia.toml:4:1]) [env TRACCIA_MAX_EXPORT_BATCH_SIZE]");
  }

  @Test
  void load_defaultBatchSizeCappedToASmallerQueue() throws IOException {
    writeToml("[rate_limiting]\nmax_queue_size = 1000\n");

    ProxyConfig config = loader().load();

    assertThat(config.maxExportBatchSize()).isEqualTo(1000);
    assertThat(config.origin("rate_limiting.max_export_batch_size"))
        .isEqualTo("default, capped to rate_limiting.max_queue_size");
  }

  @Test
  void load_crossFieldRuleSkippedWhenOneOfItsKeysIsInvalid() throws IOException {
    writeToml("[rate_limiting]\nmax_queue_size = -1\nmax_export_batch_size = 100000\n");

    assertThat(problems(loader()))
        .containsExactly("rate_limiting.max_queue_size: -1 (expected: > 0) [traccia.toml:2:1]");
  }

  @Test
  void load_nothingToSendTo() {
    assertThat(problems(loader().setEnvironment(map("TRACCIA_USE_OTLP", "false"))))
        .containsExactly(
            "tracing.use_otlp: false (expected: true, or exporters.enable_console or"
                + " exporters.enable_file set to true; otherwise spans have nowhere to go) [env"
                + " TRACCIA_USE_OTLP]");
  }

  @Test
  void load_clientCertWithoutKey() throws IOException {
    Path cert = Files.write(dir.resolve("client.pem"), "cert".getBytes());
    writeToml("[exporters]\nclient_cert_file = \"client.pem\"\n");

    assertThat(problems(loader()))
        .containsExactly(
            "exporters.client_cert_file: "
                + cert
                + " (expected: set together with exporters.client_key_file, which is not set)"
                + " [traccia.toml:2:1]");
  }

  // --- Values ---------------------------------------------------------------------------------

  @Test
  void load_pathsResolveAgainstWorkingAndHomeDirectory() throws IOException {
    Files.write(dir.resolve("ca.pem"), "ca".getBytes());
    writeToml(
        "[exporters]\nca_file = \"ca.pem\"\nfile_exporter_path = \"out/spans.jsonl\"\n"
            + "[pricing]\ncache_path = \"~/prices.json\"\n");

    ProxyConfig config = loader().load();

    assertThat(config.caFile()).contains(dir.resolve("ca.pem"));
    assertThat(config.filePath()).isEqualTo(dir.resolve("out/spans.jsonl"));
    assertThat(config.pricingCachePath()).isEqualTo(home.resolve("prices.json"));
  }

  @Test
  void load_defaultPathsFollowTheGivenDirectories() {
    ProxyConfig config = loader().load();

    assertThat(config.filePath()).isEqualTo(dir.resolve("traces.jsonl"));
    assertThat(config.pricingCachePath()).isEqualTo(home.resolve(".cache/traccia/pricing.json"));
  }

  @Test
  void load_headersFromTomlAndEnv() throws IOException {
    writeToml("[exporters]\nheaders = { authorization = \"Bearer a\", \"x-team\" = \"ml\" }\n");

    assertThat(loader().load().exporterHeaders())
        .containsExactly(Map.entry("authorization", "Bearer a"), Map.entry("x-team", "ml"));
    assertThat(
            loader()
                .setEnvironment(
                    map("TRACCIA_EXPORTER_HEADERS", "authorization=Bearer%20a+b%3D%3D, x-team=ml"))
                .load()
                .exporterHeaders())
        .containsExactly(Map.entry("authorization", "Bearer a+b=="), Map.entry("x-team", "ml"));
  }

  @Test
  void load_pricingOverrideFromFileAndEnvKeptApart() throws IOException {
    writeToml(
        "[pricing.override]\n\"gpt-4o\" = { prompt = 0.005, completion = 0.015, cached_prompt ="
            + " 0.0025, _provider = \"openai\", input_audio = 0.1 }\n");

    LoadedConfig loaded =
        loader()
            .setEnvironment(
                map(
                    "TRACCIA_PRICING_OVERRIDE_JSON",
                    "{\"my-model\": {\"prompt\": 1, \"completion\": 2.50}}"))
            .loadWithReport();

    PricingOverride file = loaded.config().pricingOverride();
    assertThat(file.models()).containsOnlyKeys("gpt-4o");
    assertThat(file.models().get("gpt-4o"))
        .isEqualTo(
            PricePoint.of(
                new BigDecimal("0.005"), new BigDecimal("0.015"), null, new BigDecimal("0.0025")));
    assertThat(loaded.config().pricingOverrideFromEnv().models().get("my-model"))
        .isEqualTo(PricePoint.of(BigDecimal.ONE, new BigDecimal("2.5")));
    assertThat(loaded.config().origin("pricing.override")).isEqualTo("traccia.toml:1:1");
    assertThat(loaded.config().origin("pricing.override_from_env"))
        .isEqualTo("env TRACCIA_PRICING_OVERRIDE_JSON");
    assertThat(loaded.warnings()).isEmpty();
  }

  @Test
  void load_pricingOverrideJsonInFileAndFlag() throws IOException {
    writeToml("[pricing]\noverride_json = '{\"a\": {\"prompt\": 1, \"completion\": 2}}'\n");

    assertThat(loader().load().pricingOverride().models()).containsOnlyKeys("a");
    ProxyConfig flagged =
        loader()
            .setFlags(map("pricing-override-json", "{\"b\": {\"prompt\": 1, \"completion\": 2}}"))
            .load();
    assertThat(flagged.pricingOverride().models()).containsOnlyKeys("b");
    assertThat(flagged.origin("pricing.override")).isEqualTo("--pricing-override-json");
  }

  @Test
  void load_pricingOverrideTableAndJsonTogetherConflict() throws IOException {
    writeToml(
        "[pricing]\noverride_json = '{}'\n[pricing.override]\na = { prompt = 1, completion = 2 }\n");

    assertThat(problems(loader()))
        .containsExactly(
            "pricing.override: (table) (expected: set only once; pricing.override_json is also"
                + " set [traccia.toml:2:1]) [traccia.toml:3:1]");
  }

  @Test
  void load_deprecatedPricingEnvWarns() {
    LoadedConfig loaded =
        loader()
            .setEnvironment(
                map("AGENT_DASHBOARD_PRICING_JSON", "{\"m\": {\"prompt\": 1, \"completion\": 1}}"))
            .loadWithReport();

    assertThat(loaded.config().pricingOverrideFromEnv().models()).containsOnlyKeys("m");
    assertThat(loaded.warnings())
        .extracting(ConfigWarning::message)
        .containsExactly(
            "AGENT_DASHBOARD_PRICING_JSON is deprecated; rename it to TRACCIA_PRICING_OVERRIDE_JSON"
                + " [env AGENT_DASHBOARD_PRICING_JSON]");
  }

  @Test
  void load_tracciaPricingEnvHidesDeprecatedOne() {
    LoadedConfig loaded =
        loader()
            .setEnvironment(
                map(
                    "TRACCIA_PRICING_OVERRIDE_JSON", "{}",
                    "AGENT_DASHBOARD_PRICING_JSON", "not json"))
            .loadWithReport();

    assertThat(loaded.config().pricingOverrideFromEnv().isEmpty()).isTrue();
    assertThat(loaded.warnings()).isEmpty();
  }

  @Test
  void load_optionalValueClearedByEmptyFlag() throws IOException {
    writeToml("[tracing]\nendpoint = \"http://a:4318\"\n");

    assertThat(loader().setFlags(map("endpoint", "")).load().endpoint()).isEmpty();
  }

  // --- Secrets --------------------------------------------------------------------------------

  @Test
  void load_secretsNeverInMessages() throws IOException {
    writeToml(
        "[tracing]\napi_key = \"sk-live-secret\"\napikey = \"sk-live-secret\"\n"
            + "[exporters]\nheaders = { \"bad name\" = \"sk-live-secret\" }\n");
    Map<String, String> env = new HashMap<>();
    env.put("TRACCIA_EXPORTER_HEADERS", "sk-live-secret");

    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> loader().setEnvironment(env).setFlags(map("api-token", "sk-live-secret")).load());

    assertThat(e.getProblems()).hasSize(4);
    assertThat(e.getMessage()).doesNotContain("sk-live-secret").contains("****");
  }

  @Test
  void keyForEnvironmentVariable() {
    assertThat(ConfigLoader.keyForEnvironmentVariable("TRACCIA_MAX_QUEUE_SIZE"))
        .contains("rate_limiting.max_queue_size");
    assertThat(ConfigLoader.keyForEnvironmentVariable("AGENT_DASHBOARD_API_KEY"))
        .contains("tracing.api_key");
    assertThat(ConfigLoader.keyForEnvironmentVariable("TRACCIA_PRICING_OVERRIDE_JSON"))
        .contains("pricing.override_from_env");
    assertThat(ConfigLoader.keyForEnvironmentVariable("PATH")).isEmpty();
  }

  @Test
  void loadWithReport_originsCoverEveryKey() {
    Map<String, String> origins = loader().loadWithReport().origins();

    assertThat(origins)
        .containsEntry("server.grpc_port", "default")
        .hasSize(ProxyKeys.ALL.size() - 1);
    assertThatThrownBy(() -> loader().load().origin("server.nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown configuration key: server.nope");
  }
}
