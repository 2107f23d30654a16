/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Re-reads the configuration when its file changes, or when {@link #reload()} is called (the server
 * calls it on SIGHUP), and tells listeners what changed.
 *
 * <p>A reload uses the same environment and flags as the first load and the same config file (a
 * file that has disappeared is an error, not a silent fall-back to defaults). If the new
 * configuration is invalid, the current one stays in force and every problem goes to {@link
 * Listener#onInvalid}. If it is valid and differs, it becomes current and listeners get a {@link
 * ConfigChange} saying, per changed key, whether it applies live or needs a restart.
 *
 * <p>Watching: a daemon thread watches the file's directory (so that editors that save by renaming
 * and Kubernetes ConfigMap updates, which swap a {@code ..data} link, are seen) and schedules a
 * reload {@code debounce} after the last event, so a burst of writes causes one reload. Without a
 * config file there is nothing to watch; {@link #reload()} still works.
 *
 * <p>Thread safety: all methods may be called from any thread. Reloads are serialised; listeners
 * are called on the reloading thread, one reload at a time, and must return quickly. A listener
 * that throws is logged and does not stop the others.
 */
public final class ConfigReloader implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ConfigReloader.class.getName());

  /** Receives the outcome of each reload. Implementations must be thread-safe. */
  public interface Listener {
    /** A valid configuration with at least one changed value is now current. */
    void onChange(ConfigChange change);

    /** The file (or environment) is invalid; {@code kept} stays in force. */
    void onInvalid(ConfigException problems, ProxyConfig kept);
  }

  /** Runs a task after a delay; injected so tests need no real time. Must be thread-safe. */
  public interface Scheduler {
    /** Runs {@code task} once after {@code delay}; cancelling the future skips it. */
    Future<?> schedule(Runnable task, Duration delay);
  }

  private final Object lock = new Object();
  private final ConfigLoader loader;
  private final Path file;
  private final Duration debounce;
  private final Scheduler scheduler;
  private final ScheduledExecutorService ownedExecutor;
  private final List<Listener> listeners;

  private volatile ProxyConfig current;
  private Future<?> pending; // guarded by lock
  private WatchService watchService; // guarded by lock
  private boolean closed; // guarded by lock

  private ConfigReloader(Builder builder) {
    LoadedConfig initial = builder.initial;
    this.file = initial.sourceFile().orElse(null);
    this.loader =
        file == null
            ? builder.loader
            : builder.loader.pinnedTo(file, initial.sourceName().orElse(file.toString()));
    this.current = initial.config();
    this.debounce = builder.debounce;
    this.listeners = new CopyOnWriteArrayList<>(builder.listeners);
    if (builder.scheduler != null) {
      this.scheduler = builder.scheduler;
      this.ownedExecutor = null;
    } else {
      ScheduledExecutorService executor =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "traccia-config-reload");
                t.setDaemon(true);
                return t;
              });
      this.ownedExecutor = executor;
      this.scheduler =
          (task, delay) -> executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * A builder for a reloader that re-runs {@code loader} and starts from {@code initial}, the
   * result of that loader's first {@link ConfigLoader#loadWithReport()}.
   */
  public static Builder builder(ConfigLoader loader, LoadedConfig initial) {
    return new Builder(loader, initial);
  }

  /** The configuration in force. */
  public ProxyConfig current() {
    return current;
  }

  /** The watched config file, or null if the configuration came from no file. */
  Path file() {
    return file;
  }

  /**
   * Starts watching the config file's directory, then compares the file with the configuration it
   * was built with once: a change saved after the first load but before the watch began sends no
   * event, and would otherwise wait for the next one. Does nothing without a config file.
   *
   * @throws IOException if the directory cannot be watched
   * @throws IllegalStateException if already started or closed
   */
  public void start() throws IOException {
    watchFile();
    if (file != null) {
      reload(); // an unchanged file notifies nobody
    }
  }

  private void watchFile() throws IOException {
    synchronized (lock) {
      if (closed || watchService != null) {
        throw new IllegalStateException(closed ? "closed" : "already started");
      }
      if (file == null) {
        return;
      }
      Path directory = file.getParent();
      WatchService ws = FileSystems.getDefault().newWatchService();
      try {
        directory.register(
            ws,
            StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      } catch (IOException | RuntimeException e) {
        ws.close();
        throw e;
      }
      watchService = ws;
      Thread watcher = new Thread(() -> watch(ws), "traccia-config-watcher");
      watcher.setDaemon(true);
      watcher.start();
    }
  }

  private void watch(WatchService ws) {
    Path name = file.getFileName();
    while (true) {
      WatchKey key;
      try {
        key = ws.take();
      } catch (ClosedWatchServiceException | InterruptedException e) {
        return;
      }
      boolean relevant = false;
      for (WatchEvent<?> event : key.pollEvents()) {
        relevant |= isRelevant(name, event);
      }
      if (relevant) {
        scheduleReload();
      }
      if (!key.reset()) {
        LOG.log(
            System.Logger.Level.WARNING,
            "Stopped watching {0}: the directory is no longer accessible. Send SIGHUP to reload.",
            file.getParent());
        return;
      }
    }
  }

  /**
   * Whether an event in the watched directory may have changed the config file {@code name}: an
   * event on the file itself, on a Kubernetes {@code ..data} link (ConfigMaps are mounted through a
   * link that is swapped on update), or lost events. Other files, such as the file exporter's
   * output next to the config, are ignored.
   */
  static boolean isRelevant(Path name, WatchEvent<?> event) {
    Object context = event.context();
    return event.kind() == StandardWatchEventKinds.OVERFLOW
        || name.equals(context)
        || (context instanceof Path && context.toString().startsWith(".."));
  }

  /** Schedules a reload after the debounce delay, replacing one that is still pending. */
  void scheduleReload() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (pending != null) {
        pending.cancel(false);
      }
      pending = scheduler.schedule(this::reloadQuietly, debounce);
    }
  }

  private void reloadQuietly() {
    try {
      reload();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "Reloading the configuration failed", e);
    }
  }

  /**
   * Reloads now, on the calling thread, and notifies listeners. Blocks on file I/O and on the
   * listeners. Does nothing after {@link #close()}.
   */
  public void reload() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      ProxyConfig kept = current;
      LoadedConfig next;
      try {
        next = loader.loadWithReport();
      } catch (ConfigException e) {
        for (Listener listener : listeners) {
          try {
            listener.onInvalid(e, kept);
          } catch (RuntimeException failure) {
            LOG.log(System.Logger.Level.WARNING, "A config reload listener failed", failure);
          }
        }
        return;
      }
      ConfigChange change = ConfigChange.between(kept, next.config(), next.warnings());
      current = next.config();
      if (change.isEmpty()) {
        return;
      }
      for (Listener listener : listeners) {
        try {
          listener.onChange(change);
        } catch (RuntimeException failure) {
          LOG.log(System.Logger.Level.WARNING, "A config reload listener failed", failure);
        }
      }
    }
  }

  /** Stops watching, cancels a pending reload and stops the reloader's own thread. Idempotent. */
  @Override
  public void close() {
    WatchService ws;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (pending != null) {
        pending.cancel(false);
      }
      ws = watchService;
    }
    if (ws != null) {
      try {
        ws.close(); // wakes the watcher thread with ClosedWatchServiceException
      } catch (IOException e) {
        LOG.log(System.Logger.Level.DEBUG, "Closing the config file watcher failed", e);
      }
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdownNow();
    }
  }

  /** Builds a {@link ConfigReloader}. Not thread-safe. */
  public static final class Builder {
    private final ConfigLoader loader;
    private final LoadedConfig initial;
    private Duration debounce = Duration.ofMillis(500);
    private Scheduler scheduler;
    private final List<Listener> listeners = new ArrayList<>();

    private Builder(ConfigLoader loader, LoadedConfig initial) {
      this.loader = Objects.requireNonNull(loader, "loader");
      this.initial = Objects.requireNonNull(initial, "initial");
    }

    /** How long after the last file event to reload; default 500 ms. */
    public Builder setDebounce(Duration debounce) {
      if (debounce.isNegative()) {
        throw new IllegalArgumentException("debounce: " + debounce + " (expected: >= 0)");
      }
      this.debounce = debounce;
      return this;
    }

    /**
     * Runs debounced reloads; default: a daemon thread owned and stopped by the reloader. An
     * injected scheduler is not shut down by {@link ConfigReloader#close()}.
     */
    public Builder setScheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Adds a listener; listeners are called in the order added. */
    public Builder addListener(Listener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Returns the reloader; call {@link ConfigReloader#start()} to watch the file. */
    public ConfigReloader build() {
      return new ConfigReloader(this);
    }
  }
}
