/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.bench;

import ai.traccia.proxy.codec.FastGzip;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.Deflater;

/**
 * Runs the same OTLP/gRPC load against Traccia Proxy (pass-through and with enrichment) and the
 * OpenTelemetry Collector, side by side in one run, and writes the ratios.
 *
 * <p>Usage (the script {@code benchmarks/run-comparison.sh} builds everything and calls this):
 *
 * <pre>
 * java -cp benchmarks.jar ai.traccia.proxy.bench.Comparison \
 *   --proxy-jar proxy-server/target/traccia-proxy.jar --otelcol PATH --telemetrygen PATH \
 *   --seconds 20 --out benchmarks/results
 * </pre>
 *
 * <p>Each measurement: start a sink, start the target exporting to it, warm up, then send for the
 * given time and read the target's own CPU time (utime + stime from /proc) before and after. Spans
 * per CPU-second is spans that reached the sink divided by the target's CPU seconds. Latency is
 * from the generator's send to the sink's receipt. Every process is stopped at the end.
 */
public final class Comparison {

  private static final String GZIP_PROXY = "gzip as the proxy exports it (in-process, one thread)";

  /**
   * The targets of a full run. {@code proxy-enriched-llm} is every processor on with every span an
   * LLM chat span that reports usage; {@code proxy-enriched} the same with the mixed load (20% LLM
   * spans, half of them without usage, so the proxy counts their tokens). {@code collector-llm} is
   * the Collector given the all-LLM load, the baseline of {@code proxy-enriched-llm}: those spans
   * carry prompts and completions, so every process compresses and copies more per span. A proxy
   * target with the suffix {@code @before} runs with {@code --before-java-opts} instead of {@code
   * --proxy-java-opts}, to compare JVM settings in one run.
   */
  private static final List<String> TARGETS =
      List.of(
          "collector",
          "collector-llm",
          "proxy-passthrough",
          "proxy-enriched-llm",
          "proxy-enriched",
          "proxy-enriched-llm@before");

  private final Map<String, String> options;
  private final Path work;
  private final List<Map<String, Object>> rows = new ArrayList<>();

  private Comparison(Map<String, String> options) throws IOException {
    this.options = options;
    this.work =
        Files.createDirectories(Paths.get(options.getOrDefault("--out", "benchmarks/results")));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    new Comparison(options).run();
  }

  private void run() throws Exception {
    double seconds = Double.parseDouble(options.getOrDefault("--seconds", "20"));
    int spansPerRequest = Integer.parseInt(options.getOrDefault("--spans-per-request", "200"));
    double baseline =
        options.containsKey("--only") ? Double.NaN : protobufBaseline(spansPerRequest, seconds);
    row(
        "protobuf-java decode+encode (in-process, one thread)",
        "-",
        "max",
        null,
        baseline,
        null,
        null,
        null,
        null);
    if (!options.containsKey("--only")) {
      // Both the proxy and the Collector gzip what they export (each one's default); compressing
      // the same bytes once is a floor under any exporter's cost. The proxy's own encoder, and
      // zlib's fastest level for reference.
      row(
          GZIP_PROXY,
          "-",
          "max",
          null,
          inProcess(spansPerRequest, seconds, body -> FastGzip.compress(body).length),
          null,
          null,
          null,
          null);
      row(
          "gzip, zlib level 1 (in-process, one thread)",
          "-",
          "max",
          null,
          zlibBaseline(spansPerRequest, seconds),
          null,
          null,
          null,
          null);
    }

    String[] targets = options.getOrDefault("--only", String.join(",", TARGETS)).split(",");
    // --cases picks loads (fixed rates in spans per second, max, telemetrygen); the report wants
    // all of them.
    for (String load : options.getOrDefault("--cases", "1000,10000,max,telemetrygen").split(",")) {
      for (String target : targets) {
        if (target.endsWith("@before")
            && !List.of(options.getOrDefault("--before-cases", "10000").split(","))
                .contains(load)) {
          continue;
        }
        if (load.equals("telemetrygen")) {
          // telemetrygen sends one load; the Collector row for it is "collector".
          if (options.containsKey("--telemetrygen") && !target.equals("collector-llm")) {
            measureTelemetrygen(target, seconds);
          }
        } else {
          measureOurs(
              target, seconds, spansPerRequest, load.equals("max") ? 0 : Double.parseDouble(load));
        }
      }
    }
    writeReport(baseline);
  }

  /** Spans per CPU-second of protobuf-java alone: decode then encode the same requests. */
  private static double protobufBaseline(int spansPerRequest, double seconds) throws Exception {
    return inProcess(
        spansPerRequest,
        seconds,
        body -> ExportTraceServiceRequest.parseFrom(body).toByteArray().length);
  }

  /** Spans per CPU-second of zlib at {@code Deflater.BEST_SPEED} alone, over the same requests. */
  private static double zlibBaseline(int spansPerRequest, double seconds) throws Exception {
    Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
    byte[] out = new byte[1 << 16];
    try {
      return inProcess(spansPerRequest, seconds, body -> deflate(deflater, body, out));
    } finally {
      deflater.end();
    }
  }

  /** One request's work, returning something the JIT cannot prove unused. */
  private interface Work {
    long apply(byte[] body) throws Exception;
  }

  /**
   * Spans per CPU-second of {@code work} on this thread over the generator's requests, after a
   * warm-up of the JIT as the processes under test are warmed up.
   */
  private static double inProcess(int spansPerRequest, double seconds, Work work) throws Exception {
    List<byte[]> bodies = new ArrayList<>();
    for (ExportTraceServiceRequest r : RequestFactory.create(42).requests(64, spansPerRequest)) {
      bodies.add(r.toByteArray());
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long sink = 0;
    long warmEnd = System.nanoTime() + 5_000_000_000L;
    for (int i = 0; System.nanoTime() < warmEnd; i++) {
      sink += work.apply(bodies.get(i % bodies.size()));
    }
    long cpu0 = threads.getCurrentThreadCpuTime();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long spans = 0;
    for (int i = 0; System.nanoTime() < end; i++) {
      sink += work.apply(bodies.get(i % bodies.size()));
      spans += spansPerRequest;
    }
    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
    if (sink == 42) {
      System.out.println();
    }
    return spans / (cpu / 1e9);
  }

  private static long deflate(Deflater deflater, byte[] body, byte[] out) {
    deflater.reset();
    deflater.setInput(body);
    deflater.finish();
    long total = 0;
    while (!deflater.finished()) {
      total += deflater.deflate(out);
    }
    return total;
  }

  private void measureOurs(String target, double seconds, int spansPerRequest, double rate)
      throws Exception {
    try (Sink sink = Sink.start(0);
        Target process = Target.start(target, sink.port(), options, work)) {
      try (Generator generator =
          allLlm(target)
              ? new Generator("127.0.0.1", process.grpcPort, spansPerRequest, 1.0, 1.0)
              : new Generator(
                  "127.0.0.1",
                  process.grpcPort,
                  spansPerRequest,
                  RequestFactory.DEFAULT_LLM_FRACTION)) {
        Load load = s -> generator.run(s, rate, 16);
        // --warm-rate (spans per second, or max) warms a fixed-rate case up faster than its own
        // rate: at 1,000 spans/s (five calls a second) the per-call paths take many minutes to
        // reach the JIT's top tier. The heap grown at the warm-up rate stays, so peak RSS is then
        // that of the warm-up rate.
        String warmRate = options.get("--warm-rate");
        Load warm =
            warmRate == null || rate == 0
                ? load
                : s ->
                    generator.run(s, warmRate.equals("max") ? 0 : Double.parseDouble(warmRate), 16);
        String label = rate > 0 ? String.format(Locale.ROOT, "%.0f/s", rate) : "max";
        if (warm != load) {
          label += " (warmed up at " + warmRate + (warmRate.equals("max") ? ")" : "/s)");
        }
        measure(target, "ours", label, sink, process, warm, load, seconds);
        System.out.printf(Locale.ROOT, "  refused %d spans%n", generator.refusedSpans.get());
      }
    }
  }

  /**
   * Warms {@code process} up with {@code warm}, runs {@code measured} for {@code seconds}, and adds
   * the row: the spans that reached the sink in that window, per second and per CPU-second of the
   * process, with the warm-up and the JIT's CPU in the window.
   */
  private void measure(
      String target,
      String generator,
      String rate,
      Sink sink,
      Target process,
      Load warm,
      Load measured,
      double seconds)
      throws Exception {
    double warmup = warmUp(process, warm);
    if (warm != measured) {
      warmup += settle(process, measured, 0, rateSettleSeconds());
    }
    awaitQuiet(sink);
    sink.reset();
    long spans0 = sink.spans();
    double cpu0 = process.cpuSeconds();
    double jit0 = process.compilerCpuSeconds();
    long t0 = System.nanoTime();
    measured.run(seconds);
    awaitQuiet(sink);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    double cpu = process.cpuSeconds() - cpu0;
    double jit = process.compilerCpuSeconds() - jit0;
    long spans = sink.spans() - spans0;
    row(
        target,
        generator,
        rate,
        spans / elapsed,
        spans / cpu,
        sink.latencyMillis(0.5),
        sink.latencyMillis(0.99),
        process.peakRssMiB(),
        process.peakHeapMiB());
    rows.get(rows.size() - 1).put("warmup_s", warmup);
    rows.get(rows.size() - 1).put("jit_cpu_s", jit);
    System.out.printf(
        Locale.ROOT,
        "%s %s %s: %d spans in %.1f s, %.2f CPU s%n",
        target,
        generator,
        rate,
        spans,
        elapsed,
        cpu);
  }

  /** A load that runs for the given seconds. */
  private interface Load {
    void run(double seconds) throws Exception;
  }

  /**
   * Warms {@code process} up with {@code load} until the JVM has compiled its hot paths: the {@code
   * --warmup} time, then rounds of {@code --settle-round} seconds (30) until the JIT compiler
   * threads took at most {@code --settled-jit} percent (1) of the process's CPU in {@code
   * --settled-rounds} rounds in a row (2), up to {@code --max-warmup} seconds (600) in all. The
   * compiler works in bursts: one quiet round was followed by a window in which it took 8% of the
   * CPU. The JIT does not settle within a minute or two: with the mixed load at 10,000 spans/s its
   * threads took 11.5% of the proxy's CPU in the second minute, 5% in the third and 0.5 to 2% from
   * the fourth on, and the proxy's CPU for the same load fell by 15% from the second minute to the
   * fourth. A long-running proxy is measured in its steady state, as the Collector (compiled ahead
   * of time) always is; the warm-up's length is in the report. Returns the seconds spent.
   */
  private double warmUp(Target process, Load load) throws Exception {
    double spent = Double.parseDouble(options.getOrDefault("--warmup", "20"));
    double max = Double.parseDouble(options.getOrDefault("--max-warmup", "600"));
    load.run(spent);
    return settle(process, load, spent, max);
  }

  /**
   * After a warm-up at {@code --warm-rate}, the rounds that let the JIT settle at the measured rate
   * as well, up to {@code --max-rate-settle} seconds (300). Warmed up at 10,000 spans/s, the proxy
   * recompiled when the rate fell to 1,000/s (branches and batch sizes change): its compiler
   * threads took 0.28 to 0.55 CPU s of a 72 s window, a seventh to a fifth of the process's CPU.
   */
  private double rateSettleSeconds() {
    return Double.parseDouble(options.getOrDefault("--max-rate-settle", "300"));
  }

  /**
   * Runs {@code load} in {@code --settle-round} rounds until the JIT took at most {@code
   * --settled-jit} percent of the CPU in {@code --settled-rounds} rounds in a row, or until {@code
   * spent} reaches {@code max}; returns {@code spent} plus the seconds run. Targets that are not
   * JVMs get no rounds.
   */
  private double settle(Target process, Load load, double spent, double max) throws Exception {
    double round = Double.parseDouble(options.getOrDefault("--settle-round", "30"));
    double settled = Double.parseDouble(options.getOrDefault("--settled-jit", "1")) / 100;
    int needed = Integer.parseInt(options.getOrDefault("--settled-rounds", "2"));
    for (int quiet = 0; process.isJvm() && spent < max && quiet < needed; ) {
      double jit0 = process.compilerCpuSeconds();
      double cpu0 = process.cpuSeconds();
      double seconds = Math.min(round, max - spent);
      load.run(seconds);
      spent += seconds;
      double jit = process.compilerCpuSeconds() - jit0;
      double cpu = process.cpuSeconds() - cpu0;
      quiet = jit <= settled * cpu ? quiet + 1 : 0;
    }
    return spent;
  }

  private void measureTelemetrygen(String target, double seconds) throws Exception {
    try (Sink sink = Sink.start(0);
        Target process = Target.start(target, sink.port(), options, work)) {
      measure(
          target,
          "telemetrygen",
          "max",
          sink,
          process,
          s -> runTelemetrygen(target, process.grpcPort, s, "warmup"),
          s -> runTelemetrygen(target, process.grpcPort, s, "measure"),
          seconds);
    }
  }

  private void runTelemetrygen(String target, int port, double seconds, String phase)
      throws Exception {
    {
      List<String> cmd = new ArrayList<>();
      cmd.add(options.get("--telemetrygen"));
      cmd.add("traces");
      cmd.add("--otlp-endpoint");
      cmd.add("127.0.0.1:" + port);
      cmd.add("--otlp-insecure");
      cmd.add("--duration");
      cmd.add((int) seconds + "s");
      cmd.add("--rate");
      cmd.add("0");
      cmd.add("--workers");
      cmd.add("2");
      cmd.add("--child-spans");
      cmd.add("9");
      for (int i = 0; i < 10; i++) {
        cmd.add("--telemetry-attributes");
        cmd.add("app.attribute." + i + "=\"value-" + i + "\"");
      }
      Process gen =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(
                  work.resolve("telemetrygen-" + target + "-" + phase + ".log").toFile())
              .start();
      if (!gen.waitFor((long) seconds + 60, TimeUnit.SECONDS)) {
        gen.destroyForcibly();
      }
    }
  }

  /** Waits until the sink has received nothing new for a second (at most 30 s). */
  private static void awaitQuiet(Sink sink) throws InterruptedException {
    long last = -1;
    for (int i = 0; i < 30; i++) {
      long now = sink.spans();
      if (now == last) {
        return;
      }
      last = now;
      TimeUnit.MILLISECONDS.sleep(1000);
    }
  }

  private void row(
      String target,
      String generator,
      String rate,
      Double throughput,
      Double perCpuSecond,
      Double p50,
      Double p99,
      Double rssMiB,
      Double heapMiB) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("target", target);
    row.put("generator", generator);
    row.put("rate", rate);
    row.put("spans_per_s", throughput);
    row.put("spans_per_cpu_s", perCpuSecond);
    row.put("p50_ms", p50);
    row.put("p99_ms", p99);
    row.put("peak_rss_mib", rssMiB);
    row.put("peak_heap_mib", heapMiB);
    rows.add(row);
  }

  private void writeReport(double baseline) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("Run ")
        .append(LocalDateTime.now())
        .append(", ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" CPUs, exporters' compression ")
        .append(options.getOrDefault("--compression", "gzip"))
        .append("\n\n");
    md.append(
        "| target | generator | rate | spans/s | spans per CPU-second | CPU s per million spans | p50 ms | p99 ms | peak RSS MiB | peak heap MiB | warm-up s | JIT CPU s in window |\n");
    md.append(
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Map<String, Object> r : rows) {
      md.append("| ")
          .append(r.get("target"))
          .append(" | ")
          .append(r.get("generator"))
          .append(" | ")
          .append(r.get("rate"))
          .append(" | ")
          .append(fmt(r.get("spans_per_s")))
          .append(" | ")
          .append(fmt(r.get("spans_per_cpu_s")))
          .append(" | ")
          .append(
              r.get("spans_per_cpu_s") == null ? "-" : fmt(1e6 / (Double) r.get("spans_per_cpu_s")))
          .append(" | ")
          .append(fmt(r.get("p50_ms")))
          .append(" | ")
          .append(fmt(r.get("p99_ms")))
          .append(" | ")
          .append(fmt(r.get("peak_rss_mib")))
          .append(" | ")
          .append(fmt(r.get("peak_heap_mib")))
          .append(" | ")
          .append(fmt(r.get("warmup_s")))
          .append(" | ")
          .append(fmt(r.get("jit_cpu_s")))
          .append(" |\n");
    }
    md.append("\nRatios to the Collector of the same run and load:\n\n");
    md.append(
        "| generator | rate | target | against | spans per CPU-second / Collector's | peak RSS /"
            + " Collector's |\n");
    md.append("| --- | --- | --- | --- | ---: | ---: |\n");
    for (Map<String, Object> r : rows) {
      String target = (String) r.get("target");
      Map<String, Object> collector = baseline(target, r.get("generator"), r.get("rate"));
      if (!target.startsWith("proxy") || collector == null) {
        continue;
      }
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s |%n",
              r.get("generator"),
              r.get("rate"),
              target,
              collector.get("target"),
              ratio(r.get("spans_per_cpu_s"), collector.get("spans_per_cpu_s")),
              ratio(r.get("peak_rss_mib"), collector.get("peak_rss_mib"))));
    }
    md.append(
        "\nTargets: pass-through >= 2 at every rate; enriched with LLM spans only >= 1; enriched,"
            + " mixed load >= 2; peak RSS of the enriched proxy at 10000/s <= 2.\n");
    Double pass = perCpu("proxy-passthrough", "ours", "max");
    if (pass != null) {
      md.append(
          String.format(
              Locale.ROOT,
              "%n- pass-through end to end, max rate / protobuf-java decode+encode = %.2f%n",
              pass / baseline));
    }
    Double gzip = perCpu(GZIP_PROXY, "-", "max");
    if (gzip != null) {
      md.append(
          String.format(
              Locale.ROOT,
              "- gzip alone / protobuf-java decode+encode = %.2f (a ceiling for any exporter"
                  + " that compresses)%n",
              gzip / baseline));
    }
    Path out = work.resolve("results.md");
    Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
    System.out.println(md);
    System.out.println("Written to " + out);
  }

  private Double perCpu(String target, String generator, String rate) {
    Map<String, Object> r = find(target, generator, rate);
    return r == null ? null : (Double) r.get("spans_per_cpu_s");
  }

  /** Whether {@code target} gets the all-LLM load (every span an LLM chat span with usage). */
  private static boolean allLlm(String target) {
    return target.equals("collector-llm") || target.startsWith("proxy-enriched-llm");
  }

  /**
   * The Collector row a proxy row is compared with: the Collector on the same load when the run has
   * it, so that the all-LLM enriched proxy is set against the Collector passing the same spans
   * through; otherwise the Collector on the mixed load.
   */
  private Map<String, Object> baseline(String target, Object generator, Object rate) {
    Map<String, Object> same =
        allLlm(target) && !"telemetrygen".equals(generator)
            ? find("collector-llm", generator, rate)
            : null;
    return same != null ? same : find("collector", generator, rate);
  }

  private Map<String, Object> find(String target, Object generator, Object rate) {
    for (Map<String, Object> r : rows) {
      if (r.get("target").equals(target)
          && r.get("generator").equals(generator)
          && r.get("rate").equals(rate)) {
        return r;
      }
    }
    return null;
  }

  private static String ratio(Object a, Object b) {
    if (a == null || b == null || (Double) b == 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.2f", (Double) a / (Double) b);
  }

  private static String fmt(Object value) {
    if (value == null) {
      return "-";
    }
    double d = (Double) value;
    return Double.isNaN(d)
        ? "-"
        : d >= 100 ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%.2f", d);
  }

  /** A process under test, its ports and its resource use. */
  static final class Target implements AutoCloseable {
    final Process process;
    final int grpcPort;
    final Path gcLog;
    final String kind;
    private double peakRss;
    private final Thread sampler;

    private Target(String kind, Process process, int grpcPort, Path gcLog) {
      this.kind = kind;
      this.process = process;
      this.grpcPort = grpcPort;
      this.gcLog = gcLog;
      this.sampler =
          new Thread(
              () -> {
                while (process.isAlive()) {
                  peakRss = Math.max(peakRss, rssMiB());
                  try {
                    TimeUnit.MILLISECONDS.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "rss-sampler");
      sampler.setDaemon(true);
      sampler.start();
    }

    static Target start(String kind, int sinkPort, Map<String, String> options, Path work)
        throws Exception {
      int[] ports = Ports.free(3);
      String file = kind.replace('@', '-');
      Path log = work.resolve(file + ".log");
      Path gcLog = work.resolve(file + "-gc.log");
      Files.deleteIfExists(gcLog);
      ProcessBuilder pb;
      if (kind.startsWith("collector")) {
        Path config = work.resolve("otelcol.yaml");
        Files.writeString(
            config,
            String.join(
                "\n",
                "receivers:",
                "  otlp:",
                "    protocols:",
                "      grpc:",
                "        endpoint: 127.0.0.1:" + ports[0],
                "processors:",
                "  batch: {}",
                "exporters:",
                "  otlp_grpc:",
                "    endpoint: 127.0.0.1:" + sinkPort,
                // --compression none turns the exporters' gzip off in every target, to see the
                // rest of the work without the compressors' (Go's and ours) difference.
                "    compression: " + options.getOrDefault("--compression", "gzip"),
                "    tls:",
                "      insecure: true",
                "service:",
                "  telemetry:",
                "    metrics:",
                "      level: none",
                "    logs:",
                "      level: warn",
                "  pipelines:",
                "    traces:",
                "      receivers: [otlp]",
                "      processors: [batch]",
                "      exporters: [otlp_grpc]",
                ""));
        pb = new ProcessBuilder(options.get("--otelcol"), "--config", config.toString());
      } else {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        // The JVM settings a deployment uses (run-comparison.sh passes the chart's sidecar
        // profile), then any extra ones for a profiling run (--java-opts).
        String jvm =
            kind.endsWith("@before")
                ? options.getOrDefault("--before-java-opts", "")
                : options.getOrDefault("--proxy-java-opts", "");
        for (String opts : new String[] {jvm, options.getOrDefault("--java-opts", "")}) {
          if (!opts.isBlank()) {
            cmd.addAll(List.of(opts.trim().split("\\s+")));
          }
        }
        cmd.add("-Xlog:gc:file=" + gcLog);
        cmd.add("-jar");
        cmd.add(options.get("--proxy-jar"));
        cmd.add("serve");
        cmd.add("--grpc-port=" + ports[0]);
        cmd.add("--http-port=" + ports[1]);
        cmd.add("--admin-port=" + ports[2]);
        pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("TRACCIA_"));
        env.put("TRACCIA_ENDPOINT", "http://127.0.0.1:" + sinkPort);
        env.put("TRACCIA_EXPORTER_PROTOCOL", "grpc");
        env.put("TRACCIA_EXPORTER_COMPRESSION", options.getOrDefault("--compression", "gzip"));
        env.put("TRACCIA_LOG_LEVEL", "warn");
        if (!kind.endsWith("@before")) {
          // The image's environment (MALLOC_ARENA_MAX, for one), as KEY=VALUE,KEY=VALUE.
          for (String pair : options.getOrDefault("--proxy-env", "").split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
              env.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
          }
        }
        boolean enrich = kind.startsWith("proxy-enriched");
        env.put("TRACCIA_ENABLE_TOKEN_COUNTING", Boolean.toString(enrich));
        env.put("TRACCIA_ENABLE_COSTS", Boolean.toString(enrich));
        // Pass-through is the Collector's job here: receive, batch, export, every processor off.
        env.put("TRACCIA_ENABLE_METRICS", Boolean.toString(enrich));
        env.put("TRACCIA_ENABLE_GUARDRAILS", Boolean.toString(enrich));
        // The live page reads every span too; it is part of the default, enriched set-up.
        env.put("TRACCIA_ENABLE_LIVE_PAGE", Boolean.toString(enrich));
      }
      pb.redirectErrorStream(true).redirectOutput(log.toFile());
      Process process = pb.start();
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!accepts(ports[0])) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          process.destroyForcibly();
          throw new IllegalStateException(kind + " did not start; see " + log);
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
      return new Target(kind, process, ports[0], gcLog);
    }

    boolean isJvm() {
      return !kind.startsWith("collector");
    }

    /** CPU time of the JVM's JIT compiler threads (0 for other processes), from /proc. */
    double compilerCpuSeconds() throws IOException {
      long ticks = 0;
      try (DirectoryStream<Path> tasks =
          Files.newDirectoryStream(Paths.get("/proc", Long.toString(process.pid()), "task"))) {
        for (Path task : tasks) {
          try {
            if (Files.readString(task.resolve("comm")).matches("C\\d CompilerThre.*\\s*")) {
              ticks += ticks(Files.readString(task.resolve("stat")));
            }
          } catch (IOException e) {
            // The thread ended.
          }
        }
      }
      return ticks / 100.0;
    }

    private static long ticks(String stat) {
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // Fields 14 and 15 of stat (utime, stime), counted after the command name.
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** The process's user plus system CPU time, from /proc. */
    double cpuSeconds() throws IOException {
      return ticks(Files.readString(Paths.get("/proc", Long.toString(process.pid()), "stat")))
          / 100.0;
    }

    double rssMiB() {
      return statusMiB("VmRSS:");
    }

    /** A size field of /proc/<pid>/status in MiB; 0 once the process is gone. */
    private double statusMiB(String field) {
      try {
        for (String line :
            Files.readAllLines(Paths.get("/proc", Long.toString(process.pid()), "status"))) {
          if (line.startsWith(field)) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
          }
        }
      } catch (IOException | RuntimeException e) {
        // The process is gone.
      }
      return 0;
    }

    /**
     * The process's peak RSS since it started, warm-up included: the kernel's high-water mark
     * (VmHWM), which sees peaks between samples, or the largest sample if that is larger.
     */
    Double peakRssMiB() {
      return Math.max(peakRss, statusMiB("VmHWM:"));
    }

    /** The largest heap in use before a collection, from the GC log; null for non-Java targets. */
    Double peakHeapMiB() throws IOException {
      if (!Files.exists(gcLog)) {
        return null;
      }
      Pattern before = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
      double peak = 0;
      for (String line : Files.readAllLines(gcLog)) {
        Matcher m = before.matcher(line);
        if (m.find()) {
          peak = Math.max(peak, Double.parseDouble(m.group(1)));
        }
      }
      return peak;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      sampler.interrupt();
    }

    private static boolean accepts(int port) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return true;
      } catch (IOException e) {
        return false;
      }
    }
  }
}
