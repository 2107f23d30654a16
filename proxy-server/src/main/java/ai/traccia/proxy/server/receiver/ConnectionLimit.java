/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.metrics.SelfMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ServerChannel;
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

  private final int max;
  private final SelfMetrics metrics;
  private final String transport;
  private final AtomicInteger open = new AtomicInteger();

  ConnectionLimit(int max, SelfMetrics metrics, String transport) {
    this.max = max;
    this.metrics = metrics;
    this.transport = transport;
  }

  /**
   * A server channel factory that puts this limit first in every server channel's pipeline, for a
   * server that takes a channel factory but offers no hook into its server channel's pipeline (the
   * gRPC receiver's grpc-java server): its own acceptor, added later, comes after the limit.
   */
  ChannelFactory<ServerChannel> serverChannels() {
    return () -> {
      ServerChannel channel = NettyTransport.newServerChannel();
      channel.pipeline().addLast(this);
      return channel;
    };
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Channel)) {
      ctx.fireChannelRead(msg);
      return;
    }
    Channel child = (Channel) msg;
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      metrics.connectionClosed(transport, "connection_limit");
      // Not registered with an event loop yet: close the socket directly.
      child.unsafe().closeForcibly();
      return;
    }
    child.closeFuture().addListener(f -> open.decrementAndGet());
    ctx.fireChannelRead(child);
  }
}
