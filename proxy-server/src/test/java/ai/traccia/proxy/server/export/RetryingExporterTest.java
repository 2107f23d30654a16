/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RetryingExporterTest extends ExporterContract {

  @Override
  protected Exporter newExporter() {
    // A real scheduler: the contract waits on the futures from the test thread.
    contractDelegate = new ScriptedExporter();
    return RetryingExporter.builder(contractDelegate).build();
  }

  @Override
  protected boolean decodesBodies() {
    return false;
  }

  @Override
  protected void assertDestinationHolds(List<ExportRequest> sent) {
    assertSameRequests(contractDelegate.requests, sent);
  }

  private ScriptedExporter contractDelegate;

  private final FakeScheduler scheduler = new FakeScheduler();
  private final ScriptedExporter delegate = new ScriptedExporter();
  private final RecordingListener listener = new RecordingListener();
  private final LogCapture log = new LogCapture(RetryingExporter.class);
  private final ExportRequest request = TestRequests.traceRequest("a", 3);

  @AfterEach
  void closeLog() {
    log.close();
  }

  /** An exporter that answers from a script and remembers when each attempt came. */
  final class ScriptedExporter implements Exporter {
    final Deque<CompletableFuture<ExportResult>> script = new ArrayDeque<>();
    final List<Long> attemptTimes = Collections.synchronizedList(new ArrayList<>());
    final List<ExportRequest> requests = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger shutdowns = new AtomicInteger();
    ExportResult otherwise = ExportResult.success();

    ScriptedExporter then(ExportResult... results) {
      for (ExportResult result : results) {
        script.add(CompletableFuture.completedFuture(result));
      }
      return this;
    }

    @Override
    public String name() {
      return "backend";
    }

    @Override
    public CompletableFuture<ExportResult> export(ExportRequest request) {
      attemptTimes.add(scheduler.nanoTime());
      requests.add(request);
      CompletableFuture<ExportResult> next = script.poll();
      return next != null ? next : CompletableFuture.completedFuture(otherwise);
    }

    @Override
    public CompletableFuture<Void> shutdown() {
      shutdowns.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    }
  }

  /** Writes down every call as one line. */
  static final class RecordingListener implements ExportListener {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onAttempt(ExportRequest request, int attempt) {
      calls.add("attempt " + attempt);
    }

    @Override
    public void onRetry(ExportRequest request, ExportResult result, Duration delay) {
      calls.add("retry in " + delay.toMillis() + " ms");
    }

    @Override
    public void onGiveUp(ExportRequest request, ExportResult result, int attempts) {
      calls.add("give up after " + attempts);
    }

    @Override
    public void onPermanentFailure(ExportRequest request, ExportResult result) {
      calls.add("permanent: " + result.message());
    }

    @Override
    public void onPartialSuccess(ExportRequest request, ExportResult result) {
      calls.add("partial: " + result.rejectedItems());
    }
  }

  private RetryingExporter.Builder builder() {
    return RetryingExporter.builder(delegate)
        .setScheduler(scheduler)
        .setNanoClock(scheduler::nanoTime)
        .setListener(listener)
        .setRandom(() -> 1.0);
  }

  private static ExportResult unavailable() {
    return ExportResult.retryable("UNAVAILABLE from backend", null);
  }

  /** Runs scheduled retries until {@code future} is done. */
  private ExportResult drive(CompletableFuture<ExportResult> future) {
    while (!future.isDone() && scheduler.runNext()) {
      // Each step is one retry.
    }
    assertThat(future).isDone();
    return future.join();
  }

  @Test
  void export_successFirstTime_isNotRetried() {
    RetryingExporter exporter = builder().build();

    assertThat(exporter.export(request)).isCompletedWithValue(ExportResult.success());
    assertThat(delegate.attemptTimes).hasSize(1);
    assertThat(scheduler.pending()).isZero();
    assertThat(listener.calls).containsExactly("attempt 1");
    assertThat(exporter.name()).isEqualTo("backend");
  }

  @Test
  void export_backoffGrowsUpToTheMaximum() {
    delegate.then(unavailable(), unavailable(), unavailable(), unavailable(), unavailable());
    RetryingExporter exporter =
        builder()
            .setInitialBackoff(Duration.ofSeconds(1))
            .setMaxBackoff(Duration.ofSeconds(5))
            .setMultiplier(2)
            .build();

    ExportResult result = drive(exporter.export(request));

    assertThat(result).isSameAs(ExportResult.success());
    assertThat(scheduler.delays)
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5));
    assertThat(delegate.attemptTimes).hasSize(6);
    assertThat(delegate.attemptTimes.get(5) - delegate.attemptTimes.get(0))
        .isEqualTo(Duration.ofSeconds(17).toNanos());
    assertThat(listener.calls)
        .containsExactly(
            "attempt 1",
            "retry in 1000 ms",
            "attempt 2",
            "retry in 2000 ms",
            "attempt 3",
            "retry in 4000 ms",
            "attempt 4",
            "retry in 5000 ms",
            "attempt 5",
            "retry in 5000 ms",
            "attempt 6");
  }

  @Test
  void export_defaultMultiplierIsOneAndAHalf() {
    delegate.then(unavailable(), unavailable(), unavailable());
    RetryingExporter exporter = builder().setInitialBackoff(Duration.ofSeconds(2)).build();

    drive(exporter.export(request));

    assertThat(scheduler.delays)
        .containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofMillis(4500));
  }

  @Test
  void export_jitterStaysWithinTheBackoff() {
    delegate.otherwise = unavailable();
    RetryingExporter exporter =
        RetryingExporter.builder(delegate)
            .setScheduler(scheduler)
            .setNanoClock(scheduler::nanoTime)
            .setInitialBackoff(Duration.ofMillis(100))
            .setMaxBackoff(Duration.ofSeconds(2))
            .setMaxElapsedTime(Duration.ofHours(10))
            .build();

    CompletableFuture<ExportResult> future = exporter.export(request);
    for (int i = 0; i < 300; i++) {
      assertThat(scheduler.runNext()).isTrue();
    }

    long belowHalf = 0;
    for (int i = 0; i < scheduler.delays.size(); i++) {
      double cap = Math.min(100e6 * Math.pow(1.5, i), 2e9);
      long delay = scheduler.delays.get(i).toNanos();
      assertThat((double) delay).isBetween(0.0, cap);
      if (delay < cap / 2) {
        belowHalf++;
      }
    }
    // Uniform draws: about half fall below the middle of their range.
    assertThat(belowHalf).isBetween(90L, 210L);
    assertThat(future).isNotDone();
  }

  @Test
  void export_waitsAtLeastTheDelayTheBackendAskedFor() {
    delegate.then(
        ExportResult.retryable("HTTP 429", Duration.ofSeconds(3)),
        ExportResult.retryable("HTTP 429", Duration.ofMillis(500)));
    RetryingExporter exporter =
        builder().setInitialBackoff(Duration.ofSeconds(2)).setMultiplier(2).build();

    drive(exporter.export(request));

    // 3 s asked for beats the 2 s backoff; the 4 s backoff beats 0.5 s asked for.
    assertThat(scheduler.delays).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(4));
  }

  @Test
  void export_retryAfterIsHonouredEvenWithZeroJitter() {
    delegate.then(ExportResult.retryable("HTTP 503", Duration.ofSeconds(7)));
    RetryingExporter exporter = builder().setRandom(() -> 0.0).build();

    drive(exporter.export(request));

    assertThat(scheduler.delays).containsExactly(Duration.ofSeconds(7));
  }

  @Test
  void export_givesUpAtTheMaximumElapsedTime_withTheLastResult() {
    ExportResult last = ExportResult.retryable("UNAVAILABLE, fourth time", null);
    delegate.then(unavailable(), unavailable(), unavailable(), last);
    RetryingExporter exporter =
        builder()
            .setInitialBackoff(Duration.ofSeconds(1))
            .setMultiplier(2)
            .setMaxElapsedTime(Duration.ofSeconds(10))
            .build();

    ExportResult result = drive(exporter.export(request));

    // Retries at 1, 3 and 7 s; the next would start at 15 s, past the 10 s allowed.
    assertThat(result).isSameAs(last);
    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(delegate.attemptTimes).hasSize(4);
    assertThat(listener.calls).endsWith("attempt 4", "give up after 4");
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void export_retryAfterBeyondTheMaximumElapsedTime_givesUpAtOnce() {
    delegate.then(ExportResult.retryable("HTTP 429", Duration.ofMinutes(10)));
    RetryingExporter exporter = builder().setMaxElapsedTime(Duration.ofMinutes(5)).build();

    ExportResult result = exporter.export(request).join();

    assertThat(result.message()).isEqualTo("HTTP 429");
    assertThat(listener.calls).containsExactly("attempt 1", "give up after 1");
  }

  @Test
  void export_zeroMaximumElapsedTime_neverRetries() {
    delegate.then(unavailable());
    RetryingExporter exporter =
        builder().setRandom(() -> 0.0).setMaxElapsedTime(Duration.ZERO).build();

    assertThat(exporter.export(request).join().outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(delegate.attemptTimes).hasSize(1);
  }

  @Test
  void export_permanentFailure_isReturnedAtOnceAndLogged() {
    ExportResult permanent = ExportResult.permanent("HTTP 401 from backend: check the api key");
    delegate.then(permanent);
    RetryingExporter exporter = builder().build();

    assertThat(exporter.export(request)).isCompletedWithValue(permanent);
    assertThat(delegate.attemptTimes).hasSize(1);
    assertThat(listener.calls)
        .containsExactly("attempt 1", "permanent: HTTP 401 from backend: check the api key");
    assertThat(log.lines())
        .containsExactly(
            "WARN Exporter backend dropped ExportRequest{traces, 3 spans, "
                + request.body().length
                + " bytes} after a permanent failure: HTTP 401 from backend: check the api key");
  }

  @Test
  void export_partialSuccess_isReportedAndLogged() {
    ExportResult partial = ExportResult.partialSuccess(2, "backend rejected 2 of 3 spans: old");
    delegate.then(partial);
    RetryingExporter exporter = builder().build();

    assertThat(exporter.export(request)).isCompletedWithValue(partial);
    assertThat(listener.calls).containsExactly("attempt 1", "partial: 2");
    assertThat(log.lines())
        .containsExactly(
            "WARN Exporter backend delivered ExportRequest{traces, 3 spans, "
                + request.body().length
                + " bytes} only in part: backend rejected 2 of 3 spans: old");
  }

  @Test
  void export_logLinesAreThrottled() {
    delegate.otherwise = ExportResult.permanent("HTTP 400");
    RetryingExporter exporter = builder().setMaxLogLinesPerMinute(3).build();

    for (int i = 0; i < 10; i++) {
      exporter.export(request).join();
    }

    assertThat(log.lines()).hasSize(3);
    assertThat(listener.calls.stream().filter(c -> c.startsWith("permanent"))).hasSize(10);
  }

  @Test
  void export_delegateThatThrowsOrFailsIsAPermanentFailure() {
    Exporter throwing =
        new Exporter() {
          @Override
          public String name() {
            return "broken";
          }

          @Override
          public CompletableFuture<ExportResult> export(ExportRequest request) {
            throw new IllegalStateException("boom");
          }

          @Override
          public CompletableFuture<Void> shutdown() {
            return CompletableFuture.completedFuture(null);
          }
        };
    delegate.script.add(CompletableFuture.failedFuture(new IllegalStateException("bang")));

    ExportResult thrown =
        RetryingExporter.builder(throwing).setScheduler(scheduler).build().export(request).join();
    ExportResult failed = builder().build().export(request).join();

    assertThat(thrown.message())
        .isEqualTo("broken exporter failed: java.lang.IllegalStateException: boom");
    assertThat(failed.outcome()).isEqualTo(ExportResult.Outcome.PERMANENT);
    assertThat(failed.message())
        .isEqualTo("backend exporter failed: java.lang.IllegalStateException: bang");
  }

  @Test
  void export_listenerThatThrowsIsIgnored() {
    delegate.then(unavailable());
    RetryingExporter exporter =
        builder()
            .setListener(
                new ExportListener() {
                  @Override
                  public void onRetry(ExportRequest request, ExportResult result, Duration delay) {
                    throw new IllegalStateException("listener bug");
                  }
                })
            .build();

    assertThat(drive(exporter.export(request))).isSameAs(ExportResult.success());
    assertThat(log.lines()).containsExactly("WARN Export listener of backend failed; ignoring it");
  }

  @Test
  void shutdown_endsWaitingRetriesWithTheirLastResult() {
    ExportResult last = unavailable();
    delegate.then(last);
    RetryingExporter exporter = builder().build();
    CompletableFuture<ExportResult> waiting = exporter.export(request);
    assertThat(scheduler.pending()).isEqualTo(1);

    CompletableFuture<Void> shutdown = exporter.shutdown();

    assertThat(waiting).isCompletedWithValue(last);
    assertThat(shutdown).isCompleted();
    assertThat(scheduler.pending()).isZero();
    assertThat(delegate.shutdowns).hasValue(1);
    assertThat(listener.calls).endsWith("give up after 1");
    assertThat(exporter.shutdown()).isSameAs(shutdown);
    assertThat(delegate.shutdowns).hasValue(1);
    // An injected scheduler belongs to the caller.
    assertThat(scheduler.isShutdown()).isFalse();
  }

  @Test
  void shutdown_letsAttemptsInFlightFinishWithoutRetrying() {
    CompletableFuture<ExportResult> inFlight = new CompletableFuture<>();
    delegate.script.add(inFlight);
    RetryingExporter exporter = builder().build();
    CompletableFuture<ExportResult> result = exporter.export(request);

    CompletableFuture<Void> shutdown = exporter.shutdown();
    assertThat(shutdown).isNotDone();
    assertThat(delegate.shutdowns).hasValue(0);
    inFlight.complete(unavailable());

    assertThat(result.join().outcome()).isEqualTo(ExportResult.Outcome.RETRYABLE);
    assertThat(scheduler.pending()).isZero();
    assertThat(shutdown).isCompleted();
    assertThat(delegate.shutdowns).hasValue(1);
    assertThat(exporter.export(request).join().message())
        .isEqualTo("backend exporter is shut down; the request was not sent");
  }

  @Test
  void export_withItsOwnScheduler_retriesOnARealThread() throws Exception {
    delegate.then(unavailable());
    RetryingExporter exporter =
        RetryingExporter.builder(delegate)
            .setInitialBackoff(Duration.ofMillis(20))
            .setListener(listener)
            .build();

    ExportResult result = exporter.export(request).get(10, TimeUnit.SECONDS);

    assertThat(result).isSameAs(ExportResult.success());
    assertThat(listener.calls).hasSize(3).startsWith("attempt 1").endsWith("attempt 2");
    assertThat(exporter.shutdown()).succeedsWithin(Duration.ofSeconds(10));
    assertThat(delegate.shutdowns).hasValue(1);
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> RetryingExporter.builder(delegate).setInitialBackoff(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialBackoff: 0 ms (expected: > 0)");
    assertThatThrownBy(
            () -> RetryingExporter.builder(delegate).setMaxElapsedTime(Duration.ofSeconds(-1)))
        .hasMessage("maxElapsedTime: -1000 ms (expected: >= 0)");
    assertThatThrownBy(() -> RetryingExporter.builder(delegate).setMultiplier(0.5))
        .hasMessage("multiplier: 0.5 (expected: between 1 and 10)");
    assertThatThrownBy(() -> RetryingExporter.builder(delegate).setMaxLogLinesPerMinute(0))
        .hasMessage("maxLogLinesPerMinute: 0 (expected: > 0)");
    assertThatThrownBy(
            () ->
                RetryingExporter.builder(delegate)
                    .setInitialBackoff(Duration.ofSeconds(10))
                    .setMaxBackoff(Duration.ofSeconds(5))
                    .build())
        .hasMessage("maxBackoff: 5000 ms (expected: >= initialBackoff, 10000 ms)");
  }
}
