/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A real HTTP (or HTTPS) server on 127.0.0.1 and a free port that records each request and answers
 * as the test says.
 */
public final class HttpTestServer implements AutoCloseable {

  /** One request as the server saw it; {@code body} is un-gzipped when it was gzipped. */
  public static final class Received {
    public final String method;
    public final String path;
    final Headers headers;
    final byte[] rawBody;
    public final byte[] body;

    Received(String method, String path, Headers headers, byte[] rawBody, byte[] body) {
      this.method = method;
      this.path = path;
      this.headers = headers;
      this.rawBody = rawBody;
      this.body = body;
    }
  }

  /** What to answer; {@code hang} answers nothing until the server closes. */
  public static final class Reply {
    final int status;
    final Map<String, String> headers;
    final byte[] body;
    final boolean hang;

    Reply(int status, Map<String, String> headers, byte[] body, boolean hang) {
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.hang = hang;
    }

    public static Reply of(int status) {
      return new Reply(status, Map.of(), new byte[0], false);
    }

    static Reply of(int status, Map<String, String> headers, byte[] body) {
      return new Reply(status, headers, body, false);
    }

    public static Reply hang() {
      return new Reply(0, Map.of(), new byte[0], true);
    }
  }

  public final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
  public volatile Function<Received, Reply> replies = r -> Reply.of(200);
  private final CountDownLatch closing = new CountDownLatch(1);
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final HttpServer server;
  private final String scheme;

  private HttpTestServer(SSLContext tls, boolean needClientAuth) throws IOException {
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", 0);
    if (tls == null) {
      server = HttpServer.create(address, 0);
      scheme = "http";
    } else {
      HttpsServer https = HttpsServer.create(address, 0);
      https.setHttpsConfigurator(
          new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
              SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
              parameters.setNeedClientAuth(needClientAuth);
              params.setSSLParameters(parameters);
            }
          });
      server = https;
      scheme = "https";
    }
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public static HttpTestServer start() throws IOException {
    return new HttpTestServer(null, false);
  }

  static HttpTestServer startTls(SSLContext tls, boolean needClientAuth) throws IOException {
    return new HttpTestServer(tls, needClientAuth);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public URI url(String path) {
    return URI.create(scheme + "://127.0.0.1:" + port() + path);
  }

  public Received take() throws InterruptedException {
    Received r = received.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("the server received nothing");
    }
    return r;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] raw;
      try (InputStream in = exchange.getRequestBody()) {
        raw = in.readAllBytes();
      }
      byte[] body = raw;
      if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
          body = in.readAllBytes();
        }
      }
      Received r =
          new Received(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getPath(),
              exchange.getRequestHeaders(),
              raw,
              body);
      received.add(r);
      Reply reply = replies.apply(r);
      if (reply.hang) {
        try {
          closing.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      reply.headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.sendResponseHeaders(reply.status, reply.body.length == 0 ? -1 : reply.body.length);
      if (reply.body.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(reply.body);
        }
      }
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
