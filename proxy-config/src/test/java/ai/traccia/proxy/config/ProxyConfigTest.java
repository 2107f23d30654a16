/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.traccia.proxy.pricing.PricePoint;
import ai.traccia.proxy.pricing.PricingOverride;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ProxyConfigTest {

  @TempDir Path dir;

  @Test
  void defaults() {
    ProxyConfig config = ProxyConfig.defaults();

    assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.grpcPort()).isEqualTo(4317);
    assertThat(config.httpPort()).isEqualTo(4318);
    assertThat(config.adminPort()).isEqualTo(13133);
    assertThat(config.maxRequestBytes()).isEqualTo(64L * 1024 * 1024);
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.apiKey()).isEmpty();
    assertThat(config.endpoint()).isEmpty();
    assertThat(config.tracesEndpoint()).isEmpty();
    assertThat(config.otlpEnabled()).isFalse();
    assertThat(config.sampleRate()).isEqualTo(1.0);
    assertThat(config.useOtlp()).isTrue();
    assertThat(config.serviceName()).isEmpty();
    assertThat(config.consoleEnabled()).isFalse();
    assertThat(config.fileEnabled()).isTrue(); // zero-config default
    assertThat(config.filePath()).isEqualTo(Path.of("traces.jsonl"));
    assertThat(config.resetTraceFile()).isFalse();
    assertThat(config.exporterProtocol()).isEqualTo(ExporterProtocol.HTTP_PROTOBUF);
    assertThat(config.exporterHeaders()).isEmpty();
    assertThat(config.compression()).isEqualTo(Compression.GZIP);
    assertThat(config.exporterTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.caFile()).isEmpty();
    assertThat(config.clientCertFile()).isEmpty();
    assertThat(config.clientKeyFile()).isEmpty();
    assertThat(config.retryInitialBackoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.retryMaxBackoff()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.retryMaxElapsed()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.maxSpansPerSecond()).isEmpty();
    assertThat(config.maxQueueSize()).isEqualTo(50_000);
    assertThat(config.maxBlock()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.maxExportBatchSize()).isEqualTo(2048);
    assertThat(config.scheduleDelay()).isEqualTo(Duration.ofMillis(200));
    assertThat(config.metricsEnabled()).isTrue();
    assertThat(config.metricsEndpoint()).isEmpty();
    assertThat(config.metricsSampleRate()).isEqualTo(1.0);
    assertThat(config.tokenCountingEnabled()).isTrue();
    assertThat(config.costsEnabled()).isTrue();
    assertThat(config.guardrailHeuristics()).isTrue();
    assertThat(config.logLevel()).isEqualTo("info");
    assertThat(config.debug()).isFalse();
    assertThat(config.spanLoggingEnabled()).isFalse();
    assertThat(config.attrTruncationLimit()).isEmpty();
    assertThat(config.pricingCachePath())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "traccia", "pricing.json"));
    assertThat(config.pricingOverride().isEmpty()).isTrue();
    assertThat(config.pricingOverrideFromEnv().isEmpty()).isTrue();
    assertThat(config.origin("server.grpc_port")).isEqualTo("default");
  }

  static Stream<Arguments> setterProblems() {
    return Stream.of(
        setter(
            b -> b.setGrpcPort(65536),
            "server.grpc_port: 65536 (expected: an integer from 0 to 65535; 0 picks a free port)"),
        setter(
            b -> b.setHttpPort(-1),
            "server.http_port: -1 (expected: an integer from 0 to 65535; 0 picks a free port)"),
        setter(
            b -> b.setAdminPort(70000),
            "server.admin_port: 70000 (expected: an integer from 0 to 65535; 0 picks a free port)"),
        setter(
            b -> b.setBindAddress("bad host"),
            "server.bind_address: bad host (expected: an IP address or host name)"),
        setter(b -> b.setMaxRequestBytes(0), "server.max_request_bytes: 0 (expected: > 0)"),
        setter(
            b -> b.setShutdownTimeout(Duration.ofMillis(-1)),
            "server.shutdown_timeout_ms: -1 (expected: >= 0)"),
        setter(
            b -> b.setEndpoint(URI.create("grpc://collector:4317")),
            "tracing.endpoint: grpc://collector:4317 (expected: an http or https URL with a host)"),
        setter(b -> b.setEndpoint(URI.create("https://collector/x?token=abc")), null),
        setter(
            b -> b.setSampleRate(1.01),
            "tracing.sample_rate: 1.01 (expected: a number from 0 to 1)"),
        setter(
            b -> b.setSampleRate(Double.NaN),
            "tracing.sample_rate: NaN (expected: a number from 0 to 1)"),
        setter(
            b -> b.setExporterHeaders(Map.of("x-key", "a\nb")),
            "exporters.headers: {x-key=****} (expected: header values of printable ASCII characters, without line breaks)"),
        setter(b -> b.setExporterTimeout(Duration.ZERO), "exporters.timeout_ms: 0 (expected: > 0)"),
        setter(
            b -> b.setCaFile(Path.of("/nonexistent/ca.pem")),
            "exporters.ca_file: /nonexistent/ca.pem (expected: an existing, readable file)"),
        setter(
            b -> b.setRetryInitialBackoff(Duration.ZERO),
            "exporters.retry_initial_backoff_ms: 0 (expected: > 0)"),
        setter(
            b -> b.setRetryMaxBackoff(Duration.ZERO),
            "exporters.retry_max_backoff_ms: 0 (expected: > 0)"),
        setter(
            b -> b.setRetryMaxElapsed(Duration.ofMillis(-1)),
            "exporters.retry_max_elapsed_ms: -1 (expected: >= 0)"),
        setter(
            b -> b.setMaxSpansPerSecond(0.0),
            "rate_limiting.max_spans_per_second: 0.0 (expected: > 0)"),
        setter(b -> b.setMaxQueueSize(0), "rate_limiting.max_queue_size: 0 (expected: > 0)"),
        setter(
            b -> b.setMaxBlock(Duration.ofMillis(-5)),
            "rate_limiting.max_block_ms: -5 (expected: >= 0)"),
        setter(
            b -> b.setMaxExportBatchSize(0),
            "rate_limiting.max_export_batch_size: 0 (expected: > 0)"),
        setter(
            b -> b.setScheduleDelay(Duration.ZERO),
            "rate_limiting.schedule_delay_millis: 0 (expected: > 0)"),
        setter(
            b -> b.setMetricsSampleRate(-0.5),
            "metrics.metrics_sample_rate: -0.5 (expected: a number from 0 to 1)"),
        setter(
            b -> b.setLogLevel("loud"),
            "logging.level: loud (expected: one of error, warn, info, debug, trace)"),
        setter(
            b -> b.setAttrTruncationLimit(0), "advanced.attr_truncation_limit: 0 (expected: > 0)"));
  }

  private static Arguments setter(Consumer<ProxyConfig.Builder> call, String message) {
    return Arguments.of(call, message);
  }

  @ParameterizedTest
  @MethodSource("setterProblems")
  void setter_rejectsBadValue(Consumer<ProxyConfig.Builder> call, String message) {
    ProxyConfig.Builder builder = ProxyConfig.builder();
    if (message == null) {
      call.accept(builder);
      return;
    }
    assertThatThrownBy(() -> call.accept(builder))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void setter_secretNeverInMessage() {
    assertThatThrownBy(
            () -> ProxyConfig.builder().setExporterHeaders(Map.of("authorization", "sk-1\r\n")))
        .hasMessageNotContaining("sk-1")
        .hasMessageContaining("authorization=****");
  }

  @Test
  void build_reportsEveryCrossFieldProblem() throws Exception {
    Path cert = Files.write(dir.resolve("client.pem"), new byte[] {1});
    ProxyConfig.Builder builder =
        ProxyConfig.builder()
            .setGrpcPort(4000)
            .setHttpPort(4000)
            .setAdminPort(4000)
            .setMaxQueueSize(100)
            .setMaxExportBatchSize(200)
            .setRetryInitialBackoff(Duration.ofSeconds(5))
            .setRetryMaxBackoff(Duration.ofSeconds(1))
            .setClientCertFile(cert)
            .setUseOtlp(false);

    assertThatThrownBy(builder::build)
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(
                        ((ConfigException) e)
                            .getProblems().stream()
                                .map(ConfigProblem::message)
                                .collect(Collectors.toList()))
                    .containsExactly(
                        "server.http_port: 4000 (expected: a port not used by server.grpc_port"
                            + " [builder]) [builder]",
                        "server.admin_port: 4000 (expected: a port not used by server.grpc_port"
                            + " [builder]) [builder]",
                        "server.admin_port: 4000 (expected: a port not used by server.http_port"
                            + " [builder]) [builder]",
                        "rate_limiting.max_export_batch_size: 200 (expected: <="
                            + " rate_limiting.max_queue_size, which is 100 [builder]) [builder]",
                        "exporters.retry_max_backoff_ms: 1000 (expected: >="
                            + " exporters.retry_initial_backoff_ms, which is 5000 [builder])"
                            + " [builder]",
                        "exporters.client_cert_file: "
                            + cert
                            + " (expected: set together with exporters.client_key_file, which is"
                            + " not set) [builder]",
                        "tracing.use_otlp: false (expected: true, or exporters.enable_console or"
                            + " exporters.enable_file set to true; otherwise spans have nowhere"
                            + " to go) [builder]"));
  }

  @Test
  void build_portZeroNeverConflicts() {
    ProxyConfig config =
        ProxyConfig.builder().setGrpcPort(0).setHttpPort(0).setAdminPort(0).build();

    assertThat(config.grpcPort()).isZero();
  }

  @Test
  void build_keyWithoutCert() throws Exception {
    Path key = Files.write(dir.resolve("client-key.pem"), new byte[] {1});

    assertThatThrownBy(() -> ProxyConfig.builder().setClientKeyFile(key).build())
        .hasMessage(
            "Invalid configuration (1 problem):\n  - exporters.client_key_file: "
                + key
                + " (expected: set together with exporters.client_cert_file, which is not set)"
                + " [builder]");
  }

  // Issue "Hostile input and exposure", case 8: serve refused these and doctor passed them.
  @Test
  void build_apiKeyBesideAuthorizationHeader_refused() {
    assertThatThrownBy(
            () ->
                ProxyConfig.builder()
                    .setApiKey("sk-live-secret")
                    .setExporterHeaders(Map.of("Authorization", "Bearer sk-other"))
                    .build())
        .hasMessage(
            "Invalid configuration (1 problem):\n  - tracing.api_key: **** (expected: not set"
                + " together with an authorization header in exporters.headers [builder]; the key"
                + " is sent as authorization: Bearer <key>, so set only one of them) [builder]");
  }

  @Test
  void build_grpcEndpointWithPathOrQuery_refused() {
    assertThatThrownBy(
            () ->
                ProxyConfig.builder()
                    .setExporterProtocol(ExporterProtocol.GRPC)
                    .setEndpoint(URI.create("https://collector:4317?token=sk-live-secret"))
                    .build())
        .hasMessage(
            "Invalid configuration (1 problem):\n  - tracing.endpoint: https://collector:4317?****"
                + " (expected: scheme://host:port without a path or query, such as"
                + " http://localhost:4317, with exporters.protocol, which is grpc [builder];"
                + " OTLP/gRPC has no URL path or query) [builder]")
        .hasMessageNotContaining("sk-live-secret");
  }

  @Test
  void build_grpcToThePlatform_refused() {
    assertThatThrownBy(
            () ->
                ProxyConfig.builder()
                    .setExporterProtocol(ExporterProtocol.GRPC)
                    .setApiKey("sk-live-secret")
                    .build())
        .hasMessage(
            "Invalid configuration (1 problem):\n  - exporters.protocol: grpc (expected:"
                + " \"http/protobuf\" when spans go to the Traccia platform (tracing.api_key"
                + " without tracing.endpoint), which takes OTLP/HTTP; or set tracing.endpoint to"
                + " an OTLP/gRPC backend) [builder]");
  }

  @Test
  void build_reservedHeader_refused() {
    assertThatThrownBy(
            () ->
                ProxyConfig.builder()
                    .setExporterProtocol(ExporterProtocol.GRPC)
                    .setEndpoint(URI.create("http://collector:4317"))
                    .setExporterHeaders(Map.of("grpc-timeout", "1S"))
                    .build())
        .hasMessage(
            "Invalid configuration (1 problem):\n  - exporters.headers: {grpc-timeout=****}"
                + " (expected: no header grpc-timeout, which the grpc exporter sets itself or its"
                + " transport forbids (exporters.protocol, which is grpc [builder])) [builder]");
  }

  @Test
  void build_tlsFileWithPlaintextEndpoint_refused() throws Exception {
    Path ca = Files.write(dir.resolve("ca.pem"), new byte[] {1});

    assertThatThrownBy(
            () ->
                ProxyConfig.builder()
                    .setEndpoint(URI.create("http://collector:4318/v1/traces?key=sk-live-secret"))
                    .setCaFile(ca)
                    .build())
        .hasMessage(
            "Invalid configuration (1 problem):\n  - exporters.ca_file: "
                + ca
                + " (expected: unset, or an https:// endpoint to use TLS with; the endpoint is"
                + " http://collector:4318/v1/traces?**** [builder]) [builder]");
  }

  @Test
  void build_exporterRulesOnlyWhenExportingOverOtlp() {
    ProxyConfig config =
        ProxyConfig.builder()
            .setExporterProtocol(ExporterProtocol.GRPC)
            .setApiKey("sk-live-secret")
            .setExporterHeaders(Map.of("authorization", "Bearer sk-other"))
            .setUseOtlp(false)
            .setFileEnabled(true)
            .build();

    assertThat(config.otlpEnabled()).isFalse();
  }

  @Test
  void build_apiKeyWithLineBreak_refusedWithoutShowingIt() {
    assertThatThrownBy(() -> ProxyConfig.builder().setApiKey("sk-live\nsecret"))
        .hasMessageNotContaining("sk-live")
        .hasMessageContaining("tracing.api_key: ****");
  }

  @Test
  void build_allExportersTogetherAllowed() {
    ProxyConfig config =
        ProxyConfig.builder()
            .setConsoleEnabled(true)
            .setFileEnabled(true)
            .setEndpoint(URI.create("http://collector:4318/v1/traces"))
            .build();

    assertThat(config.consoleEnabled()).isTrue();
    assertThat(config.fileEnabled()).isTrue();
    assertThat(config.otlpEnabled()).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        // protocol | endpoint | api key | traces | metrics | logs
        "http/protobuf | -                                  | -   | -                                        | -                                         | -",
        "http/protobuf | -                                  | key | https://api.traccia.ai/v2/traces         | https://api.traccia.ai/v2/metrics         | https://api.traccia.ai/v2/logs",
        "http/protobuf | http://collector:4318/v1/traces    | key | http://collector:4318/v1/traces          | http://collector:4318/v1/metrics          | http://collector:4318/v1/logs",
        "http/protobuf | http://collector:4318              | -   | http://collector:4318/v1/traces          | http://collector:4318/v1/metrics          | http://collector:4318/v1/logs",
        "http/protobuf | http://collector:4318/             | -   | http://collector:4318/v1/traces          | http://collector:4318/v1/metrics          | http://collector:4318/v1/logs",
        "http/protobuf | https://otlp.example.com/otlp/traces?org=1 | - | https://otlp.example.com/otlp/traces?org=1 | https://otlp.example.com/otlp/metrics?org=1 | https://otlp.example.com/otlp/logs?org=1",
        "http/protobuf | https://ingest.example.com/spans   | -   | https://ingest.example.com/spans         | -                                         | -",
        "grpc          | http://collector:4317              | -   | http://collector:4317                    | http://collector:4317                     | http://collector:4317",
        "grpc          | https://collector:4317/ignored     | -   | https://collector:4317/ignored           | https://collector:4317                    | https://collector:4317",
      })
  void derivedEndpoints(
      String protocol, String endpoint, String apiKey, String traces, String metrics, String logs) {
    ProxyConfig config =
        ProxyConfig.builder()
            .setExporterProtocol(
                protocol.equals("grpc") ? ExporterProtocol.GRPC : ExporterProtocol.HTTP_PROTOBUF)
            .setEndpoint(endpoint == null ? null : URI.create(endpoint))
            .setApiKey(apiKey)
            // Derivation only: a gRPC endpoint with a path is refused by build() (see
            // build_grpcEndpointWithPathOrQuery_refused), yet its derived endpoints are defined.
            .buildChecked();

    assertThat(config.tracesEndpoint().map(URI::toString).orElse(null)).isEqualTo(traces);
    assertThat(config.metricsEndpoint().map(URI::toString).orElse(null)).isEqualTo(metrics);
    assertThat(config.logsEndpoint().map(URI::toString).orElse(null)).isEqualTo(logs);
  }

  @Test
  void derivedEndpoints_explicitOnesWin() {
    ProxyConfig config =
        ProxyConfig.builder()
            .setEndpoint(URI.create("http://collector:4318/v1/traces"))
            .setMetricsEndpoint(URI.create("http://metrics:9090/otlp/v1/metrics"))
            .setLogsEndpoint(URI.create("http://logs:3100/otlp/v1/logs"))
            .build();

    assertThat(config.metricsEndpoint())
        .contains(URI.create("http://metrics:9090/otlp/v1/metrics"));
    assertThat(config.logsEndpoint()).contains(URI.create("http://logs:3100/otlp/v1/logs"));
  }

  @Test
  void tracesEndpoint_emptyWhenOtlpOff() {
    ProxyConfig config =
        ProxyConfig.builder()
            .setUseOtlp(false)
            .setConsoleEnabled(true)
            .setEndpoint(URI.create("http://collector:4318/v1/traces"))
            .build();

    assertThat(config.tracesEndpoint()).isEmpty();
    assertThat(config.metricsEndpoint()).isEmpty();
    assertThat(config.fileEnabled()).isFalse();
  }

  @Test
  void fileEnabled_zeroConfigDefaultOnlyWithoutAnyOtherExporter() {
    assertThat(ProxyConfig.defaults().fileEnabled()).isTrue();
    assertThat(ProxyConfig.builder().setApiKey("k").build().fileEnabled()).isFalse();
    assertThat(ProxyConfig.builder().setConsoleEnabled(true).build().fileEnabled()).isFalse();
    assertThat(
            ProxyConfig.builder()
                .setEndpoint(URI.create("http://c:4318"))
                .setFileEnabled(true)
                .build()
                .fileEnabled())
        .isTrue();
  }

  @Test
  void logLevel_debugMeansDebugUnlessLevelSet() {
    assertThat(ProxyConfig.builder().setDebug(true).build().logLevel()).isEqualTo("debug");
    assertThat(ProxyConfig.builder().setDebug(true).setLogLevel("WARN").build().logLevel())
        .isEqualTo("warn");
    assertThat(ProxyConfig.builder().setLogLevel("trace").build().logLevel()).isEqualTo("trace");
  }

  @Test
  void describe_everyKeyWithOriginAndSecretsRedacted() {
    ProxyConfig config =
        ProxyConfig.builder()
            .setApiKey("sk-live-secret")
            // Not authorization: an api key beside an authorization header is invalid.
            .setExporterHeaders(Map.of("x-api-key", "sk-live-secret"))
            .setEndpoint(URI.create("https://collector.example.com/v1/traces?token=sk-live-secret"))
            .setMaxSpansPerSecond(250.0)
            .build();

    assertThat(config.describe())
        .contains(
            "server.grpc_port: 4317 (default)",
            "tracing.api_key: **** (builder)",
            "exporters.headers: {x-api-key=****} (builder)",
            "tracing.endpoint: https://collector.example.com/v1/traces?**** (builder)",
            "rate_limiting.max_spans_per_second: 250.0 (builder)",
            "logging.level: info (default)",
            "pricing.override: (none) (default)",
            "effective.traces_endpoint: https://collector.example.com/v1/traces?**** (derived)",
            "effective.metrics_endpoint: https://collector.example.com/v1/metrics?**** (derived)",
            "effective.file_exporter: off (derived)",
            "effective.log_level: info (derived)")
        .noneMatch(line -> line.contains("sk-live-secret"))
        .noneMatch(line -> line.startsWith("runtime."))
        .noneMatch(line -> line.startsWith("pricing.override_json"));
    assertThat(config.toString()).doesNotContain("sk-live-secret").contains("tracing.api_key=****");
  }

  @Test
  void describe_pricingOverride() {
    ProxyConfig config =
        ProxyConfig.builder()
            .setPricingOverride(
                PricingOverride.of(
                    Collections.singletonMap(
                        "gpt-4o", PricePoint.of(new BigDecimal("0.005"), new BigDecimal("0.015")))))
            .build();

    assertThat(config.describe())
        .contains("pricing.override: 1 model {gpt-4o={prompt=0.005, completion=0.015}} (builder)");
  }

  @Test
  void toBuilder_keepsValuesAndOrigins() {
    ProxyConfig config = ProxyConfig.builder().setMaxQueueSize(9000).build();

    ProxyConfig copy = config.toBuilder().setSampleRate(0.5).build();

    assertThat(copy.maxQueueSize()).isEqualTo(9000);
    assertThat(copy.origin("rate_limiting.max_queue_size")).isEqualTo("builder");
    assertThat(copy.sampleRate()).isEqualTo(0.5);
    assertThat(config.sampleRate()).isEqualTo(1.0);
    assertThat(copy).isNotEqualTo(config);
    assertThat(config.toBuilder().build()).isEqualTo(config).hasSameHashCodeAs(config);
  }

  @Test
  void origin_acceptsAnySpellingAndRejectsUnknownKeys() {
    ProxyConfig config = ProxyConfig.defaults();

    assertThat(config.origin("Rate-Limiting.Max-Queue-Size")).isEqualTo("default");
    assertThat(config.origin("pricing.override_json")).isEqualTo("default");
    assertThatThrownBy(() -> config.origin("tracing"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown configuration key: tracing");
  }
}
