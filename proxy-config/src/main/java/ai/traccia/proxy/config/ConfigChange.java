/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a reload changed: the previous and the new configuration, the keys whose values differ, and
 * for each key whether the running proxy can apply it live.
 *
 * <p>Live keys: {@code tracing.sample_rate}, {@code rate_limiting.max_spans_per_second}, {@code
 * rate_limiting.max_block_ms}, the pricing overrides, {@code instrumentation.guardrail_heuristics},
 * {@code logging.level} and {@code logging.debug}. Any other change takes effect only after a
 * restart. Immutable.
 */
public final class ConfigChange {

  private final ProxyConfig previous;
  private final ProxyConfig current;
  private final Map<String, Boolean> changes;
  private final List<ConfigWarning> warnings;

  private ConfigChange(
      ProxyConfig previous,
      ProxyConfig current,
      Map<String, Boolean> changes,
      List<ConfigWarning> warnings) {
    this.previous = previous;
    this.current = current;
    this.changes = Collections.unmodifiableMap(changes);
    this.warnings = Collections.unmodifiableList(new ArrayList<>(warnings));
  }

  /** Compares two configurations key by key; origins alone do not count as a change. */
  static ConfigChange between(
      ProxyConfig previous, ProxyConfig current, List<ConfigWarning> warnings) {
    Map<String, Boolean> changes = new LinkedHashMap<>();
    for (Setting<?> s : ProxyKeys.ALL) {
      if (s.target() == s && !Objects.equals(previous.rawValue(s), current.rawValue(s))) {
        changes.put(s.key, s.live);
      }
    }
    // The named exporters are one unit: their queues and connections are built at startup.
    if (!previous.otlpSections().equals(current.otlpSections())) {
      changes.put(ExporterSections.TABLE, false);
    }
    return new ConfigChange(previous, current, changes, warnings);
  }

  /** The configuration in force before the reload. */
  public ProxyConfig previous() {
    return previous;
  }

  /** The configuration just loaded. */
  public ProxyConfig current() {
    return current;
  }

  /** Whether no value changed. */
  public boolean isEmpty() {
    return changes.isEmpty();
  }

  /** Every changed key ({@code section.key}), in documentation order. */
  public Set<String> changedKeys() {
    return changes.keySet();
  }

  /**
   * Whether {@code key} (which must be one of {@link #changedKeys()}) can be applied while the
   * proxy runs.
   *
   * @throws IllegalArgumentException if {@code key} did not change
   */
  public boolean isLive(String key) {
    Boolean live = changes.get(key);
    if (live == null) {
      throw new IllegalArgumentException(key + " did not change; changed: " + changes.keySet());
    }
    return live;
  }

  /** The changed keys that apply live. */
  public Set<String> liveKeys() {
    return select(true);
  }

  /** The changed keys that need a restart to take effect. */
  public Set<String> restartKeys() {
    return select(false);
  }

  /** Whether any changed key needs a restart. */
  public boolean requiresRestart() {
    return changes.containsValue(Boolean.FALSE);
  }

  private Set<String> select(boolean live) {
    Set<String> keys = new LinkedHashSet<>();
    for (Map.Entry<String, Boolean> e : changes.entrySet()) {
      if (e.getValue() == live) {
        keys.add(e.getKey());
      }
    }
    return Collections.unmodifiableSet(keys);
  }

  /** Warnings of the new configuration. */
  public List<ConfigWarning> warnings() {
    return warnings;
  }

  /**
   * One line per changed key, for the log: {@code rate_limiting.max_spans_per_second: (none) ->
   * 200.0 (applied live)} or {@code server.grpc_port: 4317 -> 4400 (needs a restart to take
   * effect)}, followed by the new origin. Secrets are shown as {@code ****}.
   */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, Boolean> e : changes.entrySet()) {
      Setting<?> s = ProxyKeys.CATALOG.byKey(e.getKey());
      lines.add(
          s.key
              + ": "
              + previous.shown(s)
              + " -> "
              + current.shown(s)
              + (e.getValue() ? " (applied live)" : " (needs a restart to take effect)")
              + " ["
              + current.origin(s.key)
              + "]");
    }
    return lines;
  }

  /** Returns the changed keys and whether each is live. */
  @Override
  public String toString() {
    return "ConfigChange" + changes;
  }
}
