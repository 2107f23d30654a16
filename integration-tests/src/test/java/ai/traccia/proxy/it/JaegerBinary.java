/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where the Jaeger v2 binary of {@link JaegerBackendIT} is, and which setting said so: {@value
 * #PROPERTY}, {@value #ENV}, or the path {@code scripts/build-jaeger.sh} builds to ({@code
 * jaeger-<version>/jaeger} in the cache), as {@link CachedBinary} describes.
 */
final class JaegerBinary extends CachedBinary {

  /** System property naming the Jaeger binary; wins over everything else. */
  static final String PROPERTY = "traccia.jaeger";

  /** Environment variable naming the Jaeger binary, used when the property is not set. */
  static final String ENV = "TRACCIA_JAEGER";

  /** The version file, relative to the integration-tests module. */
  static final String VERSION_FILE = "scripts/jaeger.version";

  private static final Kind KIND =
      new Kind(
          "Jaeger",
          PROPERTY,
          ENV,
          VERSION_FILE,
          "jaeger-",
          "jaeger",
          "1.76.0",
          "integration-tests/scripts/build-jaeger.sh",
          "a Jaeger v2 binary");

  private JaegerBinary(Location location) {
    super(KIND, location);
  }

  /**
   * Locates the binary from this JVM's system properties and environment, resolving the version
   * file against the working directory (the integration-tests module under Maven, or the repository
   * root).
   */
  static JaegerBinary locate() {
    return new JaegerBinary(find(KIND));
  }

  /**
   * Locates the binary from the given lookups; {@code properties} and {@code env} return null for
   * unset names. Reads the version file, and nothing else, from disk.
   */
  static JaegerBinary locate(
      Function<String, String> properties,
      Function<String, String> env,
      Path workingDir,
      Path userHome) {
    return new JaegerBinary(find(KIND, properties, env, workingDir, userHome));
  }
}
