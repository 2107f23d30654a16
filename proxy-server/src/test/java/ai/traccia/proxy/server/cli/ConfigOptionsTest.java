/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigOptionsTest {

  @TempDir Path dir;

  @Test
  void loaderBuilder_usesConfigFileSetValuesEnvironmentAndDirectories() throws IOException {
    Files.writeString(dir.resolve("proxy.toml"), "[server]\nhttp_port = 5000\n");
    ConfigOptions options =
        new ConfigOptions()
            .setEnvironment(Map.of("TRACCIA_ADMIN_PORT", "6000"))
            .setWorkingDirectory(dir)
            .setHomeDirectory(dir);
    new CommandLine(options)
        .parseArgs(
            "--config", "proxy.toml", "--set", "server.grpc_port=7000", "--set", "debug=true");

    ProxyConfig config = options.loaderBuilder().load();

    assertThat(options.configFile()).isEqualTo(Path.of("proxy.toml"));
    assertThat(options.flags()).containsOnlyKeys("server.grpc_port", "debug");
    assertThat(config.httpPort()).isEqualTo(5000);
    assertThat(config.adminPort()).isEqualTo(6000);
    assertThat(config.grpcPort()).isEqualTo(7000);
    assertThat(config.debug()).isTrue();
    assertThat(config.origin("server.grpc_port")).isEqualTo("--server.grpc_port");
    assertThat(config.origin("server.http_port")).isEqualTo("proxy.toml:2:1");
  }

  @Test
  void overriddenBy_subcommandValuesWin() {
    ConfigOptions parent =
        new ConfigOptions().setWorkingDirectory(dir).setEnvironment(Map.of("A", "1"));
    new CommandLine(parent).parseArgs("--config", "a.toml", "--set", "x=1", "--set", "y=1");
    ConfigOptions sub = new ConfigOptions();
    new CommandLine(sub).parseArgs("--set", "y=2");

    ConfigOptions merged = parent.overriddenBy(sub);

    assertThat(merged.configFile()).isEqualTo(Path.of("a.toml"));
    assertThat(merged.flags()).containsEntry("x", "1").containsEntry("y", "2");
    assertThat(merged.environment()).containsEntry("A", "1");
    assertThat(merged.workingDirectory()).isEqualTo(dir);
  }
}
