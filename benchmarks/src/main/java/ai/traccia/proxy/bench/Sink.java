/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.bench;

import ai.traccia.proxy.server.export.ByteArrayMarshaller;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The OTLP/gRPC backend of a load run: counts the spans it receives and records, per resource, the
 * time from when the generator sent them ({@code bench.sent_at_nanos}, a resource attribute) or,
 * for generators that do not set it, from the span's end time.
 *
 * <p>Thread-safe. Latencies are kept in a fixed array of samples (one per resource), enough for
 * percentiles of a run.
 */
final class Sink implements AutoCloseable {

  /** The OTLP trace Export method with encoded bytes each way, for the harnesses' clients too. */
  static final MethodDescriptor<byte[], byte[]> EXPORT =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("opentelemetry.proto.collector.trace.v1.TraceService/Export")
          .setRequestMarshaller(ByteArrayMarshaller.INSTANCE)
          .setResponseMarshaller(ByteArrayMarshaller.INSTANCE)
          .build();

  static final String SENT_AT = "bench.sent_at_nanos";
  private static final int MAX_SAMPLES = 2_000_000;

  private final Server server;
  private final AtomicLong spans = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final long[] latencies = new long[MAX_SAMPLES];
  private final AtomicLong samples = new AtomicLong();
  private volatile boolean recording = true;

  private Sink(int port) throws IOException {
    ServerServiceDefinition service =
        ServerServiceDefinition.builder("opentelemetry.proto.collector.trace.v1.TraceService")
            .addMethod(
                EXPORT,
                ServerCalls.asyncUnaryCall(
                    (body, response) -> {
                      record(body);
                      response.onNext(new byte[0]);
                      response.onCompleted();
                    }))
            .build();
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .maxInboundMessageSize(256 * 1024 * 1024)
            .addService(service)
            .build()
            .start();
  }

  static Sink start(int port) throws IOException {
    return new Sink(port);
  }

  int port() {
    return server.getPort();
  }

  long spans() {
    return spans.get();
  }

  long requests() {
    return requests.get();
  }

  /** Forgets what was recorded, at the end of a warm-up. */
  void reset() {
    recording = false;
    samples.set(0);
    recording = true;
  }

  /** The {@code q} quantile of the recorded latencies in milliseconds, or NaN without samples. */
  double latencyMillis(double q) {
    int n = (int) Math.min(samples.get(), MAX_SAMPLES);
    if (n == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    return sorted[Math.min(n - 1, (int) Math.floor(q * n))] / 1e6;
  }

  private void record(byte[] body) {
    long nowNanos = System.nanoTime();
    long nowWall = System.currentTimeMillis() * 1_000_000L;
    ExportTraceServiceRequest request;
    try {
      request = ExportTraceServiceRequest.parseFrom(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    requests.incrementAndGet();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      long sentAt = -1;
      for (KeyValue kv : rs.getResource().getAttributesList()) {
        if (kv.getKey().equals(SENT_AT)) {
          sentAt = Long.parseLong(kv.getValue().getStringValue());
        }
      }
      long count = 0;
      long lastEnd = 0;
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        count += ss.getSpansCount();
        for (Span s : ss.getSpansList()) {
          lastEnd = Math.max(lastEnd, s.getEndTimeUnixNano());
        }
      }
      spans.addAndGet(count);
      if (recording) {
        long latency = sentAt >= 0 ? nowNanos - sentAt : nowWall - lastEnd;
        long i = samples.getAndIncrement();
        if (i < MAX_SAMPLES) {
          latencies[(int) i] = latency;
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
