/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NettyTransportTest {

  private static boolean linuxWithBundledLibrary() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("aarch64"));
  }

  @Test
  void usesEpollOnLinuxWhereTheLibraryIsBundled() {
    assumeTrue(
        linuxWithBundledLibrary(), "epoll's library is bundled for Linux x86-64 and aarch64");
    assertThat(NettyTransport.epollUnavailabilityCause()).isNull();
    assertThat(NettyTransport.name()).isEqualTo("epoll");
    assertThat(NettyTransport.serverChannelType()).isEqualTo(EpollServerSocketChannel.class);
    assertThat(NettyTransport.newServerChannel()).isInstanceOf(EpollServerSocketChannel.class);
  }

  @Test
  void serverChannelsRunOnTheTransportsEventLoops() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NettyTransport.ioHandlers());
    try {
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channelFactory(NettyTransport::newServerChannel)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(
                              new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                  ctx.writeAndFlush(msg); // echo
                                }
                              });
                    }
                  })
              .bind("127.0.0.1", 0)
              .sync()
              .channel();
      assertThat(server).isInstanceOf(NettyTransport.serverChannelType());
      int port = ((InetSocketAddress) server.localAddress()).getPort();
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(5000);
        OutputStream out = socket.getOutputStream();
        out.write("ping".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
      }
      server.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  /** -Dio.netty.transport.noNative=true, the documented way back to NIO, works. */
  @Test
  void noNativeTurnsEveryServerBackToNio() throws Exception {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                java.toString(),
                "-Dio.netty.transport.noNative=true",
                "-cp",
                System.getProperty("java.class.path"),
                PrintTransport.class.getName())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(output).endsWith("nio io.netty.channel.socket.nio.NioServerSocketChannel");
  }

  /** Prints the transport's name and server channel type; run in a JVM of its own. */
  public static final class PrintTransport {
    public static void main(String[] args) {
      System.out.println(
          NettyTransport.name() + " " + NettyTransport.newServerChannel().getClass().getName());
    }
  }
}
