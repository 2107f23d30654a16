/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorCommandTest {

  @TempDir Path dir;

  private DoctorCommand command(Map<String, String> env) {
    // Pinned, so that the output is the same when the tests themselves run under nohup.
    DoctorCommand command = new DoctorCommand().setHangUpIgnored(() -> false);
    command
        .configOptions()
        .setEnvironment(env)
        .setWorkingDirectory(dir)
        .setHomeDirectory(dir.resolve("home"));
    return command;
  }

  @Test
  void doctor_reportsAnIgnoredSighup() {
    CliRun run = CliRun.run(command(Map.of("PATH", "/bin")).setHangUpIgnored(() -> true));

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains(
            "\nSignals\n"
                + "  [!] SIGHUP is ignored here (started under nohup?): a proxy started the same"
                + " way does not reload on `kill -HUP`. Saving the config file still reloads"
                + " it.\n");
  }

  @Test
  void doctor_zeroConfigIsValid() {
    CliRun run = CliRun.run(command(Map.of("PATH", "/bin")));

    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out())
        .isEqualTo(
            "Traccia Proxy doctor\n"
                + "\n"
                + "Config file\n"
                + "  [i] None found (looked for ./traccia.toml and ~/.traccia/config.toml). That is"
                + " fine: defaults and environment variables apply.\n"
                + "       `traccia-proxy config init` writes a commented template.\n"
                + "\n"
                + "Environment variables (names only)\n"
                + "  [i] No TRACCIA_* or AGENT_DASHBOARD_* variable is set.\n"
                + "\n"
                + "Validation\n"
                + "  [ok] The configuration is valid.\n"
                + "\n"
                + "Summary\n"
                + "  [i] OTLP export: off (neither tracing.endpoint nor tracing.api_key is set)\n"
                + "  [i] API key: not set\n"
                + "  [ok] Exporters: file ("
                + dir.resolve("traces.jsonl")
                + ")\n"
                + "  [ok] Listening on 127.0.0.1: gRPC 4317, HTTP 4318, admin 13133\n"
                + "  [ok] Queue: up to 50000 spans; batches of up to 2048, sent at least every 200"
                + " ms\n"
                + "  [ok] Rate limit: none (every span is accepted)\n"
                + "  [i] Redaction: off\n"
                + "\n"
                + "Result\n"
                + "  [ok] No problems found. Next: `traccia-proxy check` sends an empty export to"
                + " the backend.\n");
  }

  @Test
  void doctor_summaryAndEnvironmentNamesWithoutValues() throws IOException {
    Files.writeString(
        dir.resolve("traccia.toml"),
        "[server]\ngrpc_port = 0\n[rate_limiting]\nmax_spans_per_second = 250\n");

    CliRun run =
        CliRun.run(
            command(
                Map.of(
                    "TRACCIA_API_KEY", "sk-live-secret",
                    "AGENT_DASHBOARD_API_KEY", "sk-old-secret",
                    "TRACCIA_ENABLE_CONSOLE", "true",
                    "TRACCIA_ENV", "prod",
                    "TRACCIA_SERVICE_NAME", "",
                    "TRACCIA_API_URL", "https://x")));

    assertThat(run.exitCode()).isZero();
    assertThat(run.all()).doesNotContain("sk-live-secret").doesNotContain("sk-old-secret");
    assertThat(run.out())
        .contains(
            "Config file\n  [ok] " + dir.resolve("traccia.toml") + "\n",
            "Environment variables (names only)\n"
                + "  [i] AGENT_DASHBOARD_API_KEY is set but another variable for tracing.api_key"
                + " takes precedence\n"
                + "  [ok] TRACCIA_API_KEY sets tracing.api_key\n"
                + "  [i] TRACCIA_API_URL is set; it is not a Traccia Proxy setting\n"
                + "  [ok] TRACCIA_ENABLE_CONSOLE sets exporters.enable_console\n"
                + "  [!] TRACCIA_ENV is ignored by the proxy (see Warnings)\n"
                + "  [i] TRACCIA_SERVICE_NAME is empty, so it counts as unset\n",
            "  [ok] OTLP export: https://api.traccia.ai/v2/traces over http/protobuf, gzip (the"
                + " Traccia platform, because tracing.api_key is set)\n"
                + "  [ok] API key: set (env TRACCIA_API_KEY)\n"
                + "  [ok] Exporters: otlp, console\n"
                + "  [ok] Listening on 127.0.0.1: gRPC a free port, HTTP 4318, admin 13133\n",
            "  [ok] Rate limit: 250.0 spans per second\n",
            "Warnings\n"
                + "  [!] runtime.env: set by TRACCIA_ENV but ignored; the proxy serves many"
                + " applications and cannot give all of them one identity, set it in the"
                + " application's SDK configuration [env TRACCIA_ENV]\n");
  }

  @Test
  void doctor_listsEveryExporterWithItsSignalsAndQueue() throws IOException {
    Files.writeString(
        dir.resolve("traccia.toml"),
        "[tracing]\nendpoint = \"http://collector:4318\"\n"
            + "[exporters]\ndurable_queue_dir = \"q\"\n"
            + "[exporters.otlp.tempo]\n"
            + "endpoint = \"http://tempo:4317\"\n"
            + "protocol = \"grpc\"\n"
            + "signals = [\"traces\"]\n"
            + "durable_queue = true\n"
            + "[exporters.otlp.mimir]\n"
            + "endpoint = \"https://mimir:443/otlp?token=secret\"\n"
            + "signals = [\"metrics\"]\n"
            + "max_queue_size = 100\n");

    CliRun run = CliRun.run(command(Map.of()));

    assertThat(run.exitCode()).isZero();
    assertThat(run.all()).doesNotContain("secret");
    assertThat(run.out())
        .contains("  [ok] Exporters: otlp, otlp/tempo, otlp/mimir\n")
        .contains(
            "  [ok] Exporter otlp: http/protobuf, gzip; signals traces, metrics, logs; queue up to"
                + " 50000 items in memory; timeout 10000 ms, retries for up to 300000 ms\n"
                + "       traces: http://collector:4318/v1/traces\n"
                + "       metrics: http://collector:4318/v1/metrics\n"
                + "       logs: http://collector:4318/v1/logs\n"
                + "  [ok] Exporter otlp/tempo: grpc, gzip; signals traces; queue on disk in "
                + dir.resolve("q").resolve("otlp_tempo")
                + " (up to 1073741824 bytes); timeout 10000 ms, retries for up to 300000 ms\n"
                + "       traces: http://tempo:4317\n"
                + "  [ok] Exporter otlp/mimir: http/protobuf, gzip; signals metrics; queue up to 100"
                + " items in memory; timeout 10000 ms, retries for up to 300000 ms\n"
                + "       metrics: https://mimir:443/otlp/v1/metrics?****\n");
  }

  @Test
  void doctor_listsRedactionRulesWithoutTheKey() throws IOException {
    Files.writeString(
        dir.resolve("traccia.toml"),
        "[redaction]\nenabled = true\nmode = \"hash\"\nhash_key = \"0123456789abcdef-secret\"\n"
            + "patterns = \"email,card\"\n"
            + "custom_patterns = '{\"ticket\": \"T-[0-9]{6}\"}'\n"
            + "service_modes = '{\"billing\": \"drop\"}'\n");

    CliRun run = CliRun.run(command(Map.of()));

    assertThat(run.exitCode()).isZero();
    assertThat(run.all()).doesNotContain("0123456789abcdef-secret");
    assertThat(run.out())
        .contains(
            "  [ok] Redaction: on, mode hash\n"
                + "       patterns (mask): email, card, ticket\n"
                + "       service billing: drop\n"
                + "       truncate_length: 64, max_scan_chars: 65536\n"
                + "       hash key: ****\n");
  }

  @Test
  void doctor_hashModeWithoutKeyIsAProblem() throws IOException {
    Files.writeString(dir.resolve("traccia.toml"), "[redaction]\nmode = \"hash\"\n");

    CliRun run = CliRun.run(command(Map.of()));

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.out()).contains("redaction.hash_key");
  }

  @Test
  void doctor_listsEveryProblemAndFails() throws IOException {
    Files.writeString(
        dir.resolve("traccia.toml"),
        "[rate_limiting]\nmax_queue_size = 0\n[tracng]\nsample_rate = 2\n");

    CliRun run =
        CliRun.run(command(Map.of("TRACCIA_API_KEY", "sk-live-secret", "TRACCIA_USE_OTLP", "on")));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .contains(
            "Environment variables (names only)\n"
                + "  [i] TRACCIA_API_KEY is set (tracing.api_key)\n"
                + "  [i] TRACCIA_USE_OTLP is set (tracing.use_otlp)\n",
            "Validation\n"
                + "  [x] 3 problems, all listed here:\n"
                + "      rate_limiting.max_queue_size: 0 (expected: > 0) [traccia.toml:2:1]\n"
                + "      tracng: (table) (expected: a known section; did you mean tracing?)"
                + " [traccia.toml:3:1]\n"
                + "      tracing.use_otlp: on (expected: true, false, 1, 0, yes or no) [env"
                + " TRACCIA_USE_OTLP]\n",
            "Result\n  [x] 3 problems found. Fix them and run `traccia-proxy doctor` again.\n")
        .doesNotContain("Summary")
        .doesNotContain("sk-live-secret");
  }

  @Test
  void doctor_missingExplicitConfigFile() {
    CliRun run = CliRun.run(command(Map.of()), "--config", "missing.toml");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .contains(
            "  [x] " + dir.resolve("missing.toml") + " does not exist (given with --config).\n")
        .contains(
            "      config_file: missing.toml (expected: an existing, readable file) [--config]\n")
        .contains("  [x] 1 problem found. Fix it and run `traccia-proxy doctor` again.\n");
  }

  @Test
  void doctor_platformWithoutKeyIsFlagged() {
    CliRun run =
        CliRun.run(command(Map.of("TRACCIA_ENDPOINT", "https://api.traccia.ai/v2/traces")));

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains(
            "  [!] API key: not set, but the Traccia platform needs one: set TRACCIA_API_KEY\n");
  }

  @Test
  void doctor_setOptionActsAsAFlag() {
    CliRun run = CliRun.run(command(Map.of()), "--set", "server.admin_port=9999");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("admin 9999");
  }
}
