/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where the OpenTelemetry Collector binary of the integration tests is, and which setting said so:
 * {@value #PROPERTY}, {@value #ENV}, or the path {@code scripts/build-otelcol.sh} builds to ({@code
 * otelcol-<version>/otelcol-traccia} in the cache), as {@link CachedBinary} describes.
 */
final class CollectorBinary extends CachedBinary {

  /** System property naming the collector binary; wins over everything else. */
  static final String PROPERTY = "traccia.otelcol";

  /** Environment variable naming the collector binary, used when the property is not set. */
  static final String ENV = "TRACCIA_OTELCOL";

  /** The version file, relative to the integration-tests module. */
  static final String VERSION_FILE = "scripts/otelcol.version";

  private static final Kind KIND =
      new Kind(
          "OpenTelemetry Collector",
          PROPERTY,
          ENV,
          VERSION_FILE,
          "otelcol-",
          "otelcol-traccia",
          "0.165.0",
          "integration-tests/scripts/build-otelcol.sh",
          "a collector binary");

  private CollectorBinary(Location location) {
    super(KIND, location);
  }

  /**
   * Locates the binary from this JVM's system properties and environment, resolving the version
   * file against the working directory (the integration-tests module under Maven, or the repository
   * root).
   */
  static CollectorBinary locate() {
    return new CollectorBinary(find(KIND));
  }

  /**
   * Locates the binary from the given lookups; {@code properties} and {@code env} return null for
   * unset names. Reads the version file, and nothing else, from disk.
   */
  static CollectorBinary locate(
      Function<String, String> properties,
      Function<String, String> env,
      Path workingDir,
      Path userHome) {
    return new CollectorBinary(find(KIND, properties, env, workingDir, userHome));
  }
}
