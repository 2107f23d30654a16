/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.codec.OtlpJson;
import ai.traccia.proxy.codec.OtlpJsonException;
import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.ingest.Ingest;
import ai.traccia.proxy.server.ingest.IngestResult;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.metrics.SelfMetrics.RefuseReason;
import ai.traccia.proxy.server.queue.MemoryBudget;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one OTLP/HTTP connection: checks each request's path, method, content type, encoding and
 * size as soon as its head arrives, collects its body, and hands it to the worker executor.
 *
 * <p>Reading is paused while a request is being processed, so responses go out in request order and
 * a client that sends faster than the proxy processes is slowed by TCP flow control. Not sharable:
 * one instance per channel, used only from the channel's event loop apart from {@link #process},
 * which runs on the worker executor and only writes to the channel.
 */
final class OtlpHttpHandler extends ChannelInboundHandlerAdapter {

  private static final Logger logger = LoggerFactory.getLogger(OtlpHttpHandler.class);
  private static final String PROTOBUF = "application/x-protobuf";
  private static final String JSON = "application/json";

  /**
   * Bytes of memory counted per byte of body: the collected body and its copy handed to the
   * decoder, or an inflated body and its decoded form.
   */
  static final long MEMORY_FACTOR = 2;

  private final long maxRequestBytes;
  private final Ingest ingest;
  private final SelfMetrics metrics;
  private final ExecutorService executor;
  private final MemoryBudget budget;

  // The request being read. Confined to the event loop.
  private Signal signal;
  private boolean json;
  private String contentEncoding;
  private boolean keepAlive;
  private CompositeByteBuf body;
  private boolean discarding;
  // Memory taken for the request being read; handed to the worker with its body.
  private MemoryBudget.Reservation held;
  // The tenant HttpAuthHandler found for the request being read, or null.
  private Tenant tenant;

  /** A handler for one connection, with the parts both receivers share and its own executor. */
  OtlpHttpHandler(Receivers shared, ExecutorService executor) {
    this.maxRequestBytes = shared.maxRequestBytes;
    this.ingest = shared.ingest;
    this.metrics = shared.metrics;
    this.budget = shared.budget;
    this.executor = executor;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest) {
        start(ctx, (HttpRequest) msg);
      }
      if (msg instanceof HttpContent) {
        content(ctx, (HttpContent) msg);
      }
    } finally {
      // Content is copied into body with retain(); what arrived is always released here.
      ReferenceCountUtil.release(msg);
    }
  }

  private void start(ChannelHandlerContext ctx, HttpRequest request) {
    releaseBody();
    discarding = true;
    signal = null;
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      HttpResponseStatus answer = HttpResponseStatus.BAD_REQUEST;
      if (cause instanceof TooLongHttpHeaderException) {
        answer = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
      } else if (cause instanceof TooLongHttpLineException) {
        answer = HttpResponseStatus.REQUEST_URI_TOO_LONG;
      }
      if (answer != HttpResponseStatus.BAD_REQUEST) {
        metrics.connectionClosed(HttpReceiver.TRANSPORT, "header_too_large");
        sendText(
            ctx,
            answer,
            cause.getMessage() + " (server.max_header_bytes); send smaller headers",
            false);
        return;
      }
      sendText(ctx, answer, "malformed HTTP request: " + cause.getMessage(), false);
      return;
    }
    keepAlive = HttpUtil.isKeepAlive(request);
    String path = new QueryStringDecoder(request.uri()).path();
    Signal target = signalFor(path);
    if (target == null) {
      refuse(null, RefuseReason.NOT_FOUND);
      sendText(
          ctx,
          HttpResponseStatus.NOT_FOUND,
          "no OTLP endpoint at "
              + path
              + "; send traces to /v1/traces, metrics to /v1/metrics and logs to /v1/logs",
          keepAlive);
      return;
    }
    if (!HttpMethod.POST.equals(request.method())) {
      refuse(target, RefuseReason.METHOD_NOT_ALLOWED);
      FullHttpResponse response =
          text(
              HttpResponseStatus.METHOD_NOT_ALLOWED,
              "method " + request.method() + " is not allowed on " + path + "; use POST");
      response.headers().set(HttpHeaderNames.ALLOW, "POST");
      send(ctx, response, keepAlive);
      return;
    }
    String contentType = mediaType(request.headers().get(HttpHeaderNames.CONTENT_TYPE));
    if (PROTOBUF.equals(contentType) || "application/protobuf".equals(contentType)) {
      json = false;
    } else if (JSON.equals(contentType)) {
      json = true;
    } else {
      refuse(target, RefuseReason.UNSUPPORTED_MEDIA_TYPE);
      sendText(
          ctx,
          HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
          "unsupported Content-Type "
              + (contentType == null ? "(none)" : "'" + contentType + "'")
              + "; send application/x-protobuf or application/json",
          keepAlive);
      return;
    }
    String encoding = request.headers().get(HttpHeaderNames.CONTENT_ENCODING);
    encoding = encoding == null ? null : encoding.trim().toLowerCase(Locale.ROOT);
    if (!Decompression.isSupported(encoding)) {
      refuse(target, RefuseReason.UNSUPPORTED_ENCODING);
      sendText(
          ctx,
          HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
          "unsupported Content-Encoding '" + encoding + "'; send gzip, deflate or identity",
          keepAlive);
      return;
    }
    long declared = HttpUtil.getContentLength(request, -1L);
    if (declared > maxRequestBytes) {
      refuse(target, RefuseReason.TOO_LARGE);
      sendStatus(
          ctx,
          target,
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          Code.RESOURCE_EXHAUSTED,
          tooLargeMessage(declared),
          false);
      return;
    }
    // Memory is taken as the body arrives, not from the declared length: a client that declares
    // a large body and sends nothing must not hold memory it never used.
    held = budget.reservation();
    signal = target;
    tenant = ctx.channel().attr(HttpAuthHandler.TENANT).get();
    contentEncoding = encoding;
    discarding = false;
    body = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
    if (HttpUtil.is100ContinueExpected(request)) {
      ctx.writeAndFlush(
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
  }

  private void content(ChannelHandlerContext ctx, HttpContent content) {
    if (discarding) {
      if (content instanceof LastHttpContent) {
        discarding = false;
      }
      return;
    }
    ByteBuf data = content.content();
    if (data.isReadable()) {
      if ((long) body.readableBytes() + data.readableBytes() > maxRequestBytes) {
        Signal target = signal;
        long seen = (long) body.readableBytes() + data.readableBytes();
        releaseBody();
        discarding = true;
        refuse(target, RefuseReason.TOO_LARGE);
        sendStatus(
            ctx,
            target,
            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            Code.RESOURCE_EXHAUSTED,
            tooLargeMessage(seen),
            false);
        return;
      }
      if (!held.tryGrowTo(MEMORY_FACTOR * ((long) body.readableBytes() + data.readableBytes()))) {
        Signal target = signal;
        releaseBody();
        discarding = !(content instanceof LastHttpContent);
        overMemory(ctx, target, json);
        return;
      }
      body.addComponent(true, data.retain());
    }
    if (content instanceof LastHttpContent) {
      byte[] bytes = ByteBufUtil.getBytes(body);
      // The worker owns the memory reservation from here and gives it back when it has answered.
      MemoryBudget.Reservation taken = held;
      held = null;
      releaseBody();
      Signal target = signal;
      boolean isJson = json;
      String encoding = contentEncoding;
      boolean alive = keepAlive;
      Tenant from = tenant;
      // Paused until the response is written: responses stay in order, and a client that sends
      // faster than we process waits in TCP flow control rather than in our memory.
      ctx.channel().config().setAutoRead(false);
      try {
        executor.execute(() -> process(ctx, target, isJson, encoding, alive, bytes, taken, from));
      } catch (RejectedExecutionException e) {
        taken.close();
        refuse(target, RefuseReason.QUEUE_FULL);
        send(ctx, reply(target, isJson, ExportReply.busy()), alive);
      }
    }
  }

  /** Decodes and ingests one request body. Runs on the worker executor. */
  private void process(
      ChannelHandlerContext ctx,
      Signal target,
      boolean isJson,
      String encoding,
      boolean alive,
      byte[] raw,
      MemoryBudget.Reservation reservation,
      Tenant from) {
    FullHttpResponse response;
    try (MemoryBudget.Reservation r = reservation) {
      response = handle(target, isJson, encoding, raw, r, from);
    } catch (RuntimeException e) {
      logger.warn("Unexpected failure handling an OTLP/HTTP {} request", target.label(), e);
      response = reply(target, isJson, ExportReply.internal(e));
    }
    send(ctx, response, alive);
  }

  private FullHttpResponse handle(
      Signal target,
      boolean isJson,
      String encoding,
      byte[] raw,
      MemoryBudget.Reservation reservation,
      Tenant from) {
    byte[] bytes = raw;
    if (Decompression.isCompressed(encoding)) {
      try {
        // The inflated body is taken from the budget as it grows, on top of the compressed
        // bytes, so that concurrent bombs stop at the budget rather than at the heap's end.
        bytes =
            Decompression.inflate(
                new ByteArrayInputStream(raw), encoding, maxRequestBytes, reservation);
      } catch (Decompression.OverBudgetException e) {
        refuse(target, RefuseReason.MEMORY_LIMIT);
        return overMemoryResponse(target, isJson);
      } catch (Decompression.TooLargeException e) {
        refuse(target, RefuseReason.TOO_LARGE);
        return status(
            target,
            isJson,
            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            Code.RESOURCE_EXHAUSTED,
            e.getMessage());
      } catch (IOException e) {
        refuse(target, RefuseReason.MALFORMED);
        return status(
            target, isJson, HttpResponseStatus.BAD_REQUEST, Code.INVALID_ARGUMENT, e.getMessage());
      }
    }
    IngestResult result;
    try {
      switch (target) {
        case TRACES:
          result =
              ingest.traces(
                  Tenant.tag(from, isJson ? OtlpJson.parseTraces(bytes).toByteArray() : bytes),
                  HttpReceiver.TRANSPORT);
          break;
        case METRICS:
          result =
              ingest.metrics(
                  Tenant.tag(from, isJson ? OtlpJson.parseMetrics(bytes).toByteArray() : bytes),
                  HttpReceiver.TRANSPORT);
          break;
        default:
          result =
              ingest.logs(
                  Tenant.tag(from, isJson ? OtlpJson.parseLogs(bytes).toByteArray() : bytes),
                  HttpReceiver.TRANSPORT);
          break;
      }
    } catch (InvalidProtocolBufferException e) {
      // For JSON, the check of the encoded request refused it: a span limit it broke.
      refuse(target, RefuseReason.MALFORMED);
      return reply(
          target,
          isJson,
          ExportReply.malformed(target, isJson ? "JSON" : "protobuf", e.getMessage()));
    } catch (OtlpJsonException e) {
      refuse(target, RefuseReason.MALFORMED);
      return reply(target, true, ExportReply.malformed(target, "JSON", e.getMessage()));
    }
    // 429 for the rate limit, 503 for full queues and shutdown: OTLP clients retry both,
    // honouring Retry-After.
    return reply(target, isJson, ExportReply.of(result));
  }

  /**
   * {@code reply} as an HTTP response: the export response when accepted, else a {@code
   * google.rpc.Status} body, with {@code Retry-After} when the client should retry.
   */
  static FullHttpResponse reply(Signal target, boolean isJson, ExportReply reply) {
    if (reply.kind() == ExportReply.Kind.ACCEPTED) {
      return ok(isJson, reply.exportResponse(target));
    }
    FullHttpResponse response =
        status(isJson, HttpResponseStatus.valueOf(reply.httpStatus()), reply.status());
    if (reply.isRetryable()) {
      response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(reply.retryAfterSeconds()));
    }
    return response;
  }

  /** Refuses the request being read for lack of memory; the rest of its body is discarded. */
  private void overMemory(ChannelHandlerContext ctx, Signal target, boolean isJson) {
    if (held != null) {
      held.close();
      held = null;
    }
    refuse(target, RefuseReason.MEMORY_LIMIT);
    send(ctx, overMemoryResponse(target, isJson), keepAlive);
  }

  private FullHttpResponse overMemoryResponse(Signal target, boolean isJson) {
    return reply(target, isJson, ExportReply.overMemory(budget.limit()));
  }

  private String tooLargeMessage(long size) {
    return "the request body of "
        + size
        + " bytes is over the limit of "
        + maxRequestBytes
        + " bytes (server.max_request_bytes); send smaller batches";
  }

  private void refuse(Signal target, RefuseReason reason) {
    // Requests to unknown paths have no signal; they are counted under traces' neighbour label.
    metrics.refused(target == null ? Signal.TRACES : target, HttpReceiver.TRANSPORT, reason, 0);
  }

  static Signal signalFor(String path) {
    for (Signal s : Signal.values()) {
      if (s.httpPath().equals(path)) {
        return s;
      }
    }
    return null;
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semicolon = contentType.indexOf(';');
    String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return type.trim().toLowerCase(Locale.ROOT);
  }

  private static FullHttpResponse ok(boolean isJson, Message message) {
    byte[] bytes =
        isJson ? OtlpJson.print(message).getBytes(StandardCharsets.UTF_8) : message.toByteArray();
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, isJson ? JSON : PROTOBUF);
    return response;
  }

  /** An error answer whose body is a {@code google.rpc.Status}, as the OTLP/HTTP spec asks. */
  static FullHttpResponse status(
      Signal target, boolean isJson, HttpResponseStatus httpStatus, Code code, String message) {
    return status(
        isJson,
        httpStatus,
        com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(message).build());
  }

  private static FullHttpResponse status(
      boolean isJson, HttpResponseStatus httpStatus, com.google.rpc.Status status) {
    byte[] bytes =
        isJson ? OtlpJson.print(status).getBytes(StandardCharsets.UTF_8) : status.toByteArray();
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, httpStatus, Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, isJson ? JSON : PROTOBUF);
    return response;
  }

  private void sendStatus(
      ChannelHandlerContext ctx,
      Signal target,
      HttpResponseStatus httpStatus,
      Code code,
      String message,
      boolean alive) {
    send(ctx, status(target, json, httpStatus, code, message), alive);
  }

  private static FullHttpResponse text(HttpResponseStatus httpStatus, String message) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            httpStatus,
            Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    return response;
  }

  private static void sendText(
      ChannelHandlerContext ctx, HttpResponseStatus httpStatus, String message, boolean alive) {
    send(ctx, text(httpStatus, message), alive);
  }

  /** Writes {@code response}; closes the connection after it unless it is kept alive. */
  private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean alive) {
    HttpUtil.setContentLength(response, response.content().readableBytes());
    if (alive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response)
          .addListener(
              f -> {
                if (!ctx.channel().config().isAutoRead()) {
                  ctx.channel().config().setAutoRead(true);
                }
              });
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void releaseBody() {
    if (body != null) {
      body.release();
      body = null;
    }
    if (held != null) {
      held.close();
      held = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseBody();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    logger.debug("Closing an OTLP/HTTP connection after an error", cause);
    releaseBody();
    ctx.close();
  }
}
