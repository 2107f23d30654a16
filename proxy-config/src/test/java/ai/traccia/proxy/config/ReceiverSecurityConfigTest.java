/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The receiver TLS and authentication keys of {@code [server]}. */
class ReceiverSecurityConfigTest {

  @TempDir Path dir;
  private Path home;
  private Path cert;
  private Path key;
  private Path ca;

  @BeforeEach
  void setUp() throws IOException {
    home = Files.createDirectories(dir.resolve("home"));
    cert = Files.writeString(dir.resolve("tls.crt"), "cert");
    key = Files.writeString(dir.resolve("tls.key"), "key");
    ca = Files.writeString(dir.resolve("ca.crt"), "ca");
  }

  private ConfigLoader.Builder loader(Map<String, String> env) {
    return ConfigLoader.builder()
        .setEnvironment(env)
        .setWorkingDirectory(dir)
        .setHomeDirectory(home);
  }

  private void writeToml(String toml) throws IOException {
    Files.write(dir.resolve("traccia.toml"), toml.getBytes(StandardCharsets.UTF_8));
  }

  private List<String> problems(ConfigLoader.Builder builder) {
    try {
      builder.load();
    } catch (ConfigException e) {
      return e.getProblems().stream().map(ConfigProblem::message).collect(Collectors.toList());
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void defaults_noTlsNoAuth() {
    ProxyConfig config = ProxyConfig.defaults();

    assertThat(config.receiverTlsEnabled()).isFalse();
    assertThat(config.receiverTlsMinVersion()).isEqualTo("1.2");
    assertThat(config.receiverTlsReloadInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.receiverAuthEnabled()).isFalse();
    assertThat(config.receiverAuthTokens()).isEmpty();
    assertThat(config.receiverAuthTenants()).isEmpty();
    assertThat(config.tenantAttribute()).isEqualTo("tenant.id");
  }

  @Test
  void load_fromFile() throws IOException {
    writeToml(
        "[server]\n"
            + "tls_cert_file = \"tls.crt\"\n"
            + "tls_key_file = \"tls.key\"\n"
            + "tls_client_ca_file = \"ca.crt\"\n"
            + "tls_min_version = \"1.3\"\n"
            + "tls_reload_interval_ms = 500\n"
            + "auth_tokens = [\"tok-plain-1\", \"tok-plain-2\"]\n"
            + "auth_tenants = { \"team-a\" = \"tok-a\", \"team-b\" = \" tok-b-old  tok-b-new \" }\n"
            + "tenant_attribute = \"org.id\"\n");

    ProxyConfig config = loader(Collections.emptyMap()).load();

    assertThat(config.receiverTlsEnabled()).isTrue();
    assertThat(config.receiverTlsCertFile()).contains(cert);
    assertThat(config.receiverTlsKeyFile()).contains(key);
    assertThat(config.receiverTlsClientCaFile()).contains(ca);
    assertThat(config.receiverTlsMinVersion()).isEqualTo("1.3");
    assertThat(config.receiverTlsReloadInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.receiverAuthEnabled()).isTrue();
    assertThat(config.receiverAuthTokens()).containsExactly("tok-plain-1", "tok-plain-2");
    assertThat(config.receiverAuthTenants())
        .containsExactly(
            Map.entry("team-a", List.of("tok-a")),
            Map.entry("team-b", List.of("tok-b-old", "tok-b-new")));
    assertThat(config.tenantAttribute()).isEqualTo("org.id");
  }

  @Test
  void load_fromEnvironment() {
    ProxyConfig config =
        loader(
                Map.of(
                    "TRACCIA_AUTH_TOKENS", " tok-1 , tok-2,",
                    "TRACCIA_AUTH_TENANTS", "team-a=tok-a,team-b=tok-b1%20tok-b2"))
            .load();

    assertThat(config.receiverAuthTokens()).containsExactly("tok-1", "tok-2");
    assertThat(config.receiverAuthTenants())
        .containsExactly(
            Map.entry("team-a", List.of("tok-a")),
            Map.entry("team-b", List.of("tok-b1", "tok-b2")));
  }

  @Test
  void describe_neverShowsTokens() throws IOException {
    writeToml(
        "[server]\nauth_tokens = [\"tok-secret-1\", \"tok-secret-2\"]\n"
            + "auth_tenants = { \"team-a\" = \"tok-secret-3\" }\n");

    ProxyConfig config = loader(Collections.emptyMap()).load();

    String described = String.join("\n", config.describe()) + config;
    assertThat(described)
        .doesNotContain("tok-secret")
        .contains("server.auth_tokens: [****, ****] (traccia.toml:2:1)")
        .contains("server.auth_tenants: {team-a=****} (traccia.toml:3:1)");
  }

  @Test
  void load_everyProblemAtOnce() throws IOException {
    writeToml(
        "[server]\n"
            + "tls_key_file = \"tls.key\"\n"
            + "tls_client_ca_file = \"ca.crt\"\n"
            + "tls_min_version = \"1.1\"\n"
            + "tls_reload_interval_ms = -1\n"
            + "auth_tokens = [\"\", \"tok secret\"]\n"
            + "tenant_attribute = \" \"\n");

    assertThat(problems(loader(Map.of("TRACCIA_AUTH_TENANTS", "team-a=,team-b=tok-b", "X", "y"))))
        .containsExactly(
            "server.tls_min_version: \"1.1\" (expected: one of 1.2, 1.3) [traccia.toml:4:1]",
            "server.tls_reload_interval_ms: -1 (expected: >= 0) [traccia.toml:5:1]",
            "server.auth_tokens: **** (expected: non-empty tokens of letters, digits and -._~+/,"
                + " optionally ending in = (RFC 6750)) [traccia.toml:6:1]",
            "server.tenant_attribute: \" \" (expected: a non-empty string) [traccia.toml:7:1]",
            "server.auth_tenants: team-a=****,team-b=**** (expected: for each tenant, one or more"
                + " tokens separated by spaces, each of letters, digits and -._~+/, optionally"
                + " ending in = (RFC 6750)) [env TRACCIA_AUTH_TENANTS]",
            "server.tls_key_file: "
                + key
                + " (expected: set together with server.tls_cert_file, which is not set)"
                + " [traccia.toml:2:1]",
            "server.tls_client_ca_file: "
                + ca
                + " (expected: set only with server.tls_cert_file, which is not set (mutual TLS"
                + " needs TLS)) [traccia.toml:3:1]");
  }

  @Test
  void load_certWithoutKeyAndMissingFile() throws IOException {
    writeToml("[server]\ntls_cert_file = \"tls.crt\"\ntls_client_ca_file = \"missing.crt\"\n");

    assertThat(problems(loader(Collections.emptyMap())))
        .containsExactly(
            "server.tls_client_ca_file: \"missing.crt\" (expected: an existing, readable file)"
                + " [traccia.toml:3:1]",
            "server.tls_cert_file: "
                + cert
                + " (expected: set together with server.tls_key_file, which is not set)"
                + " [traccia.toml:2:1]");
  }

  @Test
  void load_tokenGivenTwice() throws IOException {
    writeToml(
        "[server]\nauth_tokens = [\"tok-1\", \"tok-1\"]\n"
            + "auth_tenants = { \"a\" = \"tok-2\", \"b\" = \"tok-2\" }\n");
    assertThat(problems(loader(Collections.emptyMap())))
        .containsExactly(
            "server.auth_tokens: **** (expected: each token once) [traccia.toml:2:1]",
            "server.auth_tenants: {a=****, b=****} (expected: each token given to one tenant"
                + " only) [traccia.toml:3:1]");

    writeToml("[server]\nauth_tokens = [\"tok-1\"]\nauth_tenants = { \"a\" = \"tok-1\" }\n");
    assertThat(problems(loader(Collections.emptyMap())))
        .containsExactly(
            "server.auth_tenants: {a=****} (expected: tokens not also listed in"
                + " server.auth_tokens) [traccia.toml:3:1]");
  }

  @Test
  void builder_checksValues() {
    assertThatThrownBy(() -> ProxyConfig.builder().setReceiverTlsMinVersion("1.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("server.tls_min_version: 1.0 (expected: one of 1.2, 1.3)");
    assertThatThrownBy(() -> ProxyConfig.builder().setReceiverAuthTokens(List.of("a b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "server.auth_tokens: [****] (expected: non-empty tokens of letters, digits and -._~+/,"
                + " optionally ending in = (RFC 6750))");
    assertThatThrownBy(() -> ProxyConfig.builder().setReceiverTls(cert, null).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "server.tls_cert_file: "
                + cert
                + " (expected: set together with server.tls_key_file, which is not set)");
  }
}
