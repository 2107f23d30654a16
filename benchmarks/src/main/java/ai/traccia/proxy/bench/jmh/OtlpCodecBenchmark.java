/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.bench.jmh;

import ai.traccia.proxy.bench.RequestFactory;
import ai.traccia.proxy.codec.FastGzip;
import ai.traccia.proxy.codec.OtlpWire;
import ai.traccia.proxy.pipeline.SpanBatch;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Decoding and encoding realistic OTLP trace requests, the floor under every proxy's cost, what the
 * proxy adds to it when no processor changes the request, and gzip of the same bytes as the
 * exporters compress them (and as zlib's fastest level would).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar OtlpCodecBenchmark -prof gc
 * </pre>
 */
public class OtlpCodecBenchmark extends Defaults {

  @Param({"100", "1000"})
  int spans;

  private byte[] encoded;
  private ExportTraceServiceRequest decoded;

  @Setup
  public void setUp() {
    decoded = RequestFactory.create(7).request(spans);
    encoded = decoded.toByteArray();
  }

  @Benchmark
  public ExportTraceServiceRequest decode() throws InvalidProtocolBufferException {
    return ExportTraceServiceRequest.parseFrom(encoded);
  }

  @Benchmark
  public byte[] encode() {
    return decoded.toByteArray();
  }

  @Benchmark
  public byte[] decodeAndEncode() throws InvalidProtocolBufferException {
    return ExportTraceServiceRequest.parseFrom(encoded).toByteArray();
  }

  /** The proxy's pass-through path: decode, index the spans, forward the same bytes. */
  @Benchmark
  public byte[] decodeIndexAndForward() throws InvalidProtocolBufferException {
    return SpanBatch.of(ExportTraceServiceRequest.parseFrom(encoded), encoded).toByteArray();
  }

  /**
   * The check every trace request gets on the wire before anything else reads it ({@link
   * OtlpWire}): what the pass-through path costs beyond copying bytes.
   */
  @Benchmark
  public int wireCheck() throws InvalidProtocolBufferException {
    return OtlpWire.countSpans(encoded);
  }

  /** gzip of the encoded request, as the proxy's exporters compress it. */
  @Benchmark
  public byte[] gzip() {
    return FastGzip.compress(encoded);
  }

  /** gzip of the same bytes with zlib's fastest level, for comparison. */
  @Benchmark
  public byte[] gzipZlibLevel1() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length / 4);
    try (GZIPOutputStream gzip =
        new GZIPOutputStream(out) {
          {
            def.setLevel(Deflater.BEST_SPEED);
          }
        }) {
      gzip.write(encoded);
    }
    return out.toByteArray();
  }
}
