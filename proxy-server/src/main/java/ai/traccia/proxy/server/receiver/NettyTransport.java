/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The Netty transport of the proxy's servers (the receivers and the admin port): Linux's epoll
 * where Netty's native library loads (x86-64 and aarch64 are in the jar), else Java's NIO.
 *
 * <p>Epoll reads and writes with fewer system calls and wakeups than NIO's selector and makes no
 * garbage per event. grpc-java picks the same transport for the OTLP/gRPC exporter's channel when
 * the library loads. {@code -Dio.netty.transport.noNative=true} turns the native library off and
 * every server back to NIO; so does a {@code /tmp} the library cannot be unpacked into or run from
 * ({@code -Dio.netty.native.workdir} names another directory).
 */
public final class NettyTransport {

  private static final boolean EPOLL = Epoll.isAvailable();

  private NettyTransport() {}

  /** {@code "epoll"} or {@code "nio"}. */
  public static String name() {
    return EPOLL ? "epoll" : "nio";
  }

  /** Why epoll is not used, for the log, or {@code null} when it is. */
  public static Throwable epollUnavailabilityCause() {
    return Epoll.unavailabilityCause();
  }

  /** Event loops of this transport, for a {@code MultiThreadIoEventLoopGroup}. */
  public static IoHandlerFactory ioHandlers() {
    return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  /** The server channel type that runs on {@link #ioHandlers()}'s loops. */
  public static Class<? extends ServerChannel> serverChannelType() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** A new, unregistered server channel of {@link #serverChannelType()}. */
  public static ServerChannel newServerChannel() {
    return EPOLL ? new EpollServerSocketChannel() : new NioServerSocketChannel();
  }
}
