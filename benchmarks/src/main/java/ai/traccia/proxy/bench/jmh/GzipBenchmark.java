/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.bench.jmh;

import ai.traccia.proxy.bench.RequestFactory;
import ai.traccia.proxy.codec.FastGzip;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * gzip of one 1,000-span request as the exporters compress it, for plain spans only, the default
 * mix (20% LLM spans with prompts and completions) and LLM spans only: the CPU per byte of the
 * proxy's largest single cost. Setup prints each request's size and its gzip size, since a faster
 * encoder that compresses less only moves the cost to the network.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar GzipBenchmark
 * </pre>
 */
public class GzipBenchmark extends Defaults {

  /** The share of LLM spans: 0.0 plain spans, 0.2 the default mix, 1.0 LLM spans only. */
  @Param({"0.0", "0.2", "1.0"})
  double llmFraction;

  private byte[] encoded;

  @Setup
  public void setUp() {
    encoded = RequestFactory.create(7, llmFraction).request(1_000).toByteArray();
    System.out.printf(
        "%nllmFraction %s: %,d bytes, gzip %,d bytes%n",
        llmFraction, encoded.length, FastGzip.compress(encoded).length);
  }

  @Benchmark
  public byte[] gzip() {
    return FastGzip.compress(encoded);
  }
}
