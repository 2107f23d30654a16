/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.metrics.SelfMetrics.RefuseReason;
import com.google.rpc.Code;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Checks the bearer token of each OTLP/HTTP request when its head arrives, before any byte of its
 * body is read into memory, and passes on only the requests it accepts.
 *
 * <p>An accepted request's tenant (or null) is left in the channel attribute {@link #TENANT} for
 * {@link OtlpHttpHandler}, which reads it when the same request's head reaches it. A refused one is
 * answered 401 with {@code WWW-Authenticate: Bearer} and a {@code google.rpc.Status} body ({@code
 * UNAUTHENTICATED}), counted with reason {@code unauthenticated}, and its connection closed: at
 * once when the request had no body left, otherwise once the rest of the body has gone by (each
 * chunk released as it arrives) or after {@link #LINGER_MILLIS}, whichever comes first. The linger
 * lets a client that is still sending read the answer, instead of a connection reset. Not sharable;
 * used only from its channel's event loop.
 */
final class HttpAuthHandler extends ChannelInboundHandlerAdapter {

  /** The tenant of the request being read on a channel, or null. */
  static final AttributeKey<Tenant> TENANT = AttributeKey.valueOf("traccia.tenant");

  /** How long a refused request's body is waited for before its connection is closed. */
  static final long LINGER_MILLIS = 2_000;

  private final BearerAuth auth;
  private final SelfMetrics metrics;
  // Set once a request was refused: everything after it on this connection is dropped.
  private boolean refused;
  private boolean bodyDone;
  private ChannelFuture answered;

  HttpAuthHandler(BearerAuth auth, SelfMetrics metrics) {
    this.auth = auth;
    this.metrics = metrics;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      // The rest of the refused request (or anything pipelined after it): dropped, never kept.
      boolean last = msg instanceof LastHttpContent;
      ReferenceCountUtil.release(msg);
      if (last && !bodyDone) {
        bodyDone = true;
        // After the 401 is written, never before: closing would drop it.
        answered.addListener(ChannelFutureListener.CLOSE);
      }
      return;
    }
    if (!(msg instanceof HttpRequest) || ((HttpRequest) msg).decoderResult().isFailure()) {
      // Body chunks of accepted requests, and malformed heads, which the OTLP handler answers.
      ctx.fireChannelRead(msg);
      return;
    }
    HttpRequest request = (HttpRequest) msg;
    BearerAuth.Result result = auth.check(request.headers().get(HttpHeaderNames.AUTHORIZATION));
    if (result.isAccepted()) {
      ctx.channel().attr(TENANT).set(result.tenant());
      ctx.fireChannelRead(msg);
      return;
    }
    refused = true;
    bodyDone = msg instanceof LastHttpContent;
    String path = new QueryStringDecoder(request.uri()).path();
    Signal signal = OtlpHttpHandler.signalFor(path);
    String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    boolean json =
        contentType != null
            && contentType.toLowerCase(Locale.ROOT).trim().startsWith("application/json");
    ReferenceCountUtil.release(msg);
    metrics.refused(
        signal == null ? Signal.TRACES : signal,
        HttpReceiver.TRANSPORT,
        RefuseReason.UNAUTHENTICATED,
        0);
    FullHttpResponse response =
        OtlpHttpHandler.status(
            signal, json, HttpResponseStatus.UNAUTHORIZED, Code.UNAUTHENTICATED, result.message());
    response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, result.challenge());
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    HttpUtil.setContentLength(response, response.content().readableBytes());
    // Nothing more is read into the pipeline's memory for this connection; what arrives is
    // released above. Reading goes on so that the client's send completes and it sees the 401.
    answered = ctx.writeAndFlush(response);
    answered.addListener(
        f -> {
          if (bodyDone || !f.isSuccess()) {
            ctx.close();
          } else {
            ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
          }
        });
  }
}
