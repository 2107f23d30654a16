/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignalsTest {

  @TempDir Path dir;

  @Test
  void ignoredInStatus_readsTheSigIgnMask() {
    String nohup = "Name:\tjava\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000001\n";
    String background = "SigIgn:\t0000000000000006\n"; // SIGINT and SIGQUIT, as `cmd &` leaves
    String high = "SigIgn:\t0000000000001000\n"; // signal 13, SIGPIPE

    assertThat(Signals.ignoredInStatus(nohup, 1)).contains(true);
    assertThat(Signals.ignoredInStatus(nohup, 2)).contains(false);
    assertThat(Signals.ignoredInStatus(background, 1)).contains(false);
    assertThat(Signals.ignoredInStatus(background, 2)).contains(true);
    assertThat(Signals.ignoredInStatus(background, 3)).contains(true);
    assertThat(Signals.ignoredInStatus(high, 13)).contains(true);
    assertThat(Signals.ignoredInStatus(high, 1)).contains(false);
    assertThat(Signals.ignoredInStatus("SigIgn:\t1\n", 64)).contains(false);
    assertThat(Signals.ignoredInStatus("Name:\tjava\n", 1)).isEmpty();
  }

  @Test
  void install_underNohupSaysThatSighupIsIgnored() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(Paths.get("/usr/bin/nohup"))
            || Files.isExecutable(Paths.get("/bin/nohup")),
        "nohup is not installed here");

    String out = probe(true);

    assertThat(out)
        .contains("before install: hangUpIgnored=true")
        .contains("after install: hangUpIgnored=true")
        .contains(Signals.HANG_UP_IGNORED);
  }

  @Test
  void install_withoutNohupHandlesSighup() throws Exception {
    Assumptions.assumeFalse(
        Signals.hangUpIgnored(),
        "this test JVM was itself started with SIGHUP ignored (under nohup), and a child inherits"
            + " that; install_underNohupSaysThatSighupIsIgnored covers that case");

    String out = probe(false);

    assertThat(out)
        .contains("before install: hangUpIgnored=false")
        .contains("after install: hangUpIgnored=false")
        .doesNotContain("SIGHUP is ignored");
  }

  /** Runs {@link SignalsProbe} in a new JVM, under nohup or not, and returns what it printed. */
  private String probe(boolean nohup) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (nohup) {
      command.add("nohup");
    }
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SignalsProbe.class.getName());
    Path output = dir.resolve("probe.out");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the probe exits").isTrue();
    String out = Files.readString(output, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }
}
