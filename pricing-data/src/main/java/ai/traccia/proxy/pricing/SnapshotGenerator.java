/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.pricing;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Generates the bundled snapshot from LiteLLM's {@code model_prices_and_context_window.json}.
 *
 * <pre>
 * java -cp proxy-server/target/traccia-proxy.jar ai.traccia.proxy.pricing.SnapshotGenerator \
 *     --input model_prices_and_context_window.json \
 *     --output pricing-data/src/main/resources/ai/traccia/proxy/pricing/snapshot.json \
 *     --revision &lt;upstream commit&gt; --prices-as-of &lt;commit time, ISO-8601&gt;
 * </pre>
 *
 * <p>{@code --generated-at} (default: now) fixes the generation time, for reproducible output. Exit
 * code 0 on success, 1 when the input cannot be read or converted, 2 for a usage error.
 */
public final class SnapshotGenerator {

  private SnapshotGenerator() {}

  /** Runs the generator; see the class documentation for the arguments. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, Clock.systemUTC()));
  }

  static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
    Path input = null;
    Path output = null;
    String revision = null;
    Instant asOf = null;
    Instant generatedAt = clock.instant();
    try {
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--input" -> input = Path.of(required(args[i], value));
          case "--output" -> output = Path.of(required(args[i], value));
          case "--revision" -> revision = required(args[i], value);
          case "--prices-as-of" -> asOf = Instant.parse(required(args[i], value));
          case "--generated-at" -> generatedAt = Instant.parse(required(args[i], value));
          default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
        }
        i++;
      }
      if (input == null || output == null) {
        throw new IllegalArgumentException("--input and --output are required");
      }
    } catch (IllegalArgumentException | DateTimeParseException e) {
      err.println("Usage error: " + e.getMessage());
      err.println(
          "Usage: SnapshotGenerator --input FILE --output FILE [--revision SHA]"
              + " [--prices-as-of ISO-TIME] [--generated-at ISO-TIME]");
      return 2;
    }
    try {
      PriceTable table =
          PriceTable.parse(
              Files.readAllBytes(input), input.toString(), PriceTable.UPSTREAM_URL, generatedAt);
      if (asOf != null || revision != null) {
        table = table.withPricesAsOf(asOf != null ? asOf : generatedAt, revision);
      }
      table.write(output);
      out.println(
          "Wrote "
              + output
              + ": "
              + table.modelCount()
              + " models, "
              + Files.size(output)
              + " bytes, version "
              + table.snapshotVersion().orElse("none")
              + (table.skippedInvalidEntries() == 0
                  ? ""
                  : "; left out "
                      + table.skippedInvalidEntries()
                      + " entries with invalid prices"));
      return 0;
    } catch (IOException | PricingFormatException e) {
      err.println("Cannot generate the snapshot: " + e.getMessage());
      return 1;
    }
  }

  private static String required(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }
}
