/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.bench;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pricing.PriceBooks;
import ai.traccia.proxy.processor.EnrichmentProcessors;
import ai.traccia.proxy.processor.guardrail.GuardrailFindingsProcessor;
import ai.traccia.proxy.processor.tier.EnrichedMark;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

/**
 * Spans per CPU-second of 1, 2 and 3 gateway processes ({@code server.role = gateway}) on the same
 * input, and of one {@code all} and one {@code sidecar} process for reference.
 *
 * <p>The input is {@link RequestFactory}'s mix (requests of 200 spans in traces of ten, 20% LLM
 * spans). Gateways get it as a sidecar forwards it: enriched and marked in this process by the
 * sidecar's stages (token counting, cost, guardrail findings, the mark), then split by trace id
 * over the N gateways as the Collector's load-balancing exporter splits a batch. The {@code all}
 * and {@code sidecar} cases get the raw requests. Every case sends the whole input {@code
 * --warm-rounds} times to warm the JIT up, then once more measured: the CPU time (utime + stime
 * from /proc/&lt;pid&gt;/stat) summed over the case's processes, from before the first request
 * until the sink has every span. Roots are held for 500 ms, so the window includes idle time; CPU
 * time does not. Stops by itself; 127.0.0.1 only.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar ai.traccia.proxy.bench.GatewayScale \
 *   --proxy-jar proxy-server/target/traccia-proxy.jar --spans 60000 --out benchmarks/results
 * </pre>
 */
final class GatewayScale {

  private static final MethodDescriptor<byte[], byte[]> EXPORT = Sink.EXPORT;
  private static final int SPANS_PER_REQUEST = 200;
  private static final int IN_FLIGHT_PER_PROCESS = 4;

  private final Map<String, String> options;
  private final StringBuilder table = new StringBuilder();
  private double oneGatewayMicros = Double.NaN;
  private double oneGatewayMicrosWithoutJit = Double.NaN;
  private boolean oneAtATime;

  private GatewayScale(Map<String, String> options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    new GatewayScale(options).run();
  }

  private void run() throws Exception {
    int spans = Integer.parseInt(options.getOrDefault("--spans", "60000"));
    int rounds = Integer.parseInt(options.getOrDefault("--warm-rounds", "2"));
    // Re-batch each gateway's share to the input's request size before sending, as an exporter
    // with a batching sending queue behind the load-balancing exporter does.
    boolean rebatch = options.containsKey("--rebatch");
    // Send to one gateway at a time (the others idle, their CPU still counted), so that N gateway
    // JVMs do not share this machine's CPUs with each other, as they would not in a deployment.
    oneAtATime = options.containsKey("--one-at-a-time");
    Path out = Paths.get(options.getOrDefault("--out", "benchmarks/results"));
    Files.createDirectories(out);
    List<ExportTraceServiceRequest> raw =
        RequestFactory.create(42).requests(spans / SPANS_PER_REQUEST, SPANS_PER_REQUEST);
    List<ExportTraceServiceRequest> enriched = asSidecarForwards(raw);
    table.append(
        "| case | processes | warm-up rounds | spans | CPU s | of it JIT s | spans per CPU-second"
            + " | CPU µs per span | vs 1 gateway | µs per span without JIT | vs 1 gateway |\n"
            + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (String c : options.getOrDefault("--cases", "all,sidecar,1,2,3").split(",")) {
      switch (c) {
        case "all":
        case "sidecar":
          measure(c, c, List.of(encode(raw)), rounds, out);
          break;
        default:
          int n = Integer.parseInt(c);
          measure(
              "gateway",
              n
                  + " gateway"
                  + (n > 1 ? "s" : "")
                  + (rebatch ? ", re-batched" : "")
                  + (oneAtATime && n > 1 ? ", one at a time" : ""),
              route(enriched, n, rebatch),
              rounds,
              out);
      }
    }
    String result = table.toString();
    Files.writeString(out.resolve("gateway-scale.md"), result);
    System.out.print(result);
  }

  /** The requests as a sidecar forwards them: enriched by its stages and marked. */
  private static List<ExportTraceServiceRequest> asSidecarForwards(
      List<ExportTraceServiceRequest> raw) {
    ProxyConfig config = ProxyConfig.builder().build();
    List<SpanBatchProcessor> stages =
        new ArrayList<>(
            EnrichmentProcessors.fromConfig(
                config,
                PriceBooks.fromSettings(config.pricingSettings(), Clock.systemUTC()),
                model -> {}));
    stages.add(GuardrailFindingsProcessor.create(config.guardrailHeuristics()));
    stages.add(EnrichedMark.create());
    List<ExportTraceServiceRequest> out = new ArrayList<>(raw.size());
    for (ExportTraceServiceRequest request : raw) {
      SpanBatch batch = SpanBatch.of(request, null);
      stages.forEach(stage -> stage.process(batch));
      out.add(batch.toRequest());
    }
    return out;
  }

  /**
   * Each request split by trace id over {@code n} gateways, as the load-balancing exporter does.
   * With {@code rebatch}, each gateway's share is gathered until it holds a request's worth of
   * spans (of one resource and scope), so every gateway gets requests of the input's size.
   */
  private static List<List<byte[]>> route(
      List<ExportTraceServiceRequest> requests, int n, boolean rebatch) {
    List<List<byte[]>> perGateway = new ArrayList<>();
    List<ResourceSpans> resources = new ArrayList<>();
    List<ScopeSpans.Builder> pending = new ArrayList<>();
    for (int g = 0; g < n; g++) {
      perGateway.add(new ArrayList<>());
      resources.add(null);
      pending.add(null);
    }
    for (ExportTraceServiceRequest request : requests) {
      ResourceSpans rs = request.getResourceSpans(0);
      ScopeSpans ss = rs.getScopeSpans(0);
      for (int g = 0; g < n; g++) {
        boolean sameShape =
            pending.get(g) != null
                && resources.get(g).getResource().equals(rs.getResource())
                && pending.get(g).getScope().equals(ss.getScope());
        if (!rebatch || !sameShape) {
          flush(perGateway.get(g), resources.get(g), pending.get(g));
          resources.set(g, rs);
          pending.set(g, ss.toBuilder().clearSpans());
        }
      }
      for (Span span : ss.getSpansList()) {
        int g = Math.floorMod(span.getTraceId().hashCode(), n);
        pending.get(g).addSpans(span);
        if (rebatch && pending.get(g).getSpansCount() == SPANS_PER_REQUEST) {
          flush(perGateway.get(g), resources.get(g), pending.get(g));
          pending.set(g, ss.toBuilder().clearSpans());
        }
      }
    }
    for (int g = 0; g < n; g++) {
      flush(perGateway.get(g), resources.get(g), pending.get(g));
    }
    return perGateway;
  }

  /** Adds the spans of {@code part}, if any, to {@code out} as one request of {@code rs}. */
  private static void flush(List<byte[]> out, ResourceSpans rs, ScopeSpans.Builder part) {
    if (part == null || part.getSpansCount() == 0) {
      return;
    }
    out.add(
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(rs.toBuilder().clearScopeSpans().addScopeSpans(part))
            .build()
            .toByteArray());
    part.clearSpans();
  }

  private static List<byte[]> encode(List<ExportTraceServiceRequest> requests) {
    List<byte[]> out = new ArrayList<>(requests.size());
    requests.forEach(r -> out.add(r.toByteArray()));
    return out;
  }

  private void measure(String role, String label, List<List<byte[]>> inputs, int rounds, Path out)
      throws Exception {
    long[] shares = new long[inputs.size()];
    for (int p = 0; p < inputs.size(); p++) {
      for (byte[] body : inputs.get(p)) {
        shares[p] +=
            ExportTraceServiceRequest.parseFrom(body)
                .getResourceSpans(0)
                .getScopeSpans(0)
                .getSpansCount();
      }
    }
    long spansPerRound = LongStream.of(shares).sum();
    Map<String, String> targetOptions = new LinkedHashMap<>(options);
    targetOptions.put(
        "--proxy-env", "TRACCIA_SERVER_ROLE=" + role + ",TRACCIA_GUARDRAIL_ROOT_SPAN_WAIT_MS=500");
    List<Comparison.Target> targets = new ArrayList<>();
    List<ManagedChannel> channels = new ArrayList<>();
    try (Sink sink = Sink.start(0)) {
      for (int p = 0; p < inputs.size(); p++) {
        String kind = "proxy-enriched-" + label.replace(' ', '-') + "-" + (p + 1);
        Comparison.Target target = Comparison.Target.start(kind, sink.port(), targetOptions, out);
        targets.add(target);
        channels.add(
            NettyChannelBuilder.forAddress("127.0.0.1", target.grpcPort).usePlaintext().build());
      }
      // Warm up: --warm-rounds rounds, then more while the JIT compiler threads took more than 5%
      // of the round's CPU (at most --max-warm-rounds in all). Each of N gateways sees 1/N of
      // the input, so it needs N times the rounds to reach the tiers one gateway reaches; a
      // gateway runs for days, so the measured round should find every JVM compiled.
      int maxRounds = Integer.parseInt(options.getOrDefault("--max-warm-rounds", "12"));
      int sent = 0;
      while (sent < maxRounds) {
        double roundCpu0 = cpuSeconds(targets);
        double roundJit0 = compilerCpuSeconds(targets);
        sendAll(channels, inputs, sink, spansPerRound * sent++, shares, oneAtATime);
        double roundJit = compilerCpuSeconds(targets) - roundJit0;
        if (sent >= rounds && roundJit <= 0.05 * (cpuSeconds(targets) - roundCpu0)) {
          break;
        }
      }
      double cpu0 = cpuSeconds(targets);
      double jit0 = compilerCpuSeconds(targets);
      sendAll(channels, inputs, sink, spansPerRound * sent, shares, oneAtATime);
      double cpu = cpuSeconds(targets) - cpu0;
      double jit = compilerCpuSeconds(targets) - jit0;
      double micros = cpu * 1e6 / spansPerRound;
      double withoutJit = (cpu - jit) * 1e6 / spansPerRound;
      boolean gateway = role.equals("gateway");
      if (gateway && inputs.size() == 1) {
        oneGatewayMicros = micros;
        oneGatewayMicrosWithoutJit = withoutJit;
      }
      table.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %,d | %.2f | %.2f | %,.0f | %.1f | %s | %.1f | %s |%n",
              label,
              inputs.size(),
              sent,
              spansPerRound,
              cpu,
              jit,
              spansPerRound / cpu,
              micros,
              ratio(gateway, micros, oneGatewayMicros),
              withoutJit,
              ratio(gateway, withoutJit, oneGatewayMicrosWithoutJit)));
      System.err.print(table.substring(table.lastIndexOf("| " + label)));
    } finally {
      for (ManagedChannel channel : channels) {
        channel.shutdownNow();
      }
      for (Comparison.Target target : targets) {
        target.close();
      }
    }
  }

  private static String ratio(boolean gateway, double micros, double oneGateway) {
    return gateway && !Double.isNaN(oneGateway)
        ? String.format(Locale.ROOT, "%.2f", micros / oneGateway)
        : "-";
  }

  private static double compilerCpuSeconds(List<Comparison.Target> targets) throws Exception {
    double sum = 0;
    for (Comparison.Target target : targets) {
      sum += target.compilerCpuSeconds();
    }
    return sum;
  }

  private static double cpuSeconds(List<Comparison.Target> targets) throws Exception {
    double sum = 0;
    for (Comparison.Target target : targets) {
      sum += target.cpuSeconds();
    }
    return sum;
  }

  /**
   * Sends every process its input, {@link #IN_FLIGHT_PER_PROCESS} requests outstanding each, and
   * waits until the sink has {@code before} plus every span sent. With {@code oneAtATime}, each
   * process gets its input only after the sink has the previous one's.
   */
  private static void sendAll(
      List<ManagedChannel> channels,
      List<List<byte[]>> inputs,
      Sink sink,
      long before,
      long[] shares,
      boolean oneAtATime)
      throws Exception {
    AtomicLong failed = new AtomicLong();
    List<Thread> senders = new ArrayList<>();
    long expected = before;
    for (int p = 0; p < channels.size(); p++) {
      ManagedChannel channel = channels.get(p);
      List<byte[]> input = inputs.get(p);
      Thread sender =
          new Thread(
              () -> {
                Semaphore permits = new Semaphore(IN_FLIGHT_PER_PROCESS);
                for (byte[] body : input) {
                  permits.acquireUninterruptibly();
                  Futures.addCallback(
                      ClientCalls.futureUnaryCall(
                          channel.newCall(
                              EXPORT, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS)),
                          body),
                      new FutureCallback<byte[]>() {
                        @Override
                        public void onSuccess(byte[] result) {
                          permits.release();
                        }

                        @Override
                        public void onFailure(Throwable t) {
                          failed.incrementAndGet();
                          permits.release();
                        }
                      },
                      MoreExecutors.directExecutor());
                }
                permits.acquireUninterruptibly(IN_FLIGHT_PER_PROCESS);
              },
              "sender-" + p);
      sender.start();
      senders.add(sender);
      expected += shares[p];
      if (oneAtATime) {
        sender.join();
        awaitSink(sink, expected);
      }
    }
    for (Thread sender : senders) {
      sender.join();
    }
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " requests failed; see the logs");
    }
    awaitSink(sink, expected);
  }

  private static void awaitSink(Sink sink, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (sink.spans() < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the sink has " + sink.spans() + " of " + expected + " spans after 120 s");
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }
}
