/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Randomly corrupted OTLP JSON: the parser either accepts it or refuses it with {@link
 * OtlpJsonException}, never with anything else, and what it accepts the printer writes back as JSON
 * that parses to the same request.
 */
class OtlpJsonFuzzTest {

  /** Characters that change a JSON document's structure more often than a random byte does. */
  private static final byte[] SIGNIFICANT = "{}[]\":,.-+0123456789eE\\tfnu \u00e9".getBytes(UTF_8);

  private interface Parser {
    Message parse(byte[] json) throws OtlpJsonException;
  }

  @Test
  void randomCorruptions_areAcceptedOrRefusedWithOtlpJsonException() throws Exception {
    fuzz(OtlpJson.print(OtlpJsonTest.richTraces()), OtlpJson::parseTraces);
    fuzz(OtlpJson.print(OtlpJsonTest.richMetrics()), OtlpJson::parseMetrics);
    fuzz(OtlpJson.print(OtlpJsonTest.richLogs()), OtlpJson::parseLogs);
  }

  private static void fuzz(String valid, Parser parser) throws Exception {
    byte[] json = valid.getBytes(UTF_8);
    Random random = new Random(20261206L + json.length);
    int refused = 0;
    int rounds = 5_000;
    for (int round = 0; round < rounds; round++) {
      byte[] bytes = mutate(json, random);
      Message parsed;
      try {
        parsed = parser.parse(bytes);
      } catch (OtlpJsonException e) {
        refused++;
        continue;
      } catch (RuntimeException e) {
        throw new AssertionError("unexpected failure on " + new String(bytes, UTF_8), e);
      }
      assertThat(parser.parse(OtlpJson.print(parsed).getBytes(UTF_8)))
          .as("round trip of %s", new String(bytes, UTF_8))
          .isEqualTo(parsed);
    }
    // The corpus must exercise both verdicts, or the check proves little.
    assertThat(refused).isBetween(rounds / 20, rounds - rounds / 20);
  }

  private static byte[] mutate(byte[] valid, Random random) {
    byte[] bytes = valid.clone();
    for (int e = 1 + random.nextInt(3); e > 0 && bytes.length > 0; e--) {
      int at = random.nextInt(bytes.length);
      switch (random.nextInt(5)) {
        case 0:
          bytes[at] = SIGNIFICANT[random.nextInt(SIGNIFICANT.length)];
          break;
        case 1:
          bytes[at] = (byte) random.nextInt(256);
          break;
        case 2:
          bytes = Arrays.copyOf(bytes, at);
          break;
        case 3:
          {
            byte[] grown = new byte[bytes.length + 1];
            System.arraycopy(bytes, 0, grown, 0, at);
            grown[at] = SIGNIFICANT[random.nextInt(SIGNIFICANT.length)];
            System.arraycopy(bytes, at, grown, at + 1, bytes.length - at);
            bytes = grown;
            break;
          }
        default:
          {
            byte[] shrunk = new byte[bytes.length - 1];
            System.arraycopy(bytes, 0, shrunk, 0, at);
            System.arraycopy(bytes, at + 1, shrunk, at, bytes.length - at - 1);
            bytes = shrunk;
            break;
          }
      }
    }
    return bytes;
  }
}
