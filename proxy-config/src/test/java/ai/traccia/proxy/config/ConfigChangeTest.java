/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class ConfigChangeTest {

  @Test
  void between_sortsKeysIntoLiveAndRestart() {
    ProxyConfig before = ProxyConfig.defaults();
    ProxyConfig after =
        before.toBuilder()
            .setSampleRate(0.5)
            .setMaxBlock(Duration.ofMillis(5))
            .setGuardrailHeuristics(false)
            .setLogLevel("debug")
            .setApiKey("sk-secret")
            .setMaxQueueSize(10_000)
            .build();

    ConfigChange change = ConfigChange.between(before, after, Collections.emptyList());

    assertThat(change.changedKeys())
        .containsExactly(
            "tracing.api_key",
            "tracing.sample_rate",
            "rate_limiting.max_queue_size",
            "rate_limiting.max_block_ms",
            "instrumentation.guardrail_heuristics",
            "logging.level");
    assertThat(change.liveKeys())
        .containsExactly(
            "tracing.sample_rate",
            "rate_limiting.max_block_ms",
            "instrumentation.guardrail_heuristics",
            "logging.level");
    assertThat(change.restartKeys())
        .containsExactly("tracing.api_key", "rate_limiting.max_queue_size");
    assertThat(change.requiresRestart()).isTrue();
    assertThat(change.describe())
        .contains(
            "tracing.api_key: (none) -> **** (needs a restart to take effect) [builder]",
            "tracing.sample_rate: 1.0 -> 0.5 (applied live) [builder]")
        .noneMatch(line -> line.contains("sk-secret"));
    assertThat(change.previous()).isSameAs(before);
    assertThat(change.current()).isSameAs(after);
  }

  @Test
  void between_namedExportersNeedARestart() {
    ProxyConfig before =
        ProxyConfig.builder()
            .addOtlpExporter("tempo", java.util.Map.of("endpoint", "http://tempo:4318"))
            .build();
    ProxyConfig after =
        before.toBuilder()
            .addOtlpExporter(
                "tempo", java.util.Map.of("endpoint", "http://tempo:4318", "timeout_ms", "5"))
            .build();

    ConfigChange change = ConfigChange.between(before, after, Collections.emptyList());

    assertThat(change.restartKeys()).containsExactly("exporters.otlp");
    assertThat(ConfigChange.between(before, before, Collections.emptyList()).isEmpty()).isTrue();
  }

  @Test
  void between_originOnlyIsNoChange() {
    ProxyConfig before = ProxyConfig.defaults();
    ProxyConfig after = before.toBuilder().setGrpcPort(4317).build();

    ConfigChange change = ConfigChange.between(before, after, Collections.emptyList());

    assertThat(change.isEmpty()).isTrue();
    assertThat(change.requiresRestart()).isFalse();
  }

  @Test
  void isLive_rejectsUnchangedKey() {
    ConfigChange change =
        ConfigChange.between(
            ProxyConfig.defaults(), ProxyConfig.defaults(), Collections.emptyList());

    assertThatThrownBy(() -> change.isLive("server.grpc_port"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("server.grpc_port did not change; changed: []");
  }
}
