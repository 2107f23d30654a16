/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * gzip at {@link Deflater#BEST_SPEED}, for both OTLP exporters.
 *
 * <p>A proxy compresses every byte it forwards, so compression is one of its largest CPU costs.
 * Level 1 is several times faster than the default level 6 and keeps most of the size reduction on
 * OTLP payloads, whose attribute keys and values repeat heavily. The output is ordinary gzip; every
 * backend reads it.
 */
final class FastGzip implements Compressor {

  static final FastGzip INSTANCE = new FastGzip();

  private FastGzip() {}

  @Override
  public String getMessageEncoding() {
    return "gzip";
  }

  @Override
  public OutputStream compress(OutputStream os) throws IOException {
    return new FastGzipOutputStream(os);
  }

  /** A registry where {@code gzip} means this compressor, for gRPC channels. */
  static CompressorRegistry registry() {
    CompressorRegistry registry = CompressorRegistry.newEmptyInstance();
    registry.register(INSTANCE);
    return registry;
  }

  /** {@code body} gzip-compressed, for OTLP/HTTP. */
  static byte[] compress(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 4));
    try (OutputStream gzip = new FastGzipOutputStream(out)) {
      gzip.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // Writing to memory does not fail.
    }
    return out.toByteArray();
  }

  private static final class FastGzipOutputStream extends GZIPOutputStream {
    FastGzipOutputStream(OutputStream out) throws IOException {
      super(out, 8192);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }
}
