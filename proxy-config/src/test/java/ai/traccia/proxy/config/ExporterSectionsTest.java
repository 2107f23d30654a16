/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExporterSectionsTest {

  @TempDir Path dir;
  private Path home;

  @BeforeEach
  void setUp() throws IOException {
    home = Files.createDirectories(dir.resolve("home"));
  }

  private ConfigLoader.Builder loader(Map<String, String> env) {
    return ConfigLoader.builder()
        .setEnvironment(env)
        .setWorkingDirectory(dir)
        .setHomeDirectory(home);
  }

  private ProxyConfig load(String toml) throws IOException {
    return load(toml, Collections.emptyMap());
  }

  private ProxyConfig load(String toml, Map<String, String> env) throws IOException {
    Files.write(dir.resolve("traccia.toml"), toml.getBytes(StandardCharsets.UTF_8));
    return loader(env).load();
  }

  private List<String> problems(String toml) throws IOException {
    try {
      load(toml);
    } catch (ConfigException e) {
      return e.getProblems().stream().map(ConfigProblem::message).collect(Collectors.toList());
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void load_sectionsAreParsedInFileOrderWithFallbacks() throws IOException {
    ProxyConfig config =
        load(
            "[exporters]\n"
                + "timeout_ms = 7000\n"
                + "compression = \"none\"\n"
                + "headers = { \"x-scope-orgid\" = \"flat-tenant\" }\n"
                + "[rate_limiting]\n"
                + "max_queue_size = 1234\n"
                + "[exporters.otlp.tempo]\n"
                + "endpoint = \"http://tempo:4317\"\n"
                + "protocol = \"grpc\"\n"
                + "signals = [\"traces\"]\n"
                + "durable_queue = true\n"
                + "[exporters.otlp.prom-1]\n"
                + "endpoint = \"http://prom:4318/otlp\"\n"
                + "timeout_ms = 2000\n"
                + "max_queue_size = 10\n"
                + "api_key = \"sk-prom\"\n"
                + "metrics_endpoint = \"http://prom:9090/api/v1/otlp/v1/metrics\"\n");

    List<ExporterSpec> specs = config.otlpExporters();

    assertThat(specs).extracting(ExporterSpec::name).containsExactly("otlp/tempo", "otlp/prom-1");
    ExporterSpec tempo = specs.get(0);
    assertThat(tempo.configKey()).isEqualTo("exporters.otlp.tempo");
    assertThat(tempo.protocol()).isEqualTo(ExporterProtocol.GRPC);
    assertThat(tempo.signals()).containsExactly(ExporterSignal.TRACES);
    assertThat(tempo.endpoint(ExporterSignal.TRACES)).contains(URI.create("http://tempo:4317"));
    assertThat(tempo.endpoint(ExporterSignal.METRICS)).isEmpty();
    assertThat(tempo.timeout()).isEqualTo(Duration.ofMillis(7000)); // from [exporters]
    assertThat(tempo.compression()).isEqualTo(Compression.NONE);
    assertThat(tempo.maxQueueSize()).isEqualTo(1234); // from [rate_limiting]
    assertThat(tempo.durableQueue()).isTrue();
    assertThat(tempo.headers()).isEmpty(); // credentials are never inherited
    assertThat(tempo.apiKey()).isEmpty();
    assertThat(tempo.retryMaxElapsed()).isEqualTo(Duration.ofMillis(300_000));

    ExporterSpec prom = specs.get(1);
    assertThat(prom.protocol()).isEqualTo(ExporterProtocol.HTTP_PROTOBUF);
    assertThat(prom.signals())
        .containsExactly(ExporterSignal.TRACES, ExporterSignal.METRICS, ExporterSignal.LOGS);
    assertThat(prom.endpoint(ExporterSignal.TRACES))
        .contains(URI.create("http://prom:4318/otlp/v1/traces"));
    assertThat(prom.endpoint(ExporterSignal.METRICS))
        .contains(URI.create("http://prom:9090/api/v1/otlp/v1/metrics"));
    assertThat(prom.endpoint(ExporterSignal.LOGS))
        .contains(URI.create("http://prom:4318/otlp/v1/logs"));
    assertThat(prom.timeout()).isEqualTo(Duration.ofMillis(2000));
    assertThat(prom.maxQueueSize()).isEqualTo(10);
    assertThat(prom.durableQueue()).isFalse();
    assertThat(prom.requestHeaders()).containsEntry("authorization", "Bearer sk-prom");
    assertThat(prom.toString()).doesNotContain("sk-prom");
    assertThat(config.describe())
        .contains("exporters.otlp.prom-1.api_key: **** (traccia.toml:16:1)")
        .contains("exporters.otlp.prom-1.timeout_ms: 2000 (traccia.toml:14:1)");
    assertThat(String.join("\n", config.describe())).doesNotContain("sk-prom");
  }

  @Test
  void load_flatEndpointAndSectionsBothRun() throws IOException {
    ProxyConfig config =
        load(
            "[exporters.otlp.tempo]\nendpoint = \"http://tempo:4318/\"\n",
            Map.of("TRACCIA_ENDPOINT", "http://collector:4318", "TRACCIA_API_KEY", "sk-flat"));

    List<ExporterSpec> specs = config.otlpExporters();

    assertThat(specs).extracting(ExporterSpec::name).containsExactly("otlp", "otlp/tempo");
    ExporterSpec flat = specs.get(0);
    assertThat(flat.isDefault()).isTrue();
    assertThat(flat.configKey()).isEqualTo("exporters");
    assertThat(flat.endpoint(ExporterSignal.TRACES))
        .contains(URI.create("http://collector:4318/v1/traces"));
    assertThat(flat.endpoint(ExporterSignal.LOGS))
        .contains(URI.create("http://collector:4318/v1/logs"));
    assertThat(flat.apiKey()).contains("sk-flat");
    assertThat(specs.get(1).endpoint(ExporterSignal.TRACES))
        .contains(URI.create("http://tempo:4318/v1/traces"));
    assertThat(specs.get(1).apiKey()).isEmpty();
    // A named exporter is somewhere for spans to go: the zero-configuration file stays off.
    assertThat(load("[exporters.otlp.tempo]\nendpoint = \"http://tempo:4318\"\n").fileEnabled())
        .isFalse();
  }

  @Test
  void load_noSectionsKeepsTheSingleFlatBackend() throws IOException {
    ProxyConfig config = load("", Map.of("TRACCIA_ENDPOINT", "http://collector:4318/v1/traces"));

    assertThat(config.otlpExporters()).extracting(ExporterSpec::name).containsExactly("otlp");
    assertThat(ProxyConfig.defaults().otlpExporters()).isEmpty();
    assertThat(
            ProxyConfig.builder()
                .setUseOtlp(false)
                .setConsoleEnabled(true)
                .addOtlpExporter("tempo", Map.of("endpoint", "http://tempo:4318"))
                .build()
                .otlpExporters())
        .isEmpty();
  }

  @Test
  void load_unknownKeyAndBadValuesNameTheSectionAndKey() throws IOException {
    assertThat(
            problems(
                "[exporters.otlp.tempo]\n"
                    + "endpoint = \"http://tempo:4318\"\n"
                    + "timout_ms = 5\n"
                    + "timeout_ms = 0\n"
                    + "signals = [\"traces\", \"spans\"]\n"
                    + "protocol = \"thrift\"\n"
                    + "max_queue_size = \"big\"\n"))
        .containsExactly(
            "exporters.otlp.tempo.timout_ms: 5 (expected: a known key of [exporters.otlp.tempo];"
                + " did you mean timeout_ms?) [traccia.toml:3:1]",
            "exporters.otlp.tempo.timeout_ms: 0 (expected: > 0) [traccia.toml:4:1]",
            "exporters.otlp.tempo.signals.1: \"spans\" (expected: traces, metrics or logs)"
                + " [traccia.toml:5:1]",
            "exporters.otlp.tempo.protocol: \"thrift\" (expected: one of grpc, http/protobuf)"
                + " [traccia.toml:6:1]",
            "exporters.otlp.tempo.max_queue_size: \"big\" (expected: an integer)"
                + " [traccia.toml:7:1]");
  }

  @Test
  void load_badSectionNamesAndShapes() throws IOException {
    assertThat(
            problems(
                "[exporters.otlp.\"my tempo\"]\n"
                    + "endpoint = \"http://tempo:4318\"\n"
                    + "[exporters.otlp]\n"
                    + "loki = 3\n"))
        .containsExactly(
            "exporters.otlp.\"my tempo\": (table) (expected: a section name of letters, digits,"
                + " '-' or '_') [traccia.toml:1:1]",
            "exporters.otlp.loki: 3 (expected: a table: [exporters.otlp.loki] with the keys of one"
                + " exporter below it) [traccia.toml:4:1]");
    assertThat(problems("[exporters]\notlp = \"http://x\"\n"))
        .containsExactly(
            "exporters.otlp: \"http://x\" (expected: a table of named exporters:"
                + " [exporters.otlp.<name>]) [traccia.toml:2:1]");
  }

  @Test
  void load_apiKeyNextToAnAuthorizationHeaderNamesBothKeys() throws IOException {
    assertThat(
            problems(
                "[exporters.otlp.tempo]\n"
                    + "endpoint = \"http://tempo:4318\"\n"
                    + "api_key = \"sk-secret\"\n"
                    + "headers = { Authorization = \"Basic abc\" }\n"))
        .containsExactly(
            "exporters.otlp.tempo.api_key: **** (expected: not set together with an authorization"
                + " header in exporters.otlp.tempo.headers [traccia.toml:4:1]; the key is sent as"
                + " authorization: Bearer <key>, so set only one of them) [traccia.toml:3:1]");
  }

  @Test
  void load_rulesBetweenKeys() throws IOException {
    Files.writeString(dir.resolve("ca.pem"), "x");
    assertThat(
            problems(
                "[exporters.otlp.a]\n"
                    + "signals = [\"traces\", \"logs\"]\n"
                    + "traces_endpoint = \"http://a:4318/v1/traces\"\n"
                    + "[exporters.otlp.b]\n"
                    + "protocol = \"grpc\"\n"
                    + "endpoint = \"http://b:4317/v1\"\n"
                    + "logs_endpoint = \"http://b:4318/v1/logs\"\n"
                    + "[exporters.otlp.c]\n"
                    + "endpoint = \"http://c:4318/v1/traces\"\n"
                    + "[exporters.otlp.d]\n"
                    + "endpoint = \"http://d:4318\"\n"
                    + "ca_file = \"ca.pem\"\n"
                    + "client_key_file = \"ca.pem\"\n"
                    + "retry_initial_backoff_ms = 60000\n"
                    + "[exporters.otlp.e]\n"
                    + "endpoint = \"http://e:4318\"\n"
                    + "ca_file = \"ca.pem\"\n"
                    + "[exporters.otlp.f]\n"
                    + "endpoint = \"http://f:4318\"\n"
                    + "signals = []\n"))
        .containsExactly(
            "exporters.otlp.f.signals: [] (expected: at least one of traces, metrics, logs)"
                + " [traccia.toml:20:1]",
            "exporters.otlp.a.endpoint: (none) (expected: set, or an endpoint of its own for each"
                + " signal the exporter takes (logs_endpoint missing)) [traccia.toml:1:1]",
            "exporters.otlp.b.logs_endpoint: http://b:4318/v1/logs (expected: not set with"
                + " exporters.otlp.b.protocol, which is grpc [traccia.toml:5:1]; OTLP/gRPC sends"
                + " every signal to exporters.otlp.b.endpoint) [traccia.toml:7:1]",
            "exporters.otlp.b.endpoint: http://b:4317/v1 (expected: scheme://host:port without a"
                + " path or query, such as http://localhost:4317, with exporters.otlp.b.protocol,"
                + " which is grpc [traccia.toml:5:1]; OTLP/gRPC has no URL path or query)"
                + " [traccia.toml:6:1]",
            "exporters.otlp.c.endpoint: http://c:4318/v1/traces (expected: a base URL without"
                + " /v1/traces, such as http://collector:4318 (the signal's path is appended); set"
                + " exporters.otlp.c.traces_endpoint to use a full URL) [traccia.toml:9:1]",
            "exporters.otlp.d.client_key_file: "
                + dir.resolve("ca.pem")
                + " (expected: set together with exporters.otlp.d.client_cert_file, which is not"
                + " set) [traccia.toml:13:1]",
            "exporters.otlp.d.retry_initial_backoff_ms: 60000 (expected: <="
                + " exporters.otlp.d.retry_max_backoff_ms, which is 30000 [exporters"
                + ".retry_max_backoff_ms, default]) [traccia.toml:14:1]",
            "exporters.otlp.e.ca_file: "
                + dir.resolve("ca.pem")
                + " (expected: unset, or an https:// endpoint to use TLS with; the endpoint is"
                + " http://e:4318/v1/traces [traccia.toml:16:1]) [traccia.toml:17:1]");
  }

  @Test
  void load_inheritedTlsFilesAreNotRequiredToMatchAPlainTextSection() throws IOException {
    Files.writeString(dir.resolve("ca.pem"), "x");

    ProxyConfig config =
        load(
            "[exporters]\nca_file = \"ca.pem\"\n"
                + "[tracing]\nendpoint = \"https://collector:4318\"\n"
                + "[exporters.otlp.local]\nendpoint = \"http://local:4318\"\n");

    assertThat(config.otlpExporters().get(1).caFile()).contains(dir.resolve("ca.pem"));
  }

  @Test
  void builder_addOtlpExporterChecksEachValueAndTheRules() {
    ProxyConfig config =
        ProxyConfig.builder()
            .addOtlpExporter(
                "tempo", Map.of("endpoint", "http://tempo:4318", "signals", "traces,metrics"))
            .build();

    assertThat(config.otlpExporters().get(0).signals())
        .isEqualTo(EnumSet.of(ExporterSignal.TRACES, ExporterSignal.METRICS));
    assertThat(config).isEqualTo(config.toBuilder().build());
    assertThat(config).isNotEqualTo(ProxyConfig.defaults());
    assertThatThrownBy(
            () -> ProxyConfig.builder().addOtlpExporter("tempo", Map.of("timeout_ms", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("exporters.otlp.tempo.timeout_ms: 0 (expected: > 0)");
    assertThatThrownBy(() -> ProxyConfig.builder().addOtlpExporter("a.b", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "exporters.otlp.\"a.b\": \"a.b\" (expected: a section name of letters, digits, '-' or"
                + " '_')");
    assertThatThrownBy(() -> ProxyConfig.builder().addOtlpExporter("a", Map.of("endpont", "x")))
        .hasMessage(
            "exporters.otlp.a.endpont: x (expected: a known key of [exporters.otlp.a]; did you"
                + " mean endpoint?)");
    assertThatThrownBy(
            () ->
                ProxyConfig.builder()
                    .addOtlpExporter(
                        "a",
                        Map.of(
                            "endpoint",
                            "http://a:4318",
                            "api_key",
                            "k",
                            "headers",
                            "authorization=Basic%20x"))
                    .build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "exporters.otlp.a.api_key: **** (expected: not set together with an authorization"
                + " header in exporters.otlp.a.headers [builder]");
  }

  @Test
  void readme_documentsEverySectionKey() throws IOException {
    String readme =
        new String(
            Files.readAllBytes(Path.of("..", "config", "README.md")), StandardCharsets.UTF_8);
    String named = readme.substring(readme.indexOf("#### Named exporters"));

    for (ExporterSections.Key<?> key : ExporterSections.KEYS) {
      assertThat(named).as(key.name()).contains("| `" + key.name() + "` |");
    }
  }
}
