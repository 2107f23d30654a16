/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.codec.SpanLimits;
import ai.traccia.proxy.pipeline.Handoff;
import ai.traccia.proxy.pipeline.RejectReason;
import ai.traccia.proxy.pipeline.SpanBatch;
import ai.traccia.proxy.pipeline.SpanBatchProcessor;
import ai.traccia.proxy.pipeline.SpanConsumer;
import ai.traccia.proxy.pipeline.SpanPipeline;
import ai.traccia.proxy.server.RecordingExporter;
import ai.traccia.proxy.server.TestData;
import ai.traccia.proxy.server.export.ExportRequest;
import ai.traccia.proxy.server.export.ExportResult;
import ai.traccia.proxy.server.export.Exporter;
import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.queue.BatchingExporter;
import ai.traccia.proxy.server.ratelimit.SpanRateLimiter;
import ai.traccia.proxy.server.ratelimit.SpanRateLimiter.Policy;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IngestTest {

  private final SelfMetrics metrics = new SelfMetrics();
  private final List<BatchingExporter> queues = new ArrayList<>();
  private final long[] now = {0};
  private final SpanRateLimiter.Ticker ticker =
      new SpanRateLimiter.Ticker() {
        @Override
        public long nanoTime() {
          return now[0];
        }

        @Override
        public void sleepNanos(long nanos) {
          now[0] += nanos;
        }
      };

  @AfterEach
  void stop() {
    for (BatchingExporter q : queues) {
      q.shutdown(Duration.ofMillis(200));
    }
  }

  private BatchingExporter queue(Exporter exporter, int capacity) {
    BatchingExporter q =
        BatchingExporter.builder(exporter, metrics)
            .setCapacity(capacity)
            .setScheduleDelay(Duration.ofMillis(10))
            .build();
    queues.add(q);
    return q;
  }

  private static Exporter named(String name, RecordingExporter delegate) {
    return new Exporter() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public CompletableFuture<ExportResult> export(ExportRequest request) {
        return delegate.export(request);
      }

      @Override
      public boolean takesDerivedMetrics() {
        return delegate.takesDerivedMetrics();
      }

      @Override
      public CompletableFuture<Void> shutdown() {
        return delegate.shutdown();
      }
    };
  }

  /** No processors, one queue, and a limit of 10 spans per second under {@code policy}. */
  private Ingest limited(Exporter exporter, Policy policy) {
    return new Ingest(
        SpanPipeline.empty(),
        List.of(queue(exporter, 1000)),
        metrics,
        SpanRateLimiter.create(10, Duration.ZERO, policy, ticker));
  }

  private IngestResult send(Ingest ingest, int spans) {
    try {
      return ingest.traces(TestData.traces(spans).toByteArray(), "grpc");
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private double derivedCount(String counter, String... more) {
    String[] labels = new String[4 + more.length];
    labels[0] = "signal";
    labels[1] = "metrics";
    labels[2] = "transport";
    labels[3] = Ingest.DERIVED;
    System.arraycopy(more, 0, labels, 4, more.length);
    return metrics.counterValue(counter, labels);
  }

  @Test
  void derivedMetrics_queuedOnTheExportersThatTakeThem_countedAsDerived() {
    RecordingExporter otlp = new RecordingExporter().takingDerivedMetrics();
    RecordingExporter file = new RecordingExporter();
    Ingest ingest =
        new Ingest(
            SpanPipeline.empty(),
            List.of(queue(named("otlp", otlp), 100), queue(named("file", file), 100)),
            metrics);
    byte[] request = TestData.metrics(3).toByteArray();

    assertThat(ingest.derivedMetrics(request)).isTrue();

    await().atMost(Duration.ofSeconds(5)).until(() -> otlp.requests().size() == 1);
    assertThat(otlp.requests().get(0).body()).isEqualTo(request);
    assertThat(otlp.requests().get(0).itemCount()).isEqualTo(3);
    assertThat(file.requests()).isEmpty();
    assertThat(derivedCount("traccia_proxy_received_items")).isEqualTo(3);
    assertThat(derivedCount("traccia_proxy_accepted_items")).isEqualTo(3);
  }

  @Test
  void derivedMetrics_queueFull_dropsAndCountsThePoints() {
    RecordingExporter stuck = new RecordingExporter().takingDerivedMetrics();
    stuck.answerWith(r -> new CompletableFuture<>()); // never answers: the room stays taken
    Ingest ingest = new Ingest(SpanPipeline.empty(), List.of(queue(stuck, 4)), metrics);

    assertThat(ingest.derivedMetrics(TestData.metrics(3).toByteArray())).isTrue();
    assertThat(ingest.derivedMetrics(TestData.metrics(2).toByteArray())).isFalse();

    assertThat(derivedCount("traccia_proxy_received_items")).isEqualTo(5);
    assertThat(derivedCount("traccia_proxy_accepted_items")).isEqualTo(3);
    assertThat(derivedCount("traccia_proxy_refused_items", "reason", "queue_full")).isEqualTo(2);
  }

  @Test
  void derivedMetrics_takenWhileShuttingDownUntilTheQueuesClose() {
    RecordingExporter otlp = new RecordingExporter().takingDerivedMetrics();
    Ingest ingest = new Ingest(SpanPipeline.empty(), List.of(queue(otlp, 100)), metrics);

    ingest.stopAccepting();
    assertThat(ingest.derivedMetrics(TestData.metrics(1).toByteArray())).isTrue();
    ingest.closeQueues();
    assertThat(ingest.derivedMetrics(TestData.metrics(2).toByteArray())).isFalse();

    assertThat(derivedCount("traccia_proxy_accepted_items")).isEqualTo(1);
    assertThat(derivedCount("traccia_proxy_refused_items", "reason", "shutting_down")).isEqualTo(2);
  }

  @Test
  void traces_overTheRateLimitRefusedWithTheDeficitAsRetryDelay() {
    RecordingExporter exporter = new RecordingExporter();
    Ingest ingest = limited(exporter, Policy.REFUSE);

    assertThat(send(ingest, 10).status()).isEqualTo(IngestResult.Status.ACCEPTED);
    IngestResult refused = send(ingest, 5);

    assertThat(refused.status()).isEqualTo(IngestResult.Status.RATE_LIMITED);
    assertThat(refused.isRetryable()).isTrue();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(500));
    assertThat(refused.message())
        .isEqualTo(
            "the proxy accepts at most 10.0 spans per second"
                + " (rate_limiting.max_spans_per_second); retry later");
    assertThat(
            metrics.counterValue(
                "traccia_proxy_refused_items",
                "signal",
                "traces",
                "transport",
                "grpc",
                "reason",
                "rate_limited"))
        .isEqualTo(5);
    await().atMost(Duration.ofSeconds(5)).until(() -> exporter.spans().size() == 10);
  }

  @Test
  void traces_dropPolicyDropsWhatIsOverTheLimitAfterThePipelineSawEverySpan() {
    RecordingExporter exporter = new RecordingExporter();
    AtomicInteger seenByPipeline = new AtomicInteger();
    Ingest ingest =
        new Ingest(
            SpanPipeline.builder().addProcessor(b -> seenByPipeline.addAndGet(b.size())).build(),
            List.of(queue(exporter, 1000)),
            metrics,
            SpanRateLimiter.create(10, Duration.ZERO, Policy.DROP, ticker));

    IngestResult result = send(ingest, 15);

    assertThat(result.status()).isEqualTo(IngestResult.Status.ACCEPTED);
    assertThat(result.rejectedItems()).isEqualTo(5);
    assertThat(result.message()).isEqualTo("refused 5 of 15 spans: 5 rate_limited");
    assertThat(seenByPipeline.get()).isEqualTo(15);
    assertThat(ingest.rateLimitDropped()).isEqualTo(5);
    await().atMost(Duration.ofSeconds(5)).until(() -> exporter.spans().size() == 10);
    assertThat(exporter.spans())
        .extracting(s -> s.getName())
        .startsWith("chat gpt-4o 0")
        .doesNotContain("chat gpt-4o 14");
  }

  @Test
  void rateLimiter_updateAppliesToTheNextRequest() {
    RecordingExporter exporter = new RecordingExporter();
    Ingest ingest =
        new Ingest(
            SpanPipeline.empty(),
            List.of(queue(exporter, 1000)),
            metrics,
            SpanRateLimiter.create(1, Duration.ZERO, Policy.REFUSE, ticker));
    send(ingest, 1);
    assertThat(send(ingest, 1).status()).isEqualTo(IngestResult.Status.RATE_LIMITED);

    ingest.rateLimiter().update(0, Duration.ZERO, Policy.REFUSE);

    assertThat(send(ingest, 100).status()).isEqualTo(IngestResult.Status.ACCEPTED);
  }

  @Test
  void deadExporter_doesNotHoldBackTheOther() {
    RecordingExporter live = new RecordingExporter();
    RecordingExporter dead = new RecordingExporter();
    CompletableFuture<ExportResult> never = new CompletableFuture<>();
    dead.answerWith(r -> never);
    Ingest ingest =
        new Ingest(
            SpanPipeline.empty(),
            List.of(queue(named("live", live), 10_000), queue(named("dead", dead), 10_000)),
            metrics);

    for (int i = 0; i < 200; i++) {
      assertThat(send(ingest, 5).status()).isEqualTo(IngestResult.Status.ACCEPTED);
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> live.spans().size() == 1000);
    assertThat(queues.get(0).size()).isZero();
    assertThat(queues.get(1).size()).isEqualTo(1000);
    never.complete(ExportResult.success());
  }

  @Test
  void traces_withNoProcessorForwardsTheBytesThatArrived() throws Exception {
    RecordingExporter exporter = new RecordingExporter();
    Ingest ingest = new Ingest(SpanPipeline.empty(), List.of(queue(exporter, 1000)), metrics);
    byte[] body = TestData.traces(7).toByteArray();

    IngestResult result = ingest.traces(body, "grpc");

    assertThat(result.status()).isEqualTo(IngestResult.Status.ACCEPTED);
    await().atMost(Duration.ofSeconds(5)).until(() -> !exporter.requests().isEmpty());
    assertThat(exporter.requests().get(0).itemCount()).isEqualTo(7);
    assertThat(exporter.requests().get(0).body()).isEqualTo(body);
  }

  @Test
  void traces_withNoProcessorStillDropsOverTheLimit() throws Exception {
    RecordingExporter exporter = new RecordingExporter();
    Ingest ingest = limited(exporter, Policy.DROP);

    IngestResult result = send(ingest, 15);

    assertThat(result.rejectedItems()).isEqualTo(5);
    await().atMost(Duration.ofSeconds(5)).until(() -> exporter.spans().size() == 10);
  }

  @Test
  void isNonBlocking_onlyWhenNothingOnThePathWaitsOrReadsSpans() {
    RecordingExporter exporter = new RecordingExporter();
    SpanBatchProcessor reads = b -> {};
    Ingest passThrough = new Ingest(SpanPipeline.empty(), List.of(queue(exporter, 10)), metrics);
    Ingest enriching =
        new Ingest(
            SpanPipeline.builder().addProcessor(reads).build(),
            List.of(queue(exporter, 10)),
            metrics);
    Ingest waiting = limited(exporter, Policy.REFUSE);
    waiting.rateLimiter().update(10, Duration.ofMillis(500), Policy.REFUSE);

    assertThat(passThrough.isNonBlocking(Signal.TRACES)).isTrue();
    assertThat(enriching.isNonBlocking(Signal.TRACES)).isFalse();
    assertThat(enriching.isNonBlocking(Signal.METRICS)).isTrue();
    assertThat(waiting.isNonBlocking(Signal.TRACES)).isFalse();
    assertThat(waiting.isNonBlocking(Signal.LOGS)).isTrue();
    // A limit that refuses at once never waits.
    assertThat(limited(exporter, Policy.DROP).isNonBlocking(Signal.TRACES)).isTrue();
  }

  /**
   * A pipeline whose first stage holds spans; the consumer it was built with goes to {@code next}.
   */
  private static SpanPipeline holding(List<SpanConsumer> next, SpanBatchProcessor... after) {
    SpanPipeline.Builder builder = SpanPipeline.builder();
    builder.addHoldingProcessor(
        consumer -> {
          next.add(consumer);
          return b -> {};
        });
    for (SpanBatchProcessor p : after) {
      builder.addProcessor(p);
    }
    return builder.build();
  }

  @Test
  void traces_heldSpansAreAcceptedOnArrivalUnderTheirTransport() throws Exception {
    // A held root is acknowledged to the client with the rest of its request: accepted now, so
    // accepted_items{transport} matches what clients were told, and counted apart when released.
    RecordingExporter exporter = new RecordingExporter();
    SpanBatchProcessor holdsFirst = b -> b.reject(0, RejectReason.HELD);
    Ingest ingest =
        new Ingest(
            SpanPipeline.builder().addProcessor(holdsFirst).build(),
            List.of(queue(exporter, 10)),
            metrics);

    assertThat(ingest.traces(TestData.traces(3).toByteArray(), "http").isRetryable()).isFalse();
    assertThat(ingest.traces(TestData.traces(1).toByteArray(), "grpc").isRetryable()).isFalse();

    assertThat(
            metrics.counterValue(
                "traccia_proxy_accepted_items", "signal", "traces", "transport", "http"))
        .isEqualTo(3);
    assertThat(
            metrics.counterValue(
                "traccia_proxy_accepted_items", "signal", "traces", "transport", "grpc"))
        .isEqualTo(1);
  }

  @Test
  void release_countsReleasedSpansOnceAndNotAsAcceptedUnderAMadeUpTransport() throws Exception {
    RecordingExporter exporter = new RecordingExporter();
    CompletableFuture<ExportResult> never = new CompletableFuture<>();
    exporter.answerWith(r -> never);
    List<SpanConsumer> next = new ArrayList<>();
    Ingest ingest = new Ingest(holding(next), List.of(queue(exporter, 3)), metrics);
    byte[] root = TestData.traces(1).toByteArray();

    assertThat(next.get(0).accept(SpanBatch.parse(root)).outcome())
        .isEqualTo(Handoff.Outcome.TAKEN);
    Handoff full = next.get(0).accept(SpanBatch.parse(TestData.traces(3).toByteArray()));
    assertThat(full.outcome()).isEqualTo(Handoff.Outcome.RETRY_LATER);
    assertThat(full.retryAfter()).isEqualTo(Ingest.QUEUE_FULL_RETRY_AFTER);

    assertThat(metrics.counterValue("traccia_proxy_released_spans", "outcome", "queued"))
        .isEqualTo(1);
    assertThat(metrics.counterValue("traccia_proxy_released_spans", "outcome", "deferred"))
        .isEqualTo(3);
    for (String counter :
        List.of(
            "traccia_proxy_received_items",
            "traccia_proxy_accepted_items",
            "traccia_proxy_refused_items",
            "traccia_proxy_refused_requests")) {
      assertThat(metrics.registry().scrape().stream())
          .filteredOn(m -> m.getMetadata().getPrometheusName().equals(counter))
          .flatExtracting(m -> m.getDataPoints())
          .as(counter)
          .isEmpty();
    }
    never.complete(ExportResult.success());
  }

  @Test
  void malformedBodies_areRefusedWithoutAPipeline() {
    Ingest ingest = new Ingest(SpanPipeline.empty(), List.of(), metrics);
    byte[] truncated = TestData.traces(3).toByteArray();
    byte[] cut = java.util.Arrays.copyOf(truncated, truncated.length - 5);

    assertThatThrownBy(() -> ingest.traces(cut, "grpc"))
        .isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> ingest.logs(new byte[] {0x0a, 0x05, 0x01}, "grpc"))
        .isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> ingest.metrics(new byte[] {(byte) 0xff}, "grpc"))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  /**
   * Offers ten times what a queue of 100 spans holds, in requests of 10 spans, to an exporter that
   * never finishes, and returns spans processed per span accepted.
   */
  private double processedPerAcceptedAtTenTimesTheQueue() {
    RecordingExporter stuck = new RecordingExporter();
    stuck.answerWith(r -> new CompletableFuture<>());
    AtomicInteger processed = new AtomicInteger();
    Ingest ingest =
        new Ingest(
            SpanPipeline.builder().addProcessor(b -> processed.addAndGet(b.size())).build(),
            List.of(queue(stuck, 100)),
            metrics);
    int accepted = 0;
    for (int i = 0; i < 100; i++) {
      if (send(ingest, 10).status() == IngestResult.Status.ACCEPTED) {
        accepted += 10;
      }
    }
    assertThat(accepted).isEqualTo(100);
    return (double) processed.get() / accepted;
  }

  @Test
  void overload_aFullQueueRefusesBeforeThePipelineRuns() {
    double ratio = processedPerAcceptedAtTenTimesTheQueue();

    assertThat(ratio).isLessThanOrEqualTo(1.5);
    assertThat(queues.get(0).size()).isEqualTo(100);
    assertThat(
            metrics.counterValue(
                "traccia_proxy_refused_items",
                "signal",
                "traces",
                "transport",
                "grpc",
                "reason",
                "queue_full"))
        .isEqualTo(900);
  }

  @Test
  void overload_overTheRateLimitRefusesBeforeThePipelineRuns() {
    // 100 spans of tokens and room for 1000: the rate limit is what refuses.
    RecordingExporter exporter = new RecordingExporter();
    AtomicInteger processed = new AtomicInteger();
    Ingest ingest =
        new Ingest(
            SpanPipeline.builder().addProcessor(b -> processed.addAndGet(b.size())).build(),
            List.of(queue(exporter, 1000)),
            metrics,
            SpanRateLimiter.create(100, Duration.ZERO, Policy.REFUSE, ticker));
    int accepted = 0;
    for (int i = 0; i < 100; i++) {
      if (send(ingest, 10).status() == IngestResult.Status.ACCEPTED) {
        accepted += 10;
      }
    }

    assertThat(accepted).isEqualTo(100);
    assertThat((double) processed.get() / accepted).isLessThanOrEqualTo(1.5);
    // Refused requests gave their queue room back.
    await().atMost(Duration.ofSeconds(5)).until(() -> exporter.spans().size() == 100);
    await().atMost(Duration.ofSeconds(5)).until(() -> queues.get(0).size() == 0);
  }

  @Test
  void queueRoom_isShrunkToWhatThePipelineKeptAndGivenBackWhenItKeptNothing() {
    RecordingExporter stuck = new RecordingExporter();
    stuck.answerWith(r -> new CompletableFuture<>());
    AtomicBoolean rejectAll = new AtomicBoolean();
    SpanBatchProcessor rejectsOdd =
        b -> {
          for (int i = 0; i < b.size(); i++) {
            if (i % 2 == 1 || rejectAll.get()) {
              b.reject(i, RejectReason.INVALID);
            }
          }
        };
    Ingest ingest =
        new Ingest(
            SpanPipeline.builder().addProcessor(rejectsOdd).build(),
            List.of(queue(stuck, 1000), queue(named("second", stuck), 1000)),
            metrics);

    IngestResult result = send(ingest, 10);

    assertThat(result.rejectedItems()).isEqualTo(5);
    assertThat(queues.get(0).size()).isEqualTo(5);
    assertThat(queues.get(1).size()).isEqualTo(5);

    rejectAll.set(true);
    IngestResult none = send(ingest, 10);

    assertThat(none.status()).isEqualTo(IngestResult.Status.ACCEPTED);
    assertThat(none.rejectedItems()).isEqualTo(10);
    assertThat(queues.get(0).size()).isEqualTo(5);
    assertThat(queues.get(1).size()).isEqualTo(5);
  }

  @Test
  void queueFull_onOneExporterRefusesBeforeThePipelineAndHoldsNoRoomOnTheOther() {
    RecordingExporter stuck = new RecordingExporter();
    stuck.answerWith(r -> new CompletableFuture<>());
    AtomicInteger processed = new AtomicInteger();
    Ingest ingest =
        new Ingest(
            SpanPipeline.builder().addProcessor(b -> processed.addAndGet(b.size())).build(),
            List.of(queue(stuck, 1000), queue(named("small", stuck), 10)),
            metrics);
    assertThat(send(ingest, 10).status()).isEqualTo(IngestResult.Status.ACCEPTED);

    IngestResult refused = send(ingest, 10);

    assertThat(refused.status()).isEqualTo(IngestResult.Status.RETRY_LATER);
    assertThat(refused.message())
        .isEqualTo("the export queue of small is full (10 items); retry later");
    assertThat(processed.get()).isEqualTo(10);
    assertThat(queues.get(0).size()).isEqualTo(10);
  }

  @Test
  void traces_overTheSpanLimitsAreRefusedBeforeAnythingElse() {
    AtomicInteger processed = new AtomicInteger();
    Ingest ingest =
        new Ingest(
            SpanPipeline.builder().addProcessor(b -> processed.addAndGet(b.size())).build(),
            List.of(queue(new RecordingExporter(), 1000)),
            metrics,
            SpanRateLimiter.unlimited(),
            new SpanLimits(1, 1024));

    assertThatThrownBy(() -> ingest.traces(TestData.traces(1).toByteArray(), "grpc"))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessage(
            "resource_spans[0].scope_spans[0].spans[0].attributes[1]: more than 1 attributes"
                + " (expected: at most 1, advanced.max_attributes)");
    assertThat(processed.get()).isZero();
    assertThat(queues.get(0).size()).isZero();
  }

  @Test
  void release_runsOnlyTheStagesAfterTheHolderAndNoneWhenTheQueuesAreFull() throws Exception {
    RecordingExporter exporter = new RecordingExporter();
    CompletableFuture<ExportResult> never = new CompletableFuture<>();
    exporter.answerWith(r -> never);
    List<SpanConsumer> next = new ArrayList<>();
    AtomicInteger after = new AtomicInteger();
    BatchingExporter queue = queue(exporter, 2);
    Ingest ingest =
        new Ingest(
            holding(next, b -> after.addAndGet(b.size()), b -> b.putAttribute(0, "seen", true)),
            List.of(queue),
            metrics);

    next.get(0).accept(SpanBatch.parse(TestData.traces(1).toByteArray()));
    Handoff refused = next.get(0).accept(SpanBatch.parse(TestData.traces(2).toByteArray()));

    assertThat(after).hasValue(1); // the refused batch reached no stage
    assertThat(refused.outcome()).isEqualTo(Handoff.Outcome.RETRY_LATER);
    assertThat(ingest.traces(TestData.traces(1).toByteArray(), "grpc").status())
        .isEqualTo(IngestResult.Status.ACCEPTED); // the refusal gave its room back
    never.complete(ExportResult.success());
  }

  @Test
  void release_sampledOutByALaterStage_isTakenAndGivesItsRoomBack() throws Exception {
    RecordingExporter exporter = new RecordingExporter();
    List<SpanConsumer> next = new ArrayList<>();
    new Ingest(
        holding(next, b -> b.reject(0, RejectReason.SAMPLED_OUT)),
        List.of(queue(exporter, 1)),
        metrics);

    Handoff answer = next.get(0).accept(SpanBatch.parse(TestData.traces(1).toByteArray()));

    assertThat(answer.outcome()).isEqualTo(Handoff.Outcome.TAKEN);
    assertThat(metrics.counterValue("traccia_proxy_released_spans", "outcome", "queued")).isZero();
    assertThat(
            new Ingest(SpanPipeline.empty(), List.of(queues.get(0)), metrics)
                .traces(TestData.traces(1).toByteArray(), "grpc")
                .status())
        .isEqualTo(IngestResult.Status.ACCEPTED);
  }

  @Test
  void release_afterTheQueuesClosed_isRefusedForGood() throws Exception {
    List<SpanConsumer> next = new ArrayList<>();
    Ingest ingest = new Ingest(holding(next), List.of(queue(new RecordingExporter(), 10)), metrics);
    ingest.stopAccepting();

    Handoff whileStopping = next.get(0).accept(SpanBatch.parse(TestData.traces(1).toByteArray()));
    ingest.closeQueues();
    Handoff closed = next.get(0).accept(SpanBatch.parse(TestData.traces(1).toByteArray()));

    assertThat(whileStopping.outcome()).isEqualTo(Handoff.Outcome.TAKEN);
    assertThat(closed.outcome()).isEqualTo(Handoff.Outcome.CLOSED);
    assertThat(closed.reason()).isEqualTo("the export queues had closed");
  }
}
