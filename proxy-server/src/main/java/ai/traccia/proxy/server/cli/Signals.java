/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

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
 *
 * <p>A signal the parent process ignored stays ignored: {@code nohup} sets SIGHUP to SIG_IGN, and
 * the JVM then installs no handler for it (it answers {@code Signal.handle} with SIG_IGN and never
 * calls ours). {@link #install()} notices this and says so at start-up, and {@code doctor} reports
 * it; saving the config file still reloads it, through the file watch.
 */
final class Signals {

  private static final Logger logger = LoggerFactory.getLogger(Signals.class);
  private static final AtomicBoolean installed = new AtomicBoolean();
  private static final AtomicReference<Runnable> reload =
      new AtomicReference<>(
          () -> logger.info("SIGHUP before start-up finished; nothing to reload"));
  private static final AtomicReference<Runnable> stop = new AtomicReference<>(() -> {});
  private static final AtomicBoolean stopped = new AtomicBoolean();
  // Signals that were ignored when the handlers were installed, and therefore still are.
  private static final Set<String> ignored = ConcurrentHashMap.newKeySet();

  /** What {@link #install()} logs when SIGHUP is ignored. */
  static final String HANG_UP_IGNORED =
      "SIGHUP is ignored (started under nohup?), so `kill -HUP` does not reload the"
          + " configuration; saving the config file still reloads it";

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
    if (ignored.contains("HUP")) {
      logger.warn(HANG_UP_IGNORED);
    }
    if (ignored.contains("TERM")) {
      logger.warn(
          "SIGTERM is ignored (the parent process ignored it), so `kill` and `docker stop` do not"
              + " stop the proxy gracefully; SIGINT still does");
    }
  }

  /**
   * Whether SIGHUP is ignored in this process, so that it cannot reload the configuration. After
   * {@link #install()} this is what the JVM answered; before it, and in commands that install no
   * handlers, it is read from {@code /proc/self/status} (Linux), and false where that is missing.
   */
  static boolean hangUpIgnored() {
    if (installed.get()) {
      return ignored.contains("HUP");
    }
    try {
      return ignoredInStatus(
              Files.readString(Path.of("/proc/self/status"), StandardCharsets.US_ASCII), 1)
          .orElse(false);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Whether signal number {@code signal} is ignored according to the {@code SigIgn} line of a Linux
   * {@code /proc/<pid>/status} text (a hex mask, bit {@code signal - 1}); empty when the text has
   * no such line.
   */
  static Optional<Boolean> ignoredInStatus(String status, int signal) {
    for (String line : status.split("\n")) {
      if (line.startsWith("SigIgn:")) {
        String mask = line.substring("SigIgn:".length()).strip();
        int digit = mask.length() - 1 - (signal - 1) / 4;
        if (digit < 0) {
          return Optional.of(false);
        }
        int nibble = Character.digit(mask.charAt(digit), 16);
        return Optional.of((nibble & (1 << ((signal - 1) % 4))) != 0);
      }
    }
    return Optional.empty();
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
      SignalHandler previous = Signal.handle(new Signal(name), signal -> action.run());
      if (previous == SignalHandler.SIG_IGN) {
        ignored.add(name);
      }
    } catch (IllegalArgumentException e) {
      logger.debug("Signal {} cannot be handled on this platform", name, e);
    }
  }
}
