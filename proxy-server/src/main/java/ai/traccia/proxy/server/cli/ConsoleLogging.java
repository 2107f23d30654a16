/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * The proxy's logging, set up in code: one readable line per event on stderr, so stdout stays free
 * for the console exporter. Found by logback through {@code META-INF/services}.
 *
 * <p>Set up in code rather than from a {@code logback.xml} because reading XML loads logback's
 * configuration framework and the JDK's XML parser: 460 classes, 1.8 MiB of metaspace in every
 * proxy and 80 ms of its startup, to say what the few lines below say. A configuration file of
 * one's own still wins: given with {@code -Dlogback.configurationFile}, or as {@code logback.xml}
 * or {@code logback-test.xml} on the class path, it is read as logback always reads it.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class ConsoleLogging extends ContextAwareBase implements Configurator {

  /** The line every event is written as; ISO 8601 time with the offset. */
  static final String PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0} - %msg%n";

  /**
   * Loggers kept quieter than the root. grpc-java and Netty log at INFO about things the proxy
   * reports itself. The JDK HTTP client logs each request's full URL at DEBUG, tokens in its user
   * information or query included: it stays at INFO even when {@code logging.level} is debug.
   */
  static final Map<String, Level> LEVELS =
      Map.of(
          "io.grpc", Level.WARN,
          "io.netty", Level.WARN,
          "jdk.internal.httpclient", Level.INFO,
          "jdk.httpclient", Level.INFO);

  /** The name of the one appender. */
  static final String APPENDER = "STDERR";

  private static final String[] OWN_FILES = {"logback-test.xml", "logback.xml"};

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (ownConfigurationFile(
        System.getProperty("logback.configurationFile"), ConsoleLogging.class.getClassLoader())) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    install(context);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Sets {@code context} up: stderr, {@link #PATTERN}, INFO, and the {@link #LEVELS}. */
  static void install(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();

    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName(APPENDER);
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(stderr);
  }

  /**
   * Whether a logback configuration file of one's own was given: by {@code property} (the value of
   * {@code logback.configurationFile}, or null) or on {@code loader}'s class path.
   */
  static boolean ownConfigurationFile(String property, ClassLoader loader) {
    if (property != null) {
      return true;
    }
    for (String name : OWN_FILES) {
      if (loader.getResource(name) != null) {
        return true;
      }
    }
    return false;
  }
}
