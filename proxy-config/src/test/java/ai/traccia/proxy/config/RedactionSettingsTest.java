/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactionSettingsTest {

  @TempDir Path dir;

  private ProxyConfig load(Map<String, String> env) {
    return ConfigLoader.builder()
        .setEnvironment(env)
        .setWorkingDirectory(dir)
        .setHomeDirectory(dir)
        .build()
        .load();
  }

  private List<String> problems(Map<String, String> env) {
    try {
      load(env);
      throw new AssertionError("expected the configuration to be invalid");
    } catch (ConfigException e) {
      return e.getProblems().stream().map(ConfigProblem::message).collect(Collectors.toList());
    }
  }

  @Test
  void load_defaults() {
    ProxyConfig config = load(Map.of());

    assertThat(config.redactionEnabled()).isFalse();
    assertThat(config.redactionMode()).isEqualTo("mask");
    assertThat(config.redactionPatterns())
        .containsExactly("email", "phone", "card", "ip", "api_key");
    assertThat(config.redactionCustomPatterns()).isEmpty();
    assertThat(config.redactionHashKey()).isEmpty();
    assertThat(config.redactionTruncateLength()).isEqualTo(64);
    assertThat(config.redactionMaxScanChars()).isEqualTo(65_536);
    assertThat(config.genAiCostAttributes()).isFalse();
  }

  @Test
  void load_everyKeyFromTheEnvironment_hashKeyNeverShown() {
    ProxyConfig config =
        load(
            Map.of(
                "TRACCIA_REDACTION_ENABLED", "true",
                "TRACCIA_REDACTION_MODE", "hash",
                "TRACCIA_REDACTION_HASH_KEY", "0123456789abcdef-secret",
                "TRACCIA_REDACTION_CUSTOM_PATTERNS", "{\"ticket\": \"T-[0-9]{6}\"}",
                "TRACCIA_REDACTION_SERVICE_MODES", "{\"billing\": \"drop\", \"eval\": \"off\"}",
                "TRACCIA_REDACTION_ATTRIBUTE_MODES", "{\"app.note\": \"mask\"}"));

    assertThat(config.redactionMode()).isEqualTo("hash");
    assertThat(config.redactionCustomPatterns()).containsEntry("ticket", "T-[0-9]{6}");
    assertThat(config.redactionServiceModes()).containsEntry("billing", "drop");
    assertThat(config.redactionAttributeModes()).containsEntry("app.note", "mask");
    assertThat(config.redactionHashKey()).contains("0123456789abcdef-secret");
    assertThat(String.join("\n", config.describe())).doesNotContain("0123456789abcdef-secret");
    assertThat(config.toString()).doesNotContain("0123456789abcdef-secret");
  }

  @Test
  void load_hashModeWithoutKey_isAnError() {
    assertThat(problems(Map.of("TRACCIA_REDACTION_MODE", "hash")))
        .anySatisfy(p -> assertThat(p).contains("redaction.mode").contains("redaction.hash_key"));
    assertThat(problems(Map.of("TRACCIA_REDACTION_SERVICE_MODES", "{\"a\": \"hash\"}")))
        .anySatisfy(p -> assertThat(p).contains("redaction.hash_key"));
  }

  @Test
  void load_badValues_eachNamed() {
    assertThat(problems(Map.of("TRACCIA_REDACTION_MODE", "scramble")))
        .anySatisfy(p -> assertThat(p).contains("mask, hash, truncate, drop"));
    assertThat(problems(Map.of("TRACCIA_REDACTION_PATTERNS", "email,ssn")))
        .anySatisfy(p -> assertThat(p).contains("built-in patterns"));
    assertThat(problems(Map.of("TRACCIA_REDACTION_SERVICE_MODES", "{\"a\": \"blur\"}")))
        .anySatisfy(p -> assertThat(p).contains("\"blur\" is not"));
    assertThat(problems(Map.of("TRACCIA_REDACTION_ATTRIBUTE_MODES", "[1]")))
        .anySatisfy(p -> assertThat(p).contains("JSON object"));
    assertThat(problems(Map.of("TRACCIA_REDACTION_HASH_KEY", "short")))
        .anySatisfy(p -> assertThat(p).contains("at least 16"));
  }

  @Test
  void load_userPatterns_checked() {
    assertThat(problems(Map.of("TRACCIA_REDACTION_CUSTOM_PATTERNS", "{\"t\": \"[a-\"}")))
        .anySatisfy(p -> assertThat(p).contains("\"t\"").contains("index"));
    assertThat(problems(Map.of("TRACCIA_REDACTION_CUSTOM_PATTERNS", "{\"t\": \"(a+)+b\"}")))
        .anySatisfy(p -> assertThat(p).contains("exponential"));
    assertThat(problems(Map.of("TRACCIA_REDACTION_CUSTOM_PATTERNS", "{\"t\": \"(\\\\w*)*x\"}")))
        .anySatisfy(p -> assertThat(p).contains("exponential").doesNotContain("empty"));
    assertThat(problems(Map.of("TRACCIA_REDACTION_CUSTOM_PATTERNS", "{\"t\": \"(a)\\\\1\"}")))
        .anySatisfy(p -> assertThat(p).contains("back-references"));
    assertThat(problems(Map.of("TRACCIA_REDACTION_CUSTOM_PATTERNS", "{\"t\": \"x?\"}")))
        .anySatisfy(p -> assertThat(p).contains("empty string"));
    assertThat(problems(Map.of("TRACCIA_REDACTION_CUSTOM_PATTERNS", "{\"Bad Name\": \"x\"}")))
        .anySatisfy(p -> assertThat(p).contains("rule names"));
    assertThat(problems(Map.of("TRACCIA_REDACTION_CUSTOM_PATTERNS", "{\"email\": \"x\"}")))
        .anySatisfy(p -> assertThat(p).contains("built-in"));
    String long513 = "{\"t\": \"" + "a".repeat(513) + "\"}";
    assertThat(problems(Map.of("TRACCIA_REDACTION_CUSTOM_PATTERNS", long513)))
        .anySatisfy(p -> assertThat(p).contains("512"));
  }

  @Test
  void redactionJsonObject_keepsOrderAndDecodesStrings() {
    assertThat(ProxyKeys.redactionJsonObject(" {\"b\": \"x\\u00e9\\n\", \"a\": \"hash\"} "))
        .containsExactly(Map.entry("b", "x\u00e9\n"), Map.entry("a", "hash"));
    assertThat(ProxyKeys.redactionJsonObject(" ")).isEmpty();
    assertThat(ProxyKeys.redactionJsonObject("{}")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\": \"hash\",}",
        "{\"a\" \"hash\"}",
        "{\"a\": \"hash\", \"a\": \"mask\"}",
        "{\"a\": \"hash\"} x",
        "{\"a\": \"hash\"} {}",
        "// comment\n{\"a\": \"hash\"}",
        "{\"a\": 1}",
        "{\"a\": null}",
        "{\"a\": {\"b\": \"hash\"}}",
        "[\"hash\"]",
        "\"hash\"",
        "{\"a\": \"hash\"",
      })
  void redactionJsonObject_notAnObjectOfStrings_isNull(String json) {
    assertThat(ProxyKeys.redactionJsonObject(json)).isNull();
  }

  @Test
  void load_malformedRedactionJson_namesKeyValueAndVariable() {
    assertThat(
            problems(
                Map.of("TRACCIA_REDACTION_ATTRIBUTE_MODES", "{\"a\": \"hash\", \"a\": \"mask\"}")))
        .containsExactly(
            "redaction.attribute_modes: {\"a\": \"hash\", \"a\": \"mask\"} (expected: a JSON object of"
                + " names to modes, e.g. {\"gen_ai.input.messages\": \"hash\"}) [env"
                + " TRACCIA_REDACTION_ATTRIBUTE_MODES]");
    assertThat(problems(Map.of("TRACCIA_REDACTION_CUSTOM_PATTERNS", "{\"t\": 1}")))
        .containsExactly(
            "redaction.custom_patterns: {\"t\": 1} (expected: a JSON object of rule names to"
                + " regular expressions, e.g. {\"ticket\": \"T-[0-9]{6}\"}) [env"
                + " TRACCIA_REDACTION_CUSTOM_PATTERNS]");
  }
}
