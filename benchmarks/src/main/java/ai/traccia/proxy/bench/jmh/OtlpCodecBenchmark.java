/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.bench.jmh;

import ai.traccia.proxy.bench.RequestFactory;
import ai.traccia.proxy.pipeline.SpanBatch;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding and encoding realistic OTLP trace requests, the floor under every proxy's cost, and what
 * the proxy adds to it when no processor changes the request.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar OtlpCodecBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OtlpCodecBenchmark {

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
}
