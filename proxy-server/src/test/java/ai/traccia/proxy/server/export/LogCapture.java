/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Collects what one logger writes, for assertions on log lines. */
final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LogCapture(String loggerName) {
    this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    appender.start();
    logger.addAppender(appender);
  }

  LogCapture(Class<?> type) {
    this(type.getName());
  }

  /** "LEVEL message" of each line, in order. */
  synchronized List<String> lines() {
    return appender.list.stream()
        .map(e -> e.getLevel() + " " + e.getFormattedMessage())
        .collect(Collectors.toList());
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
