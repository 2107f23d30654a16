/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.ingest.Ingest;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.queue.MemoryBudget;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What the OTLP/gRPC and OTLP/HTTP receivers share: one set of Netty event loops for both ports
 * (one thread accepts, the workers read and write; epoll on Linux, see {@link NettyTransport}), the
 * ingest they hand requests to, the memory budget request bytes are taken from, the limits, TLS and
 * authentication.
 *
 * <p>The gRPC receiver runs on the same Netty as the HTTP one (grpc-java's unshaded transport), so
 * the two ports cost one set of I/O threads, not two. The admin port keeps event loops of its own,
 * so that probes are answered while the receivers are saturated.
 *
 * <p>Start the receivers with {@link #startGrpc} and {@link #startHttp}; stop them, then {@link
 * #close} the loops. Thread-safe.
 */
public final class Receivers {

  final long maxRequestBytes;
  final ReceiverLimits limits;
  final Ingest ingest;
  final SelfMetrics metrics;
  final MemoryBudget budget;
  final ReceiverTls tls; // null for plaintext
  final BearerAuth auth;
  final EventLoopGroup boss;
  final EventLoopGroup workers;

  /**
   * Creates the shared parts and their event loops.
   *
   * @param maxRequestBytes the largest request body or message, after decompression
   * @param limits bounds on connections, header and body time, idle time, header size and
   *     concurrent gRPC calls per connection
   * @param budget the memory budget request bytes are taken from as they arrive
   * @param tls the server certificate, or null for plaintext; owned by the caller
   * @param auth the bearer tokens required, or {@link BearerAuth#none()}
   */
  public Receivers(
      long maxRequestBytes,
      ReceiverLimits limits,
      Ingest ingest,
      SelfMetrics metrics,
      MemoryBudget budget,
      ReceiverTls tls,
      BearerAuth auth) {
    this.maxRequestBytes = maxRequestBytes;
    this.limits = Objects.requireNonNull(limits, "limits");
    this.ingest = Objects.requireNonNull(ingest, "ingest");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.budget = Objects.requireNonNull(budget, "budget");
    this.tls = tls;
    this.auth = Objects.requireNonNull(auth, "auth");
    this.boss = new MultiThreadIoEventLoopGroup(1, NettyTransport.ioHandlers());
    this.workers = new MultiThreadIoEventLoopGroup(NettyTransport.ioHandlers());
  }

  /**
   * Binds and starts the OTLP/gRPC receiver.
   *
   * @param executor runs the calls that block or read spans; owned by the caller, who shuts it down
   *     after the receiver stopped
   */
  public GrpcReceiver startGrpc(String bindAddress, int port, ExecutorService executor)
      throws IOException {
    return GrpcReceiver.start(this, bindAddress, port, executor);
  }

  /**
   * Binds and starts the OTLP/HTTP receiver.
   *
   * @param executor decodes and processes requests; owned by the caller
   * @throws InterruptedException if interrupted while binding
   */
  public HttpReceiver startHttp(String bindAddress, int port, ExecutorService executor)
      throws InterruptedException {
    return HttpReceiver.start(this, bindAddress, port, executor);
  }

  /**
   * Shuts the event loops down once the receivers have stopped: connections still open are closed
   * within {@code timeoutMillis}. Idempotent.
   */
  public void close(long timeoutMillis) {
    boss.shutdownGracefully(0, timeoutMillis, TimeUnit.MILLISECONDS);
    workers.shutdownGracefully(0, timeoutMillis, TimeUnit.MILLISECONDS);
    boss.terminationFuture().awaitUninterruptibly(timeoutMillis);
    workers.terminationFuture().awaitUninterruptibly(timeoutMillis);
  }
}
