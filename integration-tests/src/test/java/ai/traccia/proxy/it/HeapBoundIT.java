/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten times the sustainable load against a proxy with a 128 MiB heap: it stays ready, answers only
 * with acceptances and retryable refusals, never runs out of heap, and loses nothing it accepted.
 */
class HeapBoundIT {

  private static final String MAX_HEAP = "128m";
  private static final int RATE = 2_000;
  private static final int SPANS_PER_REQUEST = 1_000;
  private static final int SENDERS = 32;
  private static final Duration LOAD = Duration.ofSeconds(10);

  @TempDir Path work;
  private Process process;

  @AfterEach
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void tenTimesTheSustainableLoad_staysWithinTheHeapAndKeepsServing() throws Exception {
    int[] ports = LocalProcesses.freePorts(3);
    Path log = work.resolve("proxy.log");
    Path gcLog = work.resolve("gc.log");
    List<String> command =
        List.of(
            Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx" + MAX_HEAP,
            "-XX:+ExitOnOutOfMemoryError",
            "-Xlog:gc:file=" + gcLog,
            "-jar",
            ProxyProcess.jar().toString(),
            "serve",
            "--grpc-port=" + ports[0],
            "--http-port=" + ports[1],
            "--admin-port=" + ports[2]);
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("TRACCIA_") || k.startsWith("AGENT_DASHBOARD_"));
    env.put("HOME", work.toString());
    env.put("TRACCIA_MAX_SPANS_PER_SECOND", Integer.toString(RATE));
    process = pb.start();
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    URI readyz = URI.create("http://127.0.0.1:" + ports[2] + "/readyz");
    await().atMost(Duration.ofSeconds(60)).until(() -> status(client, readyz) == 200);

    byte[] body = LoadSupport.request(0, SPANS_PER_REQUEST);
    URI traces = URI.create("http://127.0.0.1:" + ports[1] + "/v1/traces");
    Map<Integer, AtomicLong> answers = new ConcurrentHashMap<>();
    AtomicLong failures = new AtomicLong();
    long end = System.nanoTime() + LOAD.toNanos();
    ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    for (int t = 0; t < SENDERS; t++) {
      senders.execute(
          () -> {
            while (System.nanoTime() - end < 0) {
              try {
                HttpResponse<Void> r =
                    client.send(
                        HttpRequest.newBuilder(traces)
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/x-protobuf")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                        HttpResponse.BodyHandlers.discarding());
                answers.computeIfAbsent(r.statusCode(), k -> new AtomicLong()).incrementAndGet();
              } catch (IOException e) {
                failures.incrementAndGet();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
            }
          });
    }
    senders.shutdown();
    assertThat(senders.awaitTermination(LOAD.toSeconds() + 60, TimeUnit.SECONDS)).isTrue();

    assertThat(process.isAlive()).as("the proxy is still running").isTrue();
    assertThat(status(client, readyz)).isEqualTo(200);
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(output).doesNotContain("OutOfMemoryError");
    assertThat(answers.keySet()).as("answers").isSubsetOf(200, 429, 503);
    assertThat(failures.get()).as("requests without an answer").isZero();
    long offered = 0;
    for (AtomicLong n : answers.values()) {
      offered += n.get() * SPANS_PER_REQUEST;
    }
    long accepted = answers.getOrDefault(200, new AtomicLong()).get() * SPANS_PER_REQUEST;
    assertThat(offered).as("spans offered").isGreaterThanOrEqualTo(10L * RATE * LOAD.toSeconds());

    URI metricsUri = URI.create("http://127.0.0.1:" + ports[2] + "/metrics");
    // Every span the proxy answered 200 for is exported: nothing accepted is lost.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                LoadSupport.counter(
                        text(client, metricsUri), "traccia_proxy_exported_items", "traces")
                    >= accepted);
    String metrics = text(client, metricsUri);
    assertThat(LoadSupport.counter(metrics, "traccia_proxy_accepted_items", "traces"))
        .isEqualTo((double) accepted);
    long peakAfterGc = peakHeapAfterGcMiB(gcLog);
    assertThat(peakAfterGc).isLessThan(128);
    System.out.printf(
        "heap bound: %d spans offered in %d s (%.1f x the %d/s limit), %d accepted, answers %s,"
            + " peak heap after GC %d MiB of %s, 0 accepted spans lost%n",
        offered,
        LOAD.toSeconds(),
        offered / (double) (RATE * LOAD.toSeconds()),
        RATE,
        accepted,
        answers,
        peakAfterGc,
        MAX_HEAP);
  }

  /** The largest heap occupancy after a collection in a {@code -Xlog:gc} file, in MiB. */
  private static long peakHeapAfterGcMiB(Path gcLog) throws IOException {
    Matcher m =
        Pattern.compile("->(\\d+)M\\(\\d+M\\)")
            .matcher(Files.readString(gcLog, StandardCharsets.UTF_8));
    long peak = 0;
    while (m.find()) {
      peak = Math.max(peak, Long.parseLong(m.group(1)));
    }
    return peak;
  }

  private static int status(HttpClient client, URI uri) {
    try {
      return client
          .send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String text(HttpClient client, URI uri) throws Exception {
    return client
        .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
