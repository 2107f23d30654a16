/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.server.RecordingExporter;
import ai.traccia.proxy.server.TestData;
import ai.traccia.proxy.server.export.ExportRequest;
import ai.traccia.proxy.server.export.ExportResult;
import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.queue.durable.DiskQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchingExporterTest {

  private final RecordingExporter exporter = new RecordingExporter();
  private final SelfMetrics metrics = new SelfMetrics();
  private BatchingExporter queue;

  @AfterEach
  void stop() {
    if (queue != null) {
      queue.shutdown(Duration.ofSeconds(5));
    }
  }

  private static ExportRequest spans(int count) {
    return ExportRequest.of(Signal.TRACES, TestData.traces(count).toByteArray(), count);
  }

  private boolean offer(ExportRequest request) {
    if (!queue.tryReserve(request.itemCount())) {
      return false;
    }
    queue.enqueue(request);
    return true;
  }

  @Test
  void batches_bySizeAndConcatenatesRequests() throws Exception {
    queue =
        BatchingExporter.builder(exporter, metrics)
            .setMaxBatchItems(10)
            .setScheduleDelay(Duration.ofSeconds(30))
            .build();

    for (int i = 0; i < 25; i++) {
      assertThat(offer(spans(1))).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> exporter.requests().size() == 2);
    queue.forceFlush().get(5, TimeUnit.SECONDS);

    assertThat(exporter.requests()).extracting(ExportRequest::itemCount).containsExactly(10, 10, 5);
    // Protobuf concatenation: each batch decodes to one request holding every resource.
    assertThat(RecordingExporter.traces(exporter.requests().get(0)).getResourceSpansCount())
        .isEqualTo(10);
    assertThat(exporter.spans()).hasSize(25);
    assertThat(queue.size()).isZero();
    assertThat(
            metrics.counterValue(
                "traccia_proxy_exported_items", "signal", "traces", "exporter", "recording"))
        .isEqualTo(25);
  }

  @Test
  void batches_byDelay() {
    queue =
        BatchingExporter.builder(exporter, metrics).setScheduleDelay(Duration.ofMillis(50)).build();

    offer(spans(3));

    await().atMost(Duration.ofSeconds(5)).until(() -> exporter.requests().size() == 1);
    assertThat(exporter.requests().get(0).itemCount()).isEqualTo(3);
  }

  @Test
  void batches_keepSignalsApart() throws Exception {
    queue = BatchingExporter.builder(exporter, metrics).build();

    offer(spans(2));
    offer(ExportRequest.of(Signal.LOGS, TestData.logs(3).toByteArray(), 3));
    offer(spans(1));
    queue.forceFlush().get(5, TimeUnit.SECONDS);

    assertThat(exporter.requests(Signal.TRACES))
        .singleElement()
        .extracting(ExportRequest::itemCount)
        .isEqualTo(3);
    assertThat(exporter.requests(Signal.LOGS))
        .singleElement()
        .extracting(ExportRequest::itemCount)
        .isEqualTo(3);
  }

  @Test
  void signals_otherSignalsPassTheQueueBy() throws Exception {
    queue =
        BatchingExporter.builder(exporter, metrics)
            .setCapacity(5)
            .setSignals(java.util.EnumSet.of(Signal.TRACES))
            .build();
    ExportRequest logs = ExportRequest.of(Signal.LOGS, TestData.logs(50).toByteArray(), 50);

    // Far over the capacity, yet "reserved": the queue does not take logs, so it never holds them.
    assertThat(queue.tryReserve(logs)).isTrue();
    queue.enqueue(logs);
    assertThat(queue.size()).isZero();
    assertThat(queue.takes(Signal.LOGS)).isFalse();
    assertThat(queue.tryReserve(spans(2))).isTrue();
    queue.enqueue(spans(2));
    queue.forceFlush().get(5, TimeUnit.SECONDS);

    assertThat(exporter.requests(Signal.LOGS)).isEmpty();
    assertThat(exporter.requests(Signal.TRACES)).hasSize(1);
    assertThatThrownBy(
            () -> BatchingExporter.builder(exporter, metrics).setSignals(java.util.Set.of()))
        .hasMessage("signals: [] (expected: at least one signal)");
  }

  @Test
  void tryReserve_refusesPastCapacityUntilExported() throws Exception {
    CompletableFuture<ExportResult> pending = new CompletableFuture<>();
    exporter.answerWith(r -> pending);
    queue =
        BatchingExporter.builder(exporter, metrics)
            .setCapacity(10)
            .setScheduleDelay(Duration.ofMillis(1))
            .build();

    assertThat(offer(spans(8))).isTrue();
    assertThat(queue.tryReserve(3)).isFalse();
    assertThat(queue.tryReserve(2)).isTrue();
    queue.release(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> exporter.requests().size() == 1);
    // Still reserved while the export is in flight.
    assertThat(queue.tryReserve(3)).isFalse();

    pending.complete(ExportResult.success());

    await().atMost(Duration.ofSeconds(5)).until(() -> queue.tryReserve(10));
  }

  @Test
  void tryReserve_oversizedRequestAllowedIntoAnEmptyQueue() {
    queue = BatchingExporter.builder(exporter, metrics).setCapacity(5).build();

    assertThat(queue.tryReserve(50)).isTrue();
    assertThat(queue.tryReserve(1)).isFalse();
  }

  @Test
  void concurrentExports_bounded() {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    CompletableFuture<Void> gate = new CompletableFuture<>();
    exporter.answerWith(
        r -> {
          maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          return gate.thenApply(
              v -> {
                inFlight.decrementAndGet();
                return ExportResult.success();
              });
        });
    queue =
        BatchingExporter.builder(exporter, metrics)
            .setMaxBatchItems(1)
            .setMaxConcurrentExports(2)
            .build();

    for (int i = 0; i < 5; i++) {
      offer(spans(1));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> exporter.requests().size() == 2);
    assertThat(maxInFlight.get()).isEqualTo(2);

    gate.complete(null);

    await().atMost(Duration.ofSeconds(5)).until(() -> exporter.requests().size() == 5);
    assertThat(maxInFlight.get()).isEqualTo(2);
  }

  @Test
  void failures_countedByReason() throws Exception {
    exporter.answerWith(
        r ->
            CompletableFuture.completedFuture(
                r.itemCount() == 2
                    ? ExportResult.permanent("bad request")
                    : ExportResult.partialSuccess(1, "one was too old")));
    queue = BatchingExporter.builder(exporter, metrics).setMaxBatchItems(2).build();

    offer(spans(2));
    offer(spans(1));
    queue.forceFlush().get(5, TimeUnit.SECONDS);

    assertThat(
            metrics.counterValue(
                "traccia_proxy_export_failed_items",
                "signal",
                "traces",
                "exporter",
                "recording",
                "reason",
                "permanent"))
        .isEqualTo(2);
    assertThat(
            metrics.counterValue(
                "traccia_proxy_export_failed_items",
                "signal",
                "traces",
                "exporter",
                "recording",
                "reason",
                "rejected_by_backend"))
        .isEqualTo(1);
    assertThat(
            metrics.counterValue(
                "traccia_proxy_exported_items", "signal", "traces", "exporter", "recording"))
        .isZero();
  }

  @Test
  void shutdown_drainsEverythingQueuedAndIsIdempotent() {
    queue =
        BatchingExporter.builder(exporter, metrics)
            .setScheduleDelay(Duration.ofSeconds(30))
            .build();
    for (int i = 0; i < 7; i++) {
      offer(spans(1));
    }

    assertThat(queue.shutdown(Duration.ofSeconds(5))).isZero();
    assertThat(queue.shutdown(Duration.ofSeconds(5))).isZero();

    assertThat(exporter.spans()).hasSize(7);
    assertThat(queue.tryReserve(1)).isFalse();
  }

  @Test
  void shutdown_reportsWhatWasNotDeliveredInTime() {
    exporter.answerWith(r -> new CompletableFuture<>());
    queue = BatchingExporter.builder(exporter, metrics).build();
    offer(spans(4));

    assertThat(queue.shutdown(Duration.ofMillis(200))).isEqualTo(4);
  }

  @Test
  void memoryBudget_chargedWhileQueuedAndGivenBackAfterExport() throws Exception {
    CompletableFuture<ExportResult> pending = new CompletableFuture<>();
    exporter.answerWith(r -> pending);
    MemoryBudget budget = MemoryBudget.of(1 << 20);
    queue =
        BatchingExporter.builder(exporter, metrics)
            .setMemoryBudget(budget)
            .setScheduleDelay(Duration.ofMillis(10))
            .build();
    ExportRequest request = spans(3);

    offer(request);
    assertThat(budget.used()).isEqualTo(request.body().length);
    await().atMost(Duration.ofSeconds(5)).until(() -> exporter.requests().size() == 1);
    assertThat(budget.used()).isEqualTo(request.body().length);

    pending.complete(ExportResult.success());
    await().atMost(Duration.ofSeconds(5)).until(() -> budget.used() == 0);
  }

  @Test
  void durable_exportsFromDiskAndFreesTheSpace(@TempDir Path dir) throws Exception {
    DiskQueue disk = DiskQueue.open(dir, 1 << 20, 1 << 16, nanos -> {});
    queue =
        BatchingExporter.builder(exporter, metrics)
            .setDiskQueue(disk)
            .setScheduleDelay(Duration.ofMillis(10))
            .build();
    ExportRequest request = spans(2);

    assertThat(queue.tryReserve(request)).isTrue();
    queue.enqueue(request);

    await().atMost(Duration.ofSeconds(5)).until(() -> exporter.spans().size() == 2);
    assertThat(exporter.requests().get(0).body()).isEqualTo(request.body());
    await().atMost(Duration.ofSeconds(5)).until(() -> disk.usedBytes() == 0 && queue.size() == 0);
    assertThat(queue.isDurable()).isTrue();
  }

  @Test
  void durable_batchWhoseRetriesRanOutIsTriedAgainNotDropped(@TempDir Path dir) throws Exception {
    java.util.concurrent.atomic.AtomicInteger attempts =
        new java.util.concurrent.atomic.AtomicInteger();
    exporter.answerWith(
        r ->
            CompletableFuture.completedFuture(
                attempts.incrementAndGet() <= 2
                    ? ExportResult.retryable("backend down", null)
                    : ExportResult.success()));
    DiskQueue disk = DiskQueue.open(dir, 1 << 20, 1 << 16, nanos -> {});
    queue =
        BatchingExporter.builder(exporter, metrics)
            .setDiskQueue(disk)
            .setScheduleDelay(Duration.ofMillis(10))
            .setDurableRetryDelay(Duration.ofMillis(20))
            .build();
    ExportRequest request = spans(3);
    assertThat(queue.tryReserve(request)).isTrue();
    queue.enqueue(request);

    await().atMost(Duration.ofSeconds(5)).until(() -> disk.usedBytes() == 0 && queue.size() == 0);

    assertThat(attempts.get()).isEqualTo(3);
    assertThat(
            metrics.counterValue(
                "traccia_proxy_exported_items", "signal", "traces", "exporter", "recording"))
        .isEqualTo(3);
    assertThat(
            metrics.counterValue(
                "traccia_proxy_export_failed_items",
                "signal",
                "traces",
                "exporter",
                "recording",
                "reason",
                "gave_up"))
        .isZero();
  }

  @Test
  void durable_batchFailingAtShutdownStaysOnDiskForTheNextStart(@TempDir Path dir)
      throws Exception {
    exporter.answerWith(
        r -> CompletableFuture.completedFuture(ExportResult.retryable("backend down", null)));
    queue =
        BatchingExporter.builder(exporter, metrics)
            .setDiskQueue(DiskQueue.open(dir, 1 << 20, 1 << 16, nanos -> {}))
            .setScheduleDelay(Duration.ofMillis(10))
            .setDurableRetryDelay(Duration.ofMillis(20))
            .build();
    ExportRequest request = spans(2);
    assertThat(queue.tryReserve(request)).isTrue();
    queue.enqueue(request);
    await().atMost(Duration.ofSeconds(5)).until(() -> exporter.requests().size() >= 2);

    assertThat(queue.shutdown(Duration.ofSeconds(5))).isEqualTo(2);

    RecordingExporter next = new RecordingExporter();
    queue =
        BatchingExporter.builder(next, metrics)
            .setDiskQueue(DiskQueue.open(dir, 1 << 20, 1 << 16, nanos -> {}))
            .setScheduleDelay(Duration.ofMillis(10))
            .build();
    await().atMost(Duration.ofSeconds(5)).until(() -> next.spans().size() == 2);
  }

  @Test
  void durable_whatWasNotExportedIsSentAfterTheNextStart(@TempDir Path dir) throws Exception {
    exporter.answerWith(r -> new CompletableFuture<>());
    queue =
        BatchingExporter.builder(exporter, metrics)
            .setDiskQueue(DiskQueue.open(dir, 1 << 20, 1 << 16, nanos -> {}))
            .setScheduleDelay(Duration.ofMillis(10))
            .build();
    for (int i = 0; i < 4; i++) {
      ExportRequest request = spans(3);
      assertThat(queue.tryReserve(request)).isTrue();
      queue.enqueue(request);
    }
    assertThat(queue.shutdown(Duration.ofMillis(100))).isEqualTo(12);

    RecordingExporter next = new RecordingExporter();
    queue =
        BatchingExporter.builder(next, metrics)
            .setDiskQueue(DiskQueue.open(dir, 1 << 20, 1 << 16, nanos -> {}))
            .setScheduleDelay(Duration.ofMillis(10))
            .build();

    await().atMost(Duration.ofSeconds(5)).until(() -> next.spans().size() == 12);
    await().atMost(Duration.ofSeconds(5)).until(() -> queue.size() == 0);
  }

  @Test
  void durable_fullQueueRefusesByBytes(@TempDir Path dir) throws Exception {
    exporter.answerWith(r -> new CompletableFuture<>());
    ExportRequest request = spans(1);
    queue =
        BatchingExporter.builder(exporter, metrics)
            .setCapacity(1)
            .setDiskQueue(
                DiskQueue.open(dir, 2 * DiskQueue.recordBytes(request), 1 << 16, nanos -> {}))
            .build();

    // max_queue_size (1 item) does not apply; the bytes on disk do.
    assertThat(queue.tryReserve(request)).isTrue();
    queue.enqueue(request);
    assertThat(queue.tryReserve(request)).isTrue();
    queue.enqueue(request);
    assertThat(queue.tryReserve(request)).isFalse();
    assertThat(queue.capacityDescription())
        .isEqualTo(
            2 * DiskQueue.recordBytes(request)
                + " bytes on disk, exporters.durable_queue_max_bytes");
  }

  @Test
  void builder_invalidValues() {
    assertThatThrownBy(() -> BatchingExporter.builder(exporter, metrics).setCapacity(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity: 0 (expected: > 0)");
    assertThatThrownBy(
            () -> BatchingExporter.builder(exporter, metrics).setScheduleDelay(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scheduleDelay: 0 ms (expected: > 0)");
  }
}
