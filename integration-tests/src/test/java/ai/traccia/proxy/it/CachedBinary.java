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
 * A program that a script under {@code integration-tests/scripts} builds into the cache (the
 * Collector, Jaeger), where it is, and which setting said so.
 *
 * <p>Looked up in this order: the kind's system property, its environment variable, then the path
 * its script builds to: {@code ${TRACCIA_CACHE_DIR:-$HOME/.cache/traccia-proxy}/<prefix><version>/
 * <binary>}, the version coming from the kind's version file in the integration-tests module.
 * Instances are immutable and thread-safe.
 */
abstract class CachedBinary {

  /** Environment variable naming the cache directory the build scripts write to. */
  static final String CACHE_DIR_ENV = "TRACCIA_CACHE_DIR";

  private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+");

  /**
   * One kind of binary: its name for messages, the property and variable that name it, its version
   * file (relative to the integration-tests module), the directory prefix and file name its script
   * builds to, a version to show as an example, the script, and what the settings must point at.
   */
  record Kind(
      String name,
      String property,
      String env,
      String versionFile,
      String directoryPrefix,
      String binaryName,
      String exampleVersion,
      String script,
      String expected) {}

  /** Where a lookup found the binary, or why it has no path. */
  record Location(Optional<Path> path, String source) {}

  private final Kind kind;
  private final Optional<Path> path;
  private final String source;

  CachedBinary(Kind kind, Location location) {
    this.kind = kind;
    this.path = location.path();
    this.source = location.source();
  }

  /**
   * Finds a binary of {@code kind} from the given lookups; {@code properties} and {@code env}
   * return null for unset names. Reads the version file, and nothing else, from disk.
   */
  static Location find(
      Kind kind,
      Function<String, String> properties,
      Function<String, String> env,
      Path workingDir,
      Path userHome) {
    String fromProperty = properties.apply(kind.property());
    if (fromProperty != null && !fromProperty.isBlank()) {
      return new Location(
          Optional.of(Path.of(fromProperty.strip())), "system property " + kind.property());
    }
    String fromEnv = env.apply(kind.env());
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new Location(
          Optional.of(Path.of(fromEnv.strip())), "environment variable " + kind.env());
    }
    List<Path> candidates =
        List.of(
            workingDir.resolve(kind.versionFile()),
            workingDir.resolve("integration-tests").resolve(kind.versionFile()));
    Optional<Path> versionFile = candidates.stream().filter(Files::isRegularFile).findFirst();
    if (versionFile.isEmpty()) {
      return new Location(
          Optional.empty(),
          "no version file: neither "
              + candidates.get(0)
              + " nor "
              + candidates.get(1)
              + " exists (run the tests from the integration-tests module or the repository root)");
    }
    String version = readVersion(versionFile.get());
    if (!VERSION.matcher(version).matches()) {
      return new Location(
          Optional.empty(),
          "version file "
              + versionFile.get()
              + ": '"
              + version
              + "' (expected one line like "
              + kind.exampleVersion()
              + ", without a leading v)");
    }
    Path cache = cacheDirectory(env, userHome);
    return new Location(
        Optional.of(cache.resolve(kind.directoryPrefix() + version).resolve(kind.binaryName())),
        "default path for version " + version + " from " + versionFile.get());
  }

  /** {@link #find} with this JVM's system properties, environment and directories. */
  static Location find(Kind kind) {
    return find(
        kind,
        System::getProperty,
        System::getenv,
        Path.of(System.getProperty("user.dir")),
        Path.of(System.getProperty("user.home")));
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
    return kind.name()
        + " binary not found: "
        + what
        + ". Build it with "
        + kind.script()
        + ", or set -D"
        + kind.property()
        + " or "
        + kind.env()
        + " to "
        + kind.expected()
        + ".";
  }

  @Override
  public String toString() {
    return path.map(Path::toString).orElse("<unknown>") + " (" + source + ")";
  }
}
