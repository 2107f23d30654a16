/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class FastGzipTest {

  private static byte[] otlpLike() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      sb.append("gen_ai.request.model").append("gpt-4o").append(i % 7).append("service.name");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void compress_isOrdinaryGzip() throws Exception {
    byte[] body = otlpLike();

    byte[] compressed = FastGzip.compress(body);

    assertThat(new GZIPInputStream(new ByteArrayInputStream(compressed)).readAllBytes())
        .isEqualTo(body);
    assertThat(compressed.length).isLessThan(body.length / 10);
  }

  @Test
  void compress_ofABodyWrittenInParts_isTheirJoinedBytes() throws Exception {
    byte[] a = otlpLike();
    byte[] b = "a short part".getBytes(StandardCharsets.UTF_8);

    byte[] compressed =
        FastGzip.compress(
            a.length * 2 + b.length,
            out -> {
              out.write(a);
              out.write(b);
              out.write(a);
            });

    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    joined.write(a);
    joined.write(b);
    joined.write(a);
    assertThat(new GZIPInputStream(new ByteArrayInputStream(compressed)).readAllBytes())
        .isEqualTo(joined.toByteArray());
  }

  @Test
  void compress_isAboutAsSmallAsZlibsFastestLevel() throws Exception {
    byte[] body = otlpLike();
    ByteArrayOutputStream level1 = new ByteArrayOutputStream();
    try (OutputStream gz =
        new GZIPOutputStream(level1) {
          {
            def.setLevel(Deflater.BEST_SPEED);
          }
        }) {
      gz.write(body);
    }

    assertThat(FastGzip.compress(body).length).isLessThan(level1.size() * 11 / 10);
  }

  @Test
  void stream_acceptsWritesOfEverySize() throws Exception {
    SplittableRandom random = new SplittableRandom(9);
    byte[] large = new byte[1_500_000]; // more than one piece
    for (int i = 0; i < large.length; i++) {
      large[i] = (byte) ('a' + random.nextInt(random.nextInt(26) + 1));
    }
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gz = FastGzip.stream(out)) {
      for (int i = 0; i < 3_000; i++) {
        gz.write(i);
        expected.write(i);
      }
      for (int i = 0; i < 200; i++) {
        int from = random.nextInt(large.length - 5_000);
        int length = random.nextInt(5_000);
        gz.write(large, from, length);
        expected.write(large, from, length);
      }
      gz.write(large);
      expected.writeBytes(large);
      gz.write(large, 10, 70_000);
      expected.write(large, 10, 70_000);
    }

    assertThat(new GZIPInputStream(new ByteArrayInputStream(out.toByteArray())).readAllBytes())
        .isEqualTo(expected.toByteArray());
  }

  @Test
  void streamsOpenAtOnceOnOneThread_doNotShareAnEncoder() throws Exception {
    byte[] a = otlpLike();
    byte[] b = "something else entirely, twice: something else entirely".getBytes(UTF_8);
    ByteArrayOutputStream outA = new ByteArrayOutputStream();
    ByteArrayOutputStream outB = new ByteArrayOutputStream();

    try (OutputStream gzA = FastGzip.stream(outA);
        OutputStream gzB = FastGzip.stream(outB)) {
      gzA.write(a, 0, 100);
      gzB.write(b);
      gzA.write(a, 100, a.length - 100);
    }

    assertThat(new GZIPInputStream(new ByteArrayInputStream(outA.toByteArray())).readAllBytes())
        .isEqualTo(a);
    assertThat(new GZIPInputStream(new ByteArrayInputStream(outB.toByteArray())).readAllBytes())
        .isEqualTo(b);
  }

  @Test
  void stream_refusesWritesAfterClose() throws Exception {
    OutputStream gz = FastGzip.stream(new ByteArrayOutputStream());
    gz.close();
    gz.close(); // twice is fine

    assertThatThrownBy(() -> gz.write(1)).isInstanceOf(IOException.class);
  }
}
