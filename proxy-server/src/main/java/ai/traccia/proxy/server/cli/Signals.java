/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Process signals: SIGTERM and SIGINT stop the proxy gracefully and exit 0; SIGHUP reloads the
 * configuration.
 *
 * <p>Uses {@code sun.misc.Signal} (module jdk.unsupported, present in every JDK and JRE image) so
 * that a graceful stop exits 0 rather than the 143 a shutdown hook would leave. A shutdown hook
 * still runs the same stop for any other way the JVM exits. The handlers are installed by {@link
 * #install()} before the proxy reports ready, because the JVM's own reaction to SIGHUP is to exit:
 * a reload asked for between readiness and the end of start-up is then logged and ignored rather
 * than stopping the process.
 */
final class Signals {

  private static final Logger logger = LoggerFactory.getLogger(Signals.class);
  private static final AtomicBoolean installed = new AtomicBoolean();
  private static final AtomicReference<Runnable> reload =
      new AtomicReference<>(
          () -> logger.info("SIGHUP before start-up finished; nothing to reload"));
  private static final AtomicReference<Runnable> stop = new AtomicReference<>(() -> {});
  private static final AtomicBoolean stopped = new AtomicBoolean();

  private Signals() {}

  /** Installs the handlers once; what they do is set with {@link #onStop} and {@link #onReload}. */
  static void install() {
    if (!installed.compareAndSet(false, true)) {
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(Signals::stopOnce, "traccia-shutdown"));
    for (String name : new String[] {"TERM", "INT"}) {
      handle(
          name,
          () -> {
            // Signal handlers run on their own thread; stopping may take the drain timeout.
            Thread t =
                new Thread(
                    () -> {
                      stopOnce();
                      System.exit(0);
                    },
                    "traccia-stop");
            t.start();
          });
    }
    handle(
        "HUP",
        () -> {
          logger.info("SIGHUP: reloading the configuration");
          reload.get().run();
        });
  }

  /** Runs {@code action} once on SIGTERM, SIGINT or JVM exit; a signal then exits with 0. */
  static void onStop(Runnable action) {
    install();
    stop.set(action);
  }

  /** Runs {@code action} on each SIGHUP, where the platform has it. */
  static void onReload(Runnable action) {
    install();
    reload.set(action);
  }

  private static void stopOnce() {
    if (stopped.compareAndSet(false, true)) {
      logger.info("Stopping: no new data is accepted; draining the queues");
      stop.get().run();
    }
  }

  private static void handle(String name, Runnable action) {
    try {
      Signal.handle(new Signal(name), signal -> action.run());
    } catch (IllegalArgumentException e) {
      logger.debug("Signal {} cannot be handled on this platform", name, e);
    }
  }
}
