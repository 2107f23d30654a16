/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Exporter} must do: never throw, never complete its future exceptionally, shut
 * down idempotently. An exporter's test extends this class and supplies an exporter pointed at a
 * destination the test controls.
 */
public abstract class ExporterContract {

  /** A new exporter whose destination accepts requests. */
  protected abstract Exporter newExporter() throws Exception;

  @Test
  void export_garbageBodyGivesAResultNotAnException() throws Exception {
    Exporter exporter = newExporter();
    try {
      ExportResult result =
          exporter
              .export(ExportRequest.of(Signal.TRACES, new byte[] {(byte) 0xff, 0x00, 0x13}, 1))
              .get(30, TimeUnit.SECONDS);

      assertThat(result).isNotNull();
    } finally {
      exporter.shutdown().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void export_everySignal() throws Exception {
    Exporter exporter = newExporter();
    try {
      for (Signal signal : Signal.values()) {
        ExportResult result =
            exporter.export(ExportRequest.of(signal, new byte[0], 0)).get(30, TimeUnit.SECONDS);
        assertThat(result).isNotNull();
      }
    } finally {
      exporter.shutdown().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void shutdown_isIdempotentAndLaterExportsStillAnswer() throws Exception {
    Exporter exporter = newExporter();

    exporter.shutdown().get(30, TimeUnit.SECONDS);
    exporter.shutdown().get(30, TimeUnit.SECONDS);
    ExportResult after =
        exporter.export(ExportRequest.of(Signal.TRACES, new byte[0], 0)).get(30, TimeUnit.SECONDS);

    assertThat(after).isNotNull();
    assertThat(exporter.name()).isNotBlank();
  }
}
