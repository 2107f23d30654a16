/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.pricing.PriceTable;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PricingCommandTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);

  /** A small LiteLLM file: one chat model, plus entries the proxy does not price. */
  private static final String LITELLM =
      "{\"sample_spec\": {\"litellm_provider\": \"see docs\", \"mode\": \"chat\","
          + " \"input_cost_per_token\": 0.0, \"output_cost_per_token\": 0.0},"
          + " \"gpt-4o\": {\"litellm_provider\": \"openai\", \"mode\": \"chat\","
          + " \"input_cost_per_token\": 2e-06, \"output_cost_per_token\": 8e-06},"
          + " \"text-embedding-3-small\": {\"litellm_provider\": \"openai\","
          + " \"mode\": \"embedding\", \"input_cost_per_token\": 2e-08,"
          + " \"output_cost_per_token\": 0}}";

  @TempDir Path dir;

  private HttpServer server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  private Path cache() {
    return dir.resolve("cache/pricing.json");
  }

  private CliRun run(Map<String, String> env, String... args) {
    PricingCommand command = new PricingCommand().setClock(CLOCK);
    command
        .configOptions()
        .setEnvironment(env)
        .setWorkingDirectory(dir)
        .setHomeDirectory(dir.resolve("home"));
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--set";
    all[args.length + 1] = "pricing.cache_path=" + cache();
    return CliRun.run(command, all);
  }

  private CliRun run(String... args) {
    return run(Map.of(), args);
  }

  private static final String BUNDLED_LINES =
      "Bundled snapshot : 1382 models, prices from 2025-11-21 (368 days old), version"
          + " 2025-11-21.caddc6dd\n"
          + "                   from litellm "
          + PriceTable.UPSTREAM_URL
          + " at caddc6dd0fc26931b3fcc4e91e81a3d90080f3ef\n"
          + "                   file written 2026-11-25T01:05:00Z; the age counts from the"
          + " prices' date, not this one\n";

  @Test
  void status_bundledOnly() {
    CliRun run = run("status");

    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out())
        .isEqualTo(
            BUNDLED_LINES
                + "Local cache      : not present ("
                + cache()
                + ")\n"
                + "                   `traccia-proxy pricing refresh` downloads the latest"
                + " prices\n"
                + "                   into it; until then the bundled snapshot applies.\n"
                + "Overrides        : none in the config, none in TRACCIA_PRICING_OVERRIDE_JSON\n"
                + "Active source    : bundled (1382 models over the bundled table, prices from"
                + " 2025-11-21)\n");
  }

  @Test
  void refresh_fromFileThenStatusShowsCache() throws Exception {
    Files.writeString(dir.resolve("prices.json"), LITELLM);

    CliRun refresh = run("refresh", "--source", "prices.json");

    assertThat(refresh.err()).isEmpty();
    assertThat(refresh.exitCode()).isZero();
    assertThat(refresh.out())
        .isEqualTo(
            "Reading pricing from "
                + dir.resolve("prices.json")
                + " ...\n"
                + "Pricing refreshed: 1 model, prices from 2026-11-25, source litellm.\n"
                + "Saved to: "
                + cache()
                + "\n");
    PriceTable cached = PriceTable.read(cache());
    assertThat(cached.prices()).containsOnlyKeys("gpt-4o");
    assertThat(cached.prices().get("gpt-4o").input()).isEqualByComparingTo("0.000002");

    CliRun status =
        run(
            Map.of(
                "TRACCIA_PRICING_OVERRIDE_JSON",
                "{\"my-model\": {\"prompt\": 1, \"completion\": 2}}"),
            "status");

    assertThat(status.exitCode()).isZero();
    assertThat(status.out())
        .isEqualTo(
            BUNDLED_LINES
                + "Local cache      : 1 model, prices from 2026-11-25 (0 days old), version"
                + " 2026-11-25\n"
                + "                   from litellm "
                + dir.resolve("prices.json").toUri()
                + "\n"
                + "                   file written 2026-11-25T00:00:00Z; the age counts from the"
                + " prices' date, not this one\n"
                + "                   path "
                + cache()
                + "\n"
                + "Overrides        : none in the config, 1 model in"
                + " TRACCIA_PRICING_OVERRIDE_JSON\n"
                + "Active source    : env (2 models over the local_cache table, prices from"
                + " 2026-11-25)\n");
  }

  @Test
  void status_oldCacheSaysItsPricesAreOldNotTheFile() throws Exception {
    PriceTable.parse(
            LITELLM.getBytes(StandardCharsets.UTF_8),
            "prices.json",
            null,
            Instant.parse("2026-11-24T00:00:00Z"))
        .withPricesAsOf(Instant.parse("2026-10-01T00:00:00Z"), null)
        .write(cache());

    CliRun status = run("status");

    assertThat(status.exitCode()).isZero();
    assertThat(status.out())
        .contains(
            "Local cache      : 1 model, prices from 2026-10-01 (55 days old), version"
                + " 2026-10-01\n"
                + "                   from litellm\n"
                + "                   file written 2026-11-24T00:00:00Z; the age counts from the"
                + " prices' date, not this one\n")
        .contains(
            "  WARNING: the cached prices are 55 days old. Run `traccia-proxy pricing refresh`"
                + " to update it.\n");
  }

  @Test
  void refresh_invalidFileKeepsOldCache() throws Exception {
    Files.writeString(dir.resolve("prices.json"), LITELLM);
    assertThat(run("refresh", "--source", "prices.json").exitCode()).isZero();
    byte[] before = Files.readAllBytes(cache());
    Files.writeString(dir.resolve("broken.json"), "{\"gpt-4o\": {\"mode\": \"chat\"}}");

    CliRun run = run("refresh", "--source", "broken.json");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "[x] Invalid pricing table: "
                + dir.resolve("broken.json")
                + ": no model with per-token input and output prices among 1 entries (expected:"
                + " LiteLLM's model_prices_and_context_window.json, or a table written by"
                + " 'traccia-proxy pricing refresh')\n"
                + "    Nothing was changed: the current cache (or the bundled snapshot) stays in"
                + " use.\n");
    assertThat(Files.readAllBytes(cache())).isEqualTo(before);
    try (var files = Files.list(cache().getParent())) {
      assertThat(files).containsExactly(cache());
    }
  }

  @Test
  void refresh_missingFileFails() {
    CliRun run = run("refresh", "--source", "nowhere.json");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("[x] Could not read " + dir.resolve("nowhere.json") + ": ")
        .endsWith(
            ". Check the path given with --source.\n"
                + "    Nothing was changed: the current cache (or the bundled snapshot) stays in"
                + " use.\n");
    assertThat(cache()).doesNotExist();
  }

  @Test
  void refresh_fromLocalHttpServer() throws Exception {
    List<String> agents = new CopyOnWriteArrayList<>();
    String base = serve(Map.of("/prices.json", LITELLM), agents, List.of());

    CliRun run = run("refresh", "--source", base + "/prices.json");

    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .isEqualTo(
            "Downloading pricing from "
                + base
                + "/prices.json ...\n"
                + "Pricing refreshed: 1 model, prices from 2026-11-25, source litellm.\n"
                + "Saved to: "
                + cache()
                + "\n");
    assertThat(PriceTable.read(cache()).sourceUrl()).contains(base + "/prices.json");
    assertThat(agents).containsExactly("traccia-proxy");

    CliRun missing = run("refresh", "--source", base + "/missing.json");

    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err())
        .isEqualTo(
            "[x] "
                + base
                + "/missing.json returned HTTP 404 (expected: 200).\n"
                + "    Nothing was changed: the current cache (or the bundled snapshot) stays in"
                + " use.\n");
    assertThat(PriceTable.read(cache()).prices()).containsOnlyKeys("gpt-4o");
  }

  @Test
  void refresh_fromPlatformSendsKeyAndEtag() throws Exception {
    String table =
        "{\"generated_at\": \"2026-11-24T12:00:00Z\", \"source\": \"platform\","
            + " \"models\": {\"gpt-4o\": {\"prompt\": 0.0025, \"completion\": 0.01}}}";
    List<String> authorizations = new CopyOnWriteArrayList<>();
    String base = serve(Map.of("/v1/pricing/latest", table), authorizations, List.of("v7"));
    Map<String, String> env = Map.of("TRACCIA_API_URL", base + "/", "TRACCIA_API_KEY", "sk-test");

    CliRun first = run(env, "refresh", "--source", "platform");

    assertThat(first.err()).isEmpty();
    assertThat(first.out())
        .isEqualTo(
            "Downloading pricing from the Traccia platform ("
                + base
                + "/v1/pricing/latest) ...\n"
                + "Pricing refreshed: 1 model, prices from 2026-11-24, source platform.\n"
                + "Saved to: "
                + cache()
                + "\n");
    assertThat(PriceTable.read(cache()).etag()).contains("v7");
    assertThat(PriceTable.read(cache()).prices().get("gpt-4o").input())
        .isEqualByComparingTo("0.0000025");

    CliRun second = run(env, "refresh");

    assertThat(second.exitCode()).isZero();
    assertThat(second.out()).endsWith("Pricing is already up to date (not modified).\n");
    assertThat(authorizations).containsExactly("Bearer sk-test|null", "Bearer sk-test|\"v7\"");
  }

  @Test
  void clear_deletesCache() throws Exception {
    Files.writeString(dir.resolve("prices.json"), LITELLM);
    assertThat(run("refresh", "--source", "prices.json").exitCode()).isZero();

    CliRun clear = run("clear");

    assertThat(clear.exitCode()).isZero();
    assertThat(clear.out())
        .isEqualTo(
            "Local pricing cache cleared ("
                + cache()
                + ").\n"
                + "The bundled snapshot applies until the next `traccia-proxy pricing refresh`.\n");
    assertThat(cache()).doesNotExist();

    CliRun again = run("clear");

    assertThat(again.exitCode()).isZero();
    assertThat(again.out()).isEqualTo("No local pricing cache found (" + cache() + ").\n");
  }

  @Test
  void status_invalidCacheIsReported() throws Exception {
    Files.createDirectories(cache().getParent());
    Files.writeString(cache(), "not json");

    CliRun run = run("status");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("Local cache      : INVALID, ignored (" + cache() + ")\n")
        .contains("                   " + cache() + ": not valid JSON (")
        .contains("Active source    : bundled (1382 models over the bundled table");
  }

  @Test
  void pricing_withoutSubcommandIsUsageError() {
    CliRun run = CliRun.run(new PricingCommand());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("Missing subcommand: status, refresh or clear\n");
  }

  /**
   * Serves {@code bodies} by path on 127.0.0.1; records the User-Agent, or with an ETag list, the
   * Authorization and If-None-Match headers, and answers 304 when If-None-Match matches.
   */
  private String serve(Map<String, String> bodies, List<String> seen, List<String> etags)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            var headers = exchange.getRequestHeaders();
            if (etags.isEmpty()) {
              seen.add(headers.getFirst("User-Agent"));
            } else {
              seen.add(headers.getFirst("Authorization") + "|" + headers.getFirst("If-None-Match"));
            }
            String body = bodies.get(exchange.getRequestURI().getPath());
            if (body == null) {
              exchange.sendResponseHeaders(404, -1);
              return;
            }
            if (!etags.isEmpty()) {
              String etag = "\"" + etags.get(0) + "\"";
              if (etag.equals(headers.getFirst("If-None-Match"))) {
                exchange.sendResponseHeaders(304, -1);
                return;
              }
              exchange.getResponseHeaders().add("ETag", etag);
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(bytes);
            }
          }
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }
}
