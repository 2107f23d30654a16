/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A fast DEFLATE (RFC 1951) encoder: greedy matching with one candidate per position, then a
 * Huffman block per 16,384 symbols, whichever of dynamic, fixed or stored codes is smallest.
 *
 * <p>zlib's fastest level looks at up to four earlier positions for each byte and hashes every byte
 * it passes; on OTLP payloads this encoder looks at one, hashes only where a match may start, and
 * compares eight bytes at a time. It takes a little over half the CPU for output about 3% larger
 * (the benchmarks' gzip rows and {@code OtlpCodecBenchmark}). Any inflater reads it.
 *
 * <p>{@link #compress} appends the blocks for one piece of input; pieces do not refer to each
 * other, so a caller may compress each write as it arrives. {@link #finish} ends the stream.
 * Instances are not thread-safe and can be {@link #reset} and reused.
 */
final class DeflateEncoder {

  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final int WINDOW = 32 * 1024;
  private static final int MIN_MATCH = 4;
  private static final int MAX_MATCH = 258;
  private static final int HASH_BITS = 15;
  private static final int BLOCK_SYMBOLS = 16 * 1024;
  private static final int MAX_STORED = 65_535;

  private static final int END_OF_BLOCK = 256;
  private static final int LITERAL_CODES = 286;
  private static final int DISTANCE_CODES = 30;
  private static final int LENGTH_CODES = 19;
  private static final int MAX_BITS = 15;
  private static final int MAX_LENGTH_BITS = 7;

  /** The order in which code-length code lengths are sent (RFC 1951, 3.2.7). */
  private static final int[] LENGTH_ORDER = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
  };

  /** Length code (257..285) for a match length minus 3. */
  private static final int[] LENGTH_CODE = new int[256];

  /** Extra bits and their count for a match length minus 3, as {@code value << 4 | count}. */
  private static final int[] LENGTH_EXTRA = new int[256];

  /** First distance minus one of each distance code. */
  private static final int[] DISTANCE_BASE = new int[DISTANCE_CODES];

  /** Extra bit count of each distance code. */
  private static final int[] DISTANCE_EXTRA_BITS = new int[DISTANCE_CODES];

  /**
   * Distance code for a distance minus one: entries 0..255 for distances up to 256, entries
   * 256..511 for larger ones by their value shifted right by seven.
   */
  private static final byte[] DISTANCE_CODE = new byte[512];

  /** The fixed Huffman codes (RFC 1951, 3.2.6), bit-reversed, and their lengths. */
  private static final int[] FIXED_LITERAL_CODES = new int[288];

  private static final byte[] FIXED_LITERAL_LENGTHS = new byte[288];
  private static final int[] FIXED_DISTANCE_CODES = new int[DISTANCE_CODES];
  private static final byte[] FIXED_DISTANCE_LENGTHS = new byte[DISTANCE_CODES];

  static {
    int[] lengthBase = {
      3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
      163, 195, 227, 258
    };
    for (int code = 0; code < lengthBase.length; code++) {
      int bits = code < 8 || code == 28 ? 0 : (code - 4) / 4;
      // Code 284 stops at 257: 258 has a code of its own (285).
      int last = code + 1 < lengthBase.length ? lengthBase[code + 1] - 1 : 258;
      for (int length = lengthBase[code]; length <= last; length++) {
        LENGTH_CODE[length - 3] = 257 + code;
        LENGTH_EXTRA[length - 3] = (length - lengthBase[code]) << 4 | bits;
      }
    }
    int base = 0;
    for (int code = 0; code < DISTANCE_CODES; code++) {
      int bits = code < 4 ? 0 : code / 2 - 1;
      DISTANCE_BASE[code] = base;
      DISTANCE_EXTRA_BITS[code] = bits;
      for (int d = base; d < base + (1 << bits); d++) {
        if (d < 256) {
          DISTANCE_CODE[d] = (byte) code;
        } else {
          DISTANCE_CODE[256 + (d >>> 7)] = (byte) code;
        }
      }
      base += 1 << bits;
    }
    for (int i = 0; i < 288; i++) {
      FIXED_LITERAL_LENGTHS[i] = (byte) (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8);
    }
    canonicalCodes(FIXED_LITERAL_LENGTHS, FIXED_LITERAL_CODES, 288);
    Arrays.fill(FIXED_DISTANCE_LENGTHS, (byte) 5);
    canonicalCodes(FIXED_DISTANCE_LENGTHS, FIXED_DISTANCE_CODES, DISTANCE_CODES);
  }

  /** Per hash of four bytes, the last position seen with it, plus {@link #headBase}. */
  private final int[] head = new int[1 << HASH_BITS];

  /**
   * Added to a position's offset in its piece to make the value kept in {@link #head}; it grows
   * past each piece, so no entry from an earlier piece (or the initial zeros) is ever a candidate.
   */
  private int headBase = WINDOW + 1;

  /** Pending symbols: a literal byte, or {@code 1 << 31 | (length - 3) << 16 | (distance - 1)}. */
  private final int[] symbols = new int[BLOCK_SYMBOLS];

  private int symbolCount;
  private final int[] literalFreq = new int[LITERAL_CODES];
  private final int[] distanceFreq = new int[DISTANCE_CODES];

  private final byte[] literalLengths = new byte[LITERAL_CODES];
  private final int[] literalCodes = new int[LITERAL_CODES];
  private final byte[] distanceLengths = new byte[DISTANCE_CODES];
  private final int[] distanceCodes = new int[DISTANCE_CODES];
  private final int[] lengthRuns = new int[LITERAL_CODES + DISTANCE_CODES];
  private final int[] lengthFreq = new int[LENGTH_CODES];
  private final byte[] lengthLengths = new byte[LENGTH_CODES];
  private final int[] lengthCodes = new int[LENGTH_CODES];
  private final Huffman huffman = new Huffman(LITERAL_CODES);

  private byte[] out = new byte[64 * 1024];
  private int outPos;
  private long bits;
  private int bitCount;

  /** Starts a new stream, keeping the buffers. */
  void reset() {
    outPos = 0;
    bits = 0;
    bitCount = 0;
  }

  /** Compresses {@code in[off, off + len)} into blocks that are not the last of the stream. */
  void compress(byte[] in, int off, int len) {
    if (len == 0) {
      return;
    }
    if (headBase > Integer.MAX_VALUE - len) {
      Arrays.fill(head, 0);
      headBase = WINDOW + 1;
    }
    int end = off + len;
    int p = off;
    int blockStart = off;
    int base = headBase - off;
    int[] head = this.head;
    int[] symbols = this.symbols;
    int[] literalFreq = this.literalFreq;
    int[] distanceFreq = this.distanceFreq;
    int count = symbolCount;
    int lastMatchStart = end - MIN_MATCH;
    while (p <= lastMatchStart) {
      int current = (int) INT.get(in, p);
      int h = (current * 0x9E3779B1) >>> (32 - HASH_BITS);
      int candidate = head[h] - base;
      head[h] = p + base;
      int distance = p - candidate;
      if (distance <= WINDOW && candidate >= off && (int) INT.get(in, candidate) == current) {
        int length = MIN_MATCH + matchLength(in, candidate + MIN_MATCH, p + MIN_MATCH, end);
        symbols[count++] = 1 << 31 | (length - 3) << 16 | (distance - 1);
        literalFreq[LENGTH_CODE[length - 3]]++;
        distanceFreq[distanceCode(distance - 1)]++;
        p += length;
      } else {
        symbols[count++] = in[p] & 0xff;
        literalFreq[in[p] & 0xff]++;
        p++;
      }
      if (count == BLOCK_SYMBOLS) {
        symbolCount = count;
        flushBlock(in, blockStart, p);
        count = 0;
        blockStart = p;
      }
    }
    for (; p < end; p++) {
      symbols[count++] = in[p] & 0xff;
      literalFreq[in[p] & 0xff]++;
      if (count == BLOCK_SYMBOLS) {
        symbolCount = count;
        flushBlock(in, blockStart, p + 1);
        count = 0;
        blockStart = p + 1;
      }
    }
    symbolCount = count;
    if (count > 0) {
      flushBlock(in, blockStart, end);
    }
    // Entries of this piece now lie more than a window before any index of the next.
    headBase =
        headBase > Integer.MAX_VALUE - len - WINDOW - 1
            ? Integer.MAX_VALUE
            : headBase + len + WINDOW + 1;
  }

  /** Ends the stream with an empty final block and pads it to a byte boundary. */
  void finish() {
    ensure(16);
    putBits(1 | 1 << 1, 3); // BFINAL, fixed codes
    putBits(FIXED_LITERAL_CODES[END_OF_BLOCK], FIXED_LITERAL_LENGTHS[END_OF_BLOCK]);
    alignToByte();
  }

  /** The compressed bytes so far: {@code buffer()[0, size())}. */
  byte[] buffer() {
    return out;
  }

  int size() {
    return outPos;
  }

  /** Forgets the bytes returned so far (whole bytes only; pending bits stay). */
  void drain() {
    outPos = 0;
  }

  /** Length of the common run of {@code in[a..]} and {@code in[b..]}, up to 255 more bytes. */
  private static int matchLength(byte[] in, int a, int b, int end) {
    int limit = Math.min(end - b, MAX_MATCH - MIN_MATCH);
    int n = 0;
    while (n + 8 <= limit) {
      long diff = (long) LONG.get(in, a + n) ^ (long) LONG.get(in, b + n);
      if (diff != 0) {
        return n + (Long.numberOfTrailingZeros(diff) >>> 3);
      }
      n += 8;
    }
    while (n < limit && in[a + n] == in[b + n]) {
      n++;
    }
    return n;
  }

  private static int distanceCode(int distanceMinusOne) {
    return distanceMinusOne < 256
        ? DISTANCE_CODE[distanceMinusOne]
        : DISTANCE_CODE[256 + (distanceMinusOne >>> 7)];
  }

  /** Writes the pending symbols, which encode {@code in[from, to)}, as the cheapest block. */
  private void flushBlock(byte[] in, int from, int to) {
    literalFreq[END_OF_BLOCK] = 1;
    huffman.lengths(literalFreq, LITERAL_CODES, MAX_BITS, literalLengths);
    huffman.lengths(distanceFreq, DISTANCE_CODES, MAX_BITS, distanceLengths);
    int literalCount = LITERAL_CODES;
    while (literalCount > 257 && literalLengths[literalCount - 1] == 0) {
      literalCount--;
    }
    int distanceCount = DISTANCE_CODES;
    while (distanceCount > 1 && distanceLengths[distanceCount - 1] == 0) {
      distanceCount--;
    }
    int runs = lengthRuns(literalCount, distanceCount);
    huffman.lengths(lengthFreq, LENGTH_CODES, MAX_LENGTH_BITS, lengthLengths);
    int lengthCount = LENGTH_CODES;
    while (lengthCount > 4 && lengthLengths[LENGTH_ORDER[lengthCount - 1]] == 0) {
      lengthCount--;
    }

    long dynamicBits = 3 + 5 + 5 + 4 + 3L * lengthCount;
    for (int i = 0; i < LENGTH_CODES; i++) {
      dynamicBits += (long) lengthFreq[i] * (lengthLengths[i] + (i == 16 ? 2 : i == 17 ? 3 : 0));
      if (i == 18) {
        dynamicBits += 7L * lengthFreq[i];
      }
    }
    long fixedBits = 3;
    long extraBits = 0;
    for (int i = 0; i < LITERAL_CODES; i++) {
      dynamicBits += (long) literalFreq[i] * literalLengths[i];
      fixedBits += (long) literalFreq[i] * FIXED_LITERAL_LENGTHS[i];
      if (i > 257 + 7 && i < 285) {
        extraBits += (long) literalFreq[i] * ((i - 261) / 4);
      }
    }
    for (int i = 0; i < DISTANCE_CODES; i++) {
      dynamicBits += (long) distanceFreq[i] * distanceLengths[i];
      fixedBits += 5L * distanceFreq[i];
      extraBits += (long) distanceFreq[i] * DISTANCE_EXTRA_BITS[i];
    }
    dynamicBits += extraBits;
    fixedBits += extraBits;
    int storedBlocks = Math.max(1, (to - from + MAX_STORED - 1) / MAX_STORED);
    long storedBits = (to - from) * 8L + storedBlocks * (3 + 7 + 32L);

    if (storedBits <= Math.min(dynamicBits, fixedBits)) {
      writeStored(in, from, to);
    } else if (fixedBits <= dynamicBits) {
      ensure((int) (fixedBits >>> 3) + 16);
      putBits(1 << 1, 3); // not final, fixed codes
      writeSymbols(
          FIXED_LITERAL_CODES, FIXED_LITERAL_LENGTHS, FIXED_DISTANCE_CODES, FIXED_DISTANCE_LENGTHS);
    } else {
      ensure((int) (dynamicBits >>> 3) + 16);
      putBits(2 << 1, 3); // not final, dynamic codes
      putBits(literalCount - 257, 5);
      putBits(distanceCount - 1, 5);
      putBits(lengthCount - 4, 4);
      canonicalCodes(lengthLengths, lengthCodes, LENGTH_CODES);
      for (int i = 0; i < lengthCount; i++) {
        putBits(lengthLengths[LENGTH_ORDER[i]], 3);
      }
      for (int i = 0; i < runs; i++) {
        int run = lengthRuns[i];
        int symbol = run & 0x1f;
        putBits(lengthCodes[symbol], lengthLengths[symbol]);
        if (symbol >= 16) {
          putBits(run >>> 5, symbol == 16 ? 2 : symbol == 17 ? 3 : 7);
        }
      }
      canonicalCodes(literalLengths, literalCodes, LITERAL_CODES);
      canonicalCodes(distanceLengths, distanceCodes, DISTANCE_CODES);
      writeSymbols(literalCodes, literalLengths, distanceCodes, distanceLengths);
    }
    Arrays.fill(literalFreq, 0);
    Arrays.fill(distanceFreq, 0);
    symbolCount = 0;
  }

  private void writeSymbols(
      int[] literalCodes, byte[] literalLengths, int[] distanceCodes, byte[] distanceLengths) {
    int[] symbols = this.symbols;
    for (int i = 0, n = symbolCount; i < n; i++) {
      int symbol = symbols[i];
      if (symbol >= 0) {
        putBits(literalCodes[symbol], literalLengths[symbol]);
      } else {
        int lengthIndex = (symbol >>> 16) & 0xff;
        int code = LENGTH_CODE[lengthIndex];
        int extra = LENGTH_EXTRA[lengthIndex];
        putBits(literalCodes[code], literalLengths[code]);
        putBits(extra >>> 4, extra & 0xf);
        int distanceMinusOne = symbol & 0xffff;
        int dcode = distanceCode(distanceMinusOne);
        putBits(distanceCodes[dcode], distanceLengths[dcode]);
        putBits(distanceMinusOne - DISTANCE_BASE[dcode], DISTANCE_EXTRA_BITS[dcode]);
      }
    }
    putBits(literalCodes[END_OF_BLOCK], literalLengths[END_OF_BLOCK]);
  }

  private void writeStored(byte[] in, int from, int to) {
    do {
      int n = Math.min(MAX_STORED, to - from);
      ensure(n + 16);
      putBits(0, 3); // not final, stored
      alignToByte();
      out[outPos++] = (byte) n;
      out[outPos++] = (byte) (n >>> 8);
      out[outPos++] = (byte) ~n;
      out[outPos++] = (byte) (~n >>> 8);
      System.arraycopy(in, from, out, outPos, n);
      outPos += n;
      from += n;
    } while (from < to);
  }

  /**
   * Run-length codes of the literal/length and distance code lengths (RFC 1951, 3.2.7) into {@link
   * #lengthRuns} as {@code extra << 5 | symbol}, counting symbols in {@link #lengthFreq}.
   */
  private int lengthRuns(int literalCount, int distanceCount) {
    Arrays.fill(lengthFreq, 0);
    int total = literalCount + distanceCount;
    int runs = 0;
    int i = 0;
    while (i < total) {
      int length = lengthAt(i, literalCount);
      int j = i + 1;
      while (j < total && lengthAt(j, literalCount) == length) {
        j++;
      }
      int n = j - i;
      if (length == 0) {
        while (n >= 11) {
          int r = Math.min(n, 138);
          lengthRuns[runs++] = (r - 11) << 5 | 18;
          n -= r;
        }
        if (n >= 3) {
          lengthRuns[runs++] = (n - 3) << 5 | 17;
          n = 0;
        }
      } else {
        lengthRuns[runs++] = length;
        n--;
        while (n >= 3) {
          int r = Math.min(n, 6);
          lengthRuns[runs++] = (r - 3) << 5 | 16;
          n -= r;
        }
      }
      while (n-- > 0) {
        lengthRuns[runs++] = length;
      }
      i = j;
    }
    for (int r = 0; r < runs; r++) {
      lengthFreq[lengthRuns[r] & 0x1f]++;
    }
    return runs;
  }

  private int lengthAt(int i, int literalCount) {
    return i < literalCount ? literalLengths[i] : distanceLengths[i - literalCount];
  }

  /** Canonical codes for {@code lengths}, bit-reversed for DEFLATE's least-significant-first. */
  private static void canonicalCodes(byte[] lengths, int[] codes, int n) {
    int[] count = new int[MAX_BITS + 1];
    for (int i = 0; i < n; i++) {
      count[lengths[i]]++;
    }
    count[0] = 0;
    int[] next = new int[MAX_BITS + 1];
    int code = 0;
    for (int bits = 1; bits <= MAX_BITS; bits++) {
      code = (code + count[bits - 1]) << 1;
      next[bits] = code;
    }
    for (int i = 0; i < n; i++) {
      int len = lengths[i];
      if (len != 0) {
        codes[i] = Integer.reverse(next[len]++) >>> (32 - len);
      }
    }
  }

  private void putBits(int value, int count) {
    bits |= (long) value << bitCount;
    bitCount += count;
    if (bitCount >= 32) {
      INT.set(out, outPos, (int) bits);
      outPos += 4;
      bits >>>= 32;
      bitCount -= 32;
    }
  }

  private void alignToByte() {
    while (bitCount > 0) {
      out[outPos++] = (byte) bits;
      bits >>>= 8;
      bitCount -= 8;
    }
    bits = 0;
    bitCount = 0;
  }

  /** Room for {@code n} more bytes plus the four that {@link #putBits} writes at once. */
  private void ensure(int n) {
    if (outPos + n + 8 > out.length) {
      out = Arrays.copyOf(out, Math.max(out.length * 2, outPos + n + 8));
    }
  }

  /** Length-limited Huffman code lengths. */
  static final class Huffman {
    private final int[] order;
    private final int[] weights;
    private final int[] blCount = new int[64];

    Huffman(int maxSymbols) {
      order = new int[maxSymbols];
      weights = new int[maxSymbols];
    }

    /**
     * Sets {@code lengths[0, n)} to the lengths of an optimal prefix code for {@code freq}, no
     * longer than {@code maxBits}; unused symbols get 0. At least two symbols get a code, as zlib's
     * inflate wants of a distance tree.
     */
    void lengths(int[] freq, int n, int maxBits, byte[] lengths) {
      Arrays.fill(lengths, 0, n, (byte) 0);
      int used = 0;
      for (int i = 0; i < n; i++) {
        if (freq[i] != 0) {
          order[used++] = i;
        }
      }
      if (used < 2) {
        // One code (or none) still needs a complete-looking tree: give two symbols one bit each.
        int first = used == 1 ? order[0] : 0;
        int second = first == 0 ? 1 : 0;
        lengths[first] = 1;
        lengths[second] = 1;
        return;
      }
      sortByFrequency(freq, used);
      for (int i = 0; i < used; i++) {
        weights[i] = freq[order[i]];
      }
      minimumRedundancy(weights, used);
      // weights[i] is now the code length of order[i]; shorter for more frequent symbols.
      Arrays.fill(blCount, 0);
      int longest = 0;
      for (int i = 0; i < used; i++) {
        int len = Math.min(weights[i], blCount.length - 1);
        blCount[len]++;
        longest = Math.max(longest, len);
      }
      if (longest > maxBits) {
        limit(maxBits, longest);
      }
      // Hand out lengths again: the least frequent symbols (front of order) get the longest.
      int i = 0;
      for (int len = Math.max(longest, maxBits); len >= 1; len--) {
        for (int k = blCount[len]; k > 0; k--) {
          lengths[order[i++]] = (byte) len;
        }
      }
    }

    /** Moves codes longer than {@code maxBits} up until the code is complete again. */
    private void limit(int maxBits, int longest) {
      for (int len = maxBits + 1; len <= longest; len++) {
        blCount[maxBits] += blCount[len];
        blCount[len] = 0;
      }
      long kraft = 0;
      for (int len = 1; len <= maxBits; len++) {
        kraft += (long) blCount[len] << (maxBits - len);
      }
      while (kraft > 1L << maxBits) {
        blCount[maxBits]--;
        for (int len = maxBits - 1; len > 0; len--) {
          if (blCount[len] != 0) {
            blCount[len]--;
            blCount[len + 1] += 2;
            break;
          }
        }
        kraft--;
      }
    }

    /** Sorts {@code order[0, used)} by ascending frequency, ties by symbol (insertion sort). */
    private void sortByFrequency(int[] freq, int used) {
      for (int i = 1; i < used; i++) {
        int symbol = order[i];
        int f = freq[symbol];
        int j = i - 1;
        while (j >= 0 && freq[order[j]] > f) {
          order[j + 1] = order[j];
          j--;
        }
        order[j + 1] = symbol;
      }
    }

    /**
     * In place, turns ascending weights {@code a[0, n)} into code lengths (Moffat and Katajainen,
     * "In-place calculation of minimum-redundancy codes", 1995).
     */
    private static void minimumRedundancy(int[] a, int n) {
      // Left to right: pair the two smallest of the leaves and the internal nodes made so far,
      // keeping each internal node's weight until it is paired and then its parent's index.
      a[0] += a[1];
      int root = 0;
      int leaf = 2;
      for (int next = 1; next < n - 1; next++) {
        if (leaf >= n || a[root] < a[leaf]) {
          a[next] = a[root];
          a[root++] = next;
        } else {
          a[next] = a[leaf++];
        }
        if (leaf >= n || (root < next && a[root] < a[leaf])) {
          a[next] += a[root];
          a[root++] = next;
        } else {
          a[next] += a[leaf++];
        }
      }
      // Right to left: internal nodes' depths, then leaves' depths.
      a[n - 2] = 0;
      for (int next = n - 3; next >= 0; next--) {
        a[next] = a[a[next]] + 1;
      }
      int avail = 1;
      int used = 0;
      int depth = 0;
      root = n - 2;
      int next = n - 1;
      while (avail > 0) {
        while (root >= 0 && a[root] == depth) {
          used++;
          root--;
        }
        while (avail > used) {
          a[next--] = depth;
          avail--;
        }
        avail = 2 * used;
        depth++;
        used = 0;
      }
    }
  }
}
