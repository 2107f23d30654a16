/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.queue;

import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.server.export.ExportRequest;
import ai.traccia.proxy.server.export.ExportResult;
import ai.traccia.proxy.server.export.Exporter;
import ai.traccia.proxy.server.export.Signal;
import ai.traccia.proxy.server.metrics.SelfMetrics;
import ai.traccia.proxy.server.queue.durable.DiskQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded queue in front of one {@link Exporter}, with one worker that groups queued requests
 * into batches by size and delay.
 *
 * <p>Design. Capacity is counted in items (spans, metric points, log records), and reserved
 * <em>before</em> a request is accepted: {@link #tryReserve(int)} either takes room for the whole
 * request or refuses it, so a receiver can answer "retry later" instead of dropping anything it
 * acknowledged. The reservation is held until the export of the item's batch has finished, so the
 * bound covers what is queued, being batched and in flight alike.
 *
 * <p>The single worker thread polls the queue and keeps one open batch per signal. A batch is sent
 * when it reaches {@code maxBatchItems} items or {@code maxBatchBytes} bytes, or when {@code
 * scheduleDelay} has passed since its first request arrived. Batching is a byte concatenation:
 * protobuf merges repeated fields of concatenated messages, so two encoded {@code
 * Export*ServiceRequest}s appended to each other are one valid request holding both, and nothing is
 * decoded or re-encoded here. At most {@code maxConcurrentExports} batches are in flight; when all
 * are, the worker waits, the queue fills, and receivers refuse with a retryable status.
 *
 * <p>Durable mode ({@link Builder#setDiskQueue}). The queue is a {@link DiskQueue}: {@link
 * #enqueue} returns once the request is fsynced, the worker reads records back from disk, and a
 * record is marked complete, and its file space freed, only when the export of its batch has
 * finished. Capacity is then the disk queue's bytes, not items, and what is left at shutdown stays
 * on disk for the next start.
 *
 * <p>Signals ({@link Builder#setSignals}). A queue takes only the signals its exporter is
 * configured for; for a request of another signal, {@link #tryReserve(ExportRequest)}, {@link
 * #resize}, {@link #release(ExportRequest)} and {@link #enqueue} succeed without doing anything, so
 * the hand-off that offers every request to every queue routes it by signal without knowing.
 *
 * <p>Memory. With a {@link MemoryBudget}, the in-memory queue charges every queued body to it until
 * its batch's export has finished, so receivers see queued bytes when they admit new requests.
 *
 * <p>Thread-safe. {@link #shutdown(Duration)} is idempotent.
 */
public final class BatchingExporter {

  private static final Logger logger = LoggerFactory.getLogger(BatchingExporter.class);

  /** How long a durable batch waits before it is tried again after its retries ran out. */
  static final Duration DURABLE_RETRY_DELAY = Duration.ofSeconds(5);

  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final Exporter exporter;
  private final SelfMetrics metrics;
  private final Set<Signal> signals;
  private final int capacity;
  private final int maxBatchItems;
  private final int maxBatchBytes;
  private final long scheduleDelayNanos;
  private final Semaphore inFlight;
  private final int maxConcurrentExports;
  private final LinkedBlockingQueue<ExportRequest> queue = new LinkedBlockingQueue<>();
  private final DiskQueue disk;
  private final MemoryBudget budget;
  private final AtomicLong reserved = new AtomicLong();
  private final AtomicBoolean accepting = new AtomicBoolean(true);
  private final AtomicLong lastGiveUpLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
  private final Duration durableRetryDelay;
  private final Thread worker;
  private final Object flushLock = new Object();
  // Set by forceFlush under flushLock; taken by the worker after each poll.
  private volatile CompletableFuture<Void> flushRequest;
  private volatile boolean stopping;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  private BatchingExporter(Builder b) {
    this.exporter = b.exporter;
    this.metrics = b.metrics;
    this.signals = Collections.unmodifiableSet(EnumSet.copyOf(b.signals));
    this.capacity = b.capacity;
    this.maxBatchItems = b.maxBatchItems;
    this.maxBatchBytes = b.maxBatchBytes;
    this.scheduleDelayNanos = b.scheduleDelay.toNanos();
    this.durableRetryDelay = b.durableRetryDelay;
    this.maxConcurrentExports = b.maxConcurrentExports;
    this.inFlight = new Semaphore(b.maxConcurrentExports);
    this.disk = b.disk;
    this.budget = b.budget;
    if (disk != null) {
      reserved.addAndGet(disk.replayedItems());
    }
    metrics.registerQueue(exporter.name(), reserved::get, capacity);
    this.worker = new Thread(this::run, "traccia-export-" + exporter.name());
    worker.setDaemon(true);
    worker.start();
  }

  /** Returns a builder for a queue in front of {@code exporter}. */
  public static Builder builder(Exporter exporter, SelfMetrics metrics) {
    return new Builder(exporter, metrics);
  }

  /** The exporter's name. */
  public String name() {
    return exporter.name();
  }

  /** Whether this queue takes requests of {@code signal}; the others pass it by. */
  public boolean takes(Signal signal) {
    return signals.contains(signal);
  }

  /**
   * Whether the metrics derived from spans are queued here: the queue takes metrics and its
   * exporter takes derived ones ({@link Exporter#takesDerivedMetrics}).
   */
  public boolean takesDerivedMetrics() {
    return takes(Signal.METRICS) && exporter.takesDerivedMetrics();
  }

  /**
   * Reserves room for {@code items}. Returns false, reserving nothing, when the queue is full or
   * shutting down. A successful reservation must be followed by {@link #enqueue} or {@link
   * #release}.
   */
  public boolean tryReserve(int items) {
    if (!accepting.get()) {
      return false;
    }
    while (true) {
      long current = reserved.get();
      // A request larger than the whole queue is still let in when the queue is empty, or it could
      // never be accepted at all.
      if (current + items > capacity && current > 0) {
        return false;
      }
      if (reserved.compareAndSet(current, current + items)) {
        return true;
      }
    }
  }

  /**
   * Reserves room for {@code request}: its items in memory mode, its record bytes in durable mode
   * (where {@code max_queue_size} does not apply). Returns false, reserving nothing, when full or
   * shutting down. Follow a successful reservation with {@link #enqueue} or {@link
   * #release(ExportRequest)}.
   */
  public boolean tryReserve(ExportRequest request) {
    if (!takes(request.signal())) {
      return true;
    }
    if (disk == null) {
      return tryReserve(request.itemCount());
    }
    if (!accepting.get() || !disk.tryReserve(DiskQueue.recordBytes(request))) {
      return false;
    }
    reserved.addAndGet(request.itemCount());
    return true;
  }

  /**
   * Turns a reservation taken for {@code reserved} ({@link #tryReserve(ExportRequest)}) into one
   * for {@code actual}: the same request once the pipeline has run, with at most as many items and,
   * in durable mode, more or fewer bytes. Never refuses: room was promised to the request before
   * any stage saw it, so the few bytes a pipeline's edits add may take a durable queue slightly
   * past its bound rather than refuse a request the stages have counted. Follow it with {@link
   * #enqueue} or {@link #release(ExportRequest)} of {@code actual}.
   */
  public void resize(ExportRequest reserved, ExportRequest actual) {
    if (!takes(reserved.signal())) {
      return;
    }
    if (disk != null) {
      // A negative release is a growth: DiskQueue counts reserved bytes with one signed sum.
      disk.release(DiskQueue.recordBytes(reserved) - DiskQueue.recordBytes(actual));
    }
    release(reserved.itemCount() - actual.itemCount());
  }

  /** Gives back a reservation that was not used. */
  public void release(int items) {
    reserved.addAndGet(-items);
  }

  /** Gives back a reservation taken with {@link #tryReserve(ExportRequest)} and not used. */
  public void release(ExportRequest request) {
    if (!takes(request.signal())) {
      return;
    }
    if (disk != null) {
      disk.release(DiskQueue.recordBytes(request));
    }
    release(request.itemCount());
  }

  /**
   * Queues {@code request}, for which room was reserved. In durable mode this blocks until the
   * request is on disk.
   *
   * @throws UncheckedIOException in durable mode, if the request could not be written; nothing was
   *     queued and the reservation is still held
   */
  public void enqueue(ExportRequest request) {
    if (!takes(request.signal())) {
      return;
    }
    if (disk != null) {
      try {
        disk.append(request);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "could not write to the durable queue " + disk.directory() + ": " + e.getMessage(), e);
      }
      return;
    }
    if (budget != null) {
      // Released when the export of the request's batch has finished.
      budget.acquire(request.size());
    }
    queue.add(request);
  }

  /** The capacity for messages: {@code "50000 items"} or the durable queue's bytes. */
  public String capacityDescription() {
    return disk == null
        ? capacity + " items"
        : disk.maxBytes() + " bytes on disk, exporters.durable_queue_max_bytes";
  }

  /** Whether this queue is kept on disk. */
  public boolean isDurable() {
    return disk != null;
  }

  /** Items reserved: queued, being batched or in flight. */
  public long size() {
    return reserved.get();
  }

  /** The capacity in items. */
  public int capacity() {
    return capacity;
  }

  /** Sends every queued item now; the future completes when those exports have finished. */
  public CompletableFuture<Void> forceFlush() {
    CompletableFuture<Void> request;
    synchronized (flushLock) {
      request = flushRequest;
      if (request == null) {
        request = new CompletableFuture<>();
        flushRequest = request;
      }
    }
    worker.interrupt();
    return request;
  }

  /**
   * Stops accepting, sends everything queued and waits up to {@code timeout} for the exports to
   * finish. Returns the number of items that were not delivered by then. Idempotent.
   */
  public long shutdown(Duration timeout) {
    if (!accepting.getAndSet(false)) {
      // Already shut down (or shutting down): report without waiting a second time.
      return reserved.get();
    }
    stopping = true;
    worker.interrupt();
    try {
      terminated.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      logger.warn(
          "Exporter {} did not finish within the shutdown timeout of {} ms",
          exporter.name(),
          timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      logger.warn("Exporter {} failed while shutting down", exporter.name(), e.getCause());
    }
    long undelivered = reserved.get();
    exporter.shutdown();
    if (disk != null) {
      disk.close();
    }
    return undelivered;
  }

  private void run() {
    Map<Signal, OpenBatch> open = new EnumMap<>(Signal.class);
    try {
      while (true) {
        long waitNanos = scheduleDelayNanos;
        long now = System.nanoTime();
        for (OpenBatch b : open.values()) {
          waitNanos = Math.min(waitNanos, b.deadline - now);
        }
        Queued next = null;
        try {
          next = poll(waitNanos);
        } catch (InterruptedException e) {
          // Woken by flush or shutdown; checked below.
        }
        while (next != null) {
          add(open, next);
          next = poll(0);
        }
        now = System.nanoTime();
        CompletableFuture<Void> flush = flushRequest;
        boolean flushAll = flush != null || stopping;
        if (flushAll) {
          // Whatever was queued before the flush or shutdown was asked for is visible now.
          for (Queued late = pollNow(); late != null; late = pollNow()) {
            add(open, late);
          }
        }
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (Signal signal : Signal.values()) {
          OpenBatch b = open.get(signal);
          if (b != null && (flushAll || b.deadline - now <= 0)) {
            open.remove(signal);
            sent.add(send(b));
          }
        }
        if (flush != null) {
          synchronized (flushLock) {
            flushRequest = null;
          }
          awaitInFlight().whenComplete((v, t) -> flush.complete(null));
        }
        if (stopping && queueEmpty() && open.isEmpty()) {
          break;
        }
      }
      awaitInFlight().whenComplete((v, t) -> terminated.complete(null));
    } catch (Throwable t) {
      logger.error("The export worker of {} stopped unexpectedly", exporter.name(), t);
      terminated.completeExceptionally(t);
    }
  }

  private Queued poll(long waitNanos) throws InterruptedException {
    if (waitNanos <= 0) {
      return pollNow();
    }
    if (disk != null) {
      DiskQueue.Entry e = disk.poll(waitNanos, TimeUnit.NANOSECONDS);
      return e == null ? null : new Queued(e.request(), e);
    }
    ExportRequest r = queue.poll(waitNanos, TimeUnit.NANOSECONDS);
    return r == null ? null : new Queued(r, null);
  }

  private Queued pollNow() {
    if (disk != null) {
      DiskQueue.Entry e = disk.poll();
      return e == null ? null : new Queued(e.request(), e);
    }
    ExportRequest r = queue.poll();
    return r == null ? null : new Queued(r, null);
  }

  private boolean queueEmpty() {
    return disk != null ? disk.isEmpty() : queue.isEmpty();
  }

  private void add(Map<Signal, OpenBatch> open, Queued queued) {
    ExportRequest request = queued.request;
    OpenBatch b = open.get(request.signal());
    if (b != null
        && (b.items + request.itemCount() > maxBatchItems
            || b.bytes + request.size() > maxBatchBytes)) {
      open.remove(request.signal());
      send(b);
      b = null;
    }
    if (b == null) {
      b = new OpenBatch(request.signal(), System.nanoTime() + scheduleDelayNanos);
      open.put(request.signal(), b);
    }
    b.add(queued);
    if (b.items >= maxBatchItems || b.bytes >= maxBatchBytes) {
      open.remove(request.signal());
      send(b);
    }
  }

  private CompletableFuture<Void> send(OpenBatch batch) {
    inFlight.acquireUninterruptibly();
    ExportRequest request = batch.toRequest();
    long start = System.nanoTime();
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture<ExportResult> result;
    try {
      result = exporter.export(request);
    } catch (RuntimeException e) {
      result = CompletableFuture.completedFuture(ExportResult.permanent(e.toString()));
    }
    result.whenComplete(
        (r, t) ->
            finish(
                batch,
                request,
                start,
                done,
                r != null ? r : ExportResult.permanent(String.valueOf(t))));
    return done;
  }

  /**
   * Ends one export of {@code batch}. In durable mode a batch the backend could not take in time is
   * never dropped: while running, it is tried again after a delay (5 s), keeping its place among
   * the exports in flight (so the queue fills and clients are asked to retry); while shutting down,
   * it stays on disk and is sent after the next start.
   */
  private void finish(
      OpenBatch batch,
      ExportRequest request,
      long start,
      CompletableFuture<Void> done,
      ExportResult result) {
    boolean keepOnDisk = disk != null && result.outcome() == ExportResult.Outcome.RETRYABLE;
    if (keepOnDisk && !stopping) {
      logThrottled(request, result);
      metrics.exportRetried(exporter.name());
      CompletableFuture.delayedExecutor(durableRetryDelay.toMillis(), TimeUnit.MILLISECONDS)
          .execute(
              () -> {
                CompletableFuture<ExportResult> again;
                try {
                  again = exporter.export(request);
                } catch (RuntimeException e) {
                  again = CompletableFuture.completedFuture(ExportResult.permanent(e.toString()));
                }
                again.whenComplete(
                    (r, t) ->
                        finish(
                            batch,
                            request,
                            start,
                            done,
                            r != null ? r : ExportResult.permanent(String.valueOf(t))));
              });
      return;
    }
    try {
      if (!keepOnDisk) {
        record(request, result, (System.nanoTime() - start) / 1e9);
      }
    } finally {
      // Done, delivered or not: the batch's room, bytes and disk records are given back; a
      // durable batch kept for the next start keeps its records and its count as undelivered.
      if (disk != null) {
        if (!keepOnDisk) {
          for (DiskQueue.Entry e : batch.entries) {
            disk.complete(e);
          }
          reserved.addAndGet(-batch.items);
        }
      } else {
        if (budget != null) {
          budget.release(batch.bytes);
        }
        reserved.addAndGet(-batch.items);
      }
      inFlight.release();
      done.complete(null);
    }
  }

  private void record(ExportRequest request, ExportResult result, double seconds) {
    Signal signal = request.signal();
    String name = exporter.name();
    metrics.exportDuration(signal, name, seconds);
    switch (result.outcome()) {
      case SUCCESS:
        metrics.exported(signal, name, request.itemCount() - result.rejectedItems());
        if (result.rejectedItems() > 0) {
          metrics.exportFailed(signal, name, "rejected_by_backend", result.rejectedItems());
        }
        break;
      case RETRYABLE:
        metrics.exportFailed(signal, name, stopping ? "shutdown" : "gave_up", request.itemCount());
        logThrottled(request, result);
        break;
      case PERMANENT:
        // The retrying exporter underneath has logged it, with what to check next.
        metrics.exportFailed(signal, name, "permanent", request.itemCount());
        break;
    }
  }

  private void logThrottled(ExportRequest request, ExportResult result) {
    long now = System.nanoTime();
    long last = lastGiveUpLog.get();
    if (now - last >= LOG_INTERVAL_NANOS && lastGiveUpLog.compareAndSet(last, now)) {
      logger.warn(
          "Exporter {} could not deliver {} {}: {}",
          exporter.name(),
          request.itemCount(),
          request.signal().itemName(),
          result);
    }
  }

  private CompletableFuture<Void> awaitInFlight() {
    CompletableFuture<Void> idle = new CompletableFuture<>();
    Thread waiter =
        new Thread(
            () -> {
              inFlight.acquireUninterruptibly(maxConcurrentExports);
              inFlight.release(maxConcurrentExports);
              idle.complete(null);
            },
            "traccia-export-drain-" + exporter.name());
    waiter.setDaemon(true);
    waiter.start();
    return idle;
  }

  /** A request taken from the queue, with its disk record in durable mode. */
  private static final class Queued {
    final ExportRequest request;
    final DiskQueue.Entry entry;

    Queued(ExportRequest request, DiskQueue.Entry entry) {
      this.request = request;
      this.entry = entry;
    }
  }

  /** Requests of one signal collected for one export. Confined to the worker thread. */
  private static final class OpenBatch {
    final Signal signal;
    final long deadline;
    final List<ExportRequest> requests = new ArrayList<>();
    final List<DiskQueue.Entry> entries = new ArrayList<>();
    int items;
    int bytes;

    OpenBatch(Signal signal, long deadline) {
      this.signal = signal;
      this.deadline = deadline;
    }

    void add(Queued queued) {
      ExportRequest request = queued.request;
      requests.add(request);
      if (queued.entry != null) {
        entries.add(queued.entry);
      }
      items += request.itemCount();
      bytes += request.size();
    }

    ExportRequest toRequest() {
      return ExportRequest.join(signal, requests);
    }
  }

  /** Builds a {@link BatchingExporter}; defaults are those of the configuration catalog. */
  public static final class Builder {
    private static final ProxyConfig DEFAULTS = ProxyConfig.defaults();

    private final Exporter exporter;
    private final SelfMetrics metrics;
    private int capacity = DEFAULTS.maxQueueSize();
    private int maxBatchItems = DEFAULTS.maxExportBatchSize();
    private int maxBatchBytes = 3 * 1024 * 1024;
    private Duration scheduleDelay = DEFAULTS.scheduleDelay();
    private int maxConcurrentExports = 4;
    private Duration durableRetryDelay = DURABLE_RETRY_DELAY;
    private DiskQueue disk;
    private MemoryBudget budget;
    private Set<Signal> signals = EnumSet.allOf(Signal.class);

    private Builder(Exporter exporter, SelfMetrics metrics) {
      this.exporter = Objects.requireNonNull(exporter, "exporter");
      this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Items the queue holds at most, queued and in flight together. Default: that of {@code
     * rate_limiting.max_queue_size}.
     */
    public Builder setCapacity(int capacity) {
      checkPositive("capacity", capacity);
      this.capacity = capacity;
      return this;
    }

    /**
     * Items per exported batch at most. Default: that of {@code
     * rate_limiting.max_export_batch_size}.
     */
    public Builder setMaxBatchItems(int maxBatchItems) {
      checkPositive("maxBatchItems", maxBatchItems);
      this.maxBatchItems = maxBatchItems;
      return this;
    }

    /**
     * Bytes per exported batch at most, unless a single request is larger. Default 3 MiB, under the
     * 4 MiB that gRPC servers, the OpenTelemetry Collector and Tempo among them, accept by default.
     */
    public Builder setMaxBatchBytes(int maxBatchBytes) {
      checkPositive("maxBatchBytes", maxBatchBytes);
      this.maxBatchBytes = maxBatchBytes;
      return this;
    }

    /**
     * How long a batch waits for more items after its first one. Default: that of {@code
     * rate_limiting.schedule_delay_millis}.
     */
    public Builder setScheduleDelay(Duration scheduleDelay) {
      if (scheduleDelay.isNegative() || scheduleDelay.isZero()) {
        throw new IllegalArgumentException(
            "scheduleDelay: " + scheduleDelay.toMillis() + " ms (expected: > 0)");
      }
      this.scheduleDelay = scheduleDelay;
      return this;
    }

    /** Batches in flight at once at most. Default 4. */
    public Builder setMaxConcurrentExports(int maxConcurrentExports) {
      checkPositive("maxConcurrentExports", maxConcurrentExports);
      this.maxConcurrentExports = maxConcurrentExports;
      return this;
    }

    /**
     * Keeps the queue in {@code disk} instead of memory; the queue owns it from now on and closes
     * it at shutdown. Default: in memory.
     */
    public Builder setDiskQueue(DiskQueue disk) {
      this.disk = Objects.requireNonNull(disk, "disk");
      return this;
    }

    /** The pause before a durable batch whose retries ran out is tried again; for tests. */
    Builder setDurableRetryDelay(Duration delay) {
      this.durableRetryDelay = Objects.requireNonNull(delay, "delay");
      return this;
    }

    /** Charges queued bodies to {@code budget} in memory mode. Default: none. */
    public Builder setMemoryBudget(MemoryBudget budget) {
      this.budget = Objects.requireNonNull(budget, "budget");
      return this;
    }

    /**
     * The signals this queue takes; requests of the others pass it by (see the class comment).
     * Default: every signal.
     */
    public Builder setSignals(Set<Signal> signals) {
      if (signals.isEmpty()) {
        throw new IllegalArgumentException("signals: [] (expected: at least one signal)");
      }
      this.signals = EnumSet.copyOf(signals);
      return this;
    }

    /** Starts the worker and returns the queue. */
    public BatchingExporter build() {
      return new BatchingExporter(this);
    }

    private static void checkPositive(String name, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
    }
  }
}
