/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.codec.OtlpJson;
import ai.traccia.proxy.codec.OtlpJsonException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real OpenTelemetry Collector, run as a child process, that integration tests export OTLP to and
 * then read back what it received.
 *
 * <p>{@link #start()} writes a collector config into a fresh directory under {@code target/otelcol}
 * (or the system temp directory): the OTLP receiver on gRPC and HTTP, bound to free ports on
 * 127.0.0.1, and one file exporter per signal ({@code traces.json}, {@code metrics.json}, {@code
 * logs.json}) that appends one line of OTLP JSON per export request it received and flushes every
 * 100 ms. There is no batch processor, so request boundaries are kept. The collector's own output
 * goes to {@code collector.log} in the same directory; the directory is never deleted, so it can be
 * read after a failure, and start and await failures quote the end of the log.
 *
 * <p>The binary comes from {@code -Dtraccia.otelcol}, else {@code TRACCIA_OTELCOL}, else the path
 * {@code integration-tests/scripts/build-otelcol.sh} builds to. Test classes carry
 * {@code @ExtendWith(CollectorBackend.IfAvailable.class)} (or call {@link #assumeAvailable()}) so
 * that they are skipped, with the reason, where it was not built.
 *
 * <p>Thread safety: all methods may be called from any thread. {@link #start()}, {@link #stop()},
 * {@link #restart()} and {@link #close()} block until the collector is up or gone; the {@code
 * received*} methods read the files on each call and never block on the collector.
 */
public final class CollectorBackend implements AutoCloseable {

  private static final String LOOPBACK = LocalProcesses.LOOPBACK;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
  private static final int START_ATTEMPTS = 3;
  private static final int LOG_TAIL_CHARS = 6000;

  private final Path binary;
  private final Path directory;
  private final int grpcPort;
  private final int httpPort;
  private final Path configFile;
  private final Path logFile;
  private final Path tracesFile;
  private final Path metricsFile;
  private final Path logsFile;
  private final Thread shutdownHook;

  // Guards process and closed; start, stop and close hold it for their whole duration so that two
  // of them never interleave.
  private final Object lock = new Object();
  // Volatile as well, because the shutdown hook reads it without the lock.
  private volatile Process process;
  private boolean closed;

  private CollectorBackend(Path binary, Path directory, int grpcPort, int httpPort) {
    this.binary = binary;
    this.directory = directory;
    this.grpcPort = grpcPort;
    this.httpPort = httpPort;
    this.configFile = directory.resolve("config.yaml");
    this.logFile = directory.resolve("collector.log");
    this.tracesFile = directory.resolve("traces.json");
    this.metricsFile = directory.resolve("metrics.json");
    this.logsFile = directory.resolve("logs.json");
    // A test that never reaches close() must not leave a collector running after the JVM exits.
    this.shutdownHook =
        new Thread(this::killForShutdown, "otelcol-shutdown-" + grpcPort + "-" + httpPort);
  }

  /** Whether the collector binary exists, so that {@link #start()} can run it. Never blocks. */
  public static boolean isAvailable() {
    return CollectorBinary.locate().isAvailable();
  }

  /**
   * Skips the calling JUnit test with the reason when the collector binary does not exist; does
   * nothing when it does. For a whole class use {@link IfAvailable}, which reports the reason even
   * where an assumption in {@code @BeforeAll} would leave the class looking like it had no tests.
   */
  public static void assumeAvailable() {
    CollectorBinary binary = CollectorBinary.locate();
    if (!binary.isAvailable() && runningInCi()) {
      // CI runs scripts/test.sh, which builds the collector first: a missing binary there is a
      // broken build, not a reason to skip the end-to-end tests.
      throw new IllegalStateException("CI=true but " + binary.unavailableMessage());
    }
    Assumptions.assumeTrue(binary.isAvailable(), binary::unavailableMessage);
  }

  private static boolean runningInCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /**
   * Starts a collector on two free loopback ports and returns once both accept connections.
   *
   * <p>Blocks for up to 30 s per attempt. If another process takes a chosen port in between, it
   * retries with new ports (3 attempts). The caller owns the result and must {@link #close()} it.
   *
   * @throws IllegalStateException if the binary is missing, or the collector exits or does not open
   *     its ports in time; the message quotes the end of its log
   * @throws UncheckedIOException if the config directory cannot be written
   */
  public static CollectorBackend start() {
    CollectorBinary binary = CollectorBinary.locate();
    if (!binary.isAvailable()) {
      throw new IllegalStateException(binary.unavailableMessage());
    }
    Path directory = LocalProcesses.workDirectory("otelcol", "collector-", "the collector");
    PortsTakenException lastFailure = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      int[] ports = LocalProcesses.freePorts(2);
      CollectorBackend backend =
          new CollectorBackend(binary.path().orElseThrow(), directory, ports[0], ports[1]);
      try {
        synchronized (backend.lock) {
          backend.writeConfig();
          backend.launch();
        }
        Runtime.getRuntime().addShutdownHook(backend.shutdownHook);
        return backend;
      } catch (PortsTakenException e) {
        lastFailure = e;
      }
    }
    throw new IllegalStateException(
        "OpenTelemetry Collector could not bind its ports in "
            + START_ATTEMPTS
            + " attempts: "
            + lastFailure.getMessage(),
        lastFailure);
  }

  /** The OTLP/gRPC endpoint, {@code http://127.0.0.1:PORT}; the port stays across restarts. */
  public String grpcEndpoint() {
    return "http://" + LOOPBACK + ":" + grpcPort;
  }

  /**
   * The OTLP/HTTP base endpoint, {@code http://127.0.0.1:PORT}; append {@code /v1/traces}, {@code
   * /v1/metrics} or {@code /v1/logs} for a signal. The port stays across restarts.
   */
  public String httpEndpoint() {
    return "http://" + LOOPBACK + ":" + httpPort;
  }

  /** The OTLP/gRPC port on 127.0.0.1. */
  public int grpcPort() {
    return grpcPort;
  }

  /** The OTLP/HTTP port on 127.0.0.1. */
  public int httpPort() {
    return httpPort;
  }

  /** The directory holding the config, the collector's log and the received data. */
  public Path directory() {
    return directory;
  }

  /** The collector's stdout and stderr, across restarts, or "" before it wrote anything. */
  public String log() {
    try {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the collector log " + logFile, e);
    }
  }

  /** Whether the collector process is running (started and neither stopped nor exited). */
  public boolean isRunning() {
    synchronized (lock) {
      return process != null && process.isAlive();
    }
  }

  /**
   * Every trace export request the collector has written so far, oldest first, across restarts.
   *
   * @throws IllegalStateException if a written line is not OTLP JSON
   */
  public List<ExportTraceServiceRequest> receivedTraces() {
    return readRequests(tracesFile, OtlpJson::parseTraces);
  }

  /**
   * Every metrics export request the collector has written so far, oldest first, across restarts.
   *
   * @throws IllegalStateException if a written line is not OTLP JSON
   */
  public List<ExportMetricsServiceRequest> receivedMetrics() {
    return readRequests(metricsFile, OtlpJson::parseMetrics);
  }

  /**
   * Every logs export request the collector has written so far, oldest first, across restarts.
   *
   * @throws IllegalStateException if a written line is not OTLP JSON
   */
  public List<ExportLogsServiceRequest> receivedLogs() {
    return readRequests(logsFile, OtlpJson::parseLogs);
  }

  /** All spans received so far, flattened out of their resources and scopes, in arrival order. */
  public List<Span> receivedSpans() {
    return receivedTraces().stream()
        .flatMap(request -> request.getResourceSpansList().stream())
        .flatMap(resource -> resource.getScopeSpansList().stream())
        .flatMap(scope -> scope.getSpansList().stream())
        .collect(Collectors.toList());
  }

  /**
   * All {@link Metric} messages received so far, flattened out of their resources and scopes, in
   * arrival order; a metric exported twice appears twice.
   */
  public List<Metric> receivedMetricList() {
    return receivedMetrics().stream()
        .flatMap(request -> request.getResourceMetricsList().stream())
        .flatMap(resource -> resource.getScopeMetricsList().stream())
        .flatMap(scope -> scope.getMetricsList().stream())
        .collect(Collectors.toList());
  }

  /** All log records received so far, flattened out of their resources and scopes. */
  public List<LogRecord> receivedLogRecords() {
    return receivedLogs().stream()
        .flatMap(request -> request.getResourceLogsList().stream())
        .flatMap(resource -> resource.getScopeLogsList().stream())
        .flatMap(scope -> scope.getLogRecordsList().stream())
        .collect(Collectors.toList());
  }

  /**
   * Waits until at least {@code count} spans have been received and returns all of them.
   *
   * @throws AssertionError if fewer arrived within {@code timeout}; it names the count and quotes
   *     the end of the collector log
   */
  public List<Span> awaitSpans(int count, Duration timeout) {
    return awaitAtLeast(count, "spans", this::receivedSpans, timeout);
  }

  /**
   * Waits until at least {@code count} {@link Metric} messages have been received and returns all
   * of them (see {@link #receivedMetricList()}).
   *
   * @throws AssertionError if fewer arrived within {@code timeout}
   */
  public List<Metric> awaitMetrics(int count, Duration timeout) {
    return awaitAtLeast(count, "metrics", this::receivedMetricList, timeout);
  }

  /**
   * Waits until at least {@code count} log records have been received and returns all of them.
   *
   * @throws AssertionError if fewer arrived within {@code timeout}
   */
  public List<LogRecord> awaitLogRecords(int count, Duration timeout) {
    return awaitAtLeast(count, "log records", this::receivedLogRecords, timeout);
  }

  /**
   * Stops the collector, first politely (it flushes its files), forcibly after 5 s; blocks until
   * the process is gone. The ports are released and the received data stays readable. Does nothing
   * when it is not running.
   */
  public void stop() {
    synchronized (lock) {
      if (process == null) {
        return;
      }
      LocalProcesses.terminate(process);
      process = null;
      appendLog("=== stopped at " + Instant.now());
    }
  }

  /**
   * Starts the collector again on the same ports, stopping it first if it is running; data received
   * before stays and new data is appended. Blocks until both ports accept connections.
   *
   * @throws IllegalStateException if closed, if another process took a port meanwhile, or if the
   *     collector does not come up in time
   */
  public void restart() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("collector backend in " + directory + " is closed");
      }
      stop();
      try {
        launch();
      } catch (PortsTakenException e) {
        throw new IllegalStateException(
            "OpenTelemetry Collector could not restart on its ports: "
                + e.getMessage()
                + " Another process took one of them while the collector was stopped.",
            e);
      }
    }
  }

  /**
   * Stops the collector (see {@link #stop()}) for good; idempotent. Keeps the directory with the
   * config, log and received data.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      stop();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down and runs the hook, which finds nothing left to kill.
    }
  }

  @Override
  public String toString() {
    return "CollectorBackend{grpc=" + grpcEndpoint() + ", http=" + httpEndpoint() + "}";
  }

  private void writeConfig() {
    String config =
        String.join(
            "\n",
            "receivers:",
            "  otlp:",
            "    protocols:",
            "      grpc:",
            "        endpoint: " + LOOPBACK + ":" + grpcPort,
            "      http:",
            "        endpoint: " + LOOPBACK + ":" + httpPort,
            "exporters:",
            fileExporter("traces", tracesFile),
            fileExporter("metrics", metricsFile),
            fileExporter("logs", logsFile),
            "service:",
            "  telemetry:",
            "    logs:",
            "      level: info",
            // The collector's own metrics would listen on port 8888, shared by all collectors.
            "    metrics:",
            "      level: none",
            "  pipelines:",
            pipeline("traces"),
            pipeline("metrics"),
            pipeline("logs"),
            "");
    try {
      Files.writeString(configFile, config, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the collector config " + configFile, e);
    }
  }

  private static String fileExporter(String signal, Path file) {
    return String.join(
        "\n",
        "  file/" + signal + ":",
        "    path: " + yamlString(file.toString()),
        "    format: json",
        // Appending keeps what was received before a restart.
        "    append: true",
        "    flush_interval: 100ms");
  }

  private static String pipeline(String signal) {
    return String.join(
        "\n",
        "    " + signal + ":",
        "      receivers: [otlp]",
        "      exporters: [file/" + signal + "]");
  }

  private static String yamlString(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** Starts the process and waits for both ports; the caller holds {@link #lock}. */
  private void launch() throws PortsTakenException {
    long logStart = logSize();
    appendLog(
        "=== starting "
            + binary
            + " at "
            + Instant.now()
            + ", grpc port "
            + grpcPort
            + ", http port "
            + httpPort);
    ProcessBuilder builder =
        new ProcessBuilder(binary.toString(), "--config=" + configFile)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    Process started;
    try {
      started = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run the OpenTelemetry Collector " + binary + ": " + e.getMessage(), e);
    }
    process = started;
    try {
      await()
          .atMost(START_TIMEOUT)
          .pollDelay(Duration.ZERO)
          .pollInterval(POLL_INTERVAL)
          .until(
              () ->
                  !started.isAlive()
                      || (LocalProcesses.accepts(grpcPort) && LocalProcesses.accepts(httpPort)));
    } catch (ConditionTimeoutException e) {
      LocalProcesses.terminate(started);
      process = null;
      throw new IllegalStateException(
          "OpenTelemetry Collector did not open gRPC port "
              + grpcPort
              + " and HTTP port "
              + httpPort
              + " within "
              + START_TIMEOUT.toSeconds()
              + " s; config "
              + configFile
              + ", "
              + logTail());
    }
    if (!started.isAlive()) {
      process = null;
      String launchLog = logSince(logStart);
      String failure =
          "OpenTelemetry Collector exited with code "
              + started.exitValue()
              + " while starting; config "
              + configFile
              + ", "
              + logTail();
      if (launchLog.contains("address already in use")) {
        throw new PortsTakenException(failure);
      }
      throw new IllegalStateException(failure);
    }
  }

  private void killForShutdown() {
    // Runs without the lock: a test thread may hold it while the JVM exits.
    Process current = process;
    if (current != null) {
      current.destroyForcibly();
    }
  }

  private <T> List<T> awaitAtLeast(
      int count, String what, Supplier<List<T>> received, Duration timeout) {
    try {
      return await()
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(POLL_INTERVAL)
          .until(received::get, items -> items.size() >= count);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "expected at least "
              + count
              + " "
              + what
              + " at the collector within "
              + timeout
              + ", got "
              + received.get().size()
              + "; data in "
              + directory
              + ", "
              + logTail(),
          e);
    }
  }

  /** Parses one request per complete line; a last line without '\n' is still being written. */
  private static <T> List<T> readRequests(Path file, Parser<T> parser) {
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the collector output " + file, e);
    }
    List<T> requests = new ArrayList<>();
    int lineStart = 0;
    int lineNumber = 0;
    for (int i = 0; i < content.length; i++) {
      if (content[i] != '\n') {
        continue;
      }
      lineNumber++;
      byte[] line = Arrays.copyOfRange(content, lineStart, i);
      lineStart = i + 1;
      if (new String(line, StandardCharsets.UTF_8).isBlank()) {
        continue;
      }
      try {
        requests.add(parser.parse(line));
      } catch (OtlpJsonException e) {
        throw new IllegalStateException(
            file + " line " + lineNumber + " is not OTLP JSON: " + e.getMessage(), e);
      }
    }
    return requests;
  }

  private long logSize() {
    try {
      return Files.exists(logFile) ? Files.size(logFile) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the collector log " + logFile, e);
    }
  }

  private String logSince(long offset) {
    try {
      byte[] all = Files.readAllBytes(logFile);
      int from = (int) Math.min(offset, all.length);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the collector log " + logFile, e);
    }
  }

  private void appendLog(String line) {
    try {
      Files.writeString(
          logFile,
          line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the collector log " + logFile, e);
    }
  }

  private String logTail() {
    String log = log();
    String tail =
        log.length() <= LOG_TAIL_CHARS ? log : "..." + log.substring(log.length() - LOG_TAIL_CHARS);
    return "collector log " + logFile + ":\n" + tail;
  }

  /**
   * Disables a test class or method, with the reason, when the collector binary does not exist:
   * {@code @ExtendWith(CollectorBackend.IfAvailable.class)}. Evaluated before {@code @BeforeAll}.
   * Stateless and thread-safe.
   */
  public static final class IfAvailable implements ExecutionCondition {

    /** Creates the condition; JUnit does this. */
    public IfAvailable() {}

    /** Enabled when the binary exists, otherwise disabled with what to do about it. */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      CollectorBinary binary = CollectorBinary.locate();
      if (!binary.isAvailable() && runningInCi()) {
        throw new IllegalStateException("CI=true but " + binary.unavailableMessage());
      }
      return binary.isAvailable()
          ? ConditionEvaluationResult.enabled("OpenTelemetry Collector at " + binary)
          : ConditionEvaluationResult.disabled(binary.unavailableMessage());
    }
  }

  /** Parses one line of the file exporter's output. */
  @FunctionalInterface
  private interface Parser<T> {
    T parse(byte[] json) throws OtlpJsonException;
  }

  /** The collector exited because a port was taken; a fresh start may retry with other ports. */
  private static final class PortsTakenException extends Exception {
    private static final long serialVersionUID = 1L;

    PortsTakenException(String message) {
      super(message);
    }
  }
}
