/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The proxy's logging without a logback file: what the file used to say, said in code. */
class ConsoleLoggingTest {

  @Test
  void install_oneLineOnStderrAtInfo_withGrpcAndNettyQuieter() {
    LoggerContext context = new LoggerContext();

    ConsoleLogging.install(context);

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.INFO);
    assertThat(context.getLogger("io.grpc").getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("jdk.internal.httpclient").getLevel()).isEqualTo(Level.INFO);
    assertThat(context.getLogger("jdk.httpclient").getLevel()).isEqualTo(Level.INFO);
    // A logger below a quieted one inherits its level.
    assertThat(context.getLogger("io.grpc.netty.NettyServer").getEffectiveLevel())
        .isEqualTo(Level.WARN);

    ConsoleAppender<ILoggingEvent> stderr =
        (ConsoleAppender<ILoggingEvent>) root.getAppender(ConsoleLogging.APPENDER);
    assertThat(stderr.isStarted()).isTrue();
    assertThat(stderr.getTarget()).isEqualTo("System.err");
    LoggingEvent event =
        new LoggingEvent(
            Logger.class.getName(),
            context.getLogger("ai.traccia.proxy.server.cli.ServeCommand"),
            Level.WARN,
            "listening on {}",
            null,
            new Object[] {4317});
    event.setThreadName("main");
    String line = new String(stderr.getEncoder().encode(event), StandardCharsets.UTF_8);
    assertThat(line)
        .matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)"
                + " WARN  \\[main\\] ServeCommand - listening on 4317"
                + System.lineSeparator());
  }

  @Test
  void aFileOfOnesOwn_byPropertyOrOnTheClassPath_isLeftToLogback() throws Exception {
    try (URLClassLoader bare = new URLClassLoader(new URL[0], null)) {
      assertThat(ConsoleLogging.ownConfigurationFile(null, bare)).isFalse();
      assertThat(ConsoleLogging.ownConfigurationFile("/etc/traccia/logback.xml", bare)).isTrue();
    }
    // This module's tests bring a logback-test.xml.
    assertThat(ConsoleLogging.ownConfigurationFile(null, getClass().getClassLoader())).isTrue();
  }

  @Test
  void logbackFindsItAsAService() {
    assertThat(ServiceLoader.load(Configurator.class, getClass().getClassLoader()).stream())
        .extracting(ServiceLoader.Provider::type)
        .contains(ConsoleLogging.class);
  }
}
