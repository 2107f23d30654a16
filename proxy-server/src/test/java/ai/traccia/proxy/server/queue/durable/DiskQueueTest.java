/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.queue.durable;

import static org.assertj.core.api.Assertions.assertThat;

import ai.traccia.proxy.server.TestData;
import ai.traccia.proxy.server.export.ExportRequest;
import ai.traccia.proxy.server.export.Signal;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class DiskQueueTest {

  @TempDir Path dir;
  private final AtomicInteger fsyncs = new AtomicInteger();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(DiskQueue.class);
  private DiskQueue queue;

  @BeforeEach
  void captureLog() {
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void close() {
    logger.detachAppender(log);
    if (queue != null) {
      queue.close();
    }
  }

  private DiskQueue open(long segmentBytes) throws IOException {
    queue = DiskQueue.open(dir, 1 << 20, segmentBytes, nanos -> fsyncs.incrementAndGet());
    return queue;
  }

  private static ExportRequest spans(int count) {
    return ExportRequest.of(Signal.TRACES, TestData.traces(count).toByteArray(), count);
  }

  private void append(ExportRequest request) throws IOException {
    assertThat(queue.tryReserve(DiskQueue.recordBytes(request))).isTrue();
    queue.append(request);
  }

  private List<ExportRequest> drain() {
    List<ExportRequest> out = new ArrayList<>();
    for (DiskQueue.Entry e = queue.poll(); e != null; e = queue.poll()) {
      out.add(e.request());
    }
    return out;
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".log"))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  private List<String> warnings() {
    return log.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains("corrupt") || m.contains("damaged"))
        .collect(Collectors.toList());
  }

  @Test
  void append_isReadBackAndFsyncedBeforeItReturns() throws Exception {
    open(1 << 16);
    ExportRequest request = spans(3);

    append(request);

    assertThat(fsyncs.get()).isEqualTo(1);
    DiskQueue.Entry e = queue.poll(1, TimeUnit.SECONDS);
    assertThat(e.request().body()).isEqualTo(request.body());
    assertThat(e.request().itemCount()).isEqualTo(3);
    assertThat(e.request().signal()).isEqualTo(Signal.TRACES);
    assertThat(queue.isEmpty()).isTrue();
  }

  @Test
  void open_replaysWhatAnEarlierRunLeft() throws Exception {
    open(1 << 16);
    ExportRequest a = spans(2);
    ExportRequest b = ExportRequest.of(Signal.LOGS, TestData.logs(4).toByteArray(), 4);
    append(a);
    append(b);
    queue.close();

    open(1 << 16);

    assertThat(queue.replayedRecords()).isEqualTo(2);
    assertThat(queue.replayedItems()).isEqualTo(6);
    assertThat(queue.usedBytes()).isEqualTo(DiskQueue.recordBytes(a) + DiskQueue.recordBytes(b));
    List<ExportRequest> replayed = drain();
    assertThat(replayed)
        .extracting(ExportRequest::signal)
        .containsExactly(Signal.TRACES, Signal.LOGS);
    assertThat(replayed.get(1).body()).isEqualTo(b.body());
  }

  @Test
  void complete_deletesSegmentsOnceEveryRecordIsExported() throws Exception {
    ExportRequest request = spans(1);
    // Two records per segment.
    open(DiskQueue.HEADER_BYTES + 2 * DiskQueue.recordBytes(request));
    for (int i = 0; i < 5; i++) {
      append(request);
    }
    assertThat(segments()).hasSize(3);

    List<DiskQueue.Entry> taken = new ArrayList<>();
    for (DiskQueue.Entry e = queue.poll(); e != null; e = queue.poll()) {
      taken.add(e);
    }
    for (DiskQueue.Entry e : taken) {
      queue.complete(e);
    }

    // The full segments are gone; the active one stays until it fills.
    assertThat(segments()).hasSize(1);
    assertThat(queue.usedBytes()).isZero();
    queue.close();
    // Its record is noted as exported: not sent again, and the segment is deleted.
    open(1 << 16);
    assertThat(queue.replayedRecords()).isZero();
    assertThat(segments()).hasSize(1);
  }

  @Test
  void open_sendsAgainOnlyWhatWasNotNotedAsExported() throws Exception {
    open(1 << 16);
    for (int i = 1; i <= 3; i++) {
      append(spans(i));
    }
    queue.complete(queue.poll());
    DiskQueue.Entry second = queue.poll();
    DiskQueue.Entry third = queue.poll();
    queue.complete(third);
    queue.close();

    open(1 << 16);

    assertThat(queue.replayedRecords()).isEqualTo(1);
    assertThat(drain()).extracting(ExportRequest::itemCount).containsExactly(2);
    assertThat(second.request().itemCount()).isEqualTo(2);
  }

  @Test
  void open_aNoteCutShortMeansTheRecordIsSentAgain() throws Exception {
    open(1 << 16);
    append(spans(1));
    append(spans(2));
    queue.complete(queue.poll());
    queue.complete(queue.poll());
    queue.close();
    Path acks = dir.resolve(segments().get(0).getFileName().toString().replace(".log", ".ack"));
    try (FileChannel ch = FileChannel.open(acks, StandardOpenOption.WRITE)) {
      ch.truncate(12);
    }

    open(1 << 16);

    assertThat(drain()).extracting(ExportRequest::itemCount).containsExactly(2);
  }

  @Test
  void complete_replacesAnExportedActiveSegmentEarlyOnceItIsLargeEnough() throws Exception {
    open(1 << 20);
    ExportRequest large =
        ExportRequest.of(Signal.LOGS, new byte[(int) DiskQueue.EARLY_ROTATION_BYTES], 1);
    append(large);

    queue.complete(queue.poll());

    assertThat(segments()).hasSize(1);
    assertThat(Files.size(segments().get(0))).isEqualTo(DiskQueue.HEADER_BYTES);
    queue.close();
    open(1 << 20);
    assertThat(queue.replayedRecords()).isZero();
  }

  @Test
  void tryReserve_refusesPastMaxBytesUntilCompleted() throws Exception {
    ExportRequest request = spans(1);
    long bytes = DiskQueue.recordBytes(request);
    queue = DiskQueue.open(dir, 2 * bytes, 1 << 16, nanos -> {});

    append(request);
    append(request);
    assertThat(queue.tryReserve(bytes)).isFalse();

    queue.complete(queue.poll());
    assertThat(queue.tryReserve(bytes)).isTrue();
    queue.release(bytes);
  }

  @Test
  void open_skipsFromTheFirstCorruptRecordAndLogsIt() throws Exception {
    open(1 << 16);
    ExportRequest request = spans(1);
    for (int i = 0; i < 3; i++) {
      append(request);
    }
    queue.close();
    Path segment = segments().get(0);
    long second = DiskQueue.HEADER_BYTES + DiskQueue.recordBytes(request);
    flipByte(segment, second + DiskQueue.RECORD_OVERHEAD + 10);

    open(1 << 16);

    assertThat(queue.replayedRecords()).isEqualTo(1);
    assertThat(drain()).extracting(ExportRequest::body).containsExactly(request.body());
    assertThat(warnings())
        .containsExactly(
            "Durable queue "
                + dir
                + ": "
                + segment
                + " is corrupt or truncated at byte "
                + second
                + " of "
                + (DiskQueue.HEADER_BYTES + 3 * DiskQueue.recordBytes(request))
                + " (a record's CRC32C checksum does not match); its 1 records before that are"
                + " sent, the rest of the file is skipped");
  }

  @Test
  void open_skipsATruncatedRecord() throws Exception {
    open(1 << 16);
    ExportRequest request = spans(2);
    append(request);
    append(request);
    queue.close();
    Path segment = segments().get(0);
    long size = Files.size(segment);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(size - 7);
    }

    open(1 << 16);

    assertThat(queue.replayedRecords()).isEqualTo(1);
    assertThat(queue.replayedItems()).isEqualTo(2);
    assertThat(warnings()).hasSize(1);
    assertThat(warnings().get(0)).contains("does not fit in the file");
    // New records go to a new segment; the damaged one is deleted once its good record is done.
    append(request);
    List<DiskQueue.Entry> taken = new ArrayList<>();
    for (DiskQueue.Entry e = queue.poll(); e != null; e = queue.poll()) {
      taken.add(e);
    }
    assertThat(taken).hasSize(2);
    taken.forEach(queue::complete);
    assertThat(segments()).hasSize(1).doesNotContain(segment);
  }

  /**
   * Small records of every signal, one with an empty body, so that a segment of a few hundred bytes
   * can be damaged at every offset quickly.
   */
  private static List<ExportRequest> smallRecords() {
    List<ExportRequest> records = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      byte[] body = ("record " + i + " " + "x".repeat(i * 7)).getBytes(StandardCharsets.UTF_8);
      records.add(
          ExportRequest.of(
              Signal.values()[i % Signal.values().length], i == 3 ? new byte[0] : body, i));
    }
    return records;
  }

  /** Writes {@code records} into one segment and returns a copy of its bytes. */
  private byte[] segmentHolding(List<ExportRequest> records) throws IOException {
    open(1 << 16);
    for (ExportRequest record : records) {
      append(record);
    }
    queue.close();
    queue = null;
    List<Path> written = segments();
    assertThat(written).hasSize(1);
    return Files.readAllBytes(written.get(0));
  }

  /** Where each record ends in the segment. */
  private static long[] recordEnds(List<ExportRequest> records) {
    long[] ends = new long[records.size()];
    long end = DiskQueue.HEADER_BYTES;
    for (int k = 0; k < records.size(); k++) {
      end += DiskQueue.recordBytes(records.get(k));
      ends[k] = end;
    }
    return ends;
  }

  /**
   * Opens a queue in a clean {@code damaged} directory holding only {@code segment}, checks that it
   * replays exactly the first {@code expected} of {@code records} in order, and returns the
   * warnings it logged.
   */
  private List<String> recoverFrom(
      Path damaged, byte[] segment, List<ExportRequest> records, int expected, String what)
      throws IOException {
    if (Files.exists(damaged)) {
      try (Stream<Path> files = Files.list(damaged)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.delete(f);
        }
      }
    }
    Files.createDirectories(damaged);
    Files.write(damaged.resolve("segment-00000000000000000000.log"), segment);
    log.list.clear();
    try (DiskQueue recovered = DiskQueue.open(damaged, 1 << 20, 1 << 16, nanos -> {})) {
      List<ExportRequest> out = new ArrayList<>();
      for (DiskQueue.Entry e = recovered.poll(); e != null; e = recovered.poll()) {
        out.add(e.request());
      }
      assertThat(recovered.replayedRecords()).as(what).isEqualTo(expected);
      assertThat(recovered.replayedItems())
          .as(what)
          .isEqualTo(
              records.subList(0, expected).stream().mapToLong(ExportRequest::itemCount).sum());
      assertThat(out).as(what).hasSize(expected);
      for (int k = 0; k < expected; k++) {
        assertThat(out.get(k).signal()).as(what).isEqualTo(records.get(k).signal());
        assertThat(out.get(k).itemCount()).as(what).isEqualTo(records.get(k).itemCount());
        assertThat(out.get(k).body()).as(what).isEqualTo(records.get(k).body());
      }
      // The queue is usable after any damage: a new record comes after what was recovered.
      ExportRequest next = ExportRequest.of(Signal.LOGS, new byte[] {42}, 1);
      assertThat(recovered.tryReserve(DiskQueue.recordBytes(next))).as(what).isTrue();
      recovered.append(next);
      DiskQueue.Entry appended = recovered.poll();
      assertThat(appended).as(what).isNotNull();
      assertThat(appended.request().body()).as(what).isEqualTo(next.body());
    }
    return warnings();
  }

  @Test
  void open_recoversTheRecordsBeforeEveryTruncationOffset() throws Exception {
    List<ExportRequest> records = smallRecords();
    byte[] segment = segmentHolding(records);
    long[] ends = recordEnds(records);
    assertThat(segment.length).isEqualTo((int) ends[ends.length - 1]).isLessThan(400);
    Path damaged = dir.resolve("damaged");

    for (int cut = 0; cut <= segment.length; cut++) {
      String what = "cut at byte " + cut + " of " + segment.length;
      int whole = 0;
      while (whole < ends.length && ends[whole] <= cut) {
        whole++;
      }
      long lastGoodEnd = whole == 0 ? DiskQueue.HEADER_BYTES : ends[whole - 1];

      List<String> warnings =
          recoverFrom(damaged, Arrays.copyOf(segment, cut), records, whole, what);

      if (cut < DiskQueue.HEADER_BYTES) {
        assertThat(warnings).as(what).singleElement().asString().contains("header is damaged");
        assertThat(damaged.resolve("segment-00000000000000000000.log.corrupt")).as(what).exists();
      } else if (cut == lastGoodEnd) {
        // Cut between records: nothing is damaged, so nothing is said.
        assertThat(warnings).as(what).isEmpty();
      } else {
        assertThat(warnings)
            .as(what)
            .singleElement()
            .asString()
            .contains("is corrupt or truncated at byte " + lastGoodEnd + " of " + cut + " (")
            .contains("its " + whole + " records before that are sent");
      }
    }
  }

  @Test
  void open_recoversTheRecordsBeforeAByteFlippedAtEveryOffset() throws Exception {
    List<ExportRequest> records = smallRecords();
    byte[] segment = segmentHolding(records);
    long[] ends = recordEnds(records);
    Path damaged = dir.resolve("damaged");

    for (int at = 0; at < segment.length; at++) {
      String what = "byte " + at + " of " + segment.length + " flipped";
      int before = 0;
      while (before < ends.length && ends[before] <= at) {
        before++;
      }
      byte[] copy = segment.clone();
      copy[at] ^= (byte) 0xFF;

      List<String> warnings =
          recoverFrom(damaged, copy, records, at < DiskQueue.HEADER_BYTES ? 0 : before, what);

      if (at < DiskQueue.HEADER_BYTES) {
        assertThat(warnings).as(what).singleElement().asString().contains("header is damaged");
      } else {
        long damagedStart = before == 0 ? DiskQueue.HEADER_BYTES : ends[before - 1];
        assertThat(warnings)
            .as(what)
            .singleElement()
            .asString()
            .contains(
                "is corrupt or truncated at byte " + damagedStart + " of " + segment.length + " (")
            .contains(
                "its "
                    + before
                    + " records before that are sent, the rest of the file is"
                    + " skipped");
      }
    }
  }

  @Test
  void open_setsAsideAFileWithADamagedHeader() throws Exception {
    Path bogus = dir.resolve("segment-00000000000000000007.log");
    Files.write(bogus, new byte[] {1, 2, 3});

    open(1 << 16);

    assertThat(queue.replayedRecords()).isZero();
    assertThat(Files.exists(dir.resolve("segment-00000000000000000007.log.corrupt"))).isTrue();
    assertThat(warnings())
        .containsExactly(
            "Durable queue "
                + dir
                + ": "
                + bogus
                + " (3 bytes) is not a queue segment or its header is damaged; it is renamed to"
                + " segment-00000000000000000007.log.corrupt and skipped");
    append(spans(1));
    assertThat(drain()).hasSize(1);
  }

  @Test
  void append_groupsFsyncsOfConcurrentWriters() throws Exception {
    open(1 << 20);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> writes = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        writes.add(
            pool.submit(
                () -> {
                  append(spans(1));
                  return null;
                }));
      }
      for (Future<?> f : writes) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(drain()).hasSize(400);
    assertThat(fsyncs.get()).isBetween(1, 400);
  }

  private static void flipByte(Path file, long position) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, position);
      b.put(0, (byte) (b.get(0) ^ 0xFF));
      b.rewind();
      ch.write(b, position);
    }
  }
}
