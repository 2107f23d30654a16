/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link AdminConnection} on an embedded channel: what it holds is released whatever comes. */
class AdminConnectionTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  /** Keeps the pages to render without rendering them: a page is being served for as long. */
  private static final class HeldRenderer extends AbstractExecutorService {
    final List<Runnable> tasks = new ArrayList<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }

  private final HeldRenderer renderer = new HeldRenderer();
  private final AdminConnection connection =
      new AdminConnection(
          new AdminConnection.Shared(
              Map.of(
                  "/slow",
                  new AdminServer.Route(request -> AdminResponse.text(200, "done\n"), false)),
              renderer,
              new ConnectionLimiter(4),
              SECOND,
              SECOND));
  private final EmbeddedChannel channel =
      new EmbeddedChannel(connection.bytes(), connection.requests());

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private static FullHttpRequest get(String path) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
  }

  @Test
  void pipelinedRequests_areReleasedWhenTheConnectionCloses() {
    FullHttpRequest first = get("/slow");
    FullHttpRequest second = get("/slow");
    channel.writeInbound(first, second);
    assertThat(connection.serving()).isTrue();
    assertThat(second.refCnt()).as("waiting behind the first").isEqualTo(1);

    channel.close();

    assertThat(first.refCnt()).isZero();
    assertThat(second.refCnt()).isZero();
  }

  @Test
  void requestHandedOnAfterTheClose_isReleased() throws Exception {
    channel.writeInbound(get("/slow"));
    ChannelHandlerContext ctx = channel.pipeline().context(connection.requests());
    channel.close();
    // What a codec still holds when the channel closes comes through after the close.
    FullHttpRequest late = get("/slow");

    connection.requests().channelRead(ctx, late);

    assertThat(late.refCnt()).isZero();
  }

  @Test
  void renderedPage_isWrittenOnceItsTurnComes() {
    channel.writeInbound(get("/slow"));
    assertThat(renderer.tasks).hasSize(1);

    renderer.tasks.remove(0).run();
    channel.runPendingTasks();

    FullHttpResponse response = channel.readOutbound();
    assertThat(response.status().code()).isEqualTo(200);
    response.release();
    assertThat(connection.serving()).isFalse();
  }
}
