/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs {@link WovenApp} in a child JVM with this JVM's class path and returns its output. */
final class ChildJvm {

  private ChildJvm() {}

  static String run(List<String> jvmOptions, String mode) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(WovenApp.class.getName());
    command.add(mode);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<String> output =
        CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("child JVM did not exit within 120 s: " + command);
    }
    String text = output.get(10, TimeUnit.SECONDS);
    if (process.exitValue() != 0) {
      throw new AssertionError("child JVM exited with " + process.exitValue() + ":\n" + text);
    }
    return text;
  }

  private static String readAll(InputStream in) {
    try (InputStream input = in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      input.transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
