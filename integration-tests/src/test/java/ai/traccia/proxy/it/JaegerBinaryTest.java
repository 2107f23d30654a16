/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JaegerBinaryTest {

  private static final Function<String, String> UNSET = name -> null;

  @TempDir Path temp;

  @Test
  void locate_systemPropertyWins() {
    JaegerBinary binary =
        JaegerBinary.locate(
            Map.of("traccia.jaeger", "/opt/a/jaeger")::get,
            Map.of("TRACCIA_JAEGER", "/opt/b/jaeger")::get,
            temp,
            temp);

    assertThat(binary.path()).contains(Path.of("/opt/a/jaeger"));
    assertThat(binary.source()).isEqualTo("system property traccia.jaeger");
  }

  @Test
  void locate_environmentWhenNoProperty() {
    JaegerBinary binary =
        JaegerBinary.locate(
            Map.of("traccia.jaeger", " ")::get,
            Map.of("TRACCIA_JAEGER", "/opt/b/jaeger")::get,
            temp,
            temp);

    assertThat(binary.path()).contains(Path.of("/opt/b/jaeger"));
    assertThat(binary.source()).isEqualTo("environment variable TRACCIA_JAEGER");
  }

  @Test
  void locate_defaultPathUnderCacheDirectory() throws IOException {
    Path module = writeVersionFile(temp.resolve("module"), "# pinned\n\n 1.76.0 \n");

    JaegerBinary binary =
        JaegerBinary.locate(UNSET, Map.of("TRACCIA_CACHE_DIR", "/var/cache/t")::get, module, temp);

    assertThat(binary.path()).contains(Path.of("/var/cache/t/jaeger-1.76.0/jaeger"));
    assertThat(binary.source())
        .isEqualTo(
            "default path for version 1.76.0 from " + module.resolve("scripts/jaeger.version"));
  }

  @Test
  void locate_versionFileOfThisModuleIsWellFormed() {
    JaegerBinary binary =
        JaegerBinary.locate(UNSET, UNSET, Path.of(System.getProperty("user.dir")), temp);

    assertThat(binary.path()).isPresent();
    assertThat(binary.path().orElseThrow().getFileName()).hasToString("jaeger");
  }

  @Test
  void locate_malformedVersion() throws IOException {
    Path module = writeVersionFile(temp, "v2.13.0\n");

    JaegerBinary binary = JaegerBinary.locate(UNSET, UNSET, module, temp);

    assertThat(binary.path()).isEmpty();
    assertThat(binary.isAvailable()).isFalse();
    assertThat(binary.source())
        .isEqualTo(
            "version file "
                + module.resolve("scripts/jaeger.version")
                + ": 'v2.13.0' (expected one line like 1.76.0, without a leading v)");
  }

  @Test
  void unavailableMessage_missingBinary() {
    JaegerBinary binary =
        JaegerBinary.locate(Map.of("traccia.jaeger", "/nowhere/jaeger")::get, UNSET, temp, temp);

    assertThat(binary.isAvailable()).isFalse();
    assertThat(binary.unavailableMessage())
        .isEqualTo(
            "Jaeger binary not found: /nowhere/jaeger (from system property traccia.jaeger)"
                + " does not exist or is not executable. Build it with"
                + " integration-tests/scripts/build-jaeger.sh, or set -Dtraccia.jaeger or"
                + " TRACCIA_JAEGER to a Jaeger v2 binary.");
  }

  private static Path writeVersionFile(Path module, String content) throws IOException {
    Path scripts = Files.createDirectories(module.resolve("scripts"));
    Files.writeString(scripts.resolve("jaeger.version"), content);
    return module;
  }
}
