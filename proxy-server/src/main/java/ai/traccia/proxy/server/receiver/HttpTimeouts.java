/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.metrics.SelfMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP connection whose client is too slow or idle too long, so that a connection can
 * hold a worker's attention, a partial body and its memory reservation only for a bounded time:
 *
 * <ul>
 *   <li>header timeout: a request's head must be complete within {@code server.header_timeout_ms}
 *       of its first byte (of the connection's start, for the first request); answered 408;
 *   <li>body timeout: its body must be complete within {@code server.body_timeout_ms} of its head;
 *       answered 408 unless the request was already answered;
 *   <li>idle timeout: after a response, the next request must start within {@code
 *       server.idle_timeout_ms}; closed without an answer, as keep-alive connections are.
 * </ul>
 *
 * <p>While the proxy itself works on a request no timer runs: that time is the proxy's, not the
 * client's. Two handlers share one state: {@link #raw} before the HTTP codec sees when bytes
 * arrive, {@link #messages} after it sees where requests and responses begin and end. Closing the
 * channel is enough to release what the request held: the OTLP handler gives its body and
 * reservation back when the channel goes inactive. Confined to the channel's event loop.
 */
final class HttpTimeouts {

  private enum Phase {
    /** Waiting for a request's head; {@code started} says whether any byte of it arrived. */
    HEAD,
    /** The head arrived; waiting for the rest of the body. */
    BODY,
    /** The request is complete and the proxy works on it. */
    PROCESSING,
    /** The last response was written; waiting for the next request. */
    IDLE
  }

  private final long headerNanos;
  private final long bodyNanos;
  private final long idleNanos;
  private final SelfMetrics metrics;

  private Phase phase = Phase.HEAD;
  private boolean started;
  private boolean answered;
  private ScheduledFuture<?> timer;

  HttpTimeouts(ReceiverLimits limits, SelfMetrics metrics) {
    this.headerNanos = limits.headerTimeout().toNanos();
    this.bodyNanos = limits.bodyTimeout().toNanos();
    this.idleNanos = limits.idleTimeout().toNanos();
    this.metrics = metrics;
  }

  /** The handler that goes before the HTTP codec. */
  ChannelInboundHandlerAdapter raw() {
    return new Raw();
  }

  /** The handler that goes right after the HTTP codec. */
  ChannelDuplexHandler messages() {
    return new Messages();
  }

  private void enter(ChannelHandlerContext ctx, Phase next, long nanos) {
    phase = next;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    if (nanos > 0) {
      timer = ctx.executor().schedule(() -> expired(ctx, next), nanos, TimeUnit.NANOSECONDS);
    }
  }

  private void expired(ChannelHandlerContext ctx, Phase expected) {
    timer = null;
    if (phase != expected || !ctx.channel().isActive()) {
      return;
    }
    switch (phase) {
      case HEAD:
        metrics.connectionClosed(HttpReceiver.TRANSPORT, "header_timeout");
        if (started) {
          closeWith408(ctx, "the request's headers did not arrive within the header timeout");
        } else {
          ctx.channel().close();
        }
        break;
      case BODY:
        metrics.connectionClosed(HttpReceiver.TRANSPORT, "body_timeout");
        if (answered) {
          ctx.channel().close();
        } else {
          closeWith408(ctx, "the request's body did not arrive within the body timeout");
        }
        break;
      case IDLE:
        metrics.connectionClosed(HttpReceiver.TRANSPORT, "idle_timeout");
        ctx.channel().close();
        break;
      default:
        break;
    }
  }

  private static void closeWith408(ChannelHandlerContext ctx, String message) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.REQUEST_TIMEOUT,
            Unpooled.copiedBuffer(message + "; send it faster or retry\n", StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    HttpUtil.setContentLength(response, response.content().readableBytes());
    // From the channel's tail, so that the response goes through the HTTP codec.
    ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  private final class Raw extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      started = false;
      enter(ctx, Phase.HEAD, headerNanos);
      super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (phase == Phase.IDLE) {
        started = true;
        enter(ctx, Phase.HEAD, headerNanos);
      } else if (phase == Phase.HEAD) {
        started = true;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
      super.channelInactive(ctx);
    }
  }

  private final class Messages extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        answered = false;
        enter(ctx, Phase.BODY, bodyNanos);
      }
      if (msg instanceof LastHttpContent && phase == Phase.BODY) {
        if (answered) {
          started = false;
          enter(ctx, Phase.IDLE, idleNanos);
        } else {
          enter(ctx, Phase.PROCESSING, 0);
        }
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      boolean ends =
          msg instanceof LastHttpContent
              && !(msg instanceof HttpResponse
                  && ((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL);
      if (ends && !promise.isVoid()) {
        promise.addListener(
            f -> {
              if (phase == Phase.PROCESSING) {
                started = false;
                enter(ctx, Phase.IDLE, idleNanos);
              } else if (phase == Phase.BODY) {
                // Refused before its body was complete; the rest of the body still has to come
                // within the body timeout before the connection can be reused.
                answered = true;
              }
            });
      }
      ctx.write(msg, promise);
    }
  }
}
