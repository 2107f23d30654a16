/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

class DeflateEncoderTest {

  private final DeflateEncoder encoder = new DeflateEncoder();

  /** Compresses the pieces as one stream, inflates it with zlib and checks every byte came back. */
  private byte[] roundTrip(byte[]... pieces) throws DataFormatException {
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    encoder.reset();
    for (byte[] piece : pieces) {
      encoder.compress(piece, 0, piece.length);
      compressed.write(encoder.buffer(), 0, encoder.size());
      encoder.drain();
      expected.writeBytes(piece);
    }
    encoder.finish();
    compressed.write(encoder.buffer(), 0, encoder.size());
    byte[] deflated = compressed.toByteArray();

    Inflater inflater = new Inflater(true);
    inflater.setInput(deflated);
    byte[] out = new byte[expected.size() + 1];
    int n = 0;
    while (!inflater.finished()) {
      int got = inflater.inflate(out, n, out.length - n);
      assertThat(got > 0 || inflater.finished() || !inflater.needsInput())
          .as("stream ended early")
          .isTrue();
      n += got;
      assertThat(n).as("more bytes than went in").isLessThan(out.length);
    }
    assertThat(inflater.getRemaining()).as("bytes after the final block").isZero();
    inflater.end();
    assertThat(Arrays.copyOf(out, n)).isEqualTo(expected.toByteArray());
    return deflated;
  }

  private static byte[] random(SplittableRandom random, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return b;
  }

  /** Text with repeats near and far, like OTLP attribute keys and values. */
  private static byte[] otlpLike(SplittableRandom random, int n) {
    String[] words = {
      "gen_ai.request.model",
      "gpt-4o-mini",
      "service.name",
      "checkout",
      "http.route",
      "/api/v1/",
      "gen_ai.usage.input_tokens",
      "traccia.cost.usd",
      "db.statement",
      "SELECT * FROM orders"
    };
    ByteArrayOutputStream out = new ByteArrayOutputStream(n);
    while (out.size() < n) {
      if (random.nextInt(4) == 0) {
        out.writeBytes(random(random, 8 + random.nextInt(16))); // ids
      } else {
        out.writeBytes(words[random.nextInt(words.length)].getBytes(StandardCharsets.UTF_8));
      }
    }
    return Arrays.copyOf(out.toByteArray(), n);
  }

  @Test
  void emptyAndTinyInputs() throws Exception {
    roundTrip();
    roundTrip(new byte[0]);
    roundTrip(new byte[] {42});
    roundTrip(new byte[] {1, 2, 3});
    roundTrip(new byte[] {7, 7, 7, 7});
    roundTrip(new byte[] {7, 7, 7, 7, 7, 7, 7, 7, 7});
  }

  @Test
  void longRunsUseMaximalMatches() throws Exception {
    byte[] zeros = new byte[1 << 20];

    byte[] deflated = roundTrip(zeros);

    // 258 bytes per match: about 4,000 matches of at most ten bits each (length code, distance
    // code and its extra bits, all in a block with very few symbols).
    assertThat(deflated.length).isLessThan(zeros.length / 258 * 10 / 8 + 100);
  }

  @Test
  void incompressibleInputIsStoredWithLittleOverhead() throws Exception {
    byte[] noise = random(new SplittableRandom(1), 300_000);

    byte[] deflated = roundTrip(noise);

    assertThat(deflated.length).isLessThan(noise.length + noise.length / 1000 + 64);
  }

  @Test
  void matchesAtTheEdgeOfTheWindow() throws Exception {
    SplittableRandom random = new SplittableRandom(2);
    for (int gap : new int[] {32_760, 32_764, 32_765, 32_766, 32_767, 32_768, 32_769, 40_000}) {
      byte[] block = random(random, 64);
      byte[] data = new byte[gap + 64];
      System.arraycopy(block, 0, data, 0, 64);
      byte[] filler = random(random, gap - 64 > 0 ? gap - 64 : 0);
      System.arraycopy(filler, 0, data, 64, filler.length);
      System.arraycopy(block, 0, data, gap, 64);
      roundTrip(data);
    }
  }

  @Test
  void piecesOfOneStreamDoNotReferToEachOther() throws Exception {
    SplittableRandom random = new SplittableRandom(3);
    byte[] a = otlpLike(random, 100_000);
    byte[] small = Arrays.copyOf(a, 10); // shorter than the piece before it

    roundTrip(a, small, a, new byte[0], Arrays.copyOf(a, 5), a);
  }

  @Test
  void resetStartsANewStream() throws Exception {
    SplittableRandom random = new SplittableRandom(4);
    for (int i = 0; i < 5; i++) {
      roundTrip(otlpLike(random, 1 + random.nextInt(200_000)));
    }
  }

  @Test
  void randomInputsOfEveryShape() throws Exception {
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 1_500; i++) {
      int pieces = 1 + random.nextInt(3);
      byte[][] input = new byte[pieces][];
      for (int p = 0; p < pieces; p++) {
        int n = random.nextInt(8) == 0 ? random.nextInt(300_000) : random.nextInt(2_000);
        switch (random.nextInt(4)) {
          case 0:
            input[p] = random(random, n);
            break;
          case 1:
            // A small alphabet: skewed frequencies, long Huffman codes.
            input[p] = new byte[n];
            for (int k = 0; k < n; k++) {
              input[p][k] = (byte) (Integer.numberOfTrailingZeros(random.nextInt() | 1 << 20));
            }
            break;
          default:
            input[p] = otlpLike(random, n);
        }
      }
      roundTrip(input);
    }
  }

  @Test
  void everyLengthAroundTheTailAndTheEightByteReads() throws Exception {
    // The last seven bytes or so of a piece are literals; a match may end exactly at its end.
    SplittableRandom random = new SplittableRandom(7);
    byte[] text = otlpLike(random, 200);
    for (int n = 0; n <= 80; n++) {
      roundTrip(Arrays.copyOf(text, n));
      byte[] doubled = new byte[2 * n];
      System.arraycopy(text, 0, doubled, 0, n);
      System.arraycopy(text, 0, doubled, n, n);
      roundTrip(doubled);
      roundTrip(random(random, n), doubled, new byte[n]);
    }
  }

  @Test
  void matchesOfEveryLengthEndingAtTheEndOfThePiece() throws Exception {
    SplittableRandom random = new SplittableRandom(8);
    for (int length = 1; length <= 300; length++) {
      byte[] repeated = random(random, length);
      for (int gap : new int[] {0, 1, 7, 8, 9, 100}) {
        byte[] data = new byte[2 * length + gap];
        System.arraycopy(repeated, 0, data, 0, length);
        System.arraycopy(random(random, gap), 0, data, length, gap);
        System.arraycopy(repeated, 0, data, length + gap, length);
        roundTrip(data);
      }
    }
  }

  @Test
  void longLiteralRunsBetweenMatches() throws Exception {
    SplittableRandom random = new SplittableRandom(9);
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    byte[] text = otlpLike(random, 3_000);
    for (int run = 1; run < 100_000; run = run * 3 + 1) {
      data.writeBytes(random(random, run));
      data.write(text, 0, 1 + random.nextInt(text.length));
    }
    data.writeBytes(random(random, 70_000));

    roundTrip(data.toByteArray());
  }

  @Test
  void piecesAroundTheBlockAndWindowSizes() throws Exception {
    // A block holds 65,536 symbols: in random bytes, one per byte. The window is 32 KiB.
    SplittableRandom random = new SplittableRandom(10);
    for (int size : new int[] {32_767, 32_768, 32_769, 65_535, 65_536, 65_537, 131_072, 131_073}) {
      byte[] noise = random(random, size);
      roundTrip(noise);
      roundTrip(otlpLike(random, size));
      // Literals up to just before the block's end, then matches across it.
      byte[] mixed = Arrays.copyOf(noise, size + 1_000);
      System.arraycopy(noise, 0, mixed, size, 1_000);
      roundTrip(mixed);
      roundTrip(noise, mixed, Arrays.copyOf(noise, 9));
    }
  }

  @Test
  void blocksThatStartWithARareLongMatch() throws Exception {
    // 65,536 random bytes fill a block with literals; the next block starts with a match of 258
    // bytes at distance 32,768 (code 29, 13 extra bits), rare in its block so its codes are long,
    // written after the block's header has left a varying number of bits pending.
    for (int seed = 0; seed < 40; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      byte[] noise = random(random, 65_536);
      byte[] rest = otlpLike(random, 60_000 + random.nextInt(40_000));
      byte[] data = Arrays.copyOf(noise, noise.length + 258 + rest.length);
      System.arraycopy(noise, 32_768, data, 65_536, 258);
      System.arraycopy(rest, 0, data, 65_536 + 258, rest.length);
      roundTrip(data);
    }
  }

  @Test
  void distanceCodeFollowsTheRfc() {
    // RFC 1951, 3.2.5: the first distance of each code; the code's extra bits cover the rest.
    int[] first = {
      1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
      2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577
    };
    for (int distance = 1; distance <= 32_768; distance++) {
      int code = 29;
      while (first[code] > distance) {
        code--;
      }
      assertThat(DeflateEncoder.distanceCode(distance - 1))
          .as("distance %d", distance)
          .isEqualTo(code);
    }
  }

  @Test
  void outputStaysCloseToZlibsFastestLevel() throws Exception {
    byte[] data = otlpLike(new SplittableRandom(6), 2_000_000);
    Deflater zlib = new Deflater(Deflater.BEST_SPEED, true);
    zlib.setInput(data);
    zlib.finish();
    byte[] buffer = new byte[data.length];
    int zlibSize = 0;
    while (!zlib.finished()) {
      zlibSize += zlib.deflate(buffer, zlibSize, buffer.length - zlibSize);
    }
    zlib.end();

    byte[] deflated = roundTrip(data);

    assertThat(deflated.length).isLessThan(zlibSize + zlibSize / 10);
  }

  @Test
  void huffmanLengthsAreLimitedAndComplete() {
    DeflateEncoder.Huffman huffman = new DeflateEncoder.Huffman(286);
    // Fibonacci frequencies make an unlimited code as deep as the alphabet is long.
    int[] freq = new int[40];
    freq[0] = 1;
    freq[1] = 1;
    for (int i = 2; i < freq.length; i++) {
      freq[i] = freq[i - 1] + freq[i - 2];
    }
    byte[] lengths = new byte[freq.length];

    huffman.lengths(freq, freq.length, 15, lengths);

    double kraft = 0;
    for (int i = 0; i < freq.length; i++) {
      assertThat(lengths[i]).isBetween((byte) 1, (byte) 15);
      kraft += Math.pow(2, -lengths[i]);
      if (i > 0) {
        assertThat(lengths[i]).as("more frequent, no longer").isLessThanOrEqualTo(lengths[i - 1]);
      }
    }
    assertThat(kraft).isEqualTo(1.0);
  }

  @Test
  void huffmanGivesOneUsedSymbolACompleteCode() {
    DeflateEncoder.Huffman huffman = new DeflateEncoder.Huffman(30);
    int[] freq = new int[30];
    freq[7] = 12;
    byte[] lengths = new byte[30];

    huffman.lengths(freq, 30, 15, lengths);

    assertThat(lengths[7]).isEqualTo((byte) 1);
    assertThat(lengths[0]).isEqualTo((byte) 1);
  }
}
