/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * The proxy's fat jar run as a child process, the way users run it, on free loopback ports.
 *
 * <p>{@link #start} waits until {@code /readyz} answers 200. Output goes to {@code proxy.log} in
 * the working directory given. {@link #stop()} sends SIGTERM, as a container runtime does, and
 * waits for the process to drain and exit; {@link #kill()} is {@code kill -9}. When a test fails
 * while a proxy it started is still open, {@link LogOnFailure} prints that proxy's log and refusal
 * counts beside the failure.
 */
final class ProxyProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  // Started and not yet closed, for LogOnFailure.
  private static final Set<ProxyProcess> OPEN = ConcurrentHashMap.newKeySet();

  // How much of a failed test's proxy log is printed: its end, where the failure is.
  private static final int LOG_TAIL_CHARS = 20_000;

  // The heap of every proxy a test starts without JVM options of its own.
  private static final String DEFAULT_HEAP = "-Xmx256m";

  private final Path workDir;
  private final List<String> launcher;
  private final List<String> jvmOptions;
  private final List<String> args;
  private final Map<String, String> env;
  private List<String> command;
  private int grpcPort;
  private int httpPort;
  private int adminPort;
  private Process process;

  private ProxyProcess(
      Path workDir,
      List<String> launcher,
      List<String> jvmOptions,
      List<String> args,
      Map<String, String> env) {
    this.workDir = workDir;
    this.launcher = launcher;
    this.jvmOptions = jvmOptions;
    this.args = args;
    this.env = env;
    choosePorts();
  }

  /** New free ports, and the command line that uses them. */
  private void choosePorts() {
    int[] ports = LocalProcesses.freePorts(3);
    this.grpcPort = ports[0];
    this.httpPort = ports[1];
    this.adminPort = ports[2];
    List<String> cmd = new ArrayList<>(launcher);
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.add("serve");
    cmd.add("--grpc-port=" + grpcPort);
    cmd.add("--http-port=" + httpPort);
    cmd.add("--admin-port=" + adminPort);
    cmd.addAll(args);
    this.command = cmd;
  }

  /** The fat jar under test, as the build passes it to failsafe. */
  static Path jar() {
    String configured = System.getProperty("traccia.proxy.jar");
    Path jar =
        configured != null
            ? Paths.get(configured)
            : Paths.get("..", "proxy-server", "target", "traccia-proxy.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "the proxy jar "
              + jar.toAbsolutePath()
              + " does not exist; build it with ./mvnw package");
    }
    return jar.toAbsolutePath().normalize();
  }

  /**
   * Starts the proxy in {@code workDir} with extra command-line {@code args} and environment
   * variables; returns once it is ready.
   */
  static ProxyProcess start(Path workDir, Map<String, String> env, String... args) {
    return startWithJvmOptions(workDir, List.of(DEFAULT_HEAP), env, args);
  }

  /**
   * Starts the proxy as {@link #start} does, with {@code jvmOptions} in place of the default {@code
   * -Xmx256m}.
   */
  static ProxyProcess startWithJvmOptions(
      Path workDir, List<String> jvmOptions, Map<String, String> env, String... args) {
    return startVia(List.of(), workDir, jvmOptions, env, args);
  }

  /**
   * Launches {@code java} through {@code launcher} (none, or a wrapper command) and registers it.
   */
  private static ProxyProcess startVia(
      List<String> launcher,
      Path workDir,
      List<String> jvmOptions,
      Map<String, String> env,
      String... args) {
    ProxyProcess proxy = new ProxyProcess(workDir, launcher, jvmOptions, List.of(args), env);
    proxy.launchOnFreePorts();
    OPEN.add(proxy);
    return proxy;
  }

  /**
   * Launches, choosing new ports when one was taken between being found free and being bound
   * (another process's outgoing connection may get it from the same range): at most three tries.
   */
  private void launchOnFreePorts() {
    for (int attempt = 1; ; attempt++) {
      try {
        launch();
        return;
      } catch (IllegalStateException e) {
        if (attempt == 3 || !String.valueOf(e.getMessage()).contains("could not listen")) {
          throw e;
        }
        choosePorts();
      }
    }
  }

  /**
   * Starts the proxy as {@link #start} does, but through {@code nohup}, which leaves SIGHUP ignored
   * in the JVM it starts.
   */
  static ProxyProcess startUnderNohup(Path workDir, Map<String, String> env, String... args) {
    return startVia(List.of("nohup"), workDir, List.of(DEFAULT_HEAP), env, args);
  }

  /** Whether the process is still running. */
  boolean isAlive() {
    return process.isAlive();
  }

  /** Starts the same proxy again, on the same ports, after {@link #stop()} or {@link #kill()}. */
  void restart() {
    launch();
  }

  private void launch() {
    try {
      Files.createDirectories(workDir);
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
      // A clean environment of TRACCIA_* settings: only what the test asks for applies.
      Map<String, String> processEnv = pb.environment();
      processEnv
          .keySet()
          .removeIf(k -> k.startsWith("TRACCIA_") || k.startsWith("AGENT_DASHBOARD_"));
      processEnv.put("HOME", workDir.toString());
      processEnv.putAll(env);
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "the proxy exited with " + process.exitValue() + ":\n" + output());
                }
                return ready();
              });
    } catch (RuntimeException e) {
      throw new IllegalStateException("the proxy did not become ready:\n" + output(), e);
    }
  }

  private boolean ready() {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  String grpcEndpoint() {
    return "http://127.0.0.1:" + grpcPort;
  }

  String httpEndpoint() {
    return "http://127.0.0.1:" + httpPort;
  }

  int adminPort() {
    return adminPort;
  }

  Path log() {
    return workDir.resolve("proxy.log");
  }

  /** Everything the proxy printed so far. */
  String output() {
    try {
      return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(could not read " + log() + ": " + e + ")";
    }
  }

  /** The proxy's /metrics text. */
  String metrics() throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Sends SIGTERM and waits for the proxy to exit; returns its exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new IllegalStateException(
          "the proxy did not exit within 60 s of SIGTERM:\n" + output());
    }
    return process.exitValue();
  }

  /** Sends SIGHUP, which makes the proxy reload its configuration. */
  void hangUp() throws Exception {
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -HUP " + process.pid() + " failed");
    }
  }

  /** Kills the proxy at once, as {@code kill -9} does. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    OPEN.remove(this);
    if (process != null && process.isAlive()) {
      stop();
    }
  }

  /**
   * What a failed test's proxies said: the end of each open proxy's log and, if it still runs, the
   * counts of what it received and refused and why. Printed to standard error before the test's
   * {@code @AfterEach} closes them and its temporary directory, with the log, is deleted.
   */
  String diagnosis() {
    StringBuilder out = new StringBuilder();
    out.append("---- proxy ").append(String.join(" ", command)).append('\n');
    String log = output();
    if (log.length() > LOG_TAIL_CHARS) {
      out.append("(the last ").append(LOG_TAIL_CHARS).append(" characters of its log)\n");
      log = log.substring(log.length() - LOG_TAIL_CHARS);
    }
    out.append(log);
    if (process != null && process.isAlive()) {
      out.append("---- its counts of received and refused items\n");
      try {
        for (String line : metrics().split("\n")) {
          if (line.startsWith("traccia_proxy_received_")
              || line.startsWith("traccia_proxy_refused_")
              || line.startsWith("traccia_proxy_queue_size")) {
            out.append(line).append('\n');
          }
        }
      } catch (Exception e) {
        out.append("(could not read /metrics: ").append(e).append(")\n");
      }
    }
    return out.toString();
  }

  /**
   * Prints {@link #diagnosis} of every open proxy when a test fails. Registered for every test
   * class of this module through {@code META-INF/services}.
   */
  public static final class LogOnFailure implements AfterTestExecutionCallback {
    @Override
    public void afterTestExecution(ExtensionContext context) {
      Throwable failure = context.getExecutionException().orElse(null);
      if (failure == null || failure instanceof TestAbortedException) {
        return;
      }
      for (ProxyProcess proxy : OPEN) {
        if (!Files.exists(proxy.log())) {
          // Left open by an earlier test class whose directory is gone.
          continue;
        }
        System.err.println(
            "==== " + context.getDisplayName() + " failed; its proxy said:\n" + proxy.diagnosis());
      }
    }
  }

  static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }
}
