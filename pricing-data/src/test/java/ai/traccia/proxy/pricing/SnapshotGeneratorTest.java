/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotGeneratorTest {

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return SnapshotGenerator.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC));
  }

  /** The committed snapshot is exactly what the generator makes of the upstream file. */
  @Test
  void run_reproducesCommittedSnapshot() throws IOException {
    PriceTableTest.assumeUpstreamPresent();
    PriceTable committed = PriceTable.bundled();
    Path output = dir.resolve("snapshot.json");

    int code =
        run(
            "--input", PriceTableTest.UPSTREAM.toString(),
            "--output", output.toString(),
            "--revision", committed.sourceRevision().orElseThrow(),
            "--prices-as-of", committed.pricesAsOf().orElseThrow().toString(),
            "--generated-at", committed.generatedAt().toString());

    assertThat(code).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "Wrote "
                + output
                + ": 1382 models, "
                + Files.size(output)
                + " bytes, version 2025-11-21.caddc6dd\n");
    try (InputStream in = PriceTable.class.getResourceAsStream(PriceTable.BUNDLED_RESOURCE)) {
      assertThat(Files.readString(output))
          .isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void run_reportsUnreadableInput() {
    int code = run("--input", dir.resolve("missing.json").toString(), "--output", "x.json");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("Cannot generate the snapshot: ")
        .contains("missing.json");
  }

  @Test
  void run_rejectsUnknownArgument() {
    assertThat(run("--inptu", "x")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("Usage error: unknown argument: --inptu\n");
  }
}
