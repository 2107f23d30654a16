/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void withDefaultCommand_noArgumentsServes() {
    assertThat(Main.withDefaultCommand(new String[0])).containsExactly("serve");
  }

  @Test
  void withDefaultCommand_optionsAloneServe() {
    assertThat(Main.withDefaultCommand(new String[] {"--grpc-port", "0", "--http-port=0"}))
        .containsExactly("serve", "--grpc-port", "0", "--http-port=0");
  }

  @Test
  void withDefaultCommand_optionsBeforeASubcommandMoveAfterIt() {
    assertThat(Main.withDefaultCommand(new String[] {"--config", "x.toml", "doctor"}))
        .containsExactly("doctor", "--config", "x.toml");
    assertThat(Main.withDefaultCommand(new String[] {"--config=x.toml", "config", "init"}))
        .containsExactly("config", "--config=x.toml", "init");
  }

  @Test
  void withDefaultCommand_subcommandFirstIsLeftAlone() {
    assertThat(Main.withDefaultCommand(new String[] {"check", "--endpoint", "http://h:4318"}))
        .containsExactly("check", "--endpoint", "http://h:4318");
  }

  @Test
  void withDefaultCommand_topLevelHelpAndVersion() {
    assertThat(Main.withDefaultCommand(new String[] {"--version"})).containsExactly("--version");
    assertThat(Main.withDefaultCommand(new String[] {"-h"})).containsExactly("-h");
  }

  @Test
  void version_printsTheBuiltVersion() {
    CliRun run = CliRun.run(new Main(), "--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("traccia-proxy " + Main.version());
    assertThat(Main.version()).isNotEqualTo("unknown");
  }

  @Test
  void help_listsTheSubcommands() {
    CliRun run = CliRun.run(new Main(), "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("serve").contains("config").contains("doctor").contains("check");
  }
}
