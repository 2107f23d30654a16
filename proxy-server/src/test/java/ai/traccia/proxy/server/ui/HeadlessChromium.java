/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ui;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's headless Chromium on a page: the DOM after the page's scripts ran for a few seconds
 * of virtual time, or a screenshot. Found as {@code $CHROMIUM_BIN}, else {@code chromium} or {@code
 * chromium-browser} on the PATH.
 */
final class HeadlessChromium {

  private static final long TIMEOUT_SECONDS = 90;

  private final Path binary;
  private final Path profile;

  private HeadlessChromium(Path binary, Path profile) {
    this.binary = binary;
    this.profile = profile;
  }

  /** The browser, or empty when none is installed. */
  static Optional<HeadlessChromium> find(Path profile) {
    List<String> candidates = new ArrayList<>();
    String configured = System.getenv("CHROMIUM_BIN");
    if (configured != null && !configured.isBlank()) {
      candidates.add(configured);
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser")) {
        candidates.add(Path.of(dir, name).toString());
      }
    }
    for (String candidate : candidates) {
      Path p = Path.of(candidate);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(new HeadlessChromium(p, profile));
      }
    }
    return Optional.empty();
  }

  /** The serialized DOM of {@code url} once its scripts ran for {@code budgetMillis}. */
  String dumpDom(String url, int budgetMillis) throws IOException, InterruptedException {
    return run(url, budgetMillis, "--dump-dom");
  }

  /** Saves a screenshot of {@code url}, after its scripts ran, to {@code png}. */
  void screenshot(String url, int budgetMillis, Path png, int width, int height)
      throws IOException, InterruptedException {
    Files.createDirectories(png.toAbsolutePath().getParent());
    run(
        url,
        budgetMillis,
        "--screenshot=" + png.toAbsolutePath(),
        "--window-size=" + width + "," + height,
        "--hide-scrollbars");
  }

  private String run(String url, int budgetMillis, String... extra)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--headless");
    // The tests often run as root in a container, where Chromium's sandbox cannot start.
    command.add("--no-sandbox");
    command.add("--disable-gpu");
    command.add("--disable-dev-shm-usage");
    command.add("--no-first-run");
    command.add("--user-data-dir=" + profile.toAbsolutePath());
    command.add("--virtual-time-budget=" + budgetMillis);
    command.addAll(List.of(extra));
    command.add(url);
    Path out = Files.createTempFile(profile.getParent(), "chromium", ".out");
    Path err = Files.createTempFile(profile.getParent(), "chromium", ".err");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("chromium did not finish within " + TIMEOUT_SECONDS + " s");
    }
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "chromium exited with "
              + process.exitValue()
              + ": "
              + Files.readString(err, StandardCharsets.UTF_8));
    }
    return stdout;
  }
}
