/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReloaderTest {

  /** Holds scheduled tasks until the test runs them: no real time passes. */
  static final class ManualScheduler implements ConfigReloader.Scheduler {
    final List<FutureTask<Void>> tasks = new CopyOnWriteArrayList<>();
    final List<Duration> delays = new CopyOnWriteArrayList<>();

    @Override
    public Future<?> schedule(Runnable task, Duration delay) {
      FutureTask<Void> future = new FutureTask<>(task, null);
      tasks.add(future);
      delays.add(delay);
      return future;
    }

    List<FutureTask<Void>> pending() {
      return tasks.stream().filter(t -> !t.isDone()).collect(Collectors.toList());
    }

    void runPending() {
      for (FutureTask<Void> task : pending()) {
        task.run();
      }
    }
  }

  static final class RecordingListener implements ConfigReloader.Listener {
    final List<ConfigChange> changes = new CopyOnWriteArrayList<>();
    final List<ConfigException> invalid = new CopyOnWriteArrayList<>();
    final List<ProxyConfig> kept = new CopyOnWriteArrayList<>();

    @Override
    public void onChange(ConfigChange change) {
      changes.add(change);
    }

    @Override
    public void onInvalid(ConfigException problems, ProxyConfig keptConfig) {
      invalid.add(problems);
      kept.add(keptConfig);
    }
  }

  @TempDir Path dir;
  private Path file;
  private final ManualScheduler scheduler = new ManualScheduler();
  private final RecordingListener listener = new RecordingListener();
  private ConfigReloader reloader;

  @BeforeEach
  void setUp() throws IOException {
    file = dir.resolve("traccia.toml");
    write("[rate_limiting]\nmax_spans_per_second = 100\n");
  }

  @AfterEach
  void tearDown() {
    if (reloader != null) {
      reloader.close();
    }
  }

  private void write(String toml) throws IOException {
    // Write then rename, as editors do, so the watcher never reads a half-written file.
    Path tmp = dir.resolve(".traccia.toml.tmp");
    Files.write(tmp, toml.getBytes(StandardCharsets.UTF_8));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private ConfigReloader start(Map<String, String> env) throws IOException {
    ConfigLoader loader =
        ConfigLoader.builder()
            .setEnvironment(env)
            .setWorkingDirectory(dir)
            .setHomeDirectory(dir.resolve("home"))
            .build();
    reloader =
        ConfigReloader.builder(loader, loader.loadWithReport())
            .setScheduler(scheduler)
            .setDebounce(Duration.ofMillis(250))
            .addListener(listener)
            .build();
    reloader.start();
    return reloader;
  }

  @Test
  void watch_goodFileChangeIsPublishedAsLive() throws IOException {
    start(Collections.emptyMap());

    write("[rate_limiting]\nmax_spans_per_second = 200\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> !scheduler.pending().isEmpty());
    scheduler.runPending();

    assertThat(scheduler.delays).allMatch(d -> d.equals(Duration.ofMillis(250)));
    assertThat(listener.invalid).isEmpty();
    assertThat(listener.changes).hasSize(1);
    ConfigChange change = listener.changes.get(0);
    assertThat(change.changedKeys()).containsExactly("rate_limiting.max_spans_per_second");
    assertThat(change.isLive("rate_limiting.max_spans_per_second")).isTrue();
    assertThat(change.requiresRestart()).isFalse();
    assertThat(change.describe())
        .containsExactly(
            "rate_limiting.max_spans_per_second: 100.0 -> 200.0 (applied live)"
                + " [traccia.toml:2:1]");
    assertThat(reloader.current().maxSpansPerSecond()).hasValue(200.0);
  }

  @Test
  void watch_badFileKeepsCurrentConfigAndReportsEveryProblem() throws IOException {
    start(Collections.emptyMap());
    ProxyConfig before = reloader.current();

    write("[rate_limiting]\nmax_spans_per_second = 0\nmax_queue_size = -1\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> !scheduler.pending().isEmpty());
    scheduler.runPending();

    assertThat(listener.changes).isEmpty();
    assertThat(listener.invalid).hasSize(1);
    assertThat(listener.invalid.get(0).getProblems())
        .extracting(ConfigProblem::message)
        .containsExactly(
            "rate_limiting.max_spans_per_second: 0 (expected: > 0) [traccia.toml:2:1]",
            "rate_limiting.max_queue_size: -1 (expected: > 0) [traccia.toml:3:1]");
    assertThat(listener.kept).containsExactly(before);
    assertThat(reloader.current()).isSameAs(before);
  }

  @Test
  void reload_nonLiveKeyNeedsRestart() throws IOException {
    start(Collections.emptyMap());

    write("[rate_limiting]\nmax_spans_per_second = 100\n[server]\ngrpc_port = 4400\n");
    reloader.reload(); // as on SIGHUP

    ConfigChange change = listener.changes.get(0);
    assertThat(change.changedKeys()).containsExactly("server.grpc_port");
    assertThat(change.restartKeys()).containsExactly("server.grpc_port");
    assertThat(change.liveKeys()).isEmpty();
    assertThat(change.requiresRestart()).isTrue();
    assertThat(change.describe())
        .containsExactly(
            "server.grpc_port: 4317 -> 4400 (needs a restart to take effect) [traccia.toml:4:1]");
  }

  @Test
  void reload_keepsEnvironmentAndFlagsOfTheFirstLoad() throws IOException {
    start(Map.of("TRACCIA_SAMPLE_RATE", "0.5"));

    write("[tracing]\nsample_rate = 0.1\n");
    reloader.reload();

    // The environment still beats the file, so only the rate limit (removed) changed.
    assertThat(reloader.current().sampleRate()).isEqualTo(0.5);
    assertThat(listener.changes.get(0).changedKeys())
        .containsExactly("rate_limiting.max_spans_per_second");
  }

  @Test
  void reload_unchangedFileNotifiesNobody() throws IOException {
    start(Collections.emptyMap());

    write("# only a comment changed\n[rate_limiting]\nmax_spans_per_second = 100\n");
    reloader.reload();

    assertThat(listener.changes).isEmpty();
    assertThat(listener.invalid).isEmpty();
  }

  @Test
  void reload_deletedFileIsAProblemNotDefaults() throws IOException {
    start(Collections.emptyMap());

    Files.delete(file);
    reloader.reload();

    assertThat(listener.invalid.get(0).getProblems())
        .extracting(ConfigProblem::message)
        .containsExactly("config_file: traccia.toml (expected: an existing, readable file)");
    assertThat(reloader.current().maxSpansPerSecond()).hasValue(100.0);
  }

  @Test
  void start_seesAChangeSavedBeforeTheWatchBegan() throws IOException {
    ConfigLoader loader =
        ConfigLoader.builder()
            .setEnvironment(Collections.emptyMap())
            .setWorkingDirectory(dir)
            .setHomeDirectory(dir.resolve("home"))
            .build();
    LoadedConfig first = loader.loadWithReport();
    write("[rate_limiting]\nmax_spans_per_second = 250\n");
    reloader =
        ConfigReloader.builder(loader, first).setScheduler(scheduler).addListener(listener).build();

    reloader.start();

    assertThat(listener.changes).hasSize(1);
    assertThat(reloader.current().maxSpansPerSecond()).hasValue(250.0);
    assertThat(scheduler.tasks).isEmpty();
  }

  @Test
  void watch_burstOfEventsGivesOneReload() throws IOException {
    start(Collections.emptyMap());

    write("[rate_limiting]\nmax_spans_per_second = 150\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> !scheduler.pending().isEmpty());
    write("[rate_limiting]\nmax_spans_per_second = 300\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.tasks.size() >= 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.pending().size() == 1);
    scheduler.runPending();

    assertThat(listener.changes).hasSize(1);
    assertThat(reloader.current().maxSpansPerSecond()).hasValue(300.0);
  }

  @Test
  void isRelevant_onlyTheConfigFileAndKubernetesLinks() {
    Path name = Path.of("traccia.toml");

    assertThat(ConfigReloader.isRelevant(name, event(ENTRY_MODIFY, "traccia.toml"))).isTrue();
    assertThat(ConfigReloader.isRelevant(name, event(ENTRY_CREATE, "..data"))).isTrue();
    assertThat(ConfigReloader.isRelevant(name, event(OVERFLOW, null))).isTrue();
    assertThat(ConfigReloader.isRelevant(name, event(ENTRY_MODIFY, "traces.jsonl"))).isFalse();
    assertThat(ConfigReloader.isRelevant(name, event(ENTRY_CREATE, "traccia.toml.swp"))).isFalse();
  }

  private static WatchEvent<Object> event(WatchEvent.Kind<?> kind, String context) {
    return new WatchEvent<Object>() {
      @SuppressWarnings("unchecked")
      @Override
      public Kind<Object> kind() {
        return (Kind<Object>) kind;
      }

      @Override
      public int count() {
        return 1;
      }

      @Override
      public Object context() {
        return context == null ? null : Path.of(context);
      }
    };
  }

  @Test
  void close_isIdempotentAndStopsReloads() throws IOException {
    start(Collections.emptyMap());

    reloader.close();
    reloader.close();
    write("[rate_limiting]\nmax_spans_per_second = 999\n");
    reloader.reload();
    reloader.scheduleReload();

    assertThat(listener.changes).isEmpty();
    assertThat(reloader.current().maxSpansPerSecond()).hasValue(100.0);
  }

  @Test
  void start_withoutConfigFileWatchesNothing() throws IOException {
    Files.delete(file);
    start(Collections.emptyMap());

    assertThat(reloader.file()).isNull();
    Files.write(file, "[server]\nadmin_port = 9999\n".getBytes(StandardCharsets.UTF_8));
    reloader.reload(); // discovery runs again, so a new ./traccia.toml is found on SIGHUP

    assertThat(reloader.current().adminPort()).isEqualTo(9999);
    assertThat(scheduler.tasks).isEmpty();
  }

  @Test
  void listenerFailureDoesNotStopOthers() throws IOException {
    List<String> seen = new ArrayList<>();
    ConfigLoader loader =
        ConfigLoader.builder()
            .setEnvironment(Collections.emptyMap())
            .setWorkingDirectory(dir)
            .setHomeDirectory(dir)
            .build();
    reloader =
        ConfigReloader.builder(loader, loader.loadWithReport())
            .setScheduler(scheduler)
            .addListener(
                new ConfigReloader.Listener() {
                  @Override
                  public void onChange(ConfigChange change) {
                    throw new IllegalStateException("boom");
                  }

                  @Override
                  public void onInvalid(ConfigException problems, ProxyConfig kept) {}
                })
            .addListener(
                new ConfigReloader.Listener() {
                  @Override
                  public void onChange(ConfigChange change) {
                    seen.addAll(change.changedKeys());
                  }

                  @Override
                  public void onInvalid(ConfigException problems, ProxyConfig kept) {}
                })
            .build();

    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Logger log = Logger.getLogger(ConfigReloader.class.getName());
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            logged.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(capture);
    log.setUseParentHandlers(false);
    try {
      write("[logging]\nlevel = \"debug\"\n");
      reloader.reload();
    } finally {
      log.removeHandler(capture);
      log.setUseParentHandlers(true);
    }

    assertThat(seen).containsExactly("rate_limiting.max_spans_per_second", "logging.level");
    assertThat(logged).hasSize(1);
    assertThat(logged.get(0).getLevel()).isEqualTo(Level.WARNING);
    assertThat(logged.get(0).getMessage()).isEqualTo("A config reload listener failed");
    assertThat(logged.get(0).getThrown()).hasMessage("boom");
  }
}
