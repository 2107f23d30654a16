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
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class GzipCompressorTest {

  @Test
  void registry_gzipIsFastGzip() throws Exception {
    assertThat(GzipCompressor.registry().lookupCompressor("gzip"))
        .isSameAs(GzipCompressor.INSTANCE);
    byte[] body = "gen_ai.request.model=gpt-4o ".repeat(500).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gz = GzipCompressor.INSTANCE.compress(out)) {
      gz.write(body);
    }
    assertThat(new GZIPInputStream(new ByteArrayInputStream(out.toByteArray())).readAllBytes())
        .isEqualTo(body);
  }
}
