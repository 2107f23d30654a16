/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Process signals: SIGTERM and SIGINT stop the proxy gracefully and exit 0; SIGHUP reloads the
 * configuration.
 *
 * <p>Uses {@code sun.misc.Signal} (module jdk.unsupported, present in every JDK and JRE image) so
 * that a graceful stop exits 0 rather than the 143 a shutdown hook would leave. A shutdown hook
 * still runs the same stop for any other way the JVM exits.
 */
final class Signals {

  private static final Logger logger = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  /** Runs {@code stop} once on SIGTERM, SIGINT or JVM exit; a signal then exits with 0. */
  static void onStop(Runnable stop) {
    AtomicBoolean once = new AtomicBoolean();
    Runnable stopOnce =
        () -> {
          if (once.compareAndSet(false, true)) {
            logger.info("Stopping: no new data is accepted; draining the queues");
            stop.run();
          }
        };
    Runtime.getRuntime().addShutdownHook(new Thread(stopOnce, "traccia-shutdown"));
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(
            new Signal(name),
            signal -> {
              // Signal handlers run on their own thread; stopping may take the drain timeout.
              Thread t =
                  new Thread(
                      () -> {
                        stopOnce.run();
                        System.exit(0);
                      },
                      "traccia-stop");
              t.start();
            });
      } catch (IllegalArgumentException e) {
        logger.debug("Signal {} cannot be handled on this platform", name, e);
      }
    }
  }

  /** Runs {@code reload} on each SIGHUP, where the platform has it. */
  static void onReload(Runnable reload) {
    try {
      Signal.handle(
          new Signal("HUP"),
          signal -> {
            logger.info("SIGHUP: reloading the configuration");
            reload.run();
          });
    } catch (IllegalArgumentException e) {
      logger.debug("SIGHUP cannot be handled on this platform", e);
    }
  }
}
