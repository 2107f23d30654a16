/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The smallest OTLP/HTTP traces backend: {@code POST /v1/traces} with an uncompressed protobuf
 * body, answered 200; keeps every span by span id (a span delivered twice is kept once and counted
 * in {@link #duplicates()}). Listens on 127.0.0.1 on a port chosen before it starts, so that a
 * proxy can be pointed at it while it is down.
 */
final class OtlpHttpSink implements AutoCloseable {

  private final int port;
  private final Map<ByteString, Span> spans = new ConcurrentHashMap<>();
  private final AtomicLong duplicates = new AtomicLong();
  private HttpServer server;

  OtlpHttpSink() {
    this.port = LocalProcesses.freePorts(1)[0];
  }

  /** The URL of the traces endpoint, valid before {@link #start}. */
  String tracesUrl() {
    return "http://127.0.0.1:" + port + "/v1/traces";
  }

  void start() {
    try {
      server =
          HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/v1/traces", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.start();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
      for (ResourceSpans rs : request.getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          for (Span s : ss.getSpansList()) {
            if (spans.putIfAbsent(s.getSpanId(), s) != null) {
              duplicates.incrementAndGet();
            }
          }
        }
      }
      exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, -1);
    } catch (IOException e) {
      exchange.sendResponseHeaders(400, -1);
    } finally {
      exchange.close();
    }
  }

  /** Spans received so far, by span id. */
  Map<ByteString, Span> spans() {
    return spans;
  }

  long duplicates() {
    return duplicates.get();
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
  }
}
