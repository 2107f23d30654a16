/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.bench;

import io.grpc.CallOptions;
import io.grpc.Codec;
import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Every attack on the receivers at once against the real proxy jar, with the image's JVM flags
 * ({@code -Xmx512m -XX:+ExitOnOutOfMemoryError}) and default settings, while a well-behaved client
 * keeps exporting; reports the proxy's peak heap and RSS, whether it survived, and how the
 * well-behaved client fared. Targets 127.0.0.1 only and stops by itself.
 *
 * <pre>
 * java -Xmx1g -cp benchmarks/target/benchmarks.jar ai.traccia.proxy.bench.HostileLoad \
 *   --proxy-jar proxy-server/target/traccia-proxy.jar --seconds 45 --out benchmarks/results
 * </pre>
 *
 * <p>Attacks, each kept up for the whole run: 1000 HTTP requests that declare a 64 MiB body and
 * send none ({@code slow}); 16 concurrent HTTP gzip bombs, 1 MiB inflating to 1 GiB ({@code
 * http-bomb}); 16 concurrent gRPC gzip bombs of the same size ({@code grpc-bomb}); 4 concurrent 60
 * MiB gRPC exports ({@code grpc-large}); gRPC calls with invalid gzip ({@code grpc-invalid}).
 * {@code --attacks} picks some (comma-separated); all by default.
 */
public final class HostileLoad {

  private static final MethodDescriptor<byte[], byte[]> EXPORT = Sink.EXPORT;

  private HostileLoad() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    long seconds = Long.parseLong(options.getOrDefault("--seconds", "45"));
    java.util.Set<String> attacks =
        java.util.Set.of(
            options
                .getOrDefault("--attacks", "slow,http-bomb,grpc-bomb,grpc-large,grpc-invalid")
                .split(","));
    Path out = Paths.get(options.getOrDefault("--out", "benchmarks/results"));
    Files.createDirectories(out);
    Path gcLog = out.resolve("hostile-gc.log");
    Path log = out.resolve("hostile-proxy.log");
    Files.deleteIfExists(gcLog);

    System.err.println("Preparing the bombs ...");
    byte[] bomb = gzipZeros(1L << 30);
    byte[] large = new byte[60 << 20];
    byte[] good = goodRequest();

    try (Sink sink = Sink.start(0)) {
      int[] ports = Ports.free(3);
      List<String> cmd = new ArrayList<>();
      cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx512m");
      cmd.add("-XX:+ExitOnOutOfMemoryError");
      cmd.add("-Xlog:gc:file=" + gcLog);
      cmd.add("-jar");
      cmd.add(options.getOrDefault("--proxy-jar", "proxy-server/target/traccia-proxy.jar"));
      cmd.add("serve");
      cmd.add("--grpc-port=" + ports[0]);
      cmd.add("--http-port=" + ports[1]);
      cmd.add("--admin-port=" + ports[2]);
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().keySet().removeIf(k -> k.startsWith("TRACCIA_"));
      pb.environment().put("TRACCIA_ENDPOINT", "http://127.0.0.1:" + sink.port());
      pb.environment().put("TRACCIA_EXPORTER_PROTOCOL", "grpc");
      pb.environment().put("TRACCIA_LOG_LEVEL", "warn");
      pb.redirectErrorStream(true).redirectOutput(log.toFile());
      Process proxy = pb.start();
      try {
        awaitPort(proxy, ports[0]);
        awaitPort(proxy, ports[1]);
        Result result = attack(proxy, ports[0], ports[1], seconds, attacks, bomb, large, good);
        boolean alive = proxy.isAlive();
        String report =
            String.format(
                "attacks: %s%n"
                    + "proxy alive after %d s of attacks: %s (exit %s)%n"
                    + "peak RSS %.0f MiB; heap (-Xmx512m): peak before a GC %.0f MiB,"
                    + " peak left after a young or full GC %.0f MiB, full GCs %d%n"
                    + "well-behaved HTTP exports: %d ok, %d retryable (503/429), %d other%n"
                    + "well-behaved gRPC exports: %d ok, %d retryable (UNAVAILABLE), %d other%n"
                    + "attack answers: %s%n",
                new java.util.TreeSet<>(attacks),
                seconds,
                alive,
                alive ? "-" : Integer.toString(proxy.exitValue()),
                result.peakRssMiB,
                peakHeapMiB(gcLog, 1),
                peakHeapMiB(gcLog, 2),
                fullCollections(gcLog),
                result.httpOk.get(),
                result.httpRetry.get(),
                result.httpOther.get(),
                result.grpcOk.get(),
                result.grpcRetry.get(),
                result.grpcOther.get(),
                result.answers);
        System.out.print(report);
        Files.writeString(out.resolve("hostile.txt"), report);
      } finally {
        proxy.destroy();
        if (!proxy.waitFor(30, TimeUnit.SECONDS)) {
          proxy.destroyForcibly();
        }
      }
    }
  }

  private static final class Result {
    final AtomicLong httpOk = new AtomicLong();
    final AtomicLong httpRetry = new AtomicLong();
    final AtomicLong httpOther = new AtomicLong();
    final AtomicLong grpcOk = new AtomicLong();
    final AtomicLong grpcRetry = new AtomicLong();
    final AtomicLong grpcOther = new AtomicLong();
    final Map<String, AtomicLong> answers = new java.util.concurrent.ConcurrentSkipListMap<>();
    volatile double peakRssMiB;

    void answer(String what) {
      answers.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }
  }

  private static Result attack(
      Process proxy,
      int grpcPort,
      int httpPort,
      long seconds,
      java.util.Set<String> attacks,
      byte[] bomb,
      byte[] large,
      byte[] good)
      throws Exception {
    Result result = new Result();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ManagedChannel grpc =
        NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    // Sends bytes already gzip-compressed as they are, marked gzip.
    CompressorRegistry passThrough = CompressorRegistry.newEmptyInstance();
    passThrough.register(new PreCompressed());
    passThrough.register(Codec.Identity.NONE);
    ManagedChannel bombs =
        NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
            .usePlaintext()
            .compressorRegistry(passThrough)
            .build();
    ExecutorService pool = Executors.newCachedThreadPool();
    ConcurrentLinkedQueue<Socket> slow = new ConcurrentLinkedQueue<>();
    try {
      // Slow requests: opened again as the proxy times them out.
      pool.submit(
          () -> {
            while (attacks.contains("slow") && System.nanoTime() < end) {
              slow.removeIf(Socket::isClosed);
              while (slow.size() < 1000 && System.nanoTime() < end) {
                try {
                  Socket s = new Socket();
                  s.connect(new InetSocketAddress("127.0.0.1", httpPort), 2000);
                  s.getOutputStream()
                      .write(
                          ("POST /v1/traces HTTP/1.1\r\nHost: proxy\r\n"
                                  + "Content-Type: application/x-protobuf\r\n"
                                  + "Content-Length: 67108864\r\n\r\n")
                              .getBytes(StandardCharsets.ISO_8859_1));
                  slow.add(s);
                } catch (IOException e) {
                  result.answer("slow request: " + e.getClass().getSimpleName());
                  break;
                }
              }
              for (Socket s : slow) {
                try {
                  if (s.getInputStream().available() > 0 || !s.isConnected()) {
                    result.answer("slow request: answered");
                    s.close();
                  }
                } catch (IOException e) {
                  quietClose(s);
                }
              }
              TimeUnit.MILLISECONDS.sleep(200);
            }
            return null;
          });
      for (int i = 0; i < 16; i++) {
        pool.submit(
            () -> {
              while (attacks.contains("http-bomb") && System.nanoTime() < end) {
                try {
                  HttpResponse<Void> r =
                      http.send(
                          HttpRequest.newBuilder(
                                  URI.create("http://127.0.0.1:" + httpPort + "/v1/traces"))
                              .header("Content-Type", "application/x-protobuf")
                              .header("Content-Encoding", "gzip")
                              .timeout(Duration.ofSeconds(60))
                              .POST(HttpRequest.BodyPublishers.ofByteArray(bomb))
                              .build(),
                          HttpResponse.BodyHandlers.discarding());
                  result.answer("http gzip bomb: " + r.statusCode());
                } catch (IOException e) {
                  result.answer("http gzip bomb: " + e.getClass().getSimpleName());
                }
              }
              return null;
            });
        if (attacks.contains("grpc-bomb")) {
          pool.submit(() -> grpcLoop(bombs, bomb, "gzip", end, result, "grpc gzip bomb"));
        }
      }
      for (int i = 0; i < 4 && attacks.contains("grpc-large"); i++) {
        pool.submit(() -> grpcLoop(grpc, large, null, end, result, "grpc 60 MiB export"));
      }
      if (attacks.contains("grpc-invalid")) {
        pool.submit(
            () ->
                grpcLoop(
                    bombs,
                    "not gzip at all".getBytes(StandardCharsets.UTF_8),
                    "gzip",
                    end,
                    result,
                    "grpc invalid gzip"));
      }
      // The well-behaved client: a small export on each transport every 100 ms.
      pool.submit(
          () -> {
            while (System.nanoTime() < end) {
              try {
                int code =
                    http.send(
                            HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + httpPort + "/v1/traces"))
                                .header("Content-Type", "application/x-protobuf")
                                .timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(good))
                                .build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                (code == 200
                        ? result.httpOk
                        : code == 503 || code == 429 ? result.httpRetry : result.httpOther)
                    .incrementAndGet();
              } catch (IOException e) {
                result.httpOther.incrementAndGet();
              }
              try {
                ClientCalls.blockingUnaryCall(
                    grpc,
                    EXPORT,
                    CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
                    good);
                result.grpcOk.incrementAndGet();
              } catch (StatusRuntimeException e) {
                (e.getStatus().getCode() == Status.Code.UNAVAILABLE
                        ? result.grpcRetry
                        : result.grpcOther)
                    .incrementAndGet();
              }
              TimeUnit.MILLISECONDS.sleep(100);
            }
            return null;
          });
      while (System.nanoTime() < end && proxy.isAlive()) {
        result.peakRssMiB = Math.max(result.peakRssMiB, rssMiB(proxy));
        TimeUnit.MILLISECONDS.sleep(100);
      }
      result.peakRssMiB = Math.max(result.peakRssMiB, rssMiB(proxy));
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(30, TimeUnit.SECONDS);
      for (Socket s : slow) {
        quietClose(s);
      }
      grpc.shutdownNow();
      bombs.shutdownNow();
    }
    return result;
  }

  private static Object grpcLoop(
      ManagedChannel channel, byte[] body, String compression, long end, Result result, String name)
      throws InterruptedException {
    while (System.nanoTime() < end) {
      CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS);
      if (compression != null) {
        options = options.withCompression(compression);
      }
      try {
        ClientCalls.blockingUnaryCall(channel, EXPORT, options, body);
        result.answer(name + ": OK");
      } catch (StatusRuntimeException e) {
        result.answer(
            name
                + ": "
                + e.getStatus().getCode()
                + (e.getStatus().getCode() == Status.Code.INTERNAL
                    ? " (" + e.getStatus().getDescription() + ")"
                    : ""));
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
    return null;
  }

  private static void quietClose(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // Closed already.
    }
  }

  private static byte[] gzipZeros(long size) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16)) {
      byte[] zeros = new byte[1 << 20];
      for (long written = 0; written < size; written += zeros.length) {
        gzip.write(zeros);
      }
    }
    return out.toByteArray();
  }

  private static byte[] goodRequest() {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < 20; i++) {
      scope.addSpans(
          Span.newBuilder()
              .setTraceId(
                  com.google.protobuf.ByteString.copyFrom(
                      new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
              .setSpanId(
                  com.google.protobuf.ByteString.copyFrom(
                      new byte[] {1, 0, 0, 0, 0, 0, 0, (byte) (i + 1)}))
              .setName("well-behaved " + i)
              .setStartTimeUnixNano(System.currentTimeMillis() * 1_000_000L)
              .setEndTimeUnixNano(System.currentTimeMillis() * 1_000_000L + 1000));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(
                            KeyValue.newBuilder()
                                .setKey("service.name")
                                .setValue(AnyValue.newBuilder().setStringValue("hostile-load"))))
                .addScopeSpans(scope))
        .build()
        .toByteArray();
  }

  private static double rssMiB(Process process) {
    try {
      for (String line :
          Files.readAllLines(Paths.get("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process is gone.
    }
    return 0;
  }

  /**
   * From the GC log: the largest heap in use before a collection ({@code group} 1; G1 lets the heap
   * fill before it collects, so this is mostly garbage) or left after a young or full collection
   * (2; what was live). Remark and cleanup pauses reclaim nothing and are skipped for the latter.
   */
  private static double peakHeapMiB(Path gcLog, int group) throws IOException {
    if (!Files.exists(gcLog)) {
      return 0;
    }
    Pattern before = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
    double peak = 0;
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = before.matcher(line);
      if (m.find() && (group == 1 || line.contains("Pause Young") || line.contains("Pause Full"))) {
        peak = Math.max(peak, Double.parseDouble(m.group(group)));
      }
    }
    return peak;
  }

  private static long fullCollections(Path gcLog) throws IOException {
    return Files.exists(gcLog)
        ? Files.readAllLines(gcLog).stream().filter(l -> l.contains("Pause Full")).count()
        : 0;
  }

  private static void awaitPort(Process process, int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("the proxy did not start", e);
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
  }

  /** A "gzip" compressor that writes what it is given unchanged: the bytes are gzip already. */
  private static final class PreCompressed implements Compressor {
    @Override
    public String getMessageEncoding() {
      return "gzip";
    }

    @Override
    public OutputStream compress(OutputStream os) {
      return os;
    }
  }
}
