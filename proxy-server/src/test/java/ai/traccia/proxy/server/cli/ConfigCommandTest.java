/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.config.ConfigTemplate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {

  @TempDir Path dir;

  private ConfigCommand command(Map<String, String> env) {
    ConfigCommand command = new ConfigCommand();
    command
        .configOptions()
        .setEnvironment(env)
        .setWorkingDirectory(dir)
        .setHomeDirectory(dir.resolve("home"));
    return command;
  }

  private DoctorCommand doctor() {
    DoctorCommand command = new DoctorCommand();
    command
        .configOptions()
        .setEnvironment(Map.of())
        .setWorkingDirectory(dir)
        .setHomeDirectory(dir.resolve("home"));
    return command;
  }

  @Test
  void init_writesTheTemplate() throws IOException {
    CliRun run = CliRun.run(command(Map.of()), "init");

    Path written = dir.resolve("traccia.toml");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .isEqualTo(
            "[ok] Wrote "
                + written
                + "\n"
                + "     Every setting in it is commented out and shows its default.\n"
                + "\n"
                + "Next steps:\n"
                + "  1. Set tracing.endpoint to your OTLP backend, or tracing.api_key for the"
                + " Traccia platform (or TRACCIA_ENDPOINT / TRACCIA_API_KEY in the environment).\n"
                + "  2. Run `traccia-proxy doctor` to check the configuration.\n"
                + "  3. Run `traccia-proxy check` to test the connection to the backend.\n");
    assertThat(run.err()).isEmpty();
    assertThat(Files.readString(written)).isEqualTo(ConfigTemplate.render());
  }

  @Test
  void init_thenDoctorIsClean() {
    assertThat(CliRun.run(command(Map.of()), "init").exitCode()).isZero();

    CliRun doctor = CliRun.run(doctor());

    assertThat(doctor.exitCode()).isZero();
    assertThat(doctor.out())
        .contains("  [ok] " + dir.resolve("traccia.toml"))
        .contains("  [ok] The configuration is valid.")
        .contains("  [ok] No problems found.");
  }

  @Test
  void init_refusesToOverwrite() throws IOException {
    Path existing = Files.writeString(dir.resolve("traccia.toml"), "[server]\n");

    CliRun run = CliRun.run(command(Map.of()), "init");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo(
            "[x] "
                + existing
                + " already exists; nothing was written.\n"
                + "    Use --force to overwrite it, or --config PATH to write somewhere else.\n");
    assertThat(Files.readString(existing)).isEqualTo("[server]\n");
  }

  @Test
  void init_forceOverwrites() throws IOException {
    Path existing = Files.writeString(dir.resolve("traccia.toml"), "[server]\n");

    CliRun run = CliRun.run(command(Map.of()), "init", "--force");

    assertThat(run.exitCode()).isZero();
    assertThat(Files.readString(existing)).isEqualTo(ConfigTemplate.render());
  }

  @Test
  void init_configPathAfterOrBeforeTheSubcommand() throws IOException {
    CliRun after = CliRun.run(command(Map.of()), "init", "--config", "conf/proxy.toml");
    CliRun before = CliRun.run(command(Map.of()), "--config", "other.toml", "init");

    assertThat(after.exitCode()).isZero();
    assertThat(after.out())
        .contains("Wrote " + dir.resolve("conf/proxy.toml"))
        .contains("`traccia-proxy doctor --config conf/proxy.toml`")
        .contains("`traccia-proxy check --config conf/proxy.toml`");
    assertThat(Files.exists(dir.resolve("conf/proxy.toml"))).isTrue();
    assertThat(before.exitCode()).isZero();
    assertThat(Files.exists(dir.resolve("other.toml"))).isTrue();
    assertThat(Files.exists(dir.resolve("traccia.toml"))).isFalse();
  }

  @Test
  void init_unwritableLocation() throws IOException {
    Files.writeString(dir.resolve("blocker"), "a file, not a directory");

    CliRun run = CliRun.run(command(Map.of()), "init", "--config", "blocker/traccia.toml");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("[x] Could not write " + dir.resolve("blocker/traccia.toml") + ": ")
        .endsWith("    Check that the directory exists and is writable.\n");
  }

  @Test
  void config_withoutSubcommandIsAUsageError() {
    CliRun run = CliRun.run(command(Map.of()));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("Missing subcommand: init or show\nUsage: config");
  }

  @Test
  void show_printsEveryValueWithOriginAndHidesSecrets() throws IOException {
    Files.writeString(dir.resolve("traccia.toml"), "[rate_limiting]\nmax_queue_size = 9000\n");

    CliRun run =
        CliRun.run(
            command(Map.of("TRACCIA_API_KEY", "sk-live-secret", "TRACCIA_ENV", "prod")), "show");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .startsWith(
            "# Config file: "
                + dir.resolve("traccia.toml")
                + "; environment variables used: TRACCIA_API_KEY\n")
        .contains("rate_limiting.max_queue_size: 9000 (traccia.toml:2:1)\n")
        .contains("tracing.api_key: **** (env TRACCIA_API_KEY)\n")
        .contains("server.grpc_port: 4317 (default)\n");
    assertThat(run.err())
        .isEqualTo(
            "[!] runtime.env: set by TRACCIA_ENV but ignored; the proxy serves many applications"
                + " and cannot give all of them one identity, set it in the application's SDK"
                + " configuration [env TRACCIA_ENV]\n");
    assertThat(run.all()).doesNotContain("sk-live-secret");
  }

  @Test
  void show_invalidConfiguration() throws IOException {
    Files.writeString(
        dir.resolve("traccia.toml"), "[server]\nhttp_port = -1\n", StandardCharsets.UTF_8);

    CliRun run = CliRun.run(command(Map.of()), "show");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "[x] Invalid configuration (1 problem):\n"
                + "  - server.http_port: -1 (expected: an integer from 0 to 65535; 0 picks a free"
                + " port) [traccia.toml:2:1]\n");
  }
}
