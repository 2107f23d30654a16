/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.admin;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.receiver.NettyTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The admin HTTP port: {@code GET /healthz} (the process is up), {@code GET /readyz} (the receivers
 * are bound and accepting) and {@code GET /metrics} (self-metrics in the Prometheus text format),
 * plus any page added with {@link Builder#addPage}.
 *
 * <p><b>Design.</b> Served by Netty on one event-loop thread of its own, apart from the OTLP
 * receivers, so probes answer even when the data path is saturated. The guarantee is that a probe
 * is never held up by another client:
 *
 * <ul>
 *   <li>the event loop never blocks: probes ({@code /healthz}, {@code /readyz}) are answered on it
 *       at once, and pages ({@code /metrics}) are rendered on a one-thread executor with a short
 *       queue (past it, {@code 503} with {@code Retry-After}), so a slow scrape delays only other
 *       scrapes;
 *   <li>a connection must send a whole request head within the header timeout of its first byte (a
 *       slowloris client is closed), and an idle keep-alive connection is closed after the idle
 *       timeout;
 *   <li>at most {@code maxConnections} are open; a new connection past the cap closes the oldest
 *       one that is not being answered, so idle connections cannot lock probes out;
 *   <li>request heads are small (initial line {@value #MAX_INITIAL_LINE} bytes, headers {@value
 *       #MAX_HEADER_BYTES} bytes) and requests carry no body ({@code 413} otherwise).
 * </ul>
 *
 * <p>Only {@code GET} and {@code HEAD} are served ({@code 405} with {@code Allow} otherwise);
 * unknown paths get {@code 404}. Thread-safe; {@link #stop} is idempotent.
 */
public final class AdminServer {

  static final int MAX_INITIAL_LINE = 4096;
  static final int MAX_HEADER_BYTES = 8192;
  // Pages waiting to be rendered; a scraper that keeps several requests queued gets 503s.
  static final int RENDER_QUEUE = 8;

  private final EventLoopGroup group;
  private final ExecutorService renderer;
  private final Channel channel;

  private AdminServer(EventLoopGroup group, ExecutorService renderer, Channel channel) {
    this.group = group;
    this.renderer = renderer;
    this.channel = channel;
  }

  /**
   * Binds and starts an admin server with the standard routes and default bounds.
   *
   * @param ready answers whether the proxy is ready; called on every {@code /readyz}, on the event
   *     loop, so it must return at once
   * @throws IOException if the address cannot be bound
   */
  public static AdminServer start(
      String bindAddress, int port, SelfMetrics metrics, BooleanSupplier ready) throws IOException {
    return builder(metrics, ready).setBindAddress(bindAddress).setPort(port).start();
  }

  /**
   * A builder with the standard routes: {@code /healthz} and {@code /readyz} as probes, {@code
   * /metrics} as a page rendering {@code metrics}.
   *
   * @param ready answers whether the proxy is ready; called on the event loop, must return at once
   */
  public static Builder builder(SelfMetrics metrics, BooleanSupplier ready) {
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(ready, "ready");
    return new Builder()
        .addProbe("/healthz", request -> AdminResponse.text(200, "ok\n"))
        .addProbe(
            "/readyz",
            request ->
                ready.getAsBoolean()
                    ? AdminResponse.text(200, "ready\n")
                    : AdminResponse.text(503, "not ready\n"))
        .addPage(
            "/metrics",
            request -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
              metrics.writeText(out);
              return AdminResponse.of(
                  200, "text/plain; version=0.0.4; charset=utf-8", out.toByteArray());
            });
  }

  /** The bound port. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Stops the server at once, closing every connection. Idempotent. */
  public void stop() {
    channel.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly();
    renderer.shutdownNow();
  }

  /** One route: a handler and whether it may run on the event loop. */
  record Route(AdminHandler handler, boolean probe) {}

  /**
   * The route of {@code path}: its exact route, else the longest prefix route ({@code /api/*}) that
   * covers it, else null.
   */
  static Route find(Map<String, Route> routes, String path) {
    Route exact = routes.get(path);
    if (exact != null) {
      return exact;
    }
    Route best = null;
    int bestLength = -1;
    for (Map.Entry<String, Route> e : routes.entrySet()) {
      String key = e.getKey();
      if (key.endsWith("/*")) {
        String prefix = key.substring(0, key.length() - 1);
        if (path.startsWith(prefix) && prefix.length() > bestLength) {
          best = e.getValue();
          bestLength = prefix.length();
        }
      }
    }
    return best;
  }

  /** Builds an {@link AdminServer}; defaults are those of the configuration catalog. */
  public static final class Builder {
    private static final ProxyConfig DEFAULTS = ProxyConfig.defaults();

    private String bindAddress = DEFAULTS.bindAddress();
    private int port = DEFAULTS.adminPort();
    private Duration headerTimeout = DEFAULTS.adminHeaderTimeout();
    private Duration idleTimeout = DEFAULTS.adminIdleTimeout();
    private int maxConnections = DEFAULTS.adminMaxConnections();
    private final Map<String, Route> routes = new LinkedHashMap<>();

    private Builder() {}

    public Builder setBindAddress(String bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
      return this;
    }

    /** The port; 0 picks a free one. */
    public Builder setPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0 to 65535)");
      }
      this.port = port;
      return this;
    }

    /** How long a connection may take to send a request head, from its first byte. Default 10 s. */
    public Builder setHeaderTimeout(Duration headerTimeout) {
      this.headerTimeout = positive("headerTimeout", headerTimeout);
      return this;
    }

    /** How long a connection may stay open between requests. Default 120 s. */
    public Builder setIdleTimeout(Duration idleTimeout) {
      this.idleTimeout = positive("idleTimeout", idleTimeout);
      return this;
    }

    /** The most connections open at once. Default 256. */
    public Builder setMaxConnections(int maxConnections) {
      if (maxConnections <= 0) {
        throw new IllegalArgumentException(
            "maxConnections: " + maxConnections + " (expected: > 0)");
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * Serves {@code path} with a handler that is quick and never blocks; it runs on the event loop.
     */
    public Builder addProbe(String path, AdminHandler handler) {
      return add(path, new Route(handler, true));
    }

    /**
     * Serves {@code path} with a handler that may take a while; it runs on the render executor. A
     * path ending in {@code /*} serves every path under it that has no route of its own.
     */
    public Builder addPage(String path, AdminHandler handler) {
      return add(path, new Route(handler, false));
    }

    private Builder add(String path, Route route) {
      Objects.requireNonNull(route.handler(), "handler");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path: " + path + " (expected: starts with /)");
      }
      if (routes.putIfAbsent(path, route) != null) {
        throw new IllegalArgumentException("path: " + path + " (expected: not yet routed)");
      }
      return this;
    }

    /**
     * Binds and starts the server.
     *
     * @throws IOException if the address cannot be bound
     */
    public AdminServer start() throws IOException {
      Map<String, Route> table = Map.copyOf(routes);
      // One thread accepts and serves: all connection bookkeeping is confined to it, and it only
      // parses heads and writes answers.
      EventLoopGroup group =
          new MultiThreadIoEventLoopGroup(
              1, new DefaultThreadFactory("traccia-admin-io", true), NettyTransport.ioHandlers());
      ExecutorService renderer =
          new ThreadPoolExecutor(
              1,
              1,
              0,
              TimeUnit.MILLISECONDS,
              new ArrayBlockingQueue<>(RENDER_QUEUE),
              new DefaultThreadFactory("traccia-admin", true));
      ConnectionLimiter limiter = new ConnectionLimiter(maxConnections);
      HttpDecoderConfig decoder =
          new HttpDecoderConfig()
              .setMaxInitialLineLength(MAX_INITIAL_LINE)
              .setMaxHeaderSize(MAX_HEADER_BYTES)
              .setMaxChunkSize(MAX_HEADER_BYTES);
      AdminConnection.Shared shared =
          new AdminConnection.Shared(
              table, renderer, limiter, headerTimeout.toNanos(), idleTimeout.toNanos());
      ServerBootstrap bootstrap =
          new ServerBootstrap()
              .group(group)
              .channel(NettyTransport.serverChannelType())
              .option(ChannelOption.SO_BACKLOG, 128)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      AdminConnection connection = new AdminConnection(shared);
                      ch.pipeline()
                          .addLast("timeouts", connection.bytes())
                          .addLast("codec", new HttpServerCodec(decoder))
                          // Admin requests have no body: any content is refused with 413.
                          .addLast("aggregator", new HttpObjectAggregator(0))
                          .addLast("routes", connection.requests());
                    }
                  });
      ChannelFuture bound =
          bootstrap.bind(new InetSocketAddress(bindAddress, port)).awaitUninterruptibly();
      if (!bound.isSuccess()) {
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        renderer.shutdownNow();
        Throwable cause = bound.cause();
        if (cause instanceof IOException) {
          throw (IOException) cause;
        }
        throw new IOException(cause);
      }
      return new AdminServer(group, renderer, bound.channel());
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + ": " + d.toMillis() + " ms (expected: > 0)");
      }
      return d;
    }
  }
}
