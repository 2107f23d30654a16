/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where the Jaeger v2 binary of {@link JaegerBackendIT} is, and which setting said so.
 *
 * <p>Looked up as {@link CollectorBinary} looks up the Collector: the system property {@value
 * #PROPERTY}, the environment variable {@value #ENV}, then the path {@code scripts/build-jaeger.sh}
 * builds to: {@code ${TRACCIA_CACHE_DIR:-$HOME/.cache/traccia-proxy}/jaeger-<version>/jaeger}, the
 * version coming from {@code scripts/jaeger.version} of the integration-tests module. Instances are
 * immutable and thread-safe.
 */
final class JaegerBinary {

  /** System property naming the Jaeger binary; wins over everything else. */
  static final String PROPERTY = "traccia.jaeger";

  /** Environment variable naming the Jaeger binary, used when the property is not set. */
  static final String ENV = "TRACCIA_JAEGER";

  /** The version file, relative to the integration-tests module. */
  static final String VERSION_FILE = "scripts/jaeger.version";

  private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+");

  private final Optional<Path> path;
  private final String source;

  private JaegerBinary(Optional<Path> path, String source) {
    this.path = path;
    this.source = source;
  }

  /**
   * Locates the binary from this JVM's system properties and environment, resolving the version
   * file against the working directory (the integration-tests module under Maven, or the repository
   * root).
   */
  static JaegerBinary locate() {
    return locate(
        System::getProperty,
        System::getenv,
        Path.of(System.getProperty("user.dir")),
        Path.of(System.getProperty("user.home")));
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
    String fromProperty = properties.apply(PROPERTY);
    if (fromProperty != null && !fromProperty.isBlank()) {
      return new JaegerBinary(
          Optional.of(Path.of(fromProperty.strip())), "system property " + PROPERTY);
    }
    String fromEnv = env.apply(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new JaegerBinary(Optional.of(Path.of(fromEnv.strip())), "environment variable " + ENV);
    }
    List<Path> candidates =
        List.of(
            workingDir.resolve(VERSION_FILE),
            workingDir.resolve("integration-tests").resolve(VERSION_FILE));
    Optional<Path> versionFile = candidates.stream().filter(Files::isRegularFile).findFirst();
    if (versionFile.isEmpty()) {
      return new JaegerBinary(
          Optional.empty(),
          "no version file: neither "
              + candidates.get(0)
              + " nor "
              + candidates.get(1)
              + " exists (run the tests from the integration-tests module or the repository root)");
    }
    String version = readVersion(versionFile.get());
    if (!VERSION.matcher(version).matches()) {
      return new JaegerBinary(
          Optional.empty(),
          "version file "
              + versionFile.get()
              + ": '"
              + version
              + "' (expected one line like 1.76.0, without a leading v)");
    }
    Path cache = CollectorBinary.cacheDirectory(env, userHome);
    return new JaegerBinary(
        Optional.of(cache.resolve("jaeger-" + version).resolve("jaeger")),
        "default path for version " + version + " from " + versionFile.get());
  }

  private static String readVersion(Path versionFile) {
    try {
      return Files.readAllLines(versionFile, StandardCharsets.UTF_8).stream()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .findFirst()
          .orElse("");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + versionFile, e);
    }
  }

  /** The binary's path, or empty when it cannot be known (no readable version file). */
  Optional<Path> path() {
    return path;
  }

  /** Which setting the path came from, or why there is none. */
  String source() {
    return source;
  }

  /** Whether the binary exists and is executable. */
  boolean isAvailable() {
    return path.isPresent() && Files.isRegularFile(path.get()) && Files.isExecutable(path.get());
  }

  /** Why {@link #isAvailable()} is false, and what to do about it. */
  String unavailableMessage() {
    String what =
        path.map(p -> p + " (from " + source + ") does not exist or is not executable")
            .orElse("its path is unknown: " + source);
    return "Jaeger binary not found: "
        + what
        + ". Build it with integration-tests/scripts/build-jaeger.sh, or set -D"
        + PROPERTY
        + " or "
        + ENV
        + " to a Jaeger v2 binary.";
  }

  @Override
  public String toString() {
    return path.map(Path::toString).orElse("<unknown>") + " (" + source + ")";
  }
}
