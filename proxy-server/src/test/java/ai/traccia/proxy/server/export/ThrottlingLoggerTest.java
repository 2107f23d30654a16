/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class ThrottlingLoggerTest {

  private static final String NAME = ThrottlingLoggerTest.class.getName() + ".throttled";
  private final LogCapture log = new LogCapture(NAME);
  private final AtomicLong now = new AtomicLong(5_000_000_000L);
  private final ThrottlingLogger logger =
      ThrottlingLogger.create(LoggerFactory.getLogger(NAME), 2, now::get);

  @BeforeEach
  void enableInfo() {
    logbackLogger().setLevel(ch.qos.logback.classic.Level.INFO);
  }

  @AfterEach
  void closeLog() {
    logbackLogger().setLevel(null);
    log.close();
  }

  private static ch.qos.logback.classic.Logger logbackLogger() {
    return (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(NAME);
  }

  private void advance(Duration duration) {
    now.addAndGet(duration.toNanos());
  }

  @Test
  void log_writesAtMostTheLimitPerMinute() {
    logger.warn("line {}", 1);
    logger.warn("line {}", 2);
    logger.warn("line {}", 3);
    advance(Duration.ofSeconds(59));
    logger.error("line {}", 4);

    assertThat(log.lines()).containsExactly("WARN line 1", "WARN line 2");
  }

  @Test
  void log_nextMinute_saysHowManyWereSuppressed() {
    for (int i = 1; i <= 5; i++) {
      logger.warn("line {}", i);
    }
    advance(Duration.ofMinutes(1));
    logger.warn("line {}", 6);
    logger.warn("line {}", 7);
    logger.warn("line {}", 8);
    advance(Duration.ofMinutes(1));
    logger.log(Level.INFO, "line {}", 9);

    assertThat(log.lines())
        .containsExactly(
            "WARN line 1",
            "WARN line 2",
            "WARN 3 similar log line(s) were suppressed (at most 2 a minute)",
            "WARN line 6",
            "WARN line 7",
            "INFO 1 similar log line(s) were suppressed (at most 2 a minute)",
            "INFO line 9");
  }

  @Test
  void log_passesTheThrowableToTheLogger() {
    logger.warn("failed {}", "export", new IllegalStateException("boom"));

    assertThat(log.lines()).containsExactly("WARN failed export");
  }

  @Test
  void log_disabledLevelsDoNotCount() {
    logbackLogger().setLevel(ch.qos.logback.classic.Level.WARN);
    for (int i = 0; i < 5; i++) {
      logger.log(Level.INFO, "info {}", i);
    }
    logger.warn("first");
    logger.warn("second");

    assertThat(log.lines()).containsExactly("WARN first", "WARN second");
  }

  @Test
  void create_rejectsANonPositiveLimit() {
    assertThatThrownBy(() -> ThrottlingLogger.create(LoggerFactory.getLogger(NAME), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxLinesPerMinute: 0 (expected: > 0)");
  }
}
