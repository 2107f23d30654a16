/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ui;

import ai.traccia.proxy.server.metrics.SelfMetrics;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The live page of the admin port: {@code /} (the page), {@code /assets/*} (its script, styles and
 * the vendored uPlot chart library with its licence) and a JSON API the page polls:
 *
 * <ul>
 *   <li>{@code /api/traces?service=&agent=&model=&limit=}: the last traces' summaries, newest
 *       first, and the services, agents and models seen, for the filters;
 *   <li>{@code /api/trace?id={traceId}} (also {@code /api/traces/{traceId}}): one trace with its
 *       kept spans;
 *   <li>{@code /api/costs?window=15|60}: cost and tokens per minute by model, service and agent;
 *   <li>{@code /api/status}: pricing in force, unpriced models, exporter health, refusals.
 * </ul>
 *
 * <p>Transport-neutral: {@link #handle} maps a GET's path and query to a {@link Response}, or to
 * nothing for paths it does not serve, so any HTTP server can carry it. Every response carries a
 * Content-Security-Policy that allows no inline script and nothing from elsewhere; the page sets
 * user data (prompts, completions, attribute values) as text only, never as markup. Thread-safe.
 */
public final class LivePage {

  /** The Content-Security-Policy on every response: same-origin script, style and data only. */
  public static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
          + " form-action 'none'";

  /** Where the uPlot WebJar puts its files on the class path. */
  static final String UPLOT = "META-INF/resources/webjars/uplot/" + uplotVersion() + "/";

  private static final String RESOURCES = "ai/traccia/proxy/server/ui/";
  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{1,64}");
  private static final int MAX_LIMIT = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Map<String, Asset> ASSETS =
      Map.of(
          "/",
          new Asset(RESOURCES + "index.html", "text/html; charset=utf-8"),
          "/index.html",
          new Asset(RESOURCES + "index.html", "text/html; charset=utf-8"),
          "/assets/live.js",
          new Asset(RESOURCES + "live.js", "text/javascript; charset=utf-8"),
          "/assets/live.css",
          new Asset(RESOURCES + "live.css", "text/css; charset=utf-8"),
          "/assets/uPlot.iife.min.js",
          new Asset(UPLOT + "dist/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
          "/assets/uPlot.min.css",
          new Asset(UPLOT + "dist/uPlot.min.css", "text/css; charset=utf-8"),
          "/assets/uPlot.LICENSE",
          new Asset(UPLOT + "LICENSE", "text/plain; charset=utf-8"));

  private final LiveTraces traces;
  private final LiveTap tap;
  private final SelfMetrics metrics;
  private final Map<String, byte[]> loaded = new java.util.concurrent.ConcurrentHashMap<>();

  private LivePage(LiveTraces traces, SelfMetrics metrics) {
    this.traces = traces;
    this.tap = new LiveTap(traces);
    this.metrics = metrics;
  }

  /**
   * A live page that keeps at most {@code maxTraces} trace summaries and {@code maxSpans} spans for
   * their trees, and shows the health recorded in {@code metrics}.
   */
  public static LivePage create(int maxTraces, int maxSpans, SelfMetrics metrics) {
    return create(maxTraces, maxSpans, metrics, Clock.systemUTC());
  }

  static LivePage create(int maxTraces, int maxSpans, SelfMetrics metrics, Clock clock) {
    return new LivePage(new LiveTraces(maxTraces, maxSpans, clock), metrics);
  }

  /**
   * Every exact path this page serves, for servers that route by path; {@code /api/traces/{id}} is
   * left out, since {@code /api/trace?id=} answers the same.
   */
  public static List<String> paths() {
    List<String> paths = new ArrayList<>(ASSETS.keySet());
    paths.addAll(List.of("/api/traces", "/api/trace", "/api/costs", "/api/status"));
    paths.sort(null);
    return List.copyOf(paths);
  }

  /** The pipeline stage that feeds this page; goes last before sampling. */
  public LiveTap tap() {
    return tap;
  }

  /** One answer: status, content type, extra headers and body. */
  public record Response(
      int status, String contentType, Map<String, String> headers, byte[] body) {}

  /**
   * Answers a GET (or HEAD) of {@code path} with its decoded {@code query}; empty when this page
   * does not serve the path, so the transport answers 404 as it does for other unknown paths.
   */
  public Optional<Response> handle(String path, Map<String, List<String>> query) {
    Asset asset = ASSETS.get(path);
    if (asset != null) {
      byte[] body = loaded.computeIfAbsent(asset.resource, LivePage::load);
      return Optional.of(response(200, asset.contentType, body, "no-cache"));
    }
    if (path.equals("/api/traces")) {
      int limit = intParam(query, "limit", 100, 1, MAX_LIMIT);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put(
          "traces",
          traces.traces(
              param(query, "service"), param(query, "agent"), param(query, "model"), limit));
      out.put("facets", traces.facets());
      return Optional.of(json(200, out));
    }
    if (path.equals("/api/trace") || path.startsWith("/api/traces/")) {
      String id =
          path.equals("/api/trace")
              ? String.valueOf(param(query, "id"))
              : path.substring("/api/traces/".length());
      Map<String, Object> trace = TRACE_ID.matcher(id).matches() ? traces.trace(id) : null;
      if (trace == null) {
        return Optional.of(json(404, Map.of("error", "no such trace is kept")));
      }
      return Optional.of(json(200, trace));
    }
    if (path.equals("/api/costs")) {
      int window = intParam(query, "window", 15, 1, 60);
      return Optional.of(json(200, traces.costs(window, 6)));
    }
    if (path.equals("/api/status")) {
      Map<String, Object> out = traces.status();
      out.putAll(ProxyHealth.read(metrics.registry()));
      return Optional.of(json(200, out));
    }
    if (path.startsWith("/api/")) {
      return Optional.of(json(404, Map.of("error", "unknown API path")));
    }
    return Optional.empty();
  }

  /** Splits a raw query string ({@code a=1&b=x%20y}) into decoded values; null gives none. */
  public static Map<String, List<String>> parseQuery(String rawQuery) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String key =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
      } catch (IllegalArgumentException e) {
        // A malformed escape: that pair is ignored, as if absent.
      }
    }
    return out;
  }

  private static String param(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    if (values == null || values.isEmpty() || values.get(0).isEmpty()) {
      return null;
    }
    return values.get(0);
  }

  private static int intParam(
      Map<String, List<String>> query, String name, int fallback, int min, int max) {
    String value = param(query, name);
    if (value == null) {
      return fallback;
    }
    try {
      return Math.max(min, Math.min(max, Integer.parseInt(value)));
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static Response json(int status, Object body) {
    try {
      return response(
          status, "application/json; charset=utf-8", JSON.writeValueAsBytes(body), "no-store");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the live page's JSON could not be written", e);
    }
  }

  private static Response response(int status, String type, byte[] body, String cache) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("Referrer-Policy", "no-referrer");
    headers.put("Cache-Control", cache);
    return new Response(status, type, Map.copyOf(headers), body);
  }

  private static byte[] load(String resource) {
    try (InputStream in = LivePage.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The uPlot version the build put on the class path (see the WebJar's pom.properties). */
  private static String uplotVersion() {
    try (InputStream in =
        LivePage.class
            .getClassLoader()
            .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      if (in == null) {
        return "missing";
      }
      java.util.Properties p = new java.util.Properties();
      p.load(in);
      return p.getProperty("version", "missing");
    } catch (IOException e) {
      return "missing";
    }
  }

  private record Asset(String resource, String contentType) {}
}
