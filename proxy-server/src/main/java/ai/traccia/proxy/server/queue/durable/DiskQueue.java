/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.queue.durable;

import ai.traccia.proxy.server.export.ExportRequest;
import ai.traccia.proxy.server.export.Signal;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exporter's queue kept on disk, so that what a client was told is accepted survives a crash.
 *
 * <p>Design. Records are appended to segment files ({@code segment-<n>.log}, a header then records
 * of {@code length, CRC32C, payload}). {@link #append} writes the record and returns only once an
 * fsync covers it, so a record whose append returned is on disk: the loss window for acknowledged
 * records is zero. Fsyncs are grouped: appenders write under a lock and then wait for one fsync
 * thread, which fsyncs everything written so far; what is written while an fsync runs is covered by
 * the next one, so one fsync serves every appender that arrived during the previous one.
 *
 * <p>Only small references (segment, offset, length, item count) are held in memory; {@link #poll}
 * reads a record's bytes from its file when the export worker takes it. {@link #complete} marks a
 * record exported, noting its offset in the segment's {@code .ack} file (not fsynced); a segment
 * that is full and whose records are all complete is deleted, and the active one is replaced early
 * once everything in it is exported and it holds at least {@value #EARLY_ROTATION_BYTES} bytes. On
 * open, every record of a previous run that is not noted as exported is queued again: a record
 * whose export finished just before a crash, or whose note a machine crash lost, is sent twice,
 * never lost. A segment is read up to its first record whose length or checksum is wrong, and the
 * rest of it is skipped with a warning; a segment whose header is unreadable is renamed to {@code
 * .corrupt}. Neither stops the queue from opening.
 *
 * <p>Capacity is counted in record bytes: {@link #tryReserve} refuses room beyond {@code maxBytes}
 * unless the queue is empty. Thread-safe: many appenders, one or more pollers.
 */
public final class DiskQueue implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(DiskQueue.class);

  /** Bytes of a segment header: magic and version. */
  static final int HEADER_BYTES = 8;

  /** Bytes before a record's payload: its length and checksum. */
  static final int RECORD_OVERHEAD = 8;

  /** Bytes of a payload before the request body: the signal and the item count. */
  static final int PAYLOAD_PREFIX = 5;

  /** Size from which a fully exported active segment is replaced before it is full. */
  static final long EARLY_ROTATION_BYTES = 64 * 1024;

  private static final int MAGIC = 0x54525131; // "TRQ1"
  private static final int VERSION = 1;
  private static final String PREFIX = "segment-";
  private static final String SUFFIX = ".log";
  private static final String ACK_SUFFIX = ".ack";

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final LongConsumer fsyncListener;
  private final LinkedBlockingQueue<Entry> ready = new LinkedBlockingQueue<>();
  private final AtomicLong usedBytes = new AtomicLong();
  private final AtomicLong durableSeq = new AtomicLong();
  private final Object writeLock = new Object();
  private final Object syncMonitor = new Object();
  private final Thread syncer;
  // Guarded by syncMonitor.
  private long requestedSeq;
  private long failedThroughSeq;
  private IOException syncFailure;
  private boolean syncStopped;
  private final int replayedRecords;
  private final long replayedItems;
  // Guarded by writeLock.
  private final List<Segment> segments = new ArrayList<>();
  private Segment active;
  private long nextSegmentId;
  private long appendedSeq;
  private boolean closed;

  private DiskQueue(Path dir, long maxBytes, long segmentBytes, LongConsumer fsyncListener)
      throws IOException {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    this.fsyncListener = fsyncListener;
    Files.createDirectories(dir);
    List<Entry> replay = new ArrayList<>();
    long lastId = -1;
    for (Path file : segmentFiles(dir)) {
      long id = segmentId(file);
      lastId = Math.max(lastId, id);
      Segment segment = recover(file, id, replay);
      if (segment != null && segment.completed == segment.records) {
        // Nothing left to send: every record was exported, or none was readable.
        delete(segment);
      } else if (segment != null) {
        segments.add(segment);
      }
    }
    deleteOrphanAckFiles(dir);
    long items = 0;
    for (Entry e : replay) {
      items += e.items;
      usedBytes.addAndGet(e.length);
    }
    ready.addAll(replay);
    this.replayedRecords = replay.size();
    this.replayedItems = items;
    this.nextSegmentId = lastId + 1;
    synchronized (writeLock) {
      this.active = createSegment();
    }
    this.syncer = new Thread(this::syncLoop, "traccia-durable-fsync-" + dir.getFileName());
    syncer.setDaemon(true);
    syncer.start();
    if (!replay.isEmpty()) {
      logger.info(
          "Durable queue {}: {} items in {} records were not exported before the last stop; they"
              + " are sent again now",
          dir,
          items,
          replay.size());
    }
  }

  /**
   * Opens (creating if needed) the queue in {@code dir}, queueing again whatever a previous run
   * left there.
   *
   * @param maxBytes the record bytes held at most
   * @param segmentBytes the size at which a segment is closed and a new one started
   * @param fsyncListener told the duration in nanoseconds of every fsync; must be thread-safe
   * @throws IOException if the directory cannot be created or a new segment written
   */
  public static DiskQueue open(
      Path dir, long maxBytes, long segmentBytes, LongConsumer fsyncListener) throws IOException {
    Objects.requireNonNull(dir, "dir");
    if (maxBytes <= 0) {
      throw new IllegalArgumentException(
          "exporters.durable_queue_max_bytes: " + maxBytes + " (expected: > 0)");
    }
    if (segmentBytes <= HEADER_BYTES) {
      throw new IllegalArgumentException(
          "segmentBytes: " + segmentBytes + " (expected: > " + HEADER_BYTES + ")");
    }
    return new DiskQueue(dir, maxBytes, segmentBytes, Objects.requireNonNull(fsyncListener));
  }

  /** The bytes a record of {@code request} takes on disk, as {@link #tryReserve} counts them. */
  public static long recordBytes(ExportRequest request) {
    return RECORD_OVERHEAD + PAYLOAD_PREFIX + (long) request.size();
  }

  /** The directory of this queue. */
  public Path directory() {
    return dir;
  }

  /** Records queued again from a previous run when the queue was opened. */
  public int replayedRecords() {
    return replayedRecords;
  }

  /** Items of the records queued again when the queue was opened. */
  public long replayedItems() {
    return replayedItems;
  }

  /** Record bytes reserved or held and not yet exported. */
  public long usedBytes() {
    return usedBytes.get();
  }

  /** The capacity in record bytes. */
  public long maxBytes() {
    return maxBytes;
  }

  /**
   * Reserves room for {@code bytes}; false, reserving nothing, when it would exceed the capacity
   * and the queue is not empty. A reservation is followed by {@link #append} or {@link #release}.
   */
  public boolean tryReserve(long bytes) {
    while (true) {
      long current = usedBytes.get();
      if (current > 0 && current + bytes > maxBytes) {
        return false;
      }
      if (usedBytes.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
  }

  /** Gives back a reservation that was not appended. */
  public void release(long bytes) {
    usedBytes.addAndGet(-bytes);
  }

  /**
   * Writes {@code request}, whose {@link #recordBytes} were reserved, and returns once it is on
   * disk (fsynced). Blocks for the write and the grouped fsync. On an exception nothing was queued
   * and the caller still holds the reservation.
   */
  public void append(ExportRequest request) throws IOException {
    byte[] body = request.body();
    int payloadLength = PAYLOAD_PREFIX + body.length;
    ByteBuffer record = ByteBuffer.allocate(RECORD_OVERHEAD + payloadLength);
    record.putInt(payloadLength);
    record.putInt(0); // checksum, filled in below
    record.put((byte) request.signal().ordinal());
    record.putInt(request.itemCount());
    record.put(body);
    CRC32C crc = new CRC32C();
    crc.update(record.array(), RECORD_OVERHEAD, payloadLength);
    record.putInt(4, (int) crc.getValue());
    record.flip();
    Entry entry;
    long seq;
    synchronized (writeLock) {
      if (closed) {
        throw new IOException("the durable queue " + dir + " is closed");
      }
      if (active.size + record.remaining() > segmentBytes && active.records > 0) {
        rotate();
      }
      Segment segment = active;
      long offset = segment.size;
      writeFully(segment.channel, record, offset);
      segment.size += record.limit();
      segment.records++;
      seq = ++appendedSeq;
      entry = new Entry(segment, offset, record.limit(), request.signal(), request.itemCount());
    }
    awaitDurable(seq);
    ready.add(entry);
  }

  /** Takes the next record, waiting up to {@code timeout}; null if none arrived. */
  public Entry poll(long timeout, TimeUnit unit) throws InterruptedException {
    return load(ready.poll(timeout, unit));
  }

  /** Takes the next record if there is one; null otherwise. */
  public Entry poll() {
    return load(ready.poll());
  }

  /** Whether no record is waiting to be taken. */
  public boolean isEmpty() {
    return ready.isEmpty();
  }

  /**
   * Marks {@code entry} exported (or given up); its bytes are freed, and its segment is deleted
   * once it is full and all its records are complete. Idempotent per entry.
   */
  public void complete(Entry entry) {
    synchronized (writeLock) {
      if (entry.completed) {
        return;
      }
      entry.completed = true;
      usedBytes.addAndGet(-entry.length);
      Segment segment = entry.segment;
      segment.completed++;
      if (!closed) {
        remember(segment, entry.offset);
      }
      if (closed || segment.completed != segment.records) {
        return;
      }
      if (segment != active) {
        delete(segment);
      } else if (segment.size >= EARLY_ROTATION_BYTES) {
        // Everything in the active segment is exported: start a new one now rather than when it
        // fills, so that a crash sends little again.
        try {
          rotate();
        } catch (IOException e) {
          logger.debug("Durable queue {}: could not start a new segment early", dir, e);
        }
      }
    }
  }

  /** Closes the files; records not completed stay on disk for the next run. Idempotent. */
  @Override
  public void close() {
    synchronized (writeLock) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        active.channel.force(false);
        durableSeq.accumulateAndGet(appendedSeq, Math::max);
      } catch (IOException e) {
        logger.warn("Durable queue {}: could not fsync {} while closing", dir, active.path, e);
      }
      for (Segment s : segments) {
        closeQuietly(s);
      }
    }
    synchronized (syncMonitor) {
      syncStopped = true;
      syncMonitor.notifyAll();
    }
  }

  /** Waits until an fsync covers record {@code seq}; the fsync thread does the fsyncs. */
  private void awaitDurable(long seq) throws IOException {
    if (durableSeq.get() >= seq) {
      return;
    }
    synchronized (syncMonitor) {
      if (seq > requestedSeq) {
        requestedSeq = seq;
        syncMonitor.notifyAll();
      }
      while (durableSeq.get() < seq) {
        if (failedThroughSeq >= seq) {
          throw new IOException("fsync failed: " + syncFailure.getMessage(), syncFailure);
        }
        if (syncStopped) {
          throw new IOException("the durable queue " + dir + " is closed");
        }
        try {
          syncMonitor.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for an fsync");
        }
      }
    }
  }

  /**
   * The group commit: while one fsync runs, appenders keep writing, and the next fsync covers all
   * of them at once, however many they are.
   */
  private void syncLoop() {
    while (true) {
      synchronized (syncMonitor) {
        while (requestedSeq <= durableSeq.get() && !syncStopped) {
          try {
            syncMonitor.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (syncStopped) {
          return;
        }
      }
      long target;
      FileChannel channel;
      synchronized (writeLock) {
        if (closed) {
          continue;
        }
        target = appendedSeq;
        channel = active.channel;
      }
      // Earlier segments were fsynced when they were rotated out; this one holds the rest.
      long start = System.nanoTime();
      try {
        channel.force(false);
        fsyncListener.accept(System.nanoTime() - start);
        durableSeq.accumulateAndGet(target, Math::max);
      } catch (ClosedChannelException e) {
        // Rotated out meanwhile, which fsynced it: the next round takes the new segment.
      } catch (IOException e) {
        logger.error(
            "Durable queue {}: fsync of {} failed; the requests it covers are refused with a"
                + " retryable answer. Check the disk and its free space.",
            dir,
            channel,
            e);
        synchronized (syncMonitor) {
          failedThroughSeq = Math.max(failedThroughSeq, target);
          syncFailure = e;
        }
      }
      synchronized (syncMonitor) {
        syncMonitor.notifyAll();
      }
    }
  }

  // Called with writeLock held.
  private void rotate() throws IOException {
    Segment old = active;
    old.channel.force(false);
    durableSeq.accumulateAndGet(appendedSeq, Math::max);
    active = createSegment();
    if (old.completed == old.records) {
      delete(old);
    }
  }

  // Called with writeLock held (or from the constructor).
  private Segment createSegment() throws IOException {
    long id = nextSegmentId++;
    Path path = dir.resolve(String.format("%s%020d%s", PREFIX, id, SUFFIX));
    FileChannel channel =
        FileChannel.open(
            path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(VERSION);
    header.flip();
    writeFully(channel, header, 0);
    channel.force(true);
    syncDirectory();
    Segment segment = new Segment(id, path, channel);
    segment.size = HEADER_BYTES;
    segments.add(segment);
    return segment;
  }

  // The new file's directory entry must survive a crash too, or its records could vanish with it.
  private void syncDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory for fsync; the file itself is fsynced.
      logger.debug("Durable queue {}: could not fsync the directory", dir, e);
    }
  }

  // Called with writeLock held.
  /**
   * Notes in the segment's {@code .ack} file that the record at {@code offset} is exported, so a
   * restart does not send it again. Not fsynced: a note lost in a machine crash only means the
   * record is sent twice. Called with writeLock held.
   */
  private void remember(Segment segment, long offset) {
    try {
      if (segment.acks == null) {
        segment.acks =
            FileChannel.open(
                ackPath(segment.path),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
      }
      ByteBuffer note = ByteBuffer.allocate(8).putLong(offset);
      note.flip();
      while (note.hasRemaining()) {
        segment.acks.write(note);
      }
    } catch (IOException e) {
      logger.debug("Durable queue {}: could not note an exported record", dir, e);
    }
  }

  private static Path ackPath(Path segment) {
    String name = segment.getFileName().toString();
    return segment.resolveSibling(name.substring(0, name.length() - SUFFIX.length()) + ACK_SUFFIX);
  }

  /** The offsets noted as exported in {@code segment}'s {@code .ack} file; empty if none. */
  private Set<Long> exportedOffsets(Path segment) {
    Path acks = ackPath(segment);
    Set<Long> offsets = new HashSet<>();
    if (!Files.exists(acks)) {
      return offsets;
    }
    try {
      ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(acks));
      // A note cut short by a crash is ignored: its record is sent again.
      while (all.remaining() >= 8) {
        offsets.add(all.getLong());
      }
    } catch (IOException e) {
      logger.warn(
          "Durable queue {}: cannot read {}; records exported before the stop may be sent again",
          dir,
          acks,
          e);
    }
    return offsets;
  }

  private void deleteOrphanAckFiles(Path dir) throws IOException {
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, PREFIX + "*" + ACK_SUFFIX)) {
      for (Path acks : stream) {
        String name = acks.getFileName().toString();
        Path segment =
            acks.resolveSibling(name.substring(0, name.length() - ACK_SUFFIX.length()) + SUFFIX);
        if (!Files.exists(segment)) {
          Files.deleteIfExists(acks);
        }
      }
    }
  }

  private void delete(Segment segment) {
    segments.remove(segment);
    closeQuietly(segment);
    try {
      Files.deleteIfExists(ackPath(segment.path));
      Files.deleteIfExists(segment.path);
    } catch (IOException e) {
      logger.warn(
          "Durable queue {}: could not delete the exported segment {}; it will be sent again"
              + " after a restart",
          dir,
          segment.path,
          e);
    }
  }

  private Entry load(Entry entry) {
    if (entry == null) {
      return null;
    }
    // Always read back from the file, never kept from append: a queue of a backend that is down
    // may hold far more than the heap, and only references to it stay in memory.
    ByteBuffer buffer = ByteBuffer.allocate(entry.length);
    try {
      readFully(entry.segment.channel, buffer, entry.offset);
    } catch (IOException e) {
      logger.warn(
          "Durable queue {}: could not read a record of {} items at byte {} of {}; it is skipped",
          dir,
          entry.items,
          entry.offset,
          entry.segment.path,
          e);
      complete(entry);
      return poll();
    }
    byte[] body = new byte[entry.length - RECORD_OVERHEAD - PAYLOAD_PREFIX];
    buffer.position(RECORD_OVERHEAD + PAYLOAD_PREFIX);
    buffer.get(body);
    entry.taken = ExportRequest.of(entry.signal, body, entry.items);
    return entry;
  }

  /**
   * Reads a segment left by an earlier run, queueing its good records into {@code replay}. Returns
   * null when the file was unusable and set aside.
   */
  private Segment recover(Path file, long id, List<Entry> replay) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      logger.warn("Durable queue {}: cannot open {}; it is skipped", dir, file, e);
      return null;
    }
    long size = channel.size();
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    boolean headerOk;
    try {
      readFully(channel, header, 0);
      header.flip();
      headerOk = header.getInt() == MAGIC && header.getInt() == VERSION;
    } catch (EOFException e) {
      headerOk = false;
    }
    if (!headerOk) {
      channel.close();
      Path aside = file.resolveSibling(file.getFileName() + ".corrupt");
      logger.warn(
          "Durable queue {}: {} ({} bytes) is not a queue segment or its header is damaged; it is"
              + " renamed to {} and skipped",
          dir,
          file,
          size,
          aside.getFileName());
      Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      return null;
    }
    Segment segment = new Segment(id, file, channel);
    Set<Long> exported = exportedOffsets(file);
    long offset = HEADER_BYTES;
    ByteBuffer prefix = ByteBuffer.allocate(RECORD_OVERHEAD + PAYLOAD_PREFIX);
    String problem = null;
    while (offset < size) {
      if (size - offset < RECORD_OVERHEAD + PAYLOAD_PREFIX) {
        problem = "a record is cut short";
        break;
      }
      prefix.clear();
      readFully(channel, prefix, offset);
      prefix.flip();
      int payloadLength = prefix.getInt();
      int checksum = prefix.getInt();
      int signalOrdinal = prefix.get();
      int items = prefix.getInt();
      if (payloadLength < PAYLOAD_PREFIX || payloadLength > size - offset - RECORD_OVERHEAD) {
        problem = "a record length of " + payloadLength + " bytes does not fit in the file";
        break;
      }
      if (signalOrdinal < 0 || signalOrdinal >= Signal.values().length || items < 0) {
        problem = "a record has an unknown signal or a negative item count";
        break;
      }
      ByteBuffer payload = ByteBuffer.allocate(payloadLength);
      readFully(channel, payload, offset + RECORD_OVERHEAD);
      CRC32C crc = new CRC32C();
      crc.update(payload.array(), 0, payloadLength);
      if ((int) crc.getValue() != checksum) {
        problem = "a record's CRC32C checksum does not match";
        break;
      }
      int length = RECORD_OVERHEAD + payloadLength;
      segment.records++;
      if (exported.contains(offset)) {
        segment.completed++;
      } else {
        replay.add(new Entry(segment, offset, length, Signal.values()[signalOrdinal], items));
      }
      offset += length;
    }
    segment.size = offset;
    if (problem != null) {
      logger.warn(
          "Durable queue {}: {} is corrupt or truncated at byte {} of {} ({}); its {} records"
              + " before that are sent, the rest of the file is skipped",
          dir,
          file,
          offset,
          size,
          problem,
          segment.records);
    }
    return segment;
  }

  private static List<Path> segmentFiles(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      for (Path p : stream) {
        if (segmentId(p) >= 0) {
          files.add(p);
        }
      }
    }
    Collections.sort(files);
    return files;
  }

  private static long segmentId(Path file) {
    String name = file.getFileName().toString();
    String digits = name.substring(PREFIX.length(), name.length() - SUFFIX.length());
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      at += channel.write(buffer, at);
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        throw new EOFException("end of file at byte " + at);
      }
      at += n;
    }
  }

  private void closeQuietly(Segment segment) {
    try {
      segment.channel.close();
      if (segment.acks != null) {
        segment.acks.close();
      }
    } catch (IOException e) {
      logger.debug("Durable queue {}: closing {} failed", dir, segment.path, e);
    }
  }

  /** One segment file. Fields other than the final ones are guarded by the queue's write lock. */
  static final class Segment {
    final long id;
    final Path path;
    final FileChannel channel;
    long size;
    int records;
    int completed;
    // Opened at the first exported record.
    FileChannel acks;

    Segment(long id, Path path, FileChannel channel) {
      this.id = id;
      this.path = path;
      this.channel = channel;
    }
  }

  /**
   * One queued record. {@link #request()} is valid after {@link #poll}; pass the entry to {@link
   * #complete} when its export has finished.
   */
  public static final class Entry {
    final Segment segment;
    final long offset;
    final int length;
    final Signal signal;
    final int items;
    // Read from the file by poll; confined to the thread that polled the entry.
    ExportRequest taken;
    // Guarded by the queue's write lock.
    boolean completed;

    Entry(Segment segment, long offset, int length, Signal signal, int items) {
      this.segment = segment;
      this.offset = offset;
      this.length = length;
      this.signal = signal;
      this.items = items;
    }

    /** The queued request as read back from disk by {@link #poll}. */
    public ExportRequest request() {
      return taken;
    }

    /** Record bytes on disk. */
    public int length() {
      return length;
    }
  }
}
