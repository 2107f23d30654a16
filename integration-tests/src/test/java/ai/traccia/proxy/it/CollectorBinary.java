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
 * Where the OpenTelemetry Collector binary of the integration tests is, and which setting said so.
 *
 * <p>Looked up in this order: the system property {@value #PROPERTY}, the environment variable
 * {@value #ENV}, then the path {@code scripts/build-otelcol.sh} builds to: {@code
 * ${TRACCIA_CACHE_DIR:-$HOME/.cache/traccia-proxy}/otelcol-<version>/otelcol-traccia}, the version
 * coming from {@code scripts/otelcol.version} of the integration-tests module. Instances are
 * immutable and thread-safe.
 */
final class CollectorBinary {

  /** System property naming the collector binary; wins over everything else. */
  static final String PROPERTY = "traccia.otelcol";

  /** Environment variable naming the collector binary, used when the property is not set. */
  static final String ENV = "TRACCIA_OTELCOL";

  /** Environment variable naming the cache directory the build script writes to. */
  static final String CACHE_DIR_ENV = "TRACCIA_CACHE_DIR";

  /** The version file, relative to the integration-tests module. */
  static final String VERSION_FILE = "scripts/otelcol.version";

  private static final String BINARY_NAME = "otelcol-traccia";
  private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+");

  private final Optional<Path> path;
  private final String source;

  private CollectorBinary(Optional<Path> path, String source) {
    this.path = path;
    this.source = source;
  }

  /**
   * Locates the binary from this JVM's system properties and environment, resolving the version
   * file against the working directory (the integration-tests module under Maven, or the repository
   * root).
   */
  static CollectorBinary locate() {
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
  static CollectorBinary locate(
      Function<String, String> properties,
      Function<String, String> env,
      Path workingDir,
      Path userHome) {
    String fromProperty = properties.apply(PROPERTY);
    if (fromProperty != null && !fromProperty.isBlank()) {
      return new CollectorBinary(
          Optional.of(Path.of(fromProperty.strip())), "system property " + PROPERTY);
    }
    String fromEnv = env.apply(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new CollectorBinary(
          Optional.of(Path.of(fromEnv.strip())), "environment variable " + ENV);
    }
    List<Path> candidates =
        List.of(
            workingDir.resolve(VERSION_FILE),
            workingDir.resolve("integration-tests").resolve(VERSION_FILE));
    Optional<Path> versionFile = candidates.stream().filter(Files::isRegularFile).findFirst();
    if (versionFile.isEmpty()) {
      return new CollectorBinary(
          Optional.empty(),
          "no version file: neither "
              + candidates.get(0)
              + " nor "
              + candidates.get(1)
              + " exists (run the tests from the integration-tests module or the repository root)");
    }
    String version = readVersion(versionFile.get());
    if (!VERSION.matcher(version).matches()) {
      return new CollectorBinary(
          Optional.empty(),
          "version file "
              + versionFile.get()
              + ": '"
              + version
              + "' (expected one line like 0.165.0, without a leading v)");
    }
    Path cache = cacheDirectory(env, userHome);
    return new CollectorBinary(
        Optional.of(cache.resolve("otelcol-" + version).resolve(BINARY_NAME)),
        "default path for version " + version + " from " + versionFile.get());
  }

  /**
   * The directory the scripts under {@code integration-tests/scripts} install into: {@code
   * TRACCIA_CACHE_DIR}, else {@code $HOME/.cache/traccia-proxy}. {@code HOME} is read from {@code
   * env}, as bash expands it, and {@code userHome} is only the fallback: the JVM takes {@code
   * user.home} from the password database, so where the two differ (a changed HOME, sudo, a CI
   * runner) the tests would look where the scripts did not install.
   */
  static Path cacheDirectory(Function<String, String> env, Path userHome) {
    String cacheDir = env.apply(CACHE_DIR_ENV);
    if (cacheDir != null && !cacheDir.isBlank()) {
      return Path.of(cacheDir.strip());
    }
    String home = env.apply("HOME");
    Path base = home != null && !home.isBlank() ? Path.of(home.strip()) : userHome;
    return base.resolve(".cache").resolve("traccia-proxy");
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
    return "OpenTelemetry Collector binary not found: "
        + what
        + ". Build it with integration-tests/scripts/build-otelcol.sh, or set -D"
        + PROPERTY
        + " or "
        + ENV
        + " to a collector binary.";
  }

  @Override
  public String toString() {
    return path.map(Path::toString).orElse("<unknown>") + " (" + source + ")";
  }
}
