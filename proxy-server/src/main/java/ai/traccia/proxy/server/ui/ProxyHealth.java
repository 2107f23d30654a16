/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ui;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The exporters' and receivers' health as the live page shows it, read from the same self-metrics
 * {@code /metrics} serves, so the page and a Prometheus scrape never disagree.
 */
final class ProxyHealth {

  private ProxyHealth() {}

  /** Per exporter: queue, capacity, exported, failed, retries; refusals by reason; memory. */
  static Map<String, Object> read(PrometheusRegistry registry) {
    MetricSnapshots snapshots = registry.scrape();
    Map<String, Double> queue = sumBy(snapshots, "traccia_proxy_queue_size", "exporter");
    Map<String, Double> capacity = sumBy(snapshots, "traccia_proxy_queue_capacity", "exporter");
    Map<String, Double> exported = sumBy(snapshots, "traccia_proxy_exported_items", "exporter");
    Map<String, Double> failed = sumBy(snapshots, "traccia_proxy_export_failed_items", "exporter");
    Map<String, Double> retries = sumBy(snapshots, "traccia_proxy_export_retries", "exporter");
    TreeSet<String> names = new TreeSet<>();
    names.addAll(queue.keySet());
    names.addAll(exported.keySet());
    names.addAll(failed.keySet());
    names.addAll(retries.keySet());
    Map<String, Object> exporters = new LinkedHashMap<>();
    for (String name : names) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("queue", queue.getOrDefault(name, 0.0).longValue());
      e.put("capacity", capacity.getOrDefault(name, 0.0).longValue());
      e.put("exported", exported.getOrDefault(name, 0.0).longValue());
      e.put("failed", failed.getOrDefault(name, 0.0).longValue());
      e.put("retries", retries.getOrDefault(name, 0.0).longValue());
      exporters.put(name, e);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("exporters", exporters);
    out.put("refusedRequests", longs(sumBy(snapshots, "traccia_proxy_refused_requests", "reason")));
    out.put("refusedItems", longs(sumBy(snapshots, "traccia_proxy_refused_items", "reason")));
    out.put("received", longs(sumBy(snapshots, "traccia_proxy_received_items", "signal")));
    Map<String, Object> memory = new LinkedHashMap<>();
    memory.put("bytes", sumBy(snapshots, "traccia_proxy_memory_buffer_bytes", null).get(""));
    memory.put(
        "limitBytes", sumBy(snapshots, "traccia_proxy_memory_buffer_limit_bytes", null).get(""));
    out.put("memory", memory);
    return out;
  }

  private static Map<String, Long> longs(Map<String, Double> values) {
    Map<String, Long> out = new TreeMap<>();
    values.forEach((k, v) -> out.put(k, v.longValue()));
    return out;
  }

  /** Sums metric {@code name}'s points by label {@code by} (null: one sum under ""). */
  private static Map<String, Double> sumBy(MetricSnapshots snapshots, String name, String by) {
    Map<String, Double> out = new TreeMap<>();
    for (MetricSnapshot snapshot : snapshots) {
      if (!snapshot.getMetadata().getPrometheusName().equals(name)) {
        continue;
      }
      if (snapshot instanceof CounterSnapshot counter) {
        for (CounterDataPointSnapshot p : counter.getDataPoints()) {
          out.merge(label(p.getLabels(), by), p.getValue(), Double::sum);
        }
      } else if (snapshot instanceof GaugeSnapshot gauge) {
        for (GaugeDataPointSnapshot p : gauge.getDataPoints()) {
          out.merge(label(p.getLabels(), by), p.getValue(), Double::sum);
        }
      }
    }
    return out;
  }

  private static String label(Labels labels, String name) {
    if (name == null) {
      return "";
    }
    String value = labels.get(name);
    return value == null ? "" : value;
  }
}
