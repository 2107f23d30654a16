/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.metrics.SelfMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the open connections of one server channel ({@code server.max_connections}): a connection
 * accepted beyond the cap is closed at once, before any handler or buffer is set up for it, and
 * counted. Goes in the server channel's pipeline, where accepted channels pass as messages.
 *
 * <p>Closing rather than answering keeps a flood of connections as cheap as possible; a client sees
 * a reset and retries, as it would against a full accept queue.
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {

  private final Counter counter;

  ConnectionLimit(int maxConnections, SelfMetrics metrics, String transport) {
    this.counter = new Counter(maxConnections, metrics, transport);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Channel)) {
      ctx.fireChannelRead(msg);
      return;
    }
    Channel child = (Channel) msg;
    if (!counter.tryOpen()) {
      // Not registered with an event loop yet: close the socket directly.
      child.unsafe().closeForcibly();
      return;
    }
    child.closeFuture().addListener(f -> counter.closed());
    ctx.fireChannelRead(child);
  }

  /**
   * The count and the cap, apart from Netty so that the gRPC receiver's shaded Netty can share it.
   */
  static final class Counter {
    private final int max;
    private final SelfMetrics metrics;
    private final String transport;
    private final AtomicInteger open = new AtomicInteger();

    Counter(int max, SelfMetrics metrics, String transport) {
      this.max = max;
      this.metrics = metrics;
      this.transport = transport;
    }

    /** Counts a new connection; false, counted as refused, when it is over the cap. */
    boolean tryOpen() {
      if (open.incrementAndGet() > max) {
        open.decrementAndGet();
        metrics.connectionClosed(transport, "connection_limit");
        return false;
      }
      return true;
    }

    void closed() {
      open.decrementAndGet();
    }
  }
}
