/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Writes at most a fixed number of lines per minute to an SLF4J logger, so that a backend failing
 * every request cannot flood the log.
 *
 * <p>Minutes are fixed windows starting at the first line. Lines beyond the limit are counted and
 * dropped; the first line of the next window that is written is preceded by one line saying how
 * many were suppressed. Thread-safe; the lock is held only to count, never while logging.
 */
public final class ThrottlingLogger {

  private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final Logger logger;
  private final int maxLinesPerMinute;
  private final LongSupplier nanoClock;
  private final Object lock = new Object();
  // Guarded by lock.
  private long windowStart;
  private boolean started;
  private int linesInWindow;
  private long suppressed;

  private ThrottlingLogger(Logger logger, int maxLinesPerMinute, LongSupplier nanoClock) {
    this.logger = Objects.requireNonNull(logger, "logger");
    if (maxLinesPerMinute <= 0) {
      throw new IllegalArgumentException(
          "maxLinesPerMinute: " + maxLinesPerMinute + " (expected: > 0)");
    }
    this.maxLinesPerMinute = maxLinesPerMinute;
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /** Writes at most {@code maxLinesPerMinute} lines a minute to {@code logger}. */
  public static ThrottlingLogger create(Logger logger, int maxLinesPerMinute) {
    return new ThrottlingLogger(logger, maxLinesPerMinute, System::nanoTime);
  }

  /** As {@link #create(Logger, int)}, with minutes measured by {@code nanoClock}. */
  static ThrottlingLogger create(Logger logger, int maxLinesPerMinute, LongSupplier nanoClock) {
    return new ThrottlingLogger(logger, maxLinesPerMinute, nanoClock);
  }

  /** Logs at WARN unless this minute's lines are used up; arguments as in SLF4J. */
  public void warn(String format, Object... arguments) {
    log(Level.WARN, format, arguments);
  }

  /** Logs at ERROR unless this minute's lines are used up; arguments as in SLF4J. */
  public void error(String format, Object... arguments) {
    log(Level.ERROR, format, arguments);
  }

  /**
   * Logs at {@code level} unless this minute's lines are used up. A line the logger would not write
   * anyway (level disabled) does not count.
   */
  public void log(Level level, String format, Object... arguments) {
    if (!logger.isEnabledForLevel(level)) {
      return;
    }
    long suppressedBefore;
    synchronized (lock) {
      long now = nanoClock.getAsLong();
      if (!started || now - windowStart >= WINDOW_NANOS) {
        started = true;
        windowStart = now;
        linesInWindow = 0;
      }
      if (linesInWindow >= maxLinesPerMinute) {
        suppressed++;
        return;
      }
      linesInWindow++;
      suppressedBefore = suppressed;
      suppressed = 0;
    }
    if (suppressedBefore > 0) {
      logger
          .atLevel(level)
          .log(
              "{} similar log line(s) were suppressed (at most {} a minute)",
              suppressedBefore,
              maxLinesPerMinute);
    }
    logger.atLevel(level).log(format, arguments);
  }
}
