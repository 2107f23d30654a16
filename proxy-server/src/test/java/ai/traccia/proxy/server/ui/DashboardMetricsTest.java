/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.server.export.ExportListener;
import ai.traccia.proxy.server.export.ExportRequest;
import ai.traccia.proxy.server.export.ExportResult;
import ai.traccia.proxy.server.export.Exporter;
import ai.traccia.proxy.server.export.RetryingExporter;
import ai.traccia.proxy.server.ratelimit.SpanRateLimiter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every metric and label the shipped Grafana dashboards query exists on {@code /metrics} after a
 * real run: agent traces through the serve pipeline, a refused request, a late span, and an
 * exporter that keeps failing (retries, then gives up).
 */
class DashboardMetricsTest {

  static final Path DASHBOARDS = Path.of("..", "helm", "traccia-proxy", "dashboards");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern GROUPING =
      Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
  private static final Pattern SELECTOR = Pattern.compile("\\{([^}]*)\\}");
  private static final Pattern MATCHER =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)\\s*\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![$\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");
  private static final Pattern LABEL_VALUES =
      Pattern.compile(
          "label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*([a-zA-Z_]\\w*)\\s*\\)");
  private static final Set<String> KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "bool",
          "and",
          "or",
          "unless",
          "offset");

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private LiveFixture proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    scheduler.shutdownNow();
  }

  @Test
  void dashboards_queryOnlyMetricsAndLabelsTheProxyServes() throws Exception {
    Map<String, Set<String>> served = metricsAfterARealRun();

    List<String> problems = new ArrayList<>();
    int queries = 0;
    for (Path file : dashboardFiles()) {
      JsonNode board = JSON.readTree(file.toFile());
      for (String expr : expressions(board)) {
        queries++;
        problems.addAll(check(file.getFileName() + ": " + expr, expr, served));
      }
      for (JsonNode variable : board.path("templating").path("list")) {
        String query = variable.path("query").path("query").asText(variable.path("query").asText());
        Matcher m = LABEL_VALUES.matcher(query);
        while (m.find()) {
          queries++;
          Set<String> labels = served.get(m.group(1));
          if (labels == null || !labels.contains(m.group(2))) {
            problems.add(file.getFileName() + ": variable " + query + ": not on /metrics");
          }
        }
      }
    }
    assertThat(queries).isGreaterThan(30);
    assertThat(problems).isEmpty();
  }

  @Test
  void dashboards_areProvisionableAndUseTheDatasourceVariable() throws Exception {
    Set<String> uids = new HashSet<>();
    for (Path file : dashboardFiles()) {
      JsonNode board = JSON.readTree(file.toFile());
      assertThat(uids.add(board.path("uid").asText())).as(file + " uid").isTrue();
      assertThat(board.path("title").asText()).startsWith("Traccia Proxy");
      for (JsonNode panel : board.path("panels")) {
        if (!panel.path("type").asText().equals("row")) {
          assertThat(panel.path("datasource").path("uid").asText())
              .as(file + ": " + panel.path("title"))
              .isEqualTo("${datasource}");
        }
      }
    }
    assertThat(uids).hasSize(2);
  }

  /** The problems of one expression: metrics not served, labels none of its metrics has. */
  static List<String> check(String where, String expr, Map<String, Set<String>> served) {
    Set<String> labels = new HashSet<>();
    Matcher grouping = GROUPING.matcher(expr);
    while (grouping.find()) {
      for (String label : grouping.group(1).split(",")) {
        if (!label.isBlank()) {
          labels.add(label.trim());
        }
      }
    }
    String rest = GROUPING.matcher(expr).replaceAll(" ");
    Matcher selector = SELECTOR.matcher(rest);
    while (selector.find()) {
      Matcher matcher = MATCHER.matcher(selector.group(1));
      while (matcher.find()) {
        labels.add(matcher.group(1));
      }
    }
    rest = SELECTOR.matcher(rest).replaceAll(" ");
    rest = rest.replaceAll("\\[[^]]*]", " ").replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ");
    Set<String> metrics = new HashSet<>();
    Matcher id = IDENTIFIER.matcher(rest);
    while (id.find()) {
      if (!KEYWORDS.contains(id.group(1))) {
        metrics.add(id.group(1));
      }
    }
    List<String> problems = new ArrayList<>();
    if (metrics.isEmpty()) {
      problems.add(where + ": no metric found in the expression");
    }
    Set<String> available = new HashSet<>();
    for (String metric : metrics) {
      Set<String> has = served.get(metric);
      if (has == null) {
        problems.add(where + ": metric " + metric + " is not on /metrics");
      } else {
        available.addAll(has);
      }
    }
    for (String label : labels) {
      if (!available.contains(label)) {
        problems.add(where + ": label " + label + " is on none of " + metrics);
      }
    }
    return problems;
  }

  @Test
  void check_findsUnknownMetricsAndLabels() {
    Map<String, Set<String>> served =
        Map.of("up_total", Set.of("job"), "x_bucket", Set.of("le", "job"));
    assertThat(check("t", "sum by (job) (rate(up_total{job=~\"$j\"}[$__rate_interval]))", served))
        .isEmpty();
    assertThat(check("t", "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))", served))
        .isEmpty();
    assertThat(check("t", "sum by (model) (rate(up_total[1m]))", served))
        .containsExactly("t: label model is on none of [up_total]");
    assertThat(check("t", "rate(down_total{job=\"a\"}[1m])", served))
        .contains("t: metric down_total is not on /metrics");
  }

  private Map<String, Set<String>> metricsAfterARealRun() throws Exception {
    Exporter failing =
        new Exporter() {
          @Override
          public String name() {
            return "unreachable";
          }

          @Override
          public CompletableFuture<ExportResult> export(ExportRequest request) {
            return CompletableFuture.completedFuture(
                ExportResult.retryable("connection refused", null));
          }

          @Override
          public CompletableFuture<Void> shutdown() {
            return CompletableFuture.completedFuture(null);
          }
        };
    proxy = new LiveFixture(List.of(retrying(failing)));
    proxy.sendAgentTraces();
    // A span of a trace whose summary was written: counted as late.
    long now = System.currentTimeMillis() * 1_000_000L;
    proxy.send(
        LiveFixture.request(
            "support-bot",
            LiveFixture.span(LiveFixture.id(16, 1), 9, 1, "late tool call", now, 5).build()));
    // A body that is not protobuf: refused.
    HttpResponse<String> refused =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + proxy.server.httpPort() + "/v1/traces"))
                    .header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, 1, 2}))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(400);
    // Over a rate limit: refused with its spans.
    proxy.server.updateRateLimit(0.001, Duration.ZERO, SpanRateLimiter.Policy.REFUSE);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                proxy.sendForStatus(
                        LiveFixture.request(
                            "support-bot",
                            LiveFixture.span(LiveFixture.id(16, 7), 70, 0, "over the limit", now, 1)
                                .build()))
                    == 429);
    proxy.server.flush(Duration.ofSeconds(5));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                proxy.metrics.counterValue(
                        "traccia_proxy_export_failed_items",
                        "signal",
                        "traces",
                        "exporter",
                        "unreachable",
                        "reason",
                        "gave_up")
                    > 0);
    String text = proxy.get("/metrics").body();
    Map<String, Set<String>> served = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
      Set<String> labels = served.computeIfAbsent(name, n -> new HashSet<>());
      if (brace >= 0 && brace < space) {
        Matcher m = Pattern.compile("([a-zA-Z_]\\w*)=\"").matcher(line.substring(brace));
        while (m.find()) {
          labels.add(m.group(1));
        }
      }
    }
    return served;
  }

  private Exporter retrying(Exporter delegate) {
    return RetryingExporter.builder(delegate)
        .setInitialBackoff(Duration.ofMillis(5))
        .setMaxBackoff(Duration.ofMillis(10))
        .setMaxElapsedTime(Duration.ofMillis(50))
        .setScheduler(scheduler)
        .setListener(
            new ExportListener() {
              @Override
              public void onRetry(ExportRequest request, ExportResult result, Duration delay) {
                proxy.metrics.exportRetried(delegate.name());
              }
            })
        .build();
  }

  static List<Path> dashboardFiles() throws java.io.IOException {
    try (Stream<Path> files = Files.list(DASHBOARDS)) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
  }

  private static List<String> expressions(JsonNode board) {
    List<String> out = new ArrayList<>();
    for (JsonNode panel : board.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        if (target.hasNonNull("expr")) {
          out.add(target.path("expr").asText());
        }
      }
      for (JsonNode inner : panel.path("panels")) {
        for (JsonNode target : inner.path("targets")) {
          out.add(target.path("expr").asText());
        }
      }
    }
    return out;
  }
}
