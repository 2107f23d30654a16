/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.metrics.SelfMetrics;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFactory;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * {@link ConnectionLimit} for the gRPC receiver, whose Netty is grpc-java's shaded copy. grpc-java
 * has no connection limit and no hook into its server channel's pipeline, so this is a channel
 * factory that puts the limit in the pipeline of every server channel it creates; the server's own
 * acceptor, added later, comes after it.
 */
final class GrpcConnectionLimit implements ChannelFactory<ServerChannel> {

  private final ConnectionLimit.Counter counter;

  GrpcConnectionLimit(int maxConnections, SelfMetrics metrics) {
    this.counter = new ConnectionLimit.Counter(maxConnections, metrics, GrpcReceiver.TRANSPORT);
  }

  @Override
  public ServerChannel newChannel() {
    NioServerSocketChannel channel = new NioServerSocketChannel();
    channel.pipeline().addLast(new Limit());
    return channel;
  }

  @ChannelHandler.Sharable
  private final class Limit extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof Channel)) {
        ctx.fireChannelRead(msg);
        return;
      }
      Channel child = (Channel) msg;
      if (!counter.tryOpen()) {
        child.unsafe().closeForcibly();
        return;
      }
      child.closeFuture().addListener(f -> counter.closed());
      ctx.fireChannelRead(child);
    }
  }
}
