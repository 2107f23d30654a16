/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.codec.OtlpJson;
import ai.traccia.proxy.codec.OtlpJsonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Jaeger v2 (the all-in-one program) with in-memory storage, run as a child process, that
 * integration tests export OTLP to and then read traces back from through Jaeger's query API.
 *
 * <p>{@link #start()} writes a Jaeger config into a fresh directory under {@code target/jaeger} (or
 * the system temp directory): the OTLP receiver on gRPC and HTTP, the in-memory trace store, and
 * the query extension's HTTP and gRPC servers, all on free ports of 127.0.0.1. There is no batch
 * processor, so spans reach the store without a batching delay. Jaeger's own output goes to {@code
 * jaeger.log} in the same directory, which is kept for reading after a failure; start and await
 * failures quote its end.
 *
 * <p>The binary comes from {@code -Dtraccia.jaeger}, else {@code TRACCIA_JAEGER}, else the path
 * {@code integration-tests/scripts/build-jaeger.sh} builds to (see {@link JaegerBinary}). Test
 * classes carry {@code @ExtendWith(JaegerBackend.IfAvailable.class)} so that they are skipped, with
 * the reason, where it was not built.
 *
 * <p>Thread safety: {@link #start()} and {@link #close()} block until Jaeger is up or gone and must
 * not race each other; {@link #trace} may be called from any thread.
 */
final class JaegerBackend implements AutoCloseable {

  private static final String LOOPBACK = LocalProcesses.LOOPBACK;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);
  private static final int START_ATTEMPTS = 3;
  private static final int LOG_TAIL_CHARS = 6000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path binary;
  private final Path directory;
  private final int otlpGrpcPort;
  private final int otlpHttpPort;
  private final int queryHttpPort;
  private final int queryGrpcPort;
  private final Path configFile;
  private final Path logFile;
  private final HttpClient http;
  private final Thread shutdownHook;
  private volatile Process process;

  private JaegerBackend(Path binary, Path directory, int[] ports) {
    this.binary = binary;
    this.directory = directory;
    this.otlpGrpcPort = ports[0];
    this.otlpHttpPort = ports[1];
    this.queryHttpPort = ports[2];
    this.queryGrpcPort = ports[3];
    this.configFile = directory.resolve("config-" + otlpGrpcPort + ".yaml");
    this.logFile = directory.resolve("jaeger.log");
    this.http = HttpClient.newBuilder().connectTimeout(QUERY_TIMEOUT).build();
    // A test that never reaches close() must not leave Jaeger running after the JVM exits.
    this.shutdownHook = new Thread(this::killForShutdown, "jaeger-shutdown-" + otlpGrpcPort);
  }

  /**
   * Starts Jaeger on four free loopback ports and returns once its OTLP receivers and its query API
   * accept connections.
   *
   * <p>Blocks for up to 60 s per attempt. If another process takes a chosen port in between, it
   * retries with new ports (3 attempts). The caller owns the result and must {@link #close()} it.
   *
   * @throws IllegalStateException if the binary is missing, or Jaeger exits or does not open its
   *     ports in time; the message quotes the end of its log
   */
  static JaegerBackend start() {
    JaegerBinary binary = JaegerBinary.locate();
    if (!binary.isAvailable()) {
      throw new IllegalStateException(binary.unavailableMessage());
    }
    Path directory = LocalProcesses.workDirectory("jaeger", "jaeger-", "Jaeger");
    String lastFailure = "";
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      JaegerBackend backend =
          new JaegerBackend(binary.path().orElseThrow(), directory, LocalProcesses.freePorts(4));
      backend.writeConfig();
      Optional<String> portTaken = backend.launch();
      if (portTaken.isEmpty()) {
        Runtime.getRuntime().addShutdownHook(backend.shutdownHook);
        return backend;
      }
      lastFailure = portTaken.get();
    }
    throw new IllegalStateException(
        "Jaeger could not bind its ports in " + START_ATTEMPTS + " attempts: " + lastFailure);
  }

  /** The OTLP/gRPC endpoint, {@code http://127.0.0.1:PORT}. */
  String otlpGrpcEndpoint() {
    return "http://" + LOOPBACK + ":" + otlpGrpcPort;
  }

  /**
   * The OTLP/HTTP base endpoint, {@code http://127.0.0.1:PORT}; traces go to {@code /v1/traces}.
   */
  String otlpHttpEndpoint() {
    return "http://" + LOOPBACK + ":" + otlpHttpPort;
  }

  /** The directory holding the config and Jaeger's log. */
  Path directory() {
    return directory;
  }

  /**
   * The trace as Jaeger's query API returns it ({@code GET /api/v3/traces/{id}}, raw: without the
   * query service's adjustments such as clock-skew correction, so what was stored), or empty while
   * Jaeger does not know it. The v3 API answers in OTLP JSON, which is read into the OTLP protobuf
   * messages.
   *
   * @throws IllegalStateException if the API answers anything but 200 or 404, or what is not OTLP
   * @throws UncheckedIOException if the query fails to connect or times out (5 s)
   */
  Optional<ExportTraceServiceRequest> trace(String traceIdHex) {
    URI uri =
        URI.create(
            "http://"
                + LOOPBACK
                + ":"
                + queryHttpPort
                + "/api/v3/traces/"
                + traceIdHex
                + "?raw_traces=true");
    HttpResponse<byte[]> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(QUERY_TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + uri + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while querying " + uri, e);
    }
    String body = new String(response.body(), StandardCharsets.UTF_8);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "GET " + uri + " answered " + response.statusCode() + ": " + body);
    }
    try {
      JsonNode result = JSON.readTree(response.body()).path("result");
      if (!result.isObject()) {
        throw new IllegalStateException("GET " + uri + " answered 200 without a result: " + body);
      }
      return Optional.of(OtlpJson.parseTraces(JSON.writeValueAsBytes(result)));
    } catch (IOException | OtlpJsonException e) {
      throw new IllegalStateException("GET " + uri + " answered what is not OTLP JSON: " + body, e);
    }
  }

  /**
   * Polls {@link #trace} until the trace holds at least {@code spanCount} spans, and returns it.
   *
   * @throws AssertionError if it does not within {@code timeout}; it quotes the end of the log
   */
  ExportTraceServiceRequest awaitTrace(String traceIdHex, int spanCount, Duration timeout) {
    try {
      return await()
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(POLL_INTERVAL)
          .until(
              () -> trace(traceIdHex),
              found -> found.isPresent() && spanCount(found.get()) >= spanCount)
          .orElseThrow();
    } catch (ConditionTimeoutException e) {
      Optional<ExportTraceServiceRequest> last = trace(traceIdHex);
      throw new AssertionError(
          "expected at least "
              + spanCount
              + " spans of trace "
              + traceIdHex
              + " in Jaeger within "
              + timeout
              + ", got "
              + last.map(JaegerBackend::spanCount).orElse(0)
              + "; "
              + logTail(),
          e);
    }
  }

  private static int spanCount(ExportTraceServiceRequest trace) {
    return trace.getResourceSpansList().stream()
        .flatMap(resource -> resource.getScopeSpansList().stream())
        .mapToInt(scope -> scope.getSpansCount())
        .sum();
  }

  /** Jaeger's stdout and stderr so far, or "" before it wrote anything. */
  String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(could not read " + logFile + ": " + e + ")";
    }
  }

  /**
   * Stops Jaeger, first politely, forcibly after 5 s; blocks until the process is gone. Idempotent.
   */
  @Override
  public void close() {
    Process current = process;
    if (current != null) {
      LocalProcesses.terminate(current);
      process = null;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // The JVM is shutting down and runs the hook, or the hook was never added: nothing to undo.
    }
  }

  @Override
  public String toString() {
    return "JaegerBackend{otlpGrpc="
        + otlpGrpcEndpoint()
        + ", otlpHttp="
        + otlpHttpEndpoint()
        + ", query=http://"
        + LOOPBACK
        + ":"
        + queryHttpPort
        + "}";
  }

  private void writeConfig() {
    String config =
        String.join(
            "\n",
            "service:",
            "  extensions: [jaeger_storage, jaeger_query]",
            "  pipelines:",
            "    traces:",
            "      receivers: [otlp]",
            "      exporters: [jaeger_storage_exporter]",
            "  telemetry:",
            "    logs:",
            "      level: info",
            // Jaeger's own metrics would listen on port 8888, shared by every Jaeger and Collector.
            "    metrics:",
            "      level: none",
            "extensions:",
            "  jaeger_storage:",
            "    backends:",
            "      memstore:",
            "        memory:",
            "          max_traces: 10000",
            "  jaeger_query:",
            "    storage:",
            "      traces: memstore",
            "    http:",
            "      endpoint: " + LOOPBACK + ":" + queryHttpPort,
            "    grpc:",
            "      endpoint: " + LOOPBACK + ":" + queryGrpcPort,
            "receivers:",
            "  otlp:",
            "    protocols:",
            "      grpc:",
            "        endpoint: " + LOOPBACK + ":" + otlpGrpcPort,
            "      http:",
            "        endpoint: " + LOOPBACK + ":" + otlpHttpPort,
            "exporters:",
            "  jaeger_storage_exporter:",
            "    trace_storage: memstore",
            "");
    try {
      Files.writeString(configFile, config, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the Jaeger config " + configFile, e);
    }
  }

  /**
   * Starts the process and waits for its ports; returns the failure when a port was taken, so that
   * {@link #start()} can try others, and empty once Jaeger is up.
   */
  private Optional<String> launch() {
    long logStart = logSize();
    ProcessBuilder builder =
        new ProcessBuilder(binary.toString(), "--config", configFile.toString())
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    Process started;
    try {
      started = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run Jaeger " + binary + ": " + e.getMessage(), e);
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
                      || (LocalProcesses.accepts(otlpGrpcPort)
                          && LocalProcesses.accepts(otlpHttpPort)
                          && LocalProcesses.accepts(queryHttpPort)));
    } catch (ConditionTimeoutException e) {
      LocalProcesses.terminate(started);
      process = null;
      throw new IllegalStateException(
          "Jaeger did not open its ports within "
              + START_TIMEOUT.toSeconds()
              + " s; config "
              + configFile
              + ", "
              + logTail());
    }
    if (started.isAlive()) {
      return Optional.empty();
    }
    process = null;
    String failure =
        "Jaeger exited with code "
            + started.exitValue()
            + " while starting; config "
            + configFile
            + ", "
            + logTail();
    if (logSince(logStart).contains("address already in use")) {
      return Optional.of(failure);
    }
    throw new IllegalStateException(failure);
  }

  private void killForShutdown() {
    Process current = process;
    if (current != null) {
      current.destroyForcibly();
    }
  }

  private long logSize() {
    try {
      return Files.exists(logFile) ? Files.size(logFile) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Jaeger log " + logFile, e);
    }
  }

  private String logSince(long offset) {
    String log = log();
    return log.substring((int) Math.min(offset, log.length()));
  }

  private String logTail() {
    String log = log();
    String tail =
        log.length() <= LOG_TAIL_CHARS ? log : "..." + log.substring(log.length() - LOG_TAIL_CHARS);
    return "Jaeger log " + logFile + ":\n" + tail;
  }

  /**
   * Disables a test class or method, with the reason, when the Jaeger binary does not exist:
   * {@code @ExtendWith(JaegerBackend.IfAvailable.class)}. Under {@code CI=true} a missing binary
   * fails instead, since CI runs {@code scripts/test.sh}, which builds it first. Evaluated before
   * {@code @BeforeAll}. Stateless and thread-safe.
   */
  static final class IfAvailable implements ExecutionCondition {

    /** Creates the condition; JUnit does this. */
    IfAvailable() {}

    /** Enabled when the binary exists, otherwise disabled with what to do about it. */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      JaegerBinary binary = JaegerBinary.locate();
      if (!binary.isAvailable() && "true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("CI=true but " + binary.unavailableMessage());
      }
      return binary.isAvailable()
          ? ConditionEvaluationResult.enabled("Jaeger at " + binary)
          : ConditionEvaluationResult.disabled(binary.unavailableMessage());
    }
  }
}
