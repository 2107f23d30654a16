/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Python and Node.js clients that {@code integration-tests/scripts/install-peers.sh}
 * installs, and a way to run the peer scripts under {@code integration-tests/peers} with them.
 *
 * <p>The install lives in {@code -Dtraccia.peers}, else {@code TRACCIA_PEERS}, else {@code
 * ${TRACCIA_CACHE_DIR:-$HOME/.cache/traccia-proxy}/peers-<hash>}, where {@code <hash>} is the first
 * 12 hex digits of the SHA-256 of {@code peers/python/requirements.txt}, {@code
 * peers/node/package.json} and {@code peers/node/package-lock.json}, in that order: the same name
 * the script installs to, so a changed pin is never run against an old install. {@code HOME} comes
 * from the environment, as in the script, not from Java's {@code user.home}.
 *
 * <p>Thread safety: immutable; {@link #run} may be called from several threads and blocks until the
 * script exits or its timeout passes.
 */
final class PeerRuntime {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INSTALL_HINT =
      "run integration-tests/scripts/install-peers.sh (needs python3, node and npm, and access to"
          + " PyPI and the npm registry)";

  private final Path sources;
  private final Path install;

  private PeerRuntime(Path sources, Path install) {
    this.sources = sources;
    this.install = install;
  }

  /**
   * Returns the peers of this checkout, installed or not. Never blocks on anything but reading the
   * three pinned requirement files.
   *
   * @throws IllegalStateException if the {@code peers} directory cannot be found
   */
  static PeerRuntime locate() {
    Path sources = sourcesDirectory();
    String configured = System.getProperty("traccia.peers");
    if (configured == null || configured.isBlank()) {
      configured = System.getenv("TRACCIA_PEERS");
    }
    if (configured != null && !configured.isBlank()) {
      return new PeerRuntime(sources, Paths.get(configured).toAbsolutePath());
    }
    Path cacheDir =
        CollectorBinary.cacheDirectory(System::getenv, Paths.get(System.getProperty("user.home")));
    return new PeerRuntime(sources, cacheDir.resolve("peers-" + pinHash(sources)));
  }

  /**
   * Skips the calling test, with what to run, when the peers are not installed; under {@code
   * CI=true} fails instead, because CI installs them before the tests.
   */
  static PeerRuntime assumeInstalled() {
    PeerRuntime peers = locate();
    if (!peers.isInstalled()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("CI=true but " + peers.unavailableMessage());
      }
      Assumptions.assumeTrue(false, peers::unavailableMessage);
    }
    return peers;
  }

  /** Whether install-peers.sh finished installing into this runtime's directory. */
  boolean isInstalled() {
    return Files.isRegularFile(install.resolve(".complete"))
        && Files.isExecutable(python())
        && Files.isDirectory(nodeModules());
  }

  /** Why the peers cannot run here and what to do about it. */
  String unavailableMessage() {
    return "the Python and Node.js peers are not installed in " + install + "; " + INSTALL_HINT;
  }

  /** The virtual environment's Python interpreter. */
  Path python() {
    return install.resolve("python").resolve("bin").resolve("python");
  }

  /** The installed Node.js packages, for {@code NODE_PATH}. */
  Path nodeModules() {
    return install.resolve("node").resolve("node_modules");
  }

  /** A peer script, {@code python/foo.py} or {@code node/foo.js}. */
  Path script(String relative) {
    Path script = sources.resolve(relative);
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException("peer script " + script + " does not exist");
    }
    return script;
  }

  /** The command that runs the Node.js peer, as one line split on spaces by the Python peer. */
  String nodeCommand(String script) {
    return "node " + script(script);
  }

  /**
   * Runs {@code python/<script>} with the virtual environment's interpreter; see {@link #run}.
   *
   * @throws AssertionError if the script fails or prints no JSON line
   */
  JsonNode runPython(Path workDir, Map<String, String> env, String script, String... args) {
    List<String> command = new ArrayList<>();
    command.add(python().toString());
    command.add(script("python/" + script).toString());
    command.addAll(List.of(args));
    return run(workDir, env, command);
  }

  /**
   * Runs {@code node/<script>} with {@code node} from the PATH; see {@link #run}.
   *
   * @throws AssertionError if the script fails or prints no JSON line
   */
  JsonNode runNode(Path workDir, Map<String, String> env, String script, String... args) {
    List<String> command = new ArrayList<>();
    command.add("node");
    command.add(script("node/" + script).toString());
    command.addAll(List.of(args));
    return run(workDir, env, command);
  }

  /**
   * Runs {@code command} in {@code workDir} (created if needed), waits up to two minutes for it to
   * exit, and returns the last line it printed, parsed as JSON.
   *
   * <p>The child gets this JVM's environment without {@code OTEL_*}, {@code TRACCIA_*} and {@code
   * AGENT_DASHBOARD_*} variables, with {@code HOME} set to {@code workDir} (so no user config or
   * price cache is read) and {@code NODE_PATH} set to the installed packages, plus {@code env}. Its
   * stdout and stderr are kept in {@code workDir/peer-<n>.out} and {@code .err}.
   *
   * @throws AssertionError if it exits non-zero or late, quoting what it printed
   */
  JsonNode run(Path workDir, Map<String, String> env, List<String> command) {
    try {
      Files.createDirectories(workDir);
      Path out = Files.createTempFile(workDir, "peer-", ".out");
      Path err = workDir.resolve(out.getFileName().toString().replace(".out", ".err"));
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      Map<String, String> childEnv = pb.environment();
      childEnv
          .keySet()
          .removeIf(
              k ->
                  k.startsWith("OTEL_")
                      || k.startsWith("TRACCIA_")
                      || k.startsWith("AGENT_DASHBOARD_"));
      childEnv.put("HOME", workDir.toString());
      childEnv.put("NODE_PATH", nodeModules().toString());
      childEnv.put("PYTHONDONTWRITEBYTECODE", "1");
      childEnv.putAll(env);
      Process process = pb.start();
      boolean exited = process.waitFor(Duration.ofMinutes(2).toMillis(), TimeUnit.MILLISECONDS);
      if (!exited) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      String stderr = Files.readString(err, StandardCharsets.UTF_8);
      if (!exited || process.exitValue() != 0) {
        throw new AssertionError(
            String.join(" ", command)
                + (exited ? " exited with " + process.exitValue() : " did not exit within 2 min")
                + "\nstdout:\n"
                + stdout
                + "\nstderr:\n"
                + stderr);
      }
      String[] lines = stdout.strip().split("\n");
      String last = lines[lines.length - 1];
      try {
        return JSON.readTree(last);
      } catch (IOException e) {
        throw new AssertionError(
            String.join(" ", command)
                + " printed no JSON result line; stdout:\n"
                + stdout
                + "\nstderr:\n"
                + stderr,
            e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  private static Path sourcesDirectory() {
    for (Path candidate : List.of(Paths.get("peers"), Paths.get("integration-tests", "peers"))) {
      if (Files.isDirectory(candidate.resolve("python"))) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException(
        "the peers directory was found neither in "
            + Paths.get("peers").toAbsolutePath()
            + " nor in "
            + Paths.get("integration-tests", "peers").toAbsolutePath()
            + "; run the tests from the repository root or the integration-tests module");
  }

  private static String pinHash(Path sources) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String pinned :
          List.of("python/requirements.txt", "node/package.json", "node/package-lock.json")) {
        sha.update(Files.readAllBytes(sources.resolve(pinned)));
      }
      StringBuilder hex = new StringBuilder();
      for (byte b : sha.digest()) {
        hex.append(String.format("%02x", b));
      }
      return hex.substring(0, 12);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the pinned peer requirements in " + sources, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
