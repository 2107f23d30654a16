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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client's load: its keys, from the file the proxy shares, without the proxy's catalog.
 */
class ConfigReaderTest {

  @TempDir Path dir;
  private Path home;

  @BeforeEach
  void setUp() throws IOException {
    home = Files.createDirectories(dir.resolve("home"));
  }

  private ConfigReader.Builder reader() {
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

  private List<String> clientProblems(ConfigReader.Builder builder) {
    try {
      builder.loadClient();
    } catch (ConfigException e) {
      return e.getProblems().stream().map(ConfigProblem::message).collect(Collectors.toList());
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void loadClient_clientOnlyKeysAccepted() throws IOException {
    writeToml(
        "[tracing]\nauto_start_trace = false\nauto_trace_name = \"main\"\n"
            + "[instrumentation]\nenable_patching = false\nmax_span_depth = 3\n"
            + "[runtime]\nsession_id = \"s-1\"\n"
            + "[governance]\nstatus_check_endpoint = \"https://gov.example.com/status\"\n");

    ClientConfig config =
        reader()
            .setEnvironment(map("TRACCIA_ENV", "prod", "AGENT_DASHBOARD_AGENT_ID", "a-1"))
            .loadClient();

    assertThat(config.autoStartTrace()).isFalse();
    assertThat(config.autoTraceName()).isEqualTo("main");
    assertThat(config.patchingEnabled()).isFalse();
    assertThat(config.maxSpanDepth()).isEqualTo(3);
    assertThat(config.sessionId()).contains("s-1");
    assertThat(config.environment()).contains("prod");
    assertThat(config.agentId()).contains("a-1");
    assertThat(config.governanceStatusCheckEndpoint())
        .contains(URI.create("https://gov.example.com/status"));
    assertThat(config.describe()).contains("runtime.session_id: s-1 (traccia.toml:8:1)");
  }

  @Test
  void loadClient_clientOnlyKeysStillValidated() throws IOException {
    writeToml("[instrumentation]\nmax_tool_spans = 0\n");

    assertThat(clientProblems(reader()))
        .containsExactly("instrumentation.max_tool_spans: 0 (expected: > 0) [traccia.toml:2:1]");
  }

  @Test
  void loadClient_proxyKeysIgnoredUnchecked() throws IOException {
    // A file shared with a proxy: its keys, even invalid for the proxy, are none of the client's.
    writeToml(
        "[server]\ngrpc_port = 70000\n[guardrails]\nenable_guardrails = false\n"
            + "[tracing]\nsample_rate = 0.5\nkeep_error_traces = false\n"
            + "[runtime]\nsession_id = \"s-1\"\n");

    ClientConfig config =
        reader().setEnvironment(map("TRACCIA_GRPC_PORT", "not-a-port")).loadClient();

    assertThat(config.sampleRate()).isEqualTo(0.5);
    assertThat(config.sessionId()).contains("s-1");
    assertThat(config.warnings()).isEmpty();
    assertThat(config.describe())
        .contains("tracing.sample_rate: 0.5 (traccia.toml:6:1)")
        .noneMatch(line -> line.startsWith("server."));
    assertThatThrownBy(() -> config.origin("server.grpc_port"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void loadClient_proxyKeySetInCodeIsAnError() {
    assertThat(clientProblems(reader().setFlags(map("server.grpc_port", "1"))))
        .containsExactly(
            "--server.grpc_port: 1 (expected: a key the Java client reads; server.grpc_port is"
                + " read by the proxy only) [--server.grpc_port]");
  }

  @Test
  void loadClient_unknownKeyStillAnErrorWithSuggestion() throws IOException {
    writeToml("[runtime]\nsesion_id = \"s-1\"\n");

    assertThat(clientProblems(reader()))
        .containsExactly(
            "runtime.sesion_id: \"s-1\" (expected: a known key of [runtime]; did you mean"
                + " runtime.session_id?) [traccia.toml:2:1]");
  }
}
