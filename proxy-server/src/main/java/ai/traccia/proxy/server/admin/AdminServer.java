/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.admin;

import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.ui.LivePage;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The admin HTTP port: {@code GET /healthz} (the process is up), {@code GET /readyz} (the receivers
 * are bound and accepting) and {@code GET /metrics} (self-metrics in the Prometheus text format).
 *
 * <p>Served by the JDK's HTTP server on one thread of its own, apart from the OTLP receivers, so
 * probes answer even when the data path is saturated.
 */
public final class AdminServer {

  private final HttpServer server;
  private final ExecutorService executor;

  private AdminServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds and starts the admin server.
   *
   * @param ready answers whether the proxy is ready; called on every {@code /readyz}
   */
  public static AdminServer start(
      String bindAddress, int port, SelfMetrics metrics, BooleanSupplier ready) throws IOException {
    return start(bindAddress, port, metrics, ready, null);
  }

  /** As above, with the live page answering the paths this server does not serve; null for none. */
  public static AdminServer start(
      String bindAddress, int port, SelfMetrics metrics, BooleanSupplier ready, LivePage livePage)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 64);
    server.createContext(
        "/healthz", exchange -> respond(exchange, 200, "text/plain; charset=utf-8", "ok\n"));
    server.createContext(
        "/readyz",
        exchange -> {
          if (ready.getAsBoolean()) {
            respond(exchange, 200, "text/plain; charset=utf-8", "ready\n");
          } else {
            respond(exchange, 503, "text/plain; charset=utf-8", "not ready\n");
          }
        });
    server.createContext(
        "/metrics",
        exchange -> {
          ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
          metrics.writeText(out);
          respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", out.toByteArray());
        });
    server.createContext(
        "/",
        exchange -> {
          Optional<LivePage.Response> page =
              livePage == null
                  ? Optional.empty()
                  : livePage.handle(
                      exchange.getRequestURI().getPath(),
                      LivePage.parseQuery(exchange.getRequestURI().getRawQuery()));
          if (page.isPresent()) {
            page.get().headers().forEach(exchange.getResponseHeaders()::set);
            respond(exchange, page.get().status(), page.get().contentType(), page.get().body());
            return;
          }
          respond(
              exchange,
              404,
              "text/plain; charset=utf-8",
              "not found; the admin port serves /healthz, /readyz and /metrics\n");
        });
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "traccia-admin");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.start();
    return new AdminServer(server, executor);
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops the server at once. Idempotent. */
  public void stop() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    respond(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void respond(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())
          && !"HEAD".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", type);
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      exchange.sendResponseHeaders(status, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }
}
