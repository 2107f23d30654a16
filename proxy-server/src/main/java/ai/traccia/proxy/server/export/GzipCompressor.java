/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import ai.traccia.proxy.codec.FastGzip;
import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import java.io.IOException;
import java.io.OutputStream;

/**
 * {@link FastGzip} as grpc-java's {@code gzip} compressor, for the OTLP/gRPC exporter's channels.
 * Kept here so that the codec module does not depend on gRPC.
 */
final class GzipCompressor implements Compressor {

  static final GzipCompressor INSTANCE = new GzipCompressor();

  private GzipCompressor() {}

  @Override
  public String getMessageEncoding() {
    return "gzip";
  }

  @Override
  public OutputStream compress(OutputStream os) throws IOException {
    return FastGzip.stream(os);
  }

  /** A registry where {@code gzip} means this compressor, for gRPC channels. */
  static CompressorRegistry registry() {
    CompressorRegistry registry = CompressorRegistry.newEmptyInstance();
    registry.register(INSTANCE);
    return registry;
  }
}
