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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyKeysTest {

  @Test
  void catalog_everySpellingIsUnique() {
    // The static initialiser throws on a collision; reaching this line means there is none.
    assertThat(ProxyKeys.ALL).hasSizeGreaterThan(50);
    assertThat(ProxyKeys.CATALOG.sections)
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
    assertThat(ProxyKeys.CATALOG.byKey("RATE-LIMITING.max-queue-size"))
        .isSameAs(ProxyKeys.MAX_QUEUE_SIZE);
    assertThat(ProxyKeys.CATALOG.byFlag("max_queue_size")).isSameAs(ProxyKeys.MAX_QUEUE_SIZE);
    assertThat(ProxyKeys.CATALOG.byFlag("exporters.timeout-ms")).isSameAs(ProxyKeys.TIMEOUT_MS);
    assertThat(ProxyKeys.CATALOG.byFlag("pricing.override_from_env")).isNull();
    assertThat(ProxyKeys.CATALOG.byEnv("TRACCIA_FILE_PATH")).isSameAs(ProxyKeys.FILE_EXPORTER_PATH);
    assertThat(ProxyKeys.CATALOG.isPrefix("rate.limiting")).isTrue();
    assertThat(ProxyKeys.CATALOG.isPrefix("rate.limit")).isFalse();
  }

  @Test
  void readme_documentsEveryKeyAndVariable() throws IOException {
    // Surefire runs in the module directory; the keys are documented in the config module's.
    String readme =
        new String(
            Files.readAllBytes(Path.of("..", "config", "README.md")), StandardCharsets.UTF_8);

    for (Setting<?> s : ProxyKeys.CATALOG.known) {
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

  @Test
  void catalogs_splitByAudience() {
    // Every application-only key is the client's and none is the proxy's.
    assertThat(Catalog.CLIENT.reads).containsAll(ClientKeys.ONLY);
    assertThat(ProxyKeys.ALL).doesNotContainAnyElementsOf(ClientKeys.ONLY);
    assertThat(ClientKeys.ONLY).allMatch(Setting::clientOnly);
    assertThat(ProxyKeys.ALL).noneMatch(Setting::clientOnly);
    // The client's shared keys are the proxy's own Setting objects, so they cannot drift apart.
    for (Setting<?> s : ClientKeys.ALL) {
      assertThat(s.clientOnly() || ProxyKeys.ALL.contains(s)).as(s.key).isTrue();
    }
    // Both programs know every key of the file; the client knows the proxy's keys by name only.
    assertThat(keys(ProxyKeys.CATALOG.known))
        .containsExactlyInAnyOrderElementsOf(keys(Catalog.CLIENT.known));
    assertThat(Catalog.CLIENT.sections)
        .containsExactlyInAnyOrderElementsOf(ProxyKeys.CATALOG.sections);
  }

  @Test
  void clientCatalog_namesEveryProxyKey() throws IOException {
    // The client reads the proxy's keys from a list in the config module, without this catalog;
    // the list must be this catalog's, in its order. After adding a key, run this test with
    // -DupdateProxyKeys=true to rewrite the list.
    List<String> expected = new ArrayList<>();
    for (Setting<?> s : ProxyKeys.ALL) {
      expected.add(Catalog.proxyKeyLine(s));
    }
    if (Boolean.getBoolean("updateProxyKeys")) {
      Path list =
          Path.of("..", "config", "src", "main", "resources", "ai", "traccia", "proxy", "config")
              .resolve(Catalog.PROXY_KEYS_RESOURCE);
      List<String> lines = new ArrayList<>();
      lines.add(
          "# The proxy's keys, which the Java client knows by name only so that it can ignore them;");
      lines.add("# section, name, flag, variables, in file. Written by ProxyKeysTest.");
      lines.addAll(expected);
      Files.write(list, lines, StandardCharsets.UTF_8);
      return;
    }
    List<String> listed = new ArrayList<>();
    for (Setting<?> s : Catalog.proxyKeyNames()) {
      listed.add(Catalog.proxyKeyLine(s));
    }
    assertThat(String.join("\n", listed)).isEqualTo(String.join("\n", expected));
  }

  private static List<String> keys(List<Setting<?>> settings) {
    List<String> keys = new ArrayList<>();
    for (Setting<?> s : settings) {
      keys.add(s.key);
    }
    return keys;
  }
}
