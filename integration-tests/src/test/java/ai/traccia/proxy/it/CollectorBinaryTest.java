/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorBinaryTest {

  private static final Function<String, String> UNSET = name -> null;

  @TempDir Path temp;

  @Test
  void locate_systemPropertyWins() {
    CollectorBinary binary =
        CollectorBinary.locate(
            Map.of("traccia.otelcol", "/opt/a/otelcol")::get,
            Map.of("TRACCIA_OTELCOL", "/opt/b/otelcol")::get,
            temp,
            temp);

    assertThat(binary.path()).contains(Path.of("/opt/a/otelcol"));
    assertThat(binary.source()).isEqualTo("system property traccia.otelcol");
  }

  @Test
  void locate_environmentWhenNoProperty() {
    CollectorBinary binary =
        CollectorBinary.locate(
            Map.of("traccia.otelcol", " ")::get,
            Map.of("TRACCIA_OTELCOL", "/opt/b/otelcol")::get,
            temp,
            temp);

    assertThat(binary.path()).contains(Path.of("/opt/b/otelcol"));
    assertThat(binary.source()).isEqualTo("environment variable TRACCIA_OTELCOL");
  }

  @Test
  void locate_defaultPathUnderUserHome() throws IOException {
    Path module = writeVersionFile(temp.resolve("module"), "# pinned\n\n 1.2.3 \n");
    Path home = temp.resolve("home");

    CollectorBinary binary = CollectorBinary.locate(UNSET, UNSET, module, home);

    assertThat(binary.path())
        .contains(home.resolve(".cache/traccia-proxy/otelcol-1.2.3/otelcol-traccia"));
    assertThat(binary.source())
        .isEqualTo(
            "default path for version 1.2.3 from " + module.resolve("scripts/otelcol.version"));
  }

  @Test
  void locate_defaultPathUnderHomeFromEnvironmentNotUserHome() throws IOException {
    Path module = writeVersionFile(temp.resolve("module"), "1.2.3\n");

    CollectorBinary binary =
        CollectorBinary.locate(UNSET, Map.of("HOME", "/home/runner")::get, module, temp);

    assertThat(binary.path())
        .contains(Path.of("/home/runner/.cache/traccia-proxy/otelcol-1.2.3/otelcol-traccia"));
  }

  @Test
  void cacheDirectory_cacheDirWinsOverHome() {
    assertThat(
            CollectorBinary.cacheDirectory(
                Map.of("TRACCIA_CACHE_DIR", "/var/cache/t", "HOME", "/home/runner")::get, temp))
        .isEqualTo(Path.of("/var/cache/t"));
    assertThat(CollectorBinary.cacheDirectory(Map.of("HOME", " ")::get, temp))
        .isEqualTo(temp.resolve(".cache/traccia-proxy"));
  }

  @Test
  void locate_defaultPathUnderCacheDirectoryFromEnvironment() throws IOException {
    Path module = writeVersionFile(temp.resolve("module"), "1.2.3\n");

    CollectorBinary binary =
        CollectorBinary.locate(
            UNSET, Map.of("TRACCIA_CACHE_DIR", "/var/cache/t")::get, module, temp);

    assertThat(binary.path()).contains(Path.of("/var/cache/t/otelcol-1.2.3/otelcol-traccia"));
  }

  @Test
  void locate_versionFileFromRepositoryRoot() throws IOException {
    writeVersionFile(temp.resolve("integration-tests"), "4.5.6\n");

    CollectorBinary binary = CollectorBinary.locate(UNSET, UNSET, temp, temp);

    assertThat(binary.path())
        .contains(temp.resolve(".cache/traccia-proxy/otelcol-4.5.6/otelcol-traccia"));
  }

  @Test
  void locate_noVersionFile() {
    CollectorBinary binary = CollectorBinary.locate(UNSET, UNSET, temp, temp);

    assertThat(binary.path()).isEmpty();
    assertThat(binary.isAvailable()).isFalse();
    assertThat(binary.unavailableMessage())
        .isEqualTo(
            "OpenTelemetry Collector binary not found: its path is unknown: no version file:"
                + " neither "
                + temp.resolve("scripts/otelcol.version")
                + " nor "
                + temp.resolve("integration-tests/scripts/otelcol.version")
                + " exists (run the tests from the integration-tests module or the repository"
                + " root). Build it with integration-tests/scripts/build-otelcol.sh, or set"
                + " -Dtraccia.otelcol or TRACCIA_OTELCOL to a collector binary.");
  }

  @Test
  void locate_malformedVersion() throws IOException {
    Path module = writeVersionFile(temp, "v0.165.0\n");

    CollectorBinary binary = CollectorBinary.locate(UNSET, UNSET, module, temp);

    assertThat(binary.path()).isEmpty();
    assertThat(binary.source())
        .isEqualTo(
            "version file "
                + module.resolve("scripts/otelcol.version")
                + ": 'v0.165.0' (expected one line like 0.165.0, without a leading v)");
  }

  @Test
  void unavailableMessage_missingBinary() {
    CollectorBinary binary =
        CollectorBinary.locate(
            Map.of("traccia.otelcol", "/nowhere/otelcol")::get, UNSET, temp, temp);

    assertThat(binary.isAvailable()).isFalse();
    assertThat(binary.unavailableMessage())
        .isEqualTo(
            "OpenTelemetry Collector binary not found: /nowhere/otelcol (from system property"
                + " traccia.otelcol) does not exist or is not executable. Build it with"
                + " integration-tests/scripts/build-otelcol.sh, or set -Dtraccia.otelcol or"
                + " TRACCIA_OTELCOL to a collector binary.");
  }

  @Test
  void isAvailable_onlyForExecutableFile() throws IOException {
    Path file = Files.writeString(temp.resolve("otelcol"), "#!/bin/sh\n");
    CollectorBinary binary =
        CollectorBinary.locate(Map.of("traccia.otelcol", file.toString())::get, UNSET, temp, temp);
    assertThat(binary.isAvailable()).isFalse();

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThat(binary.isAvailable()).isTrue();
  }

  @Test
  void locate_agreesWithOtelcolPathScript() throws Exception {
    Path module = Path.of(System.getProperty("user.dir"));
    Path home = temp.resolve("home");
    ProcessBuilder script =
        new ProcessBuilder("bash", module.resolve("scripts/otelcol-path.sh").toString())
            .redirectErrorStream(true);
    script.environment().put("HOME", home.toString());
    script.environment().remove("TRACCIA_CACHE_DIR");
    Process process = script.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    CollectorBinary binary = CollectorBinary.locate(UNSET, UNSET, module, home);

    assertThat(binary.path().map(Path::toString)).contains(printed.strip());
  }

  private static Path writeVersionFile(Path module, String content) throws IOException {
    Path scripts = Files.createDirectories(module.resolve("scripts"));
    Files.writeString(scripts.resolve("otelcol.version"), content);
    return module;
  }
}
