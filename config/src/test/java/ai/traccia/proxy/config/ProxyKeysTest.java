/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProxyKeysTest {

  @Test
  void catalog_everySpellingIsUnique() {
    // The static initialiser throws on a collision; reaching this line means there is none.
    assertThat(ProxyKeys.ALL).hasSizeGreaterThan(50);
    assertThat(Catalog.PROXY.sections)
        .containsExactly(
            "server",
            "tracing",
            "exporters",
            "rate_limiting",
            "metrics",
            "instrumentation",
            "guardrails",
            "redaction",
            "kafka",
            "ui",
            "runtime",
            "logging",
            "advanced",
            "pricing",
            "governance");
  }

  @Test
  void lookups() {
    assertThat(Catalog.PROXY.byKey("RATE-LIMITING.max-queue-size"))
        .isSameAs(ProxyKeys.MAX_QUEUE_SIZE);
    assertThat(Catalog.PROXY.byFlag("max_queue_size")).isSameAs(ProxyKeys.MAX_QUEUE_SIZE);
    assertThat(Catalog.PROXY.byFlag("exporters.timeout-ms")).isSameAs(ProxyKeys.TIMEOUT_MS);
    assertThat(Catalog.PROXY.byFlag("pricing.override_from_env")).isNull();
    assertThat(Catalog.PROXY.byEnv("TRACCIA_FILE_PATH")).isSameAs(ProxyKeys.FILE_EXPORTER_PATH);
    assertThat(Catalog.PROXY.isPrefix("rate.limiting")).isTrue();
    assertThat(Catalog.PROXY.isPrefix("rate.limit")).isFalse();
  }

  @Test
  void readme_documentsEveryKeyAndVariable() throws IOException {
    // Surefire runs in the module directory.
    String readme = new String(Files.readAllBytes(Path.of("README.md")), StandardCharsets.UTF_8);

    for (Setting<?> s : Catalog.PROXY.known) {
      if (s != ProxyKeys.PRICING_OVERRIDE_FROM_ENV) {
        assertThat(readme).as(s.key).contains("`" + s.name + "`");
      }
      for (String env : s.env) {
        assertThat(readme).as(s.key).contains("`" + env + "`");
      }
      if (s.flag != null && !s.clientOnly()) {
        assertThat(readme).as(s.key).contains("`--" + s.flag + "`");
      }
      if (s.live && s != ProxyKeys.PRICING_OVERRIDE_FROM_ENV) {
        assertThat(readme).as(s.key).containsPattern("`" + s.name + "`[^\\n]*live");
      }
    }
  }
}
