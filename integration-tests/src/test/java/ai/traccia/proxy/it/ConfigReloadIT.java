/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running proxy reloads its config file on change and on SIGHUP, and keeps a good one; started
 * with SIGHUP ignored (nohup), it says so and still reloads on change.
 */
class ConfigReloadIT {

  private static final Duration WITHIN = Duration.ofSeconds(30);

  /** What the proxy logs at start-up when it cannot receive SIGHUP. */
  private static final String SIGHUP_IGNORED = "SIGHUP is ignored (started under nohup?)";

  @TempDir Path work;
  private ProxyProcess proxy;

  @AfterEach
  void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void reload_appliesAGoodFileAndKeepsRunningOnABadOne() throws Exception {
    Path config = work.resolve("traccia.toml");
    Files.writeString(config, "[logging]\nlevel = \"info\"\n");
    proxy = ProxyProcess.start(work, Map.of(), "--config", config.toString());

    Files.writeString(config, "[logging]\nlevel = \"debug\"\n[tracing]\nsample_rate = 0.5\n");
    await()
        .atMost(WITHIN)
        .untilAsserted(
            () ->
                assertThat(proxy.output())
                    .contains("Configuration reloaded")
                    .contains("logging.level")
                    .contains("tracing.sample_rate"));

    Files.writeString(config, "[logging]\nlevel = \"loud\"\n");
    await()
        .atMost(WITHIN)
        .untilAsserted(
            () ->
                assertThat(proxy.output())
                    .contains("The changed configuration is invalid; the running one is kept")
                    .contains(
                        "logging.level: \"loud\" (expected: one of error, warn, info, debug,"
                            + " trace)"));

    HttpResponse<Void> stillServing =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(proxy.httpEndpoint() + "/v1/traces"))
                    .header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.discarding());
    assertThat(stillServing.statusCode()).isEqualTo(200);
  }

  @Test
  void sighup_reloads() throws Exception {
    Path config = work.resolve("traccia.toml");
    Files.writeString(config, "[logging]\nlevel = \"info\"\n");
    proxy = ProxyProcess.start(work, Map.of(), "--config", config.toString());
    // Under nohup the tests' JVM ignores SIGHUP and so does every process it starts; the proxy
    // then cannot get one, and says so (sighup_underNohupIsReportedAndTheFileWatchStillReloads).
    Assumptions.assumeFalse(
        proxy.output().contains(SIGHUP_IGNORED),
        "SIGHUP is ignored in this process tree (the tests run under nohup?), so the proxy"
            + " cannot receive it; it said so at start-up, and the file-watch reload is tested"
            + " by the other tests of this class");

    proxy.hangUp();

    await()
        .atMost(WITHIN)
        .untilAsserted(
            () -> assertThat(proxy.output()).contains("SIGHUP: reloading the configuration"));
    assertThat(proxy.stop()).isZero();
  }

  @Test
  void sighup_underNohupIsReportedAndTheFileWatchStillReloads() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/nohup")) || Files.isExecutable(Path.of("/bin/nohup")),
        "nohup is not installed here");
    Path config = work.resolve("traccia.toml");
    Files.writeString(config, "[logging]\nlevel = \"info\"\n");
    proxy = ProxyProcess.startUnderNohup(work, Map.of(), "--config", config.toString());

    assertThat(proxy.output()).contains(SIGHUP_IGNORED);
    proxy.hangUp();
    Files.writeString(config, "[logging]\nlevel = \"debug\"\n");

    await()
        .atMost(WITHIN)
        .untilAsserted(
            () ->
                assertThat(proxy.output())
                    .contains("Configuration reloaded")
                    .contains("logging.level"));
    assertThat(proxy.isAlive()).isTrue();
    assertThat(proxy.output()).doesNotContain("SIGHUP: reloading the configuration");
    assertThat(proxy.stop()).isZero();
  }
}
