/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries another exporter's retryable failures with exponential backoff and full jitter.
 *
 * <p>Design. Each request gets an {@code Attempt} that sends it, looks at the outcome and either
 * finishes or schedules the next try on the scheduler; no thread ever sleeps or waits. The wait
 * before retry {@code n} (counting from 1) is drawn uniformly from {@code [0, min(maxBackoff,
 * initialBackoff * multiplier^(n-1))]} ("full jitter"), which spreads retries of many proxies
 * hitting one recovering backend, and is raised to the backend's {@code Retry-After} or {@code
 * RetryInfo} delay when it names one. The multiplier defaults to 1.5, as in the OpenTelemetry
 * exporters. When the next attempt would start later than {@code maxElapsedTime} after the first,
 * the exporter gives up and returns the last result unchanged (still {@code RETRYABLE}), so the
 * caller can count it as given up. Permanent failures and successes are returned at once.
 *
 * <p>Permanent failures and partial successes are logged through a {@link ThrottlingLogger}, and
 * every step is reported to an {@link ExportListener} for self-metrics.
 *
 * <p>Thread-safe. {@link #shutdown()} stops retrying: waiting retries end at once with their last
 * result, attempts in flight finish without a retry, and then the wrapped exporter is shut down.
 */
public final class RetryingExporter implements Exporter {

  private static final Logger logger = LoggerFactory.getLogger(RetryingExporter.class);

  private final Exporter delegate;
  private final long initialBackoffNanos;
  private final long maxBackoffNanos;
  private final long maxElapsedNanos;
  private final double multiplier;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final LongSupplier nanoClock;
  private final DoubleSupplier random;
  private final ExportListener listener;
  private final ThrottlingLogger throttledLog;
  private final Set<Attempt> active = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  private RetryingExporter(Builder builder) {
    this.delegate = builder.delegate;
    this.initialBackoffNanos = builder.initialBackoff.toNanos();
    this.maxBackoffNanos = builder.maxBackoff.toNanos();
    this.maxElapsedNanos = builder.maxElapsedTime.toNanos();
    this.multiplier = builder.multiplier;
    this.ownsScheduler = builder.scheduler == null;
    this.scheduler = ownsScheduler ? newScheduler(delegate.name()) : builder.scheduler;
    this.nanoClock = builder.nanoClock;
    this.random = builder.random;
    this.listener = builder.listener;
    this.throttledLog =
        builder.throttledLog != null
            ? builder.throttledLog
            : ThrottlingLogger.create(logger, builder.maxLogLinesPerMinute, builder.nanoClock);
  }

  /** Returns a builder that retries {@code delegate}. */
  public static Builder builder(Exporter delegate) {
    return new Builder(delegate);
  }

  /** The wrapped exporter's name. */
  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public boolean takesDerivedMetrics() {
    return delegate.takesDerivedMetrics();
  }

  /**
   * Sends {@code request}, retrying while the outcome is retryable and time is left. Returns at
   * once; the future completes with the final outcome, never exceptionally.
   */
  @Override
  public CompletableFuture<ExportResult> export(ExportRequest request) {
    if (closed.get()) {
      return CompletableFuture.completedFuture(
          ExportResult.permanent(name() + " exporter is shut down; the request was not sent"));
    }
    Attempt attempt = new Attempt(request, nanoClock.getAsLong());
    active.add(attempt);
    // Checked again after adding: a concurrent shutdown() may have taken its snapshot of the
    // active attempts before this one was added, and would then not wait for it.
    if (closed.get()) {
      attempt.finish(
          ExportResult.permanent(name() + " exporter is shut down; the request was not sent"),
          Ending.PERMANENT);
    } else {
      attempt.run();
    }
    return attempt.done;
  }

  /**
   * Stops retrying and shuts the wrapped exporter down once attempts in flight have finished, as
   * described in the class comment. Idempotent; returns at once.
   */
  @Override
  public CompletableFuture<Void> shutdown() {
    if (closed.compareAndSet(false, true)) {
      CompletableFuture<?>[] pending =
          active.stream().map(a -> a.done).toArray(CompletableFuture<?>[]::new);
      for (Attempt attempt : active) {
        attempt.cancelWaitingRetry();
      }
      CompletableFuture.allOf(pending)
          .handle((v, t) -> null)
          .thenCompose(v -> delegate.shutdown())
          .whenComplete(
              (v, t) -> {
                if (ownsScheduler) {
                  scheduler.shutdownNow();
                }
                terminated.complete(null);
              });
    }
    return terminated;
  }

  @Override
  public String toString() {
    return "RetryingExporter{" + delegate + "}";
  }

  /** The wait before retry number {@code retry} (1 for the first), before any Retry-After. */
  private long backoffNanos(int retry) {
    double cap = initialBackoffNanos * Math.pow(multiplier, retry - 1);
    cap = Math.min(cap, maxBackoffNanos);
    return (long) (random.getAsDouble() * cap);
  }

  /** One request on its way through its attempts. */
  private final class Attempt {
    final ExportRequest request;
    final long startNanos;
    final CompletableFuture<ExportResult> done = new CompletableFuture<>();
    final AtomicBoolean finished = new AtomicBoolean();
    // Written before the retry is scheduled and read after it runs or is cancelled: the
    // scheduler's and the futures' hand-offs order the accesses, volatile covers shutdown().
    volatile int attempts;
    volatile ExportResult last;
    volatile ScheduledFuture<?> waitingRetry;

    Attempt(ExportRequest request, long startNanos) {
      this.request = request;
      this.startNanos = startNanos;
    }

    void run() {
      if (attempts > 0 && closed.get()) {
        finish(last, Ending.GAVE_UP);
        return;
      }
      attempts++;
      notify(() -> listener.onAttempt(request, attempts));
      CompletableFuture<ExportResult> result;
      try {
        result = delegate.export(request);
      } catch (RuntimeException e) {
        // The Exporter contract forbids this; treat it as the permanent failure it is.
        result =
            CompletableFuture.completedFuture(
                ExportResult.permanent(delegate.name() + " exporter failed: " + e));
      }
      result.whenComplete(
          (r, t) ->
              onResult(
                  r != null
                      ? r
                      : ExportResult.permanent(delegate.name() + " exporter failed: " + t)));
    }

    void onResult(ExportResult result) {
      last = result;
      switch (result.outcome()) {
        case SUCCESS:
          if (result.rejectedItems() > 0 || !result.message().isEmpty()) {
            finish(result, Ending.PARTIAL_SUCCESS);
          } else {
            finish(result, Ending.SUCCESS);
          }
          return;
        case PERMANENT:
          finish(result, Ending.PERMANENT);
          return;
        case RETRYABLE:
          scheduleRetry(result);
          return;
      }
    }

    private void scheduleRetry(ExportResult result) {
      if (closed.get()) {
        finish(result, Ending.GAVE_UP);
        return;
      }
      long delay = backoffNanos(attempts);
      if (result.retryAfter() != null) {
        delay = Math.max(delay, saturatedNanos(result.retryAfter()));
      }
      long elapsedAtRetry = nanoClock.getAsLong() - startNanos + delay;
      if (maxElapsedNanos == 0 || elapsedAtRetry > maxElapsedNanos) {
        finish(result, Ending.GAVE_UP);
        return;
      }
      Duration wait = Duration.ofNanos(delay);
      notify(() -> listener.onRetry(request, result, wait));
      try {
        waitingRetry = scheduler.schedule(this::run, delay, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        finish(result, Ending.GAVE_UP);
        return;
      }
      if (closed.get()) {
        // shutdown() may have looked before waitingRetry was set.
        cancelWaitingRetry();
      }
    }

    void cancelWaitingRetry() {
      ScheduledFuture<?> retry = waitingRetry;
      if (retry != null && retry.cancel(false)) {
        finish(last, Ending.GAVE_UP);
      }
    }

    void finish(ExportResult result, Ending ending) {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      switch (ending) {
        case PARTIAL_SUCCESS:
          notify(() -> listener.onPartialSuccess(request, result));
          throttledLog.warn(
              "Exporter {} delivered {} only in part: {}", name(), request, result.message());
          break;
        case PERMANENT:
          notify(() -> listener.onPermanentFailure(request, result));
          throttledLog.warn(
              "Exporter {} dropped {} after a permanent failure: {}",
              name(),
              request,
              result.message());
          break;
        case GAVE_UP:
          notify(() -> listener.onGiveUp(request, result, attempts));
          break;
        case SUCCESS:
          break;
      }
      active.remove(this);
      done.complete(result);
    }

    private void notify(Runnable call) {
      try {
        call.run();
      } catch (RuntimeException e) {
        logger.warn("Export listener of {} failed; ignoring it", name(), e);
      }
    }
  }

  private enum Ending {
    SUCCESS,
    PARTIAL_SUCCESS,
    PERMANENT,
    GAVE_UP
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2;
    }
  }

  private static ScheduledExecutorService newScheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        runnable -> {
          Thread thread = new Thread(runnable, "traccia-retry-" + name);
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Builds a {@link RetryingExporter}. Not thread-safe. Each setter checks its value, {@link
   * #build()} the combination.
   */
  public static final class Builder {
    private final Exporter delegate;
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration maxElapsedTime = Duration.ofMinutes(5);
    private double multiplier = 1.5;
    private ScheduledExecutorService scheduler;
    private LongSupplier nanoClock = System::nanoTime;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private ExportListener listener = ExportListener.noop();
    private int maxLogLinesPerMinute = 10;
    private ThrottlingLogger throttledLog;

    private Builder(Exporter delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The upper bound of the first retry's wait. Default 1 second. */
    public Builder setInitialBackoff(Duration initialBackoff) {
      this.initialBackoff = checkPositive("initialBackoff", initialBackoff);
      return this;
    }

    /** The most any retry's backoff grows to (a Retry-After may ask for more). Default 30 s. */
    public Builder setMaxBackoff(Duration maxBackoff) {
      this.maxBackoff = checkPositive("maxBackoff", maxBackoff);
      return this;
    }

    /**
     * How long after the first attempt a retry may still start; zero disables retries. Default 5
     * minutes.
     */
    public Builder setMaxElapsedTime(Duration maxElapsedTime) {
      Objects.requireNonNull(maxElapsedTime, "maxElapsedTime");
      if (maxElapsedTime.isNegative()) {
        throw new IllegalArgumentException(
            "maxElapsedTime: " + maxElapsedTime.toMillis() + " ms (expected: >= 0)");
      }
      this.maxElapsedTime = maxElapsedTime;
      return this;
    }

    /** How much the backoff bound grows per retry. Default 1.5. */
    public Builder setMultiplier(double multiplier) {
      if (!(multiplier >= 1 && multiplier <= 10)) {
        throw new IllegalArgumentException(
            "multiplier: " + multiplier + " (expected: between 1 and 10)");
      }
      this.multiplier = multiplier;
      return this;
    }

    /**
     * Where retries are scheduled. The caller keeps ownership and shuts it down. Default: a single
     * daemon thread owned and shut down by the exporter.
     */
    public Builder setScheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The monotonic clock, in nanoseconds, that elapsed time is measured with. */
    public Builder setNanoClock(LongSupplier nanoClock) {
      this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
      return this;
    }

    /** Receives every attempt, retry and failure. Default: ignores them. */
    public Builder setListener(ExportListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** At most this many log lines a minute about permanent failures and partial successes. */
    public Builder setMaxLogLinesPerMinute(int maxLogLinesPerMinute) {
      if (maxLogLinesPerMinute <= 0) {
        throw new IllegalArgumentException(
            "maxLogLinesPerMinute: " + maxLogLinesPerMinute + " (expected: > 0)");
      }
      this.maxLogLinesPerMinute = maxLogLinesPerMinute;
      return this;
    }

    /** The source of jitter: uniform doubles in [0, 1). */
    Builder setRandom(DoubleSupplier random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** Replaces the throttled log, for tests. */
    Builder setThrottledLog(ThrottlingLogger throttledLog) {
      this.throttledLog = Objects.requireNonNull(throttledLog, "throttledLog");
      return this;
    }

    /** Returns the exporter. */
    public RetryingExporter build() {
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "maxBackoff: "
                + maxBackoff.toMillis()
                + " ms (expected: >= initialBackoff, "
                + initialBackoff.toMillis()
                + " ms)");
      }
      return new RetryingExporter(this);
    }

    private static Duration checkPositive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + ": " + value.toMillis() + " ms (expected: > 0)");
      }
      return value;
    }
  }
}
