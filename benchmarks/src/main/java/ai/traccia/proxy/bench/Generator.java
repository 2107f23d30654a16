/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Our OTLP/gRPC load generator: sends pre-encoded realistic requests at a target rate or as fast as
 * the target accepts them, stamping each with its send time so the sink can measure latency.
 *
 * <p>Each send copies a template and writes the time into a fixed-width field of its bytes, so the
 * generator spends almost no CPU per request and the process under test is what is measured.
 */
final class Generator implements AutoCloseable {

  private static final int STAMP_WIDTH = 19;
  private static final MethodDescriptor<byte[], byte[]> EXPORT = Sink.EXPORT;

  private static final java.util.concurrent.ScheduledExecutorService BACKOFF =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "generator-backoff");
            t.setDaemon(true);
            return t;
          });

  private final ManagedChannel channel;
  private final List<byte[]> templates = new ArrayList<>();
  private final List<Integer> stampOffsets = new ArrayList<>();
  private final int spansPerRequest;
  final AtomicLong sentSpans = new AtomicLong();
  final AtomicLong acceptedSpans = new AtomicLong();
  final AtomicLong refusedSpans = new AtomicLong();

  Generator(String host, int port, int spansPerRequest, double llmFraction) {
    this(host, port, spansPerRequest, llmFraction, 0.5);
  }

  Generator(String host, int port, int spansPerRequest, double llmFraction, double usageFraction) {
    this.spansPerRequest = spansPerRequest;
    this.channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    RequestFactory factory = RequestFactory.create(42, llmFraction, usageFraction);
    String zeros = "0".repeat(STAMP_WIDTH);
    for (ExportTraceServiceRequest request : factory.requests(64, spansPerRequest)) {
      ExportTraceServiceRequest.Builder stamped = request.toBuilder();
      stamped
          .getResourceSpansBuilder(0)
          .getResourceBuilder()
          .addAttributes(
              KeyValue.newBuilder()
                  .setKey(Sink.SENT_AT)
                  .setValue(AnyValue.newBuilder().setStringValue(zeros)));
      byte[] bytes = stamped.build().toByteArray();
      templates.add(bytes);
      stampOffsets.add(indexOf(bytes, zeros.getBytes(StandardCharsets.US_ASCII)));
    }
  }

  /** The protobuf bytes of the requests this generator sends, without stamps. */
  List<byte[]> templates() {
    return templates;
  }

  /**
   * Sends for {@code seconds}. With {@code spansPerSecond} 0, keeps {@code inFlight} requests
   * outstanding at all times; otherwise paces requests to that rate.
   */
  void run(double seconds, double spansPerSecond, int inFlight) throws InterruptedException {
    Semaphore permits = new Semaphore(inFlight);
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long interval = spansPerSecond > 0 ? (long) (1e9 * spansPerRequest / spansPerSecond) : 0;
    long next = System.nanoTime();
    int i = 0;
    while (System.nanoTime() < end) {
      if (interval > 0) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        next += interval;
      }
      if (!permits.tryAcquire(1, TimeUnit.SECONDS)) {
        continue;
      }
      int t = i++ % templates.size();
      byte[] body = templates.get(t).clone();
      stamp(body, stampOffsets.get(t), System.nanoTime());
      sentSpans.addAndGet(spansPerRequest);
      Futures.addCallback(
          ClientCalls.futureUnaryCall(
              channel.newCall(EXPORT, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS)),
              body),
          new FutureCallback<byte[]>() {
            @Override
            public void onSuccess(byte[] result) {
              acceptedSpans.addAndGet(spansPerRequest);
              permits.release();
            }

            @Override
            public void onFailure(Throwable t) {
              refusedSpans.addAndGet(spansPerRequest);
              // Back off as an OTLP client does on a retryable refusal, so an overloaded target
              // is measured doing work rather than answering a tight loop of refusals.
              BACKOFF.schedule((Runnable) permits::release, 50, TimeUnit.MILLISECONDS);
            }
          },
          MoreExecutors.directExecutor());
    }
    permits.acquire(inFlight);
    permits.release(inFlight);
  }

  private static void stamp(byte[] body, int offset, long value) {
    for (int k = STAMP_WIDTH - 1; k >= 0; k--) {
      body[offset + k] = (byte) ('0' + (value % 10));
      value /= 10;
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("stamp field not found in the encoded request");
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
