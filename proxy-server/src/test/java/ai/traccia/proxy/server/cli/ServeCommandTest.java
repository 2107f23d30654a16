/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.config.ConfigKey;
import ai.traccia.proxy.config.ProxyConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {

  @TempDir Path dir;

  private ServeCommand command(Map<String, String> env) {
    ServeCommand serve = new ServeCommand();
    serve.configOptions.setEnvironment(env).setWorkingDirectory(dir).setHomeDirectory(dir);
    return serve;
  }

  @Test
  void invalidConfiguration_listsEveryProblemAndStartsNothing() {
    CliRun run =
        CliRun.run(
            command(Map.of("TRACCIA_SAMPLE_RATE", "1.5", "TRACCIA_MAX_QUEUE_SIZE", "0")),
            "--grpc-port",
            "70000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "traccia-proxy: the configuration is invalid; nothing was started.\n"
                + "  tracing.sample_rate: 1.5 (expected: a number from 0 to 1) [env"
                + " TRACCIA_SAMPLE_RATE]\n"
                + "  rate_limiting.max_queue_size: 0 (expected: > 0) [env TRACCIA_MAX_QUEUE_SIZE]\n"
                + "  server.grpc_port: 70000 (expected: an integer from 0 to 65535; 0 picks a free"
                + " port) [--grpc-port]\n");
  }

  // Issue "Hostile input and exposure", case 8: doctor passed configurations that serve refused.
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "TRACCIA_ENDPOINT=http://127.0.0.1:1/v1/traces?token=sk-live-secret"
            + "|TRACCIA_API_KEY=sk-live-secret|TRACCIA_EXPORTER_HEADERS=authorization=Bearer%20sk-x",
        "TRACCIA_ENDPOINT=http://127.0.0.1:1?token=sk-live-secret|TRACCIA_EXPORTER_PROTOCOL=grpc",
        "TRACCIA_ENDPOINT=http://127.0.0.1:1/v1/traces|TRACCIA_EXPORTER_PROTOCOL=grpc",
        "TRACCIA_API_KEY=sk-live-secret|TRACCIA_EXPORTER_PROTOCOL=grpc",
        "TRACCIA_ENDPOINT=http://127.0.0.1:1?token=sk-live-secret|TRACCIA_EXPORTER_PROTOCOL=grpc"
            + "|TRACCIA_EXPORTER_HEADERS=grpc-timeout=1S",
      })
  void invalidExporterSettings_serveAndDoctorRefuseWithTheSameMessage(String variables) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (String variable : variables.split("\\|")) {
      int eq = variable.indexOf('=');
      env.put(variable.substring(0, eq), variable.substring(eq + 1));
    }

    CliRun serve = CliRun.run(command(env));
    DoctorCommand doctorCommand = new DoctorCommand();
    doctorCommand
        .configOptions()
        .setEnvironment(env)
        .setWorkingDirectory(dir)
        .setHomeDirectory(dir.resolve("home"));
    CliRun doctor = CliRun.run(doctorCommand);

    assertThat(serve.exitCode()).isEqualTo(2);
    assertThat(doctor.exitCode()).isEqualTo(1);
    String[] lines = serve.err().split("\n");
    assertThat(lines[0])
        .isEqualTo("traccia-proxy: the configuration is invalid; nothing was started.");
    assertThat(lines).hasSizeGreaterThan(1);
    for (int i = 1; i < lines.length; i++) {
      assertThat(doctor.out()).contains("      " + lines[i].trim() + "\n");
    }
    assertThat(serve.all() + doctor.all()).doesNotContain("sk-live-secret");
  }

  @Test
  void missingConfigFile_isAnError() {
    CliRun run = CliRun.run(command(Map.of()), "--config", dir.resolve("nope.toml").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("nope.toml");
  }

  @Test
  void unreadableCaFile_isReportedBeforeListening() {
    CliRun run =
        CliRun.run(
            command(
                Map.of(
                    "TRACCIA_ENDPOINT", "https://127.0.0.1:1",
                    "TRACCIA_EXPORTER_PROTOCOL", "grpc")),
            "--set",
            "exporters.ca_file=" + dir.resolve("missing-ca.pem"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("exporters.ca_file").contains("missing-ca.pem");
  }

  @Test
  void anyKeyAsAFlag_validatedWithASuggestion() {
    CliRun run = CliRun.run(command(Map.of()), "--max-queue-size=0", "--max-queue-sise", "5");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("rate_limiting.max_queue_size: 0 (expected: > 0) [--max-queue-size]")
        .contains("max-queue-sise")
        .contains("did you mean");
  }

  @Test
  void keyFlags_valuesWithAndWithoutEquals() {
    assertThat(
            ServeCommand.keyFlags(
                java.util.List.of("--enable-console", "--max-queue-size", "10", "--debug=false")))
        .containsExactly(
            Map.entry("enable-console", "true"),
            Map.entry("max-queue-size", "10"),
            Map.entry("debug", "false"));
  }

  @Test
  void help_listsEveryKeyWithItsDefaultAndVariables() {
    CliRun run = CliRun.run(command(Map.of()), "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--max-queue-size=INT");
    // The same help, wide enough that picocli does not break lines inside a value.
    String help =
        new CommandLine(command(Map.of()))
            .setUsageHelpWidth(2000)
            .getUsageMessage()
            .replaceAll("\\s+", " ");
    int flags = 0;
    for (ConfigKey key : ConfigKey.proxyKeys()) {
      if (key.flag().isEmpty()) {
        continue;
      }
      flags++;
      assertThat(help)
          .as(key.key())
          .contains(key.flag().get() + (key.isBoolean() ? "[=BOOL]" : "=" + key.valueLabel()))
          .contains(key.key() + "; default: " + key.defaultValue());
      for (String variable : key.environmentVariables()) {
        assertThat(help).as(key.key()).contains(variable);
      }
    }
    assertThat(flags).isGreaterThan(50);
    assertThat(help)
        .contains("--grpc-port=INT")
        .contains("server.grpc_port; default: 4317; env: TRACCIA_GRPC_PORT)")
        .contains("--exporter-protocol=grpc|http/protobuf")
        .contains("--set=KEY=VALUE");
  }

  @Test
  void generatedOptions_goThroughTheLoaderAboveTheEnvironment() {
    ServeCommand serve = command(Map.of("TRACCIA_MAX_QUEUE_SIZE", "5", "TRACCIA_DEBUG", "false"));

    new CommandLine(serve)
        .parseArgs("--max-queue-size", "1234", "--debug", "--admin-bind-address=", "--grpc-port=0");
    ProxyConfig config = serve.configOptions.loaderBuilder().load();

    assertThat(config.maxQueueSize()).isEqualTo(1234);
    assertThat(config.origin("rate_limiting.max_queue_size")).isEqualTo("--max-queue-size");
    assertThat(config.debug()).isTrue();
    assertThat(config.origin("logging.debug")).isEqualTo("--debug");
    assertThat(config.grpcPort()).isZero();
    assertThat(config.origin("server.admin_bind_address")).isEqualTo("--admin-bind-address");
    assertThat(serve.otherFlags).isEmpty();
  }

  @Test
  void generatedOption_badValueIsTheLoadersError() {
    CliRun run = CliRun.run(command(Map.of()), "--sample-rate", "2", "--debug", "maybe");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("tracing.sample_rate: 2 (expected: a number from 0 to 1) [--sample-rate]")
        .contains("logging.debug: maybe (expected:")
        .contains("[--debug]");
  }

  @Test
  void unknownFlag_isAnErrorWithASuggestion() {
    CliRun run = CliRun.run(command(Map.of()), "--grpc-prot", "4317");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "--grpc-prot: 4317 (expected: a known option; did you mean --grpc-port?)"
                + " [--grpc-prot]");
  }

  @Test
  void doctor_takesTheGeneratedOptionsToo() {
    DoctorCommand doctor = new DoctorCommand();
    doctor.configOptions().setEnvironment(Map.of()).setWorkingDirectory(dir).setHomeDirectory(dir);

    new CommandLine(doctor).parseArgs("--max-queue-size", "77");

    assertThat(doctor.configOptions().loaderBuilder().load().maxQueueSize()).isEqualTo(77);
  }
}
