/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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
  void compress_usesTheFastestLevel() throws Exception {
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

    assertThat(FastGzip.compress(body)).isEqualTo(level1.toByteArray());
  }

  @Test
  void grpcCompressor_registeredAsGzip() throws Exception {
    assertThat(FastGzip.registry().lookupCompressor("gzip")).isSameAs(FastGzip.INSTANCE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gz = FastGzip.INSTANCE.compress(out)) {
      gz.write(otlpLike());
    }
    assertThat(new GZIPInputStream(new ByteArrayInputStream(out.toByteArray())).readAllBytes())
        .isEqualTo(otlpLike());
  }
}
