/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A cumulative {@link MetricReader} of the derived metrics that a Prometheus registry scrapes as a
 * {@link MultiCollector}.
 *
 * <p>Names follow OpenTelemetry's Prometheus compatibility rules for the units used here: dots
 * become underscores, {@code s} adds {@code _seconds}, {@code usd} adds {@code _usd}, annotations
 * in braces ({@code {token}}) and {@code 1} add nothing, and the text writer adds {@code _total} to
 * counters. Attribute keys become label names the same way; keys that then collide ({@code
 * agent.id} and {@code agent_id}) become one label, their distinct values joined with {@code ;}.
 * Histograms keep their explicit buckets as classic buckets.
 *
 * <p>Thread-safe: each scrape collects from the SDK, which may run concurrently with recording.
 */
final class PrometheusBridge implements MetricReader, MultiCollector {

  private volatile CollectionRegistration registration = CollectionRegistration.noop();

  @Override
  public void register(CollectionRegistration registration) {
    this.registration = registration;
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  @Override
  public CompletableResultCode forceFlush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    registration = CollectionRegistration.noop();
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public MetricSnapshots collect() {
    Collection<MetricData> metrics = registration.collectAllMetrics();
    List<MetricSnapshot> snapshots = new ArrayList<>(metrics.size());
    for (MetricData metric : metrics) {
      MetricSnapshot snapshot = convert(metric);
      if (snapshot != null) {
        snapshots.add(snapshot);
      }
    }
    return new MetricSnapshots(snapshots);
  }

  private static MetricSnapshot convert(MetricData metric) {
    MetricMetadata metadata =
        new MetricMetadata(
            prometheusName(metric.getName(), metric.getUnit()), metric.getDescription());
    switch (metric.getType()) {
      case HISTOGRAM:
        List<HistogramDataPointSnapshot> histograms = new ArrayList<>();
        for (HistogramPointData p : metric.getHistogramData().getPoints()) {
          histograms.add(
              new HistogramDataPointSnapshot(
                  buckets(p),
                  p.getSum(),
                  labels(p.getAttributes()),
                  Exemplars.EMPTY,
                  millis(p.getStartEpochNanos())));
        }
        return new HistogramSnapshot(metadata, histograms);
      case DOUBLE_SUM:
        if (!metric.getDoubleSumData().isMonotonic()) {
          return null;
        }
        List<CounterDataPointSnapshot> doubles = new ArrayList<>();
        for (DoublePointData p : metric.getDoubleSumData().getPoints()) {
          doubles.add(
              new CounterDataPointSnapshot(
                  p.getValue(), labels(p.getAttributes()), null, millis(p.getStartEpochNanos())));
        }
        return new CounterSnapshot(metadata, doubles);
      case LONG_SUM:
        if (!metric.getLongSumData().isMonotonic()) {
          return null;
        }
        List<CounterDataPointSnapshot> longs = new ArrayList<>();
        for (LongPointData p : metric.getLongSumData().getPoints()) {
          longs.add(
              new CounterDataPointSnapshot(
                  p.getValue(), labels(p.getAttributes()), null, millis(p.getStartEpochNanos())));
        }
        return new CounterSnapshot(metadata, longs);
      default:
        return null; // the derived metrics are counters and histograms only
    }
  }

  // Prometheus buckets are upper bounds ending with +Inf; the model takes per-bucket counts.
  private static ClassicHistogramBuckets buckets(HistogramPointData p) {
    List<Double> boundaries = p.getBoundaries();
    List<Long> counts = p.getCounts();
    double[] upper = new double[boundaries.size() + 1];
    long[] perBucket = new long[boundaries.size() + 1];
    for (int k = 0; k < boundaries.size(); k++) {
      upper[k] = boundaries.get(k);
      perBucket[k] = counts.get(k);
    }
    upper[boundaries.size()] = Double.POSITIVE_INFINITY;
    perBucket[boundaries.size()] = counts.get(boundaries.size());
    return ClassicHistogramBuckets.of(upper, perBucket);
  }

  static String prometheusName(String name, String unit) {
    String base = sanitize(name);
    String suffix;
    switch (unit == null ? "" : unit) {
      case "s":
        suffix = "seconds";
        break;
      case "usd":
        suffix = "usd";
        break;
      default:
        suffix = ""; // "1", "{token}" and other annotations add nothing
        break;
    }
    if (suffix.isEmpty() || base.endsWith("_" + suffix)) {
      return base;
    }
    return base + "_" + suffix;
  }

  private static Labels labels(Attributes attributes) {
    Map<String, String> byName = new TreeMap<>();
    for (Map.Entry<AttributeKey<?>, Object> e : attributes.asMap().entrySet()) {
      String name = sanitize(e.getKey().getKey());
      String value = String.valueOf(e.getValue());
      String previous = byName.get(name);
      if (previous == null) {
        byName.put(name, value);
      } else if (!previous.equals(value)) {
        byName.put(name, previous + ";" + value);
      }
    }
    return Labels.of(new ArrayList<>(byName.keySet()), new ArrayList<>(byName.values()));
  }

  private static String sanitize(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    for (int k = 0; k < name.length(); k++) {
      char c = name.charAt(k);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      ok |= k > 0 && c >= '0' && c <= '9';
      sb.append(ok ? c : '_');
    }
    return sb.toString();
  }

  private static long millis(long epochNanos) {
    return epochNanos / 1_000_000L;
  }
}
