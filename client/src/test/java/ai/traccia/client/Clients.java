/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/** Starts clients isolated from this machine's environment, config files and global state. */
final class Clients {

  private Clients() {}

  /** A builder that reads no real environment or file and keeps GlobalOpenTelemetry alone. */
  static Traccia.Builder isolated(Path directory) {
    Traccia.Builder b =
        Traccia.builder().setRegisterGlobal(false).set("metrics.enable_metrics", "false");
    b.environment = Collections.emptyMap();
    b.workingDirectory = directory;
    b.homeDirectory = directory;
    return b;
  }

  /** A client exporting synchronously into {@code exporter}. */
  static Traccia inMemory(Path directory, InMemorySpanExporter exporter) {
    Traccia.Builder b = isolated(directory);
    b.spanExporter = exporter;
    return b.init();
  }

  /** Stops the running client, if any. */
  static void stop() {
    Traccia.current().ifPresent(Traccia::shutdown);
  }

  /** The finished spans named {@code name}. */
  static List<SpanData> named(InMemorySpanExporter exporter, String name) {
    return exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals(name))
        .collect(Collectors.toList());
  }

  /** The only finished span named {@code name}; fails if there is not exactly one. */
  static SpanData only(InMemorySpanExporter exporter, String name) {
    List<SpanData> spans = named(exporter, name);
    if (spans.size() != 1) {
      throw new AssertionError(
          "expected one span named " + name + ", got " + exporter.getFinishedSpanItems());
    }
    return spans.get(0);
  }
}
