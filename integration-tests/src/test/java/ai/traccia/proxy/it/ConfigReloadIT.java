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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The running proxy reloads its config file on change and on SIGHUP, and keeps a good one. */
class ConfigReloadIT {

  private static final Duration WITHIN = Duration.ofSeconds(30);

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

    proxy.hangUp();

    await()
        .atMost(WITHIN)
        .untilAsserted(
            () -> assertThat(proxy.output()).contains("SIGHUP: reloading the configuration"));
    assertThat(proxy.stop()).isZero();
  }
}
