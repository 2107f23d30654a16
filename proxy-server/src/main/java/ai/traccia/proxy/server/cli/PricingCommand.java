/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import ai.traccia.proxy.config.ConfigException;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pricing.PriceBooks;
import ai.traccia.proxy.pricing.PriceTable;
import ai.traccia.proxy.pricing.PricingFormatException;
import ai.traccia.proxy.pricing.PricingInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code pricing status | refresh [--source ...] | clear}: shows which pricing table is in force,
 * downloads a newer one into the local cache, or deletes the cache.
 *
 * <p>{@code refresh} reads the whole new table and validates it before it replaces the cache,
 * atomically; any failure leaves the old cache as it was. Output goes to the command line's out and
 * err writers. Exit codes: 0 on success (and for a cache already up to date), 1 when the
 * configuration is invalid or a refresh or clear fails, 2 for a usage error. Blocks on the network
 * and the file system; one instance serves one invocation.
 */
@Command(
    name = "pricing",
    mixinStandardHelpOptions = true,
    description = "Shows, refreshes or clears the pricing table used to compute llm.cost.usd.")
public final class PricingCommand implements Callable<Integer> {

  /** The Traccia platform's API, whose {@code /v1/pricing/latest} serves a pricing table. */
  static final String PLATFORM_API = "https://api.traccia.ai";

  static final String PLATFORM_PATH = "/v1/pricing/latest";

  private static final String USER_AGENT = "traccia-proxy";

  @Spec private CommandSpec spec;

  @Mixin private ConfigOptions configOptions = new ConfigOptions();

  private Clock clock = Clock.systemUTC();
  private Duration timeout = Duration.ofSeconds(30);

  /** Creates the command; picocli calls this. */
  public PricingCommand() {}

  /** The shared options, to replace the environment and directories in tests. */
  public ConfigOptions configOptions() {
    return configOptions;
  }

  /** Replaces the clock that ages and timestamps are computed with (for tests). */
  PricingCommand setClock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** Without a subcommand: a usage error (exit code 2). */
  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "Missing subcommand: status, refresh or clear");
  }

  /** Prints the bundled snapshot, the local cache and the table in force. Exit code 0. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Shows the bundled snapshot, the local cache (path, age, model count) and which table"
              + " is in force.")
  int status(@Mixin ConfigOptions statusOptions) {
    ConfigOptions options = configOptions.overriddenBy(statusOptions);
    PrintWriter out = spec.commandLine().getOut();
    ProxyConfig config = load(options);
    if (config == null) {
      return 1;
    }
    Instant now = clock.instant();
    PriceTable bundled = PriceTable.bundled();
    out.println("Bundled snapshot : " + describe(bundled, now));
    out.println("                   from " + origin(bundled));
    out.println(written(bundled));
    Path cache = config.pricingCachePath();
    if (!Files.exists(cache)) {
      out.println("Local cache      : not present (" + cache + ")");
      out.println("                   `traccia-proxy pricing refresh` downloads the latest prices");
      out.println("                   into it; until then the bundled snapshot applies.");
    } else {
      try {
        PriceTable table = PriceTable.read(cache);
        out.println("Local cache      : " + describe(table, now));
        out.println("                   from " + origin(table));
        out.println(written(table));
        out.println("                   path " + cache);
        long age = age(table, now);
        if (age > 30) {
          out.println(
              "  WARNING: the cached prices are "
                  + age
                  + " days old. Run `traccia-proxy pricing refresh` to update it.");
        } else if (age > 7) {
          out.println(
              "  Note: the cached prices are "
                  + age
                  + " days old. Consider running `traccia-proxy pricing refresh`.");
        }
      } catch (IOException | PricingFormatException e) {
        out.println("Local cache      : INVALID, ignored (" + cache + ")");
        out.println("                   " + problem(e, cache));
        out.println(
            "                   Run `traccia-proxy pricing refresh` to rewrite it, or"
                + " `traccia-proxy pricing clear`.");
      }
    }
    out.println(
        "Overrides        : "
            + count(config.pricingOverride().models().size())
            + " in the config, "
            + count(config.pricingOverrideFromEnv().models().size())
            + " in TRACCIA_PRICING_OVERRIDE_JSON");
    PricingInfo info = PriceBooks.fromSettings(config.pricingSettings(), clock).info();
    out.println(
        "Active source    : "
            + info.source().label()
            + " ("
            + models(info.modelCount())
            + " over the "
            + info.baseSource().label()
            + " table, prices from "
            + info.generatedAt().map(PricingCommand::day).orElse("unknown")
            + ")");
    out.flush();
    return 0;
  }

  /** Downloads or reads a table, validates it and replaces the cache with it. */
  @Command(
      name = "refresh",
      mixinStandardHelpOptions = true,
      description = {
        "Downloads the latest prices into the local cache. The new table is validated before it"
            + " replaces the cache; a failed refresh leaves the cache as it was.",
        "Without --source: the Traccia platform when tracing.api_key is set (falling back to"
            + " upstream), else upstream."
      })
  int refresh(
      @Option(
              names = "--source",
              paramLabel = "upstream|platform|FILE_OR_URL",
              description =
                  "upstream: LiteLLM's price file on GitHub; platform: the Traccia platform"
                      + " (TRACCIA_API_URL or https://api.traccia.ai, with tracing.api_key);"
                      + " or a file or http(s) URL holding a LiteLLM file, a platform table or a"
                      + " table written by this command.")
          String source,
      @Mixin ConfigOptions refreshOptions) {
    ConfigOptions options = configOptions.overriddenBy(refreshOptions);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ProxyConfig config = load(options);
    if (config == null) {
      return 1;
    }
    Path cache = config.pricingCachePath();
    String platform =
        Optional.ofNullable(options.environment().get("TRACCIA_API_URL"))
                .filter(s -> !s.isBlank())
                .orElse(PLATFORM_API)
                .replaceAll("/+$", "")
            + PLATFORM_PATH;
    Fetched fetched;
    try {
      if (source == null && config.apiKey().isPresent()) {
        try {
          fetched = fromPlatform(out, platform, config, cache);
        } catch (RefreshException e) {
          err.println("  " + e.getMessage());
          out.println("  Falling back to the upstream pricing source ...");
          fetched = fromUrl(out, PriceTable.UPSTREAM_URL, true);
        }
      } else if (source == null || source.equalsIgnoreCase("upstream")) {
        fetched = fromUrl(out, PriceTable.UPSTREAM_URL, true);
      } else if (source.equalsIgnoreCase("platform")) {
        fetched = fromPlatform(out, platform, config, cache);
      } else if (isUrl(source)) {
        fetched = fromUrl(out, source, false);
      } else {
        fetched = fromFile(out, options.workingDirectory().resolve(source).normalize());
      }
    } catch (RefreshException e) {
      err.println("[x] " + e.getMessage());
      err.println(
          "    Nothing was changed: the current cache (or the bundled snapshot) stays in use.");
      err.flush();
      return 1;
    }
    if (fetched == null) {
      out.println("Pricing is already up to date (not modified).");
      out.flush();
      return 0;
    }
    PriceTable table = fetched.table;
    try {
      table.write(cache);
    } catch (IOException e) {
      err.println("[x] Could not write the pricing cache " + cache + ": " + e);
      err.println(
          "    Check that the directory is writable, or set pricing.cache_path to another file."
              + " The old cache, if any, is unchanged.");
      err.flush();
      return 1;
    }
    if (table.skippedInvalidEntries() > 0) {
      out.println(
          "  Left out "
              + table.skippedInvalidEntries()
              + " entries with invalid prices; every other model was kept.");
    }
    out.println(
        "Pricing refreshed: "
            + models(table.modelCount())
            + ", prices from "
            + day(table.effectiveDate())
            + ", source "
            + table.source()
            + ".");
    out.println("Saved to: " + cache);
    out.flush();
    return 0;
  }

  /** Deletes the cache, so that the bundled snapshot applies. */
  @Command(
      name = "clear",
      mixinStandardHelpOptions = true,
      description = "Deletes the local pricing cache; the bundled snapshot then applies.")
  int clear(@Mixin ConfigOptions clearOptions) {
    ConfigOptions options = configOptions.overriddenBy(clearOptions);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ProxyConfig config = load(options);
    if (config == null) {
      return 1;
    }
    Path cache = config.pricingCachePath();
    try {
      if (Files.deleteIfExists(cache)) {
        out.println("Local pricing cache cleared (" + cache + ").");
        out.println("The bundled snapshot applies until the next `traccia-proxy pricing refresh`.");
      } else {
        out.println("No local pricing cache found (" + cache + ").");
      }
    } catch (IOException e) {
      err.println("[x] Could not delete the pricing cache " + cache + ": " + e);
      err.println("    Check the file's permissions; delete it by hand if needed.");
      err.flush();
      return 1;
    }
    out.flush();
    return 0;
  }

  private ProxyConfig load(ConfigOptions options) {
    try {
      return options.loaderBuilder().load();
    } catch (ConfigException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("[x] " + e.getMessage());
      err.flush();
      return null;
    }
  }

  private Fetched fromFile(PrintWriter out, Path file) throws RefreshException {
    out.println("Reading pricing from " + file + " ...");
    out.flush();
    byte[] body;
    try {
      body = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new RefreshException(
          "Could not read " + file + ": " + e + ". Check the path given with --source.");
    }
    return new Fetched(parse(body, file.toString(), file.toUri().toString(), false));
  }

  private Fetched fromUrl(PrintWriter out, String url, boolean upstream) throws RefreshException {
    out.println("Downloading pricing from " + url + " ...");
    out.flush();
    HttpResponse<byte[]> response = send(request(url).build(), url);
    if (response.statusCode() != 200) {
      throw new RefreshException(
          url + " returned HTTP " + response.statusCode() + " (expected: 200).");
    }
    return new Fetched(parse(response.body(), url, url, upstream));
  }

  private Fetched fromPlatform(PrintWriter out, String url, ProxyConfig config, Path cache)
      throws RefreshException {
    out.println("Downloading pricing from the Traccia platform (" + url + ") ...");
    out.flush();
    HttpRequest.Builder request = request(url);
    config.apiKey().ifPresent(key -> request.header("Authorization", "Bearer " + key));
    currentEtag(cache).ifPresent(etag -> request.header("If-None-Match", "\"" + etag + "\""));
    HttpResponse<byte[]> response = send(request.build(), url);
    if (response.statusCode() == 304) {
      return null;
    }
    if (response.statusCode() != 200) {
      String hint =
          response.statusCode() == 401 || response.statusCode() == 403
              ? " Check tracing.api_key (TRACCIA_API_KEY)."
              : "";
      throw new RefreshException(
          "The platform returned HTTP "
              + response.statusCode()
              + " for "
              + url
              + " (expected: 200)."
              + hint);
    }
    PriceTable table = parse(response.body(), url, url, false);
    Optional<String> etag = response.headers().firstValue("ETag");
    if (etag.isPresent()) {
      table = table.withEtag(etag.get().replaceFirst("^W/", "").replace("\"", ""));
    }
    return new Fetched(table);
  }

  private static Optional<String> currentEtag(Path cache) {
    try {
      return Files.exists(cache) ? PriceTable.read(cache).etag() : Optional.empty();
    } catch (IOException | PricingFormatException e) {
      return Optional.empty(); // a broken cache is replaced unconditionally
    }
  }

  private HttpRequest.Builder request(String url) throws RefreshException {
    try {
      return HttpRequest.newBuilder(URI.create(url))
          .timeout(timeout)
          .header("User-Agent", USER_AGENT)
          .header("Accept", "application/json")
          .GET();
    } catch (IllegalArgumentException e) {
      throw new RefreshException(
          "--source: " + url + " is not a valid URL (" + e.getMessage() + ").");
    }
  }

  private HttpResponse<byte[]> send(HttpRequest request, String url) throws RefreshException {
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new RefreshException(
          "Could not reach "
              + url
              + ": "
              + e
              + ". Check the network, a proxy, or pass --source FILE with a downloaded copy.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RefreshException("Interrupted while downloading " + url + ".");
    }
  }

  private PriceTable parse(byte[] body, String origin, String sourceUrl, boolean upstream)
      throws RefreshException {
    Instant now = clock.instant();
    try {
      PriceTable table = PriceTable.parse(body, origin, sourceUrl, now);
      // The upstream file on its main branch is as new as the download.
      return upstream ? table.withPricesAsOf(now, null) : table;
    } catch (PricingFormatException e) {
      throw new RefreshException("Invalid pricing table: " + e.getMessage());
    }
  }

  private static boolean isUrl(String source) {
    String s = source.toLowerCase(Locale.ROOT);
    return s.startsWith("http://") || s.startsWith("https://");
  }

  // Two dates are shown, and only one of them matters: the prices' date (the upstream commit that
  // last changed them, or the download), which ages and warnings count from; and when the file
  // itself was written, which is later and says nothing about how current the prices are.
  private static String describe(PriceTable table, Instant now) {
    long age = age(table, now);
    return models(table.modelCount())
        + ", prices from "
        + day(table.effectiveDate())
        + " ("
        + age
        + (age == 1 ? " day" : " days")
        + " old), version "
        + table.snapshotVersion().orElse("none");
  }

  private static String written(PriceTable table) {
    return "                   file written "
        + table.generatedAt()
        + "; the age counts from the prices' date, not this one";
  }

  private static String origin(PriceTable table) {
    return table.source()
        + table.sourceUrl().map(u -> " " + u).orElse("")
        + table.sourceRevision().map(r -> " at " + r).orElse("");
  }

  private static long age(PriceTable table, Instant now) {
    return Math.max(0, Duration.between(table.effectiveDate(), now).toDays());
  }

  private static String day(Instant instant) {
    return instant.toString().substring(0, 10);
  }

  private static String count(int models) {
    return models == 0 ? "none" : models(models);
  }

  private static String models(int models) {
    return models == 1 ? "1 model" : models + " models";
  }

  private static String problem(Exception e, Path file) {
    return e instanceof PricingFormatException
        ? e.getMessage()
        : file + ": cannot be read (" + e + ")";
  }

  /** A table to write; null stands for "not modified". */
  private static final class Fetched {
    final PriceTable table;

    Fetched(PriceTable table) {
      this.table = table;
    }
  }

  /** A refresh that failed, with a message for the user. */
  private static final class RefreshException extends Exception {
    private static final long serialVersionUID = 1L;

    RefreshException(String message) {
      super(message);
    }
  }
}
