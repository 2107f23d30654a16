/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin connection: its timeouts, its place under the connection cap, and its requests, which
 * are answered one at a time in the order they came.
 *
 * <p>States: waiting (no byte of a request yet; the idle timeout runs), reading (bytes of a request
 * head have come; the header timeout runs from the first of them) and serving (a request is being
 * answered; no timeout, as rendering is bounded by its executor). Not sharable; confined to the
 * channel's event loop, apart from rendering, which hands its result back to the loop.
 */
final class AdminConnection {

  private static final Logger logger = LoggerFactory.getLogger(AdminConnection.class);
  // Requests a client may pipeline behind the one being answered; past it the connection closes.
  static final int MAX_PIPELINED = 16;

  private enum State {
    WAITING,
    READING,
    SERVING
  }

  private final Shared shared;
  private final ArrayDeque<FullHttpRequest> pending = new ArrayDeque<>();
  private final ChannelInboundHandlerAdapter bytes = new Bytes();
  private final ChannelInboundHandlerAdapter requests = new Requests();

  private ChannelHandlerContext ctx;
  private State state = State.WAITING;
  private ScheduledFuture<?> timer;
  // Whether bytes have come since the last complete request head.
  private boolean partial;

  AdminConnection(Shared shared) {
    this.shared = shared;
  }

  /**
   * What every connection of one admin server shares: its routes, the thread that renders pages,
   * the connection cap, and the header and idle timeouts.
   */
  record Shared(
      Map<String, AdminServer.Route> routes,
      ExecutorService renderer,
      ConnectionLimiter limiter,
      long headerNanos,
      long idleNanos) {}

  /** The handler in front of the codec: sees raw bytes, so it knows when a request starts. */
  ChannelInboundHandlerAdapter bytes() {
    return bytes;
  }

  /** The handler after the aggregator: answers complete requests. */
  ChannelInboundHandlerAdapter requests() {
    return requests;
  }

  boolean serving() {
    return state == State.SERVING;
  }

  void close() {
    if (ctx != null) {
      ctx.channel().close();
    }
  }

  private void arm(long nanos) {
    disarm();
    timer =
        ctx.executor()
            .schedule(
                () -> {
                  if (state != State.SERVING) {
                    // A slow or silent client: nothing is owed to it, so just close.
                    ctx.channel().close();
                  }
                },
                nanos,
                TimeUnit.NANOSECONDS);
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private final class Bytes extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
      ctx = context;
      if (!shared.limiter().admit(AdminConnection.this)) {
        context.channel().close();
        return;
      }
      context.channel().closeFuture().addListener(f -> closed());
      arm(shared.idleNanos());
      super.channelActive(context);
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
      if (msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
        partial = true;
        if (state == State.WAITING) {
          state = State.READING;
          arm(shared.headerNanos());
        }
      }
      context.fireChannelRead(msg);
    }
  }

  private void closed() {
    disarm();
    shared.limiter().closed(this);
    for (FullHttpRequest request : pending) {
      ReferenceCountUtil.release(request);
    }
    pending.clear();
  }

  private final class Requests extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
      // Once the channel has closed, the codec may still hand on what it held (its last request),
      // after the pending requests were released: nothing would release it.
      if (!(msg instanceof FullHttpRequest) || !context.channel().isOpen()) {
        ReferenceCountUtil.release(msg);
        return;
      }
      partial = false;
      disarm();
      if (pending.size() >= MAX_PIPELINED) {
        ReferenceCountUtil.release(msg);
        context.channel().close();
        return;
      }
      pending.add((FullHttpRequest) msg);
      if (state != State.SERVING) {
        state = State.SERVING;
        next();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
      logger.debug("Admin connection failed; closing it", cause);
      context.channel().close();
    }
  }

  // Answers the oldest pending request, or goes back to waiting.
  private void next() {
    FullHttpRequest request = pending.poll();
    if (request == null) {
      state = partial ? State.READING : State.WAITING;
      arm(partial ? shared.headerNanos() : shared.idleNanos());
      return;
    }
    boolean keepAlive;
    boolean head;
    AdminRequest adminRequest;
    AdminServer.Route route;
    try {
      if (request.decoderResult().isFailure()) {
        Throwable cause = request.decoderResult().cause();
        HttpResponseStatus status =
            cause instanceof TooLongHttpLineException
                ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : cause instanceof TooLongHttpHeaderException
                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : cause instanceof TooLongFrameException
                        ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                        : HttpResponseStatus.BAD_REQUEST;
        write(AdminResponse.text(status.code(), status.reasonPhrase() + "\n"), false, false);
        return;
      }
      keepAlive = HttpUtil.isKeepAlive(request);
      head = HttpMethod.HEAD.equals(request.method());
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      route = AdminServer.find(shared.routes(), uri.path());
      if (route == null) {
        write(
            AdminResponse.text(
                404, "not found; the admin port serves " + String.join(", ", paths()) + "\n"),
            head,
            keepAlive);
        return;
      }
      if (!head && !HttpMethod.GET.equals(request.method())) {
        FullHttpResponse response =
            response(
                AdminResponse.text(405, "method not allowed; use GET or HEAD\n"), false, keepAlive);
        response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        send(response, keepAlive);
        return;
      }
      adminRequest = new AdminRequest(uri.path(), uri.parameters(), head);
    } finally {
      // Everything a handler needs has been copied out.
      request.release();
    }
    if (route.probe()) {
      write(render(route.handler(), adminRequest), head, keepAlive);
      return;
    }
    try {
      shared
          .renderer()
          .execute(
              () -> {
                AdminResponse response = render(route.handler(), adminRequest);
                ctx.executor().execute(() -> write(response, head, keepAlive));
              });
    } catch (RejectedExecutionException e) {
      AdminResponse busy = AdminResponse.text(503, "busy rendering other pages; retry shortly\n");
      FullHttpResponse response = response(busy, head, keepAlive);
      response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
      send(response, keepAlive);
    }
  }

  private List<String> paths() {
    return shared.routes().keySet().stream().sorted().toList();
  }

  private static AdminResponse render(AdminHandler handler, AdminRequest request) {
    try {
      return handler.handle(request);
    } catch (Exception | LinkageError e) {
      logger.warn("Admin page {} failed", request.path(), e);
      return AdminResponse.text(500, "internal error; see the proxy's log\n");
    }
  }

  private void write(AdminResponse answer, boolean head, boolean keepAlive) {
    send(response(answer, head, keepAlive), keepAlive);
  }

  private static FullHttpResponse response(AdminResponse answer, boolean head, boolean keepAlive) {
    byte[] body = answer.body();
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(answer.status()),
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    // A page's own headers (its Content-Security-Policy, its caching) come last and win.
    answer.headers().forEach((name, value) -> response.headers().set(name, value));
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return response;
  }

  private void send(FullHttpResponse response, boolean keepAlive) {
    if (!ctx.channel().isActive()) {
      response.release();
      return;
    }
    if (!keepAlive) {
      ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    // From the tail of the pipeline, through the codec: ctx is the handler in front of it.
    ctx.channel()
        .writeAndFlush(response)
        .addListener(
            f -> {
              if (f.isSuccess()) {
                next();
              } else {
                ctx.channel().close();
              }
            });
  }
}
