/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.metrics;

import ai.traccia.proxy.processor.metrics.MetricLabels;
import ai.traccia.proxy.server.export.Signal;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The proxy's own counters, in the spirit of a collector's received / accepted / refused / exported
 * accounting, rendered in the Prometheus text format on the admin port.
 *
 * <p>Every item is counted once when received, then exactly once as accepted or refused (with a
 * reason), and each accepted item once per exporter as exported or failed. A root span that the
 * guardrails hold for its children is received and accepted on arrival, under its transport, as the
 * client is told; it is counted in {@code traccia_proxy_released_spans} when it is released to the
 * queues, not accepted again. All methods are thread-safe and cheap enough for the request path.
 *
 * <p>No metric keeps exemplars: the proxy traces nothing of its own to point them at, and the
 * Prometheus client's exemplar sampler schedules a task on its own thread after each sampled
 * recording, up to eleven a second for every series (1.2% of the enriched proxy's CPU at 10,000
 * spans/s, and 1.5 ms a second at 1,000).
 */
public final class SelfMetrics {

  /** Why a request or its items were refused. Each is a {@code reason} label value. */
  public enum RefuseReason {
    NOT_FOUND("not_found"),
    METHOD_NOT_ALLOWED("method_not_allowed"),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type"),
    UNSUPPORTED_ENCODING("unsupported_encoding"),
    TOO_LARGE("too_large"),
    MALFORMED("malformed"),
    QUEUE_FULL("queue_full"),
    RATE_LIMITED("rate_limited"),
    MEMORY_LIMIT("memory_limit"),
    /** The body (HTTP) or message (gRPC) did not arrive within server.body_timeout_ms. */
    TIMEOUT("timeout"),
    DURABLE_QUEUE_ERROR("durable_queue_error"),
    SHUTTING_DOWN("shutting_down"),
    UNAUTHENTICATED("unauthenticated"),
    PROCESSOR("processor");

    private final String label;

    RefuseReason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter received;
  private final Counter accepted;
  private final Counter refusedItems;
  private final Counter refusedRequests;
  private final Counter exported;
  private final Counter closedConnections;
  private final Counter exportFailed;
  private final Counter exportRetries;
  private final Counter processorErrors;
  private final Counter unpriced;
  private final Counter guardrailEvents;
  private final Counter released;
  private final Counter redactions;
  private final Counter guardrailTraces;
  private final Counter guardrailCategories;
  private final java.util.Set<String> unpricedModels =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  static final int MAX_UNPRICED_MODELS = 200;

  /** The {@code model} of unpriced spans past {@value #MAX_UNPRICED_MODELS} distinct names. */
  public static final String OTHER_MODEL = "__other__";

  private final int maxLabelLength;
  private final Histogram exportDuration;
  private final Counter fsyncs;
  private final Histogram fsyncDuration;
  private final Counter replayed;
  private final List<QueueGauge> queues = new CopyOnWriteArrayList<>();
  private final List<LongSupplier> memoryUsed = new CopyOnWriteArrayList<>();
  private final List<Long> memoryLimit = new CopyOnWriteArrayList<>();

  private static final class QueueGauge {
    final String exporter;
    final LongSupplier size;
    final long capacity;

    QueueGauge(String exporter, LongSupplier size, long capacity) {
      this.exporter = exporter;
      this.size = size;
      this.capacity = capacity;
    }
  }

  /**
   * Creates an empty set of self-metrics with its own registry; label values from clients are cut
   * to {@value MetricLabels#DEFAULT_MAX_LENGTH} characters.
   */
  public SelfMetrics() {
    this(MetricLabels.DEFAULT_MAX_LENGTH);
  }

  /**
   * Creates an empty set of self-metrics with its own registry.
   *
   * @param maxLabelLength longest label value taken from a client, in characters ({@code
   *     metrics.max_label_length}); longer ones are cut
   */
  public SelfMetrics(int maxLabelLength) {
    if (maxLabelLength <= 0) {
      throw new IllegalArgumentException("maxLabelLength: " + maxLabelLength + " (expected: > 0)");
    }
    this.maxLabelLength = maxLabelLength;
    received =
        counter()
            .name("traccia_proxy_received_items")
            .help(
                "Spans, metric points and log records received, by signal and transport (grpc,"
                    + " http; derived: the metrics derived from spans, queued like a request).")
            .labelNames("signal", "transport")
            .register(registry);
    accepted =
        counter()
            .name("traccia_proxy_accepted_items")
            .help("Received items accepted and queued for export.")
            .labelNames("signal", "transport")
            .register(registry);
    refusedItems =
        counter()
            .name("traccia_proxy_refused_items")
            .help(
                "Received items refused, by reason; the client was told (partial_success or an error status).")
            .labelNames("signal", "transport", "reason")
            .register(registry);
    refusedRequests =
        counter()
            .name("traccia_proxy_refused_requests")
            .help(
                "Requests refused, by reason, including those refused before their items could be counted.")
            .labelNames("signal", "transport", "reason")
            .register(registry);
    closedConnections =
        counter()
            .name("traccia_proxy_closed_connections")
            .help(
                "Connections a receiver closed to bound what a client holds, by reason"
                    + " (connection_limit, header_timeout, body_timeout, idle_timeout,"
                    + " header_too_large).")
            .labelNames("transport", "reason")
            .register(registry);
    exported =
        counter()
            .name("traccia_proxy_exported_items")
            .help("Items the exporter's destination acknowledged.")
            .labelNames("signal", "exporter")
            .register(registry);
    exportFailed =
        counter()
            .name("traccia_proxy_export_failed_items")
            .help(
                "Items that could not be delivered, by exporter and reason (permanent, gave_up, rejected_by_backend, shutdown).")
            .labelNames("signal", "exporter", "reason")
            .register(registry);
    exportRetries =
        counter()
            .name("traccia_proxy_export_retries")
            .help("Export attempts that were retried.")
            .labelNames("exporter")
            .register(registry);
    redactions =
        counter()
            .name("traccia_proxy_redactions")
            .help(
                "Content values or pattern matches redacted, by rule (a pattern, or the mode's name) and mode; never what was redacted.")
            .labelNames("rule", "mode")
            .register(registry);
    guardrailEvents =
        counter()
            .name("traccia_proxy_guardrail_events")
            .help(
                "Trace-level guardrail bookkeeping: roots held and released (by reason), late"
                    + " spans, evicted traces, traces that expired without a root, failed releases.")
            .labelNames("event", "reason")
            .register(registry);
    released =
        counter()
            .name("traccia_proxy_released_spans")
            .help(
                "Root spans the guardrails held for their children, then released to the export"
                    + " queues: queued, or deferred when a queue had no room (tried again a"
                    + " second later). They were counted in received_items when they arrived,"
                    + " and are not counted in accepted_items.")
            .labelNames("outcome")
            .register(registry);
    guardrailTraces =
        counter()
            .name("traccia_proxy_guardrail_summaries")
            .help("Traces whose guardrail summary was written on their root span.")
            .register(registry);
    guardrailCategories =
        counter()
            .name("traccia_proxy_guardrail_categories")
            .help(
                "Guardrail categories in the traces' summaries: state detected (a finding),"
                    + " triggered (a guardrail fired) or missing (called for, not covered).")
            .labelNames("category", "state")
            .register(registry);
    unpriced =
        counter()
            .name("traccia_proxy_unpriced_spans")
            .help(
                "Inference spans left without a cost because their model is not in the price table.")
            .labelNames("model")
            .register(registry);
    processorErrors =
        counter()
            .name("traccia_proxy_processor_errors")
            .help("Batches on which a processor threw; the pipeline carried on without it.")
            .labelNames("processor")
            .register(registry);
    exportDuration =
        histogram()
            .name("traccia_proxy_export_duration_seconds")
            .help(
                "Time from handing a batch to an exporter until its final outcome, retries included.")
            .unit(Unit.SECONDS)
            .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
            .classicOnly()
            .labelNames("signal", "exporter")
            .register(registry);
    fsyncs =
        counter()
            .name("traccia_proxy_durable_queue_fsyncs")
            .help("Fsyncs of a durable queue; each covers every record written before it.")
            .labelNames("exporter")
            .register(registry);
    fsyncDuration =
        histogram()
            .name("traccia_proxy_durable_queue_fsync_duration_seconds")
            .help("Duration of one fsync of a durable queue.")
            .unit(Unit.SECONDS)
            .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
            .classicOnly()
            .labelNames("exporter")
            .register(registry);
    replayed =
        counter()
            .name("traccia_proxy_durable_queue_replayed_items")
            .help("Items found in a durable queue at start-up and queued again for export.")
            .labelNames("exporter")
            .register(registry);
    GaugeWithCallback.builder()
        .name("traccia_proxy_memory_buffer_bytes")
        .help("Bytes of requests being received, processed or queued in memory.")
        .callback(
            cb -> {
              for (LongSupplier m : memoryUsed) {
                cb.call(m.getAsLong());
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("traccia_proxy_memory_buffer_limit_bytes")
        .help("The limit of traccia_proxy_memory_buffer_bytes (rate_limiting.max_buffer_bytes).")
        .callback(
            cb -> {
              for (Long limit : memoryLimit) {
                cb.call(limit);
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("traccia_proxy_queue_size")
        .help("Items waiting in an exporter's queue.")
        .labelNames("exporter")
        .callback(
            cb -> {
              for (QueueGauge q : queues) {
                cb.call(q.size.getAsLong(), q.exporter);
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("traccia_proxy_queue_capacity")
        .help("Capacity, in items, of an exporter's queue.")
        .labelNames("exporter")
        .callback(
            cb -> {
              for (QueueGauge q : queues) {
                cb.call(q.capacity, q.exporter);
              }
            })
        .register(registry);
  }

  /**
   * A counter builder without exemplars (see the class comment); every Prometheus counter of the
   * proxy, in this class or beside it, starts here.
   */
  public static Counter.Builder counter() {
    return Counter.builder().withoutExemplars();
  }

  private static Histogram.Builder histogram() {
    return Histogram.builder().withoutExemplars();
  }

  public void received(Signal signal, String transport, long items) {
    received.labelValues(signal.label(), transport).inc(items);
  }

  public void accepted(Signal signal, String transport, long items) {
    accepted.labelValues(signal.label(), transport).inc(items);
  }

  /** Counts {@code items} refused for {@code reason}, and the request that carried them. */
  public void refused(Signal signal, String transport, RefuseReason reason, long items) {
    if (items > 0) {
      refusedItems.labelValues(signal.label(), transport, reason.label()).inc(items);
    }
    refusedRequests.labelValues(signal.label(), transport, reason.label()).inc();
  }

  /**
   * Counts a connection a receiver closed or refused on its own: over the connection limit, too
   * slow, idle too long, or with headers over the limit.
   */
  public void connectionClosed(String transport, String reason) {
    closedConnections.labelValues(transport, reason).inc();
  }

  /** Counts items a processor refused within an otherwise accepted request. */
  public void refusedByProcessor(Signal signal, String transport, String reason, long items) {
    refusedItems.labelValues(signal.label(), transport, reason).inc(items);
  }

  public void exported(Signal signal, String exporter, long items) {
    exported.labelValues(signal.label(), exporter).inc(items);
  }

  public void exportFailed(Signal signal, String exporter, String reason, long items) {
    exportFailed.labelValues(signal.label(), exporter, reason).inc(items);
  }

  public void exportRetried(String exporter) {
    exportRetries.labelValues(exporter).inc();
  }

  public void exportDuration(Signal signal, String exporter, double seconds) {
    exportDuration.labelValues(signal.label(), exporter).observe(seconds);
  }

  /**
   * Counts an inference span whose model has no price, by model name. The name comes from a client,
   * so it is cut to the longest label value, and at most {@value #MAX_UNPRICED_MODELS} names get a
   * series of their own; later ones share {@value #OTHER_MODEL}. A client sending long or random
   * model names can grow neither the registry nor a scrape without bound.
   */
  public void unpricedSpan(String model) {
    String label = MetricLabels.truncate(model, maxLabelLength);
    if (!unpricedModels.contains(label)) {
      synchronized (unpricedModels) {
        if (unpricedModels.size() < MAX_UNPRICED_MODELS) {
          unpricedModels.add(label);
        } else if (!unpricedModels.contains(label)) {
          label = OTHER_MODEL;
        }
      }
    }
    unpriced.labelValues(label).inc();
  }

  /** Counts {@code count} redactions by {@code rule} in {@code mode}. */
  public void redacted(String rule, String mode, long count) {
    redactions.labelValues(rule, mode).inc(count);
  }

  /** Counts a guardrail bookkeeping {@code event}; {@code reason} may be empty. */
  /**
   * Counts {@code spans} that a processor held and now released: {@code queued} when every queue
   * took them, else deferred. Held spans were counted as received on arrival; counting them again
   * as received or accepted, under a transport they never came by, would break the received =
   * accepted + refused arithmetic per transport.
   */
  public void released(long spans, boolean queued) {
    released.labelValues(queued ? "queued" : "deferred").inc(spans);
  }

  public void guardrailEvent(String event, String reason) {
    guardrailEvents.labelValues(event, reason).inc();
  }

  /**
   * Counts one trace's guardrail summary and its categories. Categories are the guardrail
   * processor's fixed set, so the label's cardinality is bounded.
   */
  public void guardrailSummary(
      List<String> detected, List<String> triggered, List<String> missing) {
    guardrailTraces.inc();
    detected.forEach(c -> guardrailCategories.labelValues(c, "detected").inc());
    triggered.forEach(c -> guardrailCategories.labelValues(c, "triggered").inc());
    missing.forEach(c -> guardrailCategories.labelValues(c, "missing").inc());
  }

  public void processorError(String processor) {
    processorErrors.labelValues(processor).inc();
  }

  /**
   * Publishes the size and capacity of one exporter's queue. {@code size} is called at scrape time
   * and must be thread-safe.
   */
  public void registerQueue(String exporter, LongSupplier size, long capacity) {
    queues.add(new QueueGauge(exporter, size, capacity));
  }

  /** Counts one fsync of {@code exporter}'s durable queue that took {@code nanos}. */
  public void durableFsync(String exporter, long nanos) {
    fsyncs.labelValues(exporter).inc();
    fsyncDuration.labelValues(exporter).observe(nanos / 1e9);
  }

  /** Counts {@code items} found in {@code exporter}'s durable queue at start-up. */
  public void durableReplayed(String exporter, long items) {
    replayed.labelValues(exporter).inc(items);
  }

  /**
   * Publishes the memory budget: {@code used} is called at scrape time and must be thread-safe.
   * Call once per proxy.
   */
  public void registerMemoryBudget(LongSupplier used, long limit) {
    memoryUsed.add(used);
    memoryLimit.add(limit);
  }

  /** The registry, for other components that publish metrics on the admin port. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** Writes every metric in the Prometheus text format (version 0.0.4). */
  public void writeText(OutputStream out) throws IOException {
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
  }

  /**
   * The current value of counter {@code name} (without {@code _total}) for the given label pairs,
   * for example {@code counterValue("traccia_proxy_received_items", "signal", "traces",
   * "transport", "grpc")}; 0 when that series does not exist.
   */
  public double counterValue(String name, String... labelPairs) {
    for (MetricSnapshot snapshot : registry.scrape()) {
      if (!(snapshot instanceof CounterSnapshot)
          || !snapshot.getMetadata().getPrometheusName().equals(name)) {
        continue;
      }
      for (CounterDataPointSnapshot point : ((CounterSnapshot) snapshot).getDataPoints()) {
        Labels labels = point.getLabels();
        boolean match = labels.size() * 2 == labelPairs.length;
        for (int i = 0; match && i < labelPairs.length; i += 2) {
          match = labelPairs[i + 1].equals(labels.get(labelPairs[i]));
        }
        if (match) {
          return point.getValue();
        }
      }
    }
    return 0;
  }
}
