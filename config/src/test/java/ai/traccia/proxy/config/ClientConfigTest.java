/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClientConfigTest {

  @Test
  void defaults_matchTheSdk() {
    ClientConfig config = ClientConfig.defaults();

    // Application SDK keys keep the SDK's defaults.
    assertThat(config.autoStartTrace()).isTrue();
    assertThat(config.autoTraceName()).isEqualTo("root");
    assertThat(config.patchingEnabled()).isTrue();
    assertThat(config.autoInstrumentTools()).isFalse();
    assertThat(config.maxToolSpans()).isEqualTo(100);
    assertThat(config.maxSpanDepth()).isEqualTo(10);
    assertThat(config.openaiAgentsEnabled()).isTrue();
    assertThat(config.crewaiEnabled()).isTrue();
    assertThat(config.sessionId()).isEmpty();
    assertThat(config.environment()).isEmpty();
    assertThat(config.governanceStatusCacheTtl()).isEqualTo(Duration.ofSeconds(60));
    // Shared keys keep the defaults they have for the proxy.
    assertThat(config.sampleRate()).isEqualTo(1.0);
    assertThat(config.useOtlp()).isTrue();
    assertThat(config.endpoint()).isEmpty();
    assertThat(config.attrTruncationLimit()).isEmpty();
    assertThat(config.origin("runtime.session_id")).isEqualTo("default");
    assertThat(config.warnings()).isEmpty();
  }

  static Stream<Arguments> setterProblems() {
    return Stream.of(
        setter(b -> b.setMaxToolSpans(0), "instrumentation.max_tool_spans: 0 (expected: > 0)"),
        setter(
            b -> b.setAutoTraceName(" "),
            "tracing.auto_trace_name:   (expected: a non-empty string)"),
        setter(
            b -> b.setGovernanceStatusCacheTtl(Duration.ZERO),
            "governance.status_cache_ttl_seconds: 0 (expected: > 0)"));
  }

  private static Arguments setter(Consumer<ClientConfig.Builder> call, String message) {
    return Arguments.of(call, message);
  }

  @ParameterizedTest
  @MethodSource("setterProblems")
  void setter_rejectsBadValue(Consumer<ClientConfig.Builder> call, String message) {
    ClientConfig.Builder builder = ClientConfig.builder();

    assertThatThrownBy(() -> call.accept(builder))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void builder_setsApplicationKeys() {
    ClientConfig config =
        ClientConfig.builder()
            .setSessionId("s-1")
            .setEnvironment("")
            .setGovernanceStatusCheckEndpoint(URI.create("https://gov.example.com/status"))
            .build();

    assertThat(config.sessionId()).contains("s-1");
    assertThat(config.environment()).isEmpty();
    assertThat(config.origin("Runtime.Session-Id")).isEqualTo("builder");
    assertThat(config.describe()).contains("runtime.session_id: s-1 (builder)");
    assertThat(config).isNotEqualTo(ClientConfig.defaults());
  }

  @Test
  void origin_rejectsProxyKeys() {
    assertThatThrownBy(() -> ClientConfig.defaults().origin("server.grpc_port"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown client configuration key: server.grpc_port");
  }
}
