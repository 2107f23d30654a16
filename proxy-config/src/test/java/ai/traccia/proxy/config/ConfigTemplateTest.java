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
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTemplateTest {

  @TempDir Path dir;

  private ProxyConfig load(String toml) throws IOException {
    Files.write(dir.resolve("traccia.toml"), toml.getBytes(StandardCharsets.UTF_8));
    return ConfigLoader.builder()
        .setEnvironment(Collections.emptyMap())
        .setWorkingDirectory(dir)
        .setHomeDirectory(dir)
        .load();
  }

  private ProxyConfig defaults() {
    return ConfigLoader.builder()
        .setEnvironment(Collections.emptyMap())
        .setWorkingDirectory(dir)
        .setHomeDirectory(dir)
        .load();
  }

  @Test
  void render_loadsAsTheDefaults() throws IOException {
    assertThat(load(ConfigTemplate.render())).isEqualTo(defaults());
  }

  @Test
  void render_uncommentedDefaultsAreTheDefaults() throws IOException {
    StringBuilder uncommented = new StringBuilder();
    for (String line : ConfigTemplate.render().split("\n", -1)) {
      Setting<?> setting = settingOf(line);
      boolean showsDefault =
          setting != null && setting.defaultValue != null && setting.example == null;
      uncommented.append(showsDefault ? line.substring(2) : line).append('\n');
    }

    ProxyConfig config = load(uncommented.toString());

    assertThat(config).isEqualTo(defaults());
    assertThat(config.origin("server.grpc_port")).startsWith("traccia.toml:");
    assertThat(config.origin("pricing.cache_path")).startsWith("traccia.toml:");
  }

  @Test
  void render_examplesAreValidToml() throws IOException {
    StringBuilder uncommented = new StringBuilder();
    for (String line : ConfigTemplate.render().split("\n", -1)) {
      Setting<?> setting = settingOf(line);
      boolean example =
          setting != null
              && setting.example != null
              && !setting.name.endsWith("_file") // example paths do not exist here
              && setting != ProxyKeys.PRICING_OVERRIDE_JSON; // conflicts with [pricing.override]
      boolean table = line.startsWith("# [pricing.override]") || line.startsWith("# \"");
      uncommented.append(example || table ? line.substring(2) : line).append('\n');
    }

    ProxyConfig config = load(uncommented.toString());

    assertThat(config.apiKey()).contains("your-traccia-api-key");
    assertThat(config.exporterHeaders()).containsOnlyKeys("x-scope-orgid");
    assertThat(config.maxSpansPerSecond()).hasValue(100.0);
    assertThat(config.pricingOverride().models()).containsOnlyKeys("gpt-4o", "my-fine-tune");
  }

  @Test
  void render_namesEveryProxyKeyAndNoApplicationOnlyKey() {
    String template = ConfigTemplate.render();

    for (Setting<?> s : ProxyKeys.ALL) {
      boolean listed =
          template.contains("\n# " + s.name + " = ") || template.contains("\n# [" + s.key + "]");
      if (s.clientOnly() || !s.inFile) {
        assertThat(listed).as(s.key).isFalse();
      } else {
        assertThat(listed).as(s.key).isTrue();
        assertThat(template).contains("[" + s.section + "]");
        for (String env : s.env) {
          assertThat(template).as(s.key).contains(env);
        }
      }
    }
    assertThat(template).doesNotContain("enable_patching").doesNotContain("[runtime]");
  }

  private static Setting<?> settingOf(String line) {
    if (!line.startsWith("# ") || !line.contains(" = ") || line.startsWith("# \"")) {
      return null;
    }
    String name = line.substring(2, line.indexOf(" = "));
    if (!name.matches("[a-z_]+")) {
      return null;
    }
    for (Setting<?> s : ProxyKeys.ALL) {
      if (s.name.equals(name) && !s.clientOnly() && s.inFile) {
        return s;
      }
    }
    return null;
  }
}
