/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * gzip for both OTLP exporters, with {@link DeflateEncoder} doing the compression. The gRPC
 * exporter reaches it through a {@code io.grpc.Compressor} of its own, so this module needs no
 * gRPC.
 *
 * <p>A proxy compresses every byte it forwards, so compression is one of its largest CPU costs.
 * {@code DeflateEncoder} takes about 40% of the CPU of zlib's fastest level on OTLP payloads, for
 * output about as small. The output is ordinary gzip; every backend reads it.
 */
public final class FastGzip {

  /**
   * Writes up to this size are gathered before being compressed; larger ones are compressed in
   * pieces of up to {@link #MAX_PIECE} straight from the caller's array. Pieces do not refer to
   * each other, so each one starts without history: a few hundred bytes of output per piece.
   */
  private static final int MIN_PIECE = 64 * 1024;

  private static final int MAX_PIECE = 512 * 1024;

  /** One encoder per thread, taken while a stream is open, so its tables are allocated once. */
  private static final ThreadLocal<DeflateEncoder> ENCODERS = new ThreadLocal<>();

  private static final byte[] HEADER = {
    0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff // deflate, no flags, no mtime, unknown OS
  };

  private FastGzip() {}

  /**
   * A stream that writes what it is given to {@code os} as one gzip member; closing it finishes the
   * member and closes {@code os}. Streams open at once on one thread each have their encoder.
   */
  public static OutputStream stream(OutputStream os) throws IOException {
    return new GzipStream(os);
  }

  /** {@code body} gzip-compressed, for OTLP/HTTP (and the benchmarks). */
  public static byte[] compress(byte[] body) {
    return compress(body.length, out -> out.write(body));
  }

  /**
   * What {@code body} writes, about {@code size} bytes, gzip-compressed: for a body in several
   * arrays, compressed as it is written rather than joined first.
   */
  public static byte[] compress(int size, Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, size / 4));
    try (OutputStream gzip = new GzipStream(out)) {
      body.writeTo(gzip);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // Writing to memory does not fail.
    }
    return out.toByteArray();
  }

  /** Writes a body to be compressed. */
  @FunctionalInterface
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /** A gzip member (RFC 1952) written to {@code out} as the data arrives. */
  private static final class GzipStream extends OutputStream {
    private final OutputStream out;
    private final CRC32 crc = new CRC32();
    private DeflateEncoder encoder;
    private byte[] gathered;
    private int gatheredLength;
    private long size;

    GzipStream(OutputStream out) throws IOException {
      this.out = out;
      DeflateEncoder cached = ENCODERS.get();
      if (cached != null) {
        ENCODERS.remove();
        encoder = cached;
      } else {
        encoder = new DeflateEncoder();
      }
      encoder.reset();
      out.write(HEADER);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      ensureOpen();
      crc.update(b, off, len);
      size += len;
      if (len < MIN_PIECE) {
        if (gathered == null) {
          gathered = new byte[MIN_PIECE];
        }
        if (gatheredLength + len > MIN_PIECE) {
          compressGathered();
        }
        System.arraycopy(b, off, gathered, gatheredLength, len);
        gatheredLength += len;
        return;
      }
      compressGathered();
      for (int end = off + len; off < end; ) {
        int n = Math.min(MAX_PIECE, end - off);
        encoder.compress(b, off, n);
        off += n;
        drain();
      }
    }

    @Override
    public void close() throws IOException {
      if (encoder == null) {
        return;
      }
      try {
        compressGathered();
        encoder.finish();
        drain();
        byte[] trailer = new byte[8];
        int value = (int) crc.getValue();
        for (int i = 0; i < 4; i++) {
          trailer[i] = (byte) (value >>> (8 * i));
          trailer[4 + i] = (byte) (size >>> (8 * i));
        }
        out.write(trailer);
      } finally {
        ENCODERS.set(encoder);
        encoder = null;
        out.close();
      }
    }

    private void compressGathered() throws IOException {
      if (gatheredLength > 0) {
        encoder.compress(gathered, 0, gatheredLength);
        gatheredLength = 0;
        drain();
      }
    }

    private void drain() throws IOException {
      out.write(encoder.buffer(), 0, encoder.size());
      encoder.drain();
    }

    private void ensureOpen() throws IOException {
      if (encoder == null) {
        throw new IOException("gzip stream closed");
      }
    }
  }
}
