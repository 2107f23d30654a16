/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.traccia.proxy.codec.OtlpJson;
import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileExporterTest extends ExporterContract {

  @Override
  protected Exporter newExporter() {
    return FileExporter.builder().setPath(dir.resolve("contract.jsonl")).build();
  }

  @Override
  protected boolean decodesBodies() {
    return true;
  }

  @Override
  protected void assertDestinationHolds(List<ExportRequest> sent) throws Exception {
    Path file = dir.resolve("contract.jsonl");
    List<String> lines = Files.exists(file) ? Files.readAllLines(file, UTF_8) : List.of();
    assertThat(lines).hasSameSizeAs(sent);
    for (int i = 0; i < sent.size(); i++) {
      byte[] line = lines.get(i).getBytes(UTF_8);
      Message written;
      switch (sent.get(i).signal()) {
        case TRACES:
          written = OtlpJson.parseTraces(line);
          break;
        case METRICS:
          written = OtlpJson.parseMetrics(line);
          break;
        default:
          written = OtlpJson.parseLogs(line);
      }
      assertThat(written.toByteArray()).as("line %d", i).isEqualTo(sent.get(i).body());
    }
  }

  @TempDir Path dir;

  private static ExportResult export(FileExporter exporter, ExportRequest request)
      throws Exception {
    return exporter.export(request).get(10, TimeUnit.SECONDS);
  }

  @Test
  void export_writesOneOtlpJsonLinePerRequest_thatParsesBackToTheRequest() throws Exception {
    Path file = dir.resolve("nested/dirs/traces.jsonl");
    FileExporter exporter = FileExporter.builder().setPath(file).build();

    assertThat(export(exporter, TestRequests.traceRequest("a", 2)))
        .isSameAs(ExportResult.success());
    assertThat(export(exporter, TestRequests.metricsRequest())).isSameAs(ExportResult.success());
    assertThat(export(exporter, TestRequests.logsRequest())).isSameAs(ExportResult.success());
    exporter.shutdown().get(10, TimeUnit.SECONDS);

    List<String> lines = Files.readAllLines(file, UTF_8);
    assertThat(lines).hasSize(3);
    assertThat(OtlpJson.parseTraces(lines.get(0).getBytes(UTF_8)))
        .isEqualTo(TestRequests.traces("a", 2));
    assertThat(OtlpJson.parseMetrics(lines.get(1).getBytes(UTF_8)))
        .isEqualTo(TestRequests.metrics());
    assertThat(OtlpJson.parseLogs(lines.get(2).getBytes(UTF_8))).isEqualTo(TestRequests.logs());
    // Ids are hex, as the Collector writes them; the log body's line break is escaped.
    assertThat(lines.get(0)).contains("\"traceId\":\"" + TestRequests.TRACE_ID + "\"");
    assertThat(lines.get(2)).contains("\"stringValue\":\"hello\\nworld\"");
  }

  @Test
  void export_linesAreFlushedBeforeTheFutureCompletes() throws Exception {
    Path file = dir.resolve("traces.jsonl");
    FileExporter exporter = FileExporter.builder().setPath(file).build();

    export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(Files.readAllLines(file, UTF_8)).hasSize(1);
    exporter.shutdown().get(10, TimeUnit.SECONDS);
  }

  @Test
  void export_concurrentRequestsDoNotInterleave() throws Exception {
    Path file = dir.resolve("traces.jsonl");
    FileExporter exporter = FileExporter.builder().setPath(file).build();
    ExecutorService callers = Executors.newFixedThreadPool(8);
    List<Future<CompletableFuture<ExportResult>>> submitted = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      for (int i = 0; i < 25; i++) {
        int request = i;
        // Requests of different sizes, so a torn write would show as a broken line.
        submitted.add(
            callers.submit(
                () ->
                    exporter.export(
                        TestRequests.traceRequest("t" + thread + "r" + request, 1 + request % 7))));
      }
    }
    for (Future<CompletableFuture<ExportResult>> future : submitted) {
      assertThat(future.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS))
          .isSameAs(ExportResult.success());
    }
    callers.shutdown();
    exporter.shutdown().get(10, TimeUnit.SECONDS);

    List<String> lines = Files.readAllLines(file, UTF_8);
    assertThat(lines).hasSize(200);
    Set<String> prefixes = new HashSet<>();
    for (String line : lines) {
      ExportTraceServiceRequest parsed = OtlpJson.parseTraces(line.getBytes(UTF_8));
      String name = parsed.getResourceSpans(0).getScopeSpans(0).getSpans(0).getName();
      prefixes.add(name.substring(0, name.lastIndexOf('-')));
    }
    assertThat(prefixes).hasSize(200);
  }

  @Test
  void build_appendsByDefault_andResetEmptiesTheFile() throws Exception {
    Path file = dir.resolve("traces.jsonl");
    Files.writeString(file, "earlier line\n", UTF_8);

    FileExporter appending = FileExporter.builder().setPath(file).build();
    export(appending, TestRequests.traceRequest("a", 1));
    appending.shutdown().get(10, TimeUnit.SECONDS);
    assertThat(Files.readAllLines(file, UTF_8)).hasSize(2).first().isEqualTo("earlier line");

    FileExporter resetting = FileExporter.builder().setPath(file).setReset(true).build();
    assertThat(Files.readString(file, UTF_8)).isEmpty();
    export(resetting, TestRequests.traceRequest("b", 1));
    resetting.shutdown().get(10, TimeUnit.SECONDS);
    assertThat(Files.readAllLines(file, UTF_8)).hasSize(1);
  }

  @Test
  void export_failingWrite_isPermanentWithThePathAndTheSystemError() throws Exception {
    Path full = Path.of("/dev/full");
    assumeTrue(Files.isWritable(full), "needs /dev/full (Linux)");
    FileExporter exporter = FileExporter.builder().setPath(full).build();

    ExportResult result = export(exporter, TestRequests.traceRequest("a", 1));

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.PERMANENT);
    assertThat(result.message())
        .isEqualTo(
            "cannot write to /dev/full: No space left on device; check free disk space and the"
                + " file's permissions");
    exporter.shutdown().get(10, TimeUnit.SECONDS);
  }

  @Test
  void export_invalidProtobuf_isPermanent() throws Exception {
    Path file = dir.resolve("traces.jsonl");
    FileExporter exporter = FileExporter.builder().setPath(file).build();

    ExportResult result =
        export(exporter, ExportRequest.of(Signal.TRACES, new byte[] {(byte) 0x0a, 0x05, 1}, 1));

    assertThat(result.outcome()).isEqualTo(ExportResult.Outcome.PERMANENT);
    assertThat(result.message())
        .startsWith(
            "cannot write ExportRequest{traces, 1 spans, 3 bytes} to "
                + file
                + ": it is not valid protobuf: ");
    exporter.shutdown().get(10, TimeUnit.SECONDS);
    assertThat(Files.readString(file, UTF_8)).isEmpty();
  }

  @Test
  void build_unwritablePath_failsWithTheReason() throws Exception {
    Path blocker = dir.resolve("a-file");
    Files.writeString(blocker, "x");
    Path file = blocker.resolve("traces.jsonl");

    assertThatThrownBy(() -> FileExporter.builder().setPath(file).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "path: "
                + file
                + " cannot be opened for writing (a file is in the way of "
                + blocker
                + "); check that its directory can be created and written to");
    assertThatThrownBy(() -> FileExporter.builder().build())
        .hasMessage("path: not set (expected: the file to write, such as traces.jsonl)");
  }

  @Test
  void shutdown_writesWhatIsQueuedAndIsIdempotent() throws Exception {
    Path file = dir.resolve("traces.jsonl");
    FileExporter exporter = FileExporter.builder().setPath(file).setName("jsonl").build();
    List<CompletableFuture<ExportResult>> queued = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      queued.add(exporter.export(TestRequests.traceRequest("q" + i, 2)));
    }

    CompletableFuture<Void> shutdown = exporter.shutdown();

    assertThat(shutdown).succeedsWithin(Duration.ofSeconds(10));
    assertThat(exporter.shutdown()).isSameAs(shutdown);
    for (CompletableFuture<ExportResult> future : queued) {
      assertThat(future).isCompletedWithValue(ExportResult.success());
    }
    assertThat(Files.readAllLines(file, UTF_8)).hasSize(20);
    ExportResult refused = export(exporter, TestRequests.traceRequest("late", 1));
    assertThat(refused.message())
        .isEqualTo("jsonl exporter to " + file + " is shut down; the request was not written");
  }
}
