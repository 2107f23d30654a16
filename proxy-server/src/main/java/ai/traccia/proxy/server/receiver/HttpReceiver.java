/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.ingest.Ingest;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.queue.MemoryBudget;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The OTLP/HTTP receiver: {@code POST /v1/traces}, {@code /v1/metrics} and {@code /v1/logs}, in
 * protobuf or JSON, optionally gzip-compressed, on one port.
 *
 * <p>Netty event loops only read, check and write; decoding and the pipeline run on the worker
 * executor given to {@link #start}, so a slow request never stalls other connections.
 */
public final class HttpReceiver {

  static final String TRANSPORT = "http";

  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final Channel channel;

  private HttpReceiver(EventLoopGroup bossGroup, EventLoopGroup workerGroup, Channel channel) {
    this.bossGroup = bossGroup;
    this.workerGroup = workerGroup;
    this.channel = channel;
  }

  /**
   * Binds and starts the receiver, with TLS when {@code tls} is not null and requiring a bearer
   * token when {@code auth} is enabled.
   *
   * @param limits bounds on connections, header and body time, and header size
   * @param budget the memory budget request bodies are taken from as they arrive
   * @param executor decodes and processes requests; owned by the caller
   * @param tls the server certificate, or null for plaintext; owned by the caller
   * @throws InterruptedException if interrupted while binding
   */
  public static HttpReceiver start(
      String bindAddress,
      int port,
      long maxRequestBytes,
      ReceiverLimits limits,
      Ingest ingest,
      SelfMetrics metrics,
      MemoryBudget budget,
      ExecutorService executor,
      ReceiverTls tls,
      BearerAuth auth)
      throws InterruptedException {
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    ConnectionLimit connectionLimit =
        new ConnectionLimit(limits.maxConnections(), metrics, TRANSPORT);
    HttpDecoderConfig decoderConfig =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(limits.maxHeaderBytes())
            .setMaxHeaderSize(limits.maxHeaderBytes());
    try {
      ServerBootstrap bootstrap =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 1024)
              .handler(connectionLimit)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      if (tls != null) {
                        // First: the timeouts and the codec see what TLS decrypted. The handshake
                        // has a timeout of its own (SslHandler's, 10 s).
                        ch.pipeline().addLast("tls", tls.httpContext().newHandler(ch.alloc()));
                      }
                      HttpTimeouts timeouts = new HttpTimeouts(limits, metrics);
                      ch.pipeline()
                          .addLast("timeouts-raw", timeouts.raw())
                          .addLast("codec", new HttpServerCodec(decoderConfig))
                          .addLast("timeouts", timeouts.messages());
                      if (auth.isEnabled()) {
                        // Before the OTLP handler: a request is refused from its head alone.
                        ch.pipeline().addLast("auth", new HttpAuthHandler(auth, metrics));
                      }
                      ch.pipeline()
                          .addLast(
                              "otlp",
                              new OtlpHttpHandler(
                                  maxRequestBytes, ingest, metrics, budget, executor));
                    }
                  });
      Channel channel = bootstrap.bind(new InetSocketAddress(bindAddress, port)).sync().channel();
      return new HttpReceiver(boss, workers, channel);
    } catch (InterruptedException | RuntimeException e) {
      boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e;
    }
  }

  /** The port the receiver is bound to; useful when it was started on port 0. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /**
   * Stops accepting connections, then closes the open ones once {@code timeoutMillis} has passed or
   * they are idle.
   */
  public void stop(long timeoutMillis) {
    channel.close().awaitUninterruptibly(timeoutMillis);
    bossGroup.shutdownGracefully(0, timeoutMillis, TimeUnit.MILLISECONDS);
    workerGroup.shutdownGracefully(0, timeoutMillis, TimeUnit.MILLISECONDS);
    bossGroup.terminationFuture().awaitUninterruptibly(timeoutMillis);
    workerGroup.terminationFuture().awaitUninterruptibly(timeoutMillis);
  }
}
