/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.metrics.SelfMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;

/**
 * The OTLP/HTTP receiver: {@code POST /v1/traces}, {@code /v1/metrics} and {@code /v1/logs}, in
 * protobuf or JSON, optionally gzip-compressed, on one port.
 *
 * <p>Netty event loops only read, check and write; decoding and the pipeline run on the worker
 * executor given to {@link Receivers#startHttp}, so a slow request never stalls other connections.
 */
public final class HttpReceiver {

  static final String TRANSPORT = "http";

  private final Channel channel;

  private HttpReceiver(Channel channel) {
    this.channel = channel;
  }

  /**
   * Binds and starts the receiver on the shared event loops, with TLS when {@code shared} has a
   * certificate and requiring a bearer token when its authentication is enabled.
   *
   * @param executor decodes and processes requests; owned by the caller
   * @throws InterruptedException if interrupted while binding
   */
  static HttpReceiver start(
      Receivers shared, String bindAddress, int port, ExecutorService executor)
      throws InterruptedException {
    ReceiverLimits limits = shared.limits;
    SelfMetrics metrics = shared.metrics;
    ReceiverTls tls = shared.tls;
    BearerAuth auth = shared.auth;
    ConnectionLimit connectionLimit =
        new ConnectionLimit(limits.maxConnections(), metrics, TRANSPORT);
    HttpDecoderConfig decoderConfig =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(limits.maxHeaderBytes())
            .setMaxHeaderSize(limits.maxHeaderBytes());
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(shared.boss, shared.workers)
            .channel(NettyTransport.serverChannelType())
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
                    ch.pipeline().addLast("otlp", new OtlpHttpHandler(shared, executor));
                  }
                });
    Channel channel = bootstrap.bind(new InetSocketAddress(bindAddress, port)).sync().channel();
    return new HttpReceiver(channel);
  }

  /** The port the receiver is bound to; useful when it was started on port 0. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /**
   * Stops accepting connections; the open ones are closed when the shared event loops are ({@link
   * Receivers#close}).
   */
  public void stop(long timeoutMillis) {
    channel.close().awaitUninterruptibly(timeoutMillis);
  }
}
