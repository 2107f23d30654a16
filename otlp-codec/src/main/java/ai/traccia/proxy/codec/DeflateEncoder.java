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
 * Huffman block per 65,536 symbols, whichever of dynamic, fixed or stored codes is smallest.
 *
 * <p>zlib's fastest level looks at up to four earlier positions for each byte and hashes every byte
 * it passes; on OTLP payloads this encoder looks at one, hashes only where a match may start, and
 * compares eight bytes at a time. Any inflater reads it.
 *
 * <p>Its cost goes by symbols, not bytes: each match waits on a hash-table load and then on its own
 * length before the next lookup can start, and each symbol is written once more after the block's
 * codes are known. So it hashes seven bytes rather than four (fewer, longer matches), keeps a
 * match's length, distance code and extra bits in one int from which the writer takes each symbol's
 * bits with two table loads and no branch, and builds a quarter as many Huffman codes. On
 * 1,000-span requests ({@code GzipBenchmark}, two runs on a shared machine) that took 18% and 25%
 * less CPU than its four-byte version on the default mix, 28% and 34% less on LLM spans only, 10%
 * and 23% less on plain spans, for output 4-7% smaller: about the size of zlib's fastest level, at
 * about 40% of its CPU ({@code OtlpCodecBenchmark}). What did not pay, measured on the same
 * requests: skipping ahead through runs of literals (a tenth of the bytes, and cheap, since their
 * lookups do not wait on each other), picking literal or match without a branch (every lookup then
 * waits on the one before), two halves of a piece parsed in one loop, a table of 16-bit positions
 * (stale entries pass the window check), and extending matches backwards.
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
  private static final int MAX_MATCH = 258;
  private static final int HASH_BITS = 15;

  /**
   * Symbols per block. Against 16,384, blocks this large build a quarter as many Huffman codes and
   * make OTLP output slightly smaller, since fewer headers outweigh codes fitted less closely.
   */
  private static final int BLOCK_SYMBOLS = 64 * 1024;

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
      base += 1 << bits;
    }
    for (int i = 0; i < 288; i++) {
      FIXED_LITERAL_LENGTHS[i] = (byte) (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8);
    }
    canonicalCodes(FIXED_LITERAL_LENGTHS, FIXED_LITERAL_CODES, 288);
    Arrays.fill(FIXED_DISTANCE_LENGTHS, (byte) 5);
    canonicalCodes(FIXED_DISTANCE_LENGTHS, FIXED_DISTANCE_CODES, DISTANCE_CODES);
  }

  /** Per hash of seven bytes, the last position seen with it, plus {@link #headBase}. */
  private final int[] head = new int[1 << HASH_BITS];

  /**
   * Added to a position's offset in its piece to make the value kept in {@link #head}; it grows
   * past each piece, so no entry from an earlier piece (or the initial zeros) is ever a candidate.
   */
  private int headBase = WINDOW + 1;

  /**
   * Pending symbols: a literal byte; or for a match, {@code 256 + length - 3} with the distance
   * code shifted left 9 bits and the distance's extra bits shifted left 14.
   */
  private final int[] symbols = new int[BLOCK_SYMBOLS];

  private int symbolCount;

  /** Pending symbols per low nine bits: literals, then match lengths minus 3 from 256. */
  private final int[] symbolFreq = new int[512];

  private final int[] distanceFreq = new int[DISTANCE_CODES];
  private final int[] literalFreq = new int[LITERAL_CODES];

  /**
   * Per low nine bits of a symbol, its code with the length's extra bits after it, shifted left 6
   * bits past the total bit count; per distance code, {@code code << 16 | length << 8 | length +
   * extra bits}. Filled per block.
   */
  private final long[] symbolBits = new long[512];

  private final long[] distanceBits = new long[DISTANCE_CODES];

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
    int[] symbolFreq = this.symbolFreq;
    int[] distanceFreq = this.distanceFreq;
    int count = symbolCount;
    // Each turn reads eight bytes at p; the last seven bytes or so are literals.
    int lastMatchStart = end - 8;
    while (p <= lastMatchStart) {
      long word = (long) LONG.get(in, p);
      // Seven bytes hashed, four compared: a candidate found by a shorter hash often matches for
      // only four or five bytes, and such a match costs about as many bits as its literals while
      // taking a symbol of its own; seven bytes make output 4-7% smaller and no slower.
      int h = (int) (((word << 8) * 0x9E3779B97F4A7C15L) >>> (64 - HASH_BITS));
      int candidate = head[h] - base;
      head[h] = p + base;
      int distance = p - candidate;
      long diff;
      if (distance <= WINDOW
          && ((diff = (long) LONG.get(in, candidate) ^ word) & 0xffffffffL) == 0) {
        int length =
            diff != 0
                ? Long.numberOfTrailingZeros(diff) >>> 3
                : 8 + matchLength(in, candidate + 8, p + 8, end);
        int dcode = distanceCode(distance - 1);
        int symbol = (253 + length) | dcode << 9 | (distance - 1 - DISTANCE_BASE[dcode]) << 14;
        symbols[count++] = symbol;
        symbolFreq[symbol & 0x1ff]++;
        distanceFreq[dcode]++;
        p += length;
      } else {
        int literal = (int) word & 0xff;
        symbols[count++] = literal;
        symbolFreq[literal]++;
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
      symbols[count] = in[p] & 0xff;
      symbolFreq[symbols[count++]]++;
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

  /**
   * Length of the common run of {@code in[a..]} and {@code in[b..]}, up to 250 bytes: 258 in all.
   */
  private static int matchLength(byte[] in, int a, int b, int end) {
    int limit = Math.min(end - b, MAX_MATCH - 8);
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

  /** The distance code (0..29) of a distance minus one, without a table or a branch. */
  static int distanceCode(int distanceMinusOne) {
    // Codes 0 to 3 are the distances 1 to 4; then two codes per power of two, the second for its
    // upper half (RFC 1951, 3.2.5). Math.max keeps it free of branches.
    int log = 31 - Integer.numberOfLeadingZeros(distanceMinusOne | 1);
    return 2 * log + ((distanceMinusOne >>> Math.max(log - 1, 0)) & 1);
  }

  /**
   * Writes the pending symbols, which encode {@code in[from, to)}, as the cheapest block.
   *
   * <p>Every loop is in a method of its own, and so is each kind of block: this method runs once a
   * block, and the JIT compiles it, and each part, as a small unit. As one method with its loops
   * inlined, its optimizing compilation was the largest of the process (its scratch memory took 45
   * MiB at once and set the sidecar's peak RSS), and each loop it reached was compiled again for
   * on-stack replacement.
   */
  private void flushBlock(byte[] in, int from, int to) {
    literalFrequencies();
    huffman.lengths(literalFreq, LITERAL_CODES, MAX_BITS, literalLengths);
    huffman.lengths(distanceFreq, DISTANCE_CODES, MAX_BITS, distanceLengths);
    int literalCount = usedCodes(literalLengths, LITERAL_CODES, 257);
    int distanceCount = usedCodes(distanceLengths, DISTANCE_CODES, 1);
    int runs = lengthRuns(literalCount, distanceCount);
    huffman.lengths(lengthFreq, LENGTH_CODES, MAX_LENGTH_BITS, lengthLengths);
    int lengthCount = lengthCodeCount();

    long extraBits = extraBits();
    long dynamicBits =
        headerBits(lengthCount) + codedBits(literalLengths, distanceLengths) + extraBits;
    long fixedBits = 3 + codedBits(FIXED_LITERAL_LENGTHS, FIXED_DISTANCE_LENGTHS) + extraBits;
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
      writeDynamicHeader(literalCount, distanceCount, lengthCount, runs);
      canonicalCodes(literalLengths, literalCodes, LITERAL_CODES);
      canonicalCodes(distanceLengths, distanceCodes, DISTANCE_CODES);
      writeSymbols(literalCodes, literalLengths, distanceCodes, distanceLengths);
    }
    Arrays.fill(literalFreq, 0);
    Arrays.fill(distanceFreq, 0);
    symbolCount = 0;
  }

  /** Folds the pending symbols' counts into the literal/length alphabet's; clears the former. */
  private void literalFrequencies() {
    System.arraycopy(symbolFreq, 0, literalFreq, 0, 256);
    Arrays.fill(literalFreq, 256, LITERAL_CODES, 0);
    literalFreq[END_OF_BLOCK] = 1;
    for (int i = 0; i < 256; i++) {
      literalFreq[LENGTH_CODE[i]] += symbolFreq[256 + i];
    }
    Arrays.fill(symbolFreq, 0);
  }

  /**
   * How many of {@code n} codes a dynamic header lists: up to the last used, at least {@code min}.
   */
  private static int usedCodes(byte[] lengths, int n, int min) {
    while (n > min && lengths[n - 1] == 0) {
      n--;
    }
    return n;
  }

  /** How many code length codes the header lists, in their transmission order; at least 4. */
  private int lengthCodeCount() {
    int n = LENGTH_CODES;
    while (n > 4 && lengthLengths[LENGTH_ORDER[n - 1]] == 0) {
      n--;
    }
    return n;
  }

  /** Bits of a dynamic block's header, with {@code lengthCount} code length codes. */
  private long headerBits(int lengthCount) {
    long bits = 3 + 5 + 5 + 4 + 3L * lengthCount;
    for (int i = 0; i < LENGTH_CODES; i++) {
      bits += (long) lengthFreq[i] * (lengthLengths[i] + (i == 16 ? 2 : i == 17 ? 3 : 0));
      if (i == 18) {
        bits += 7L * lengthFreq[i];
      }
    }
    return bits;
  }

  /** Bits of the pending symbols' codes with these code lengths, without their extra bits. */
  private long codedBits(byte[] literalLengths, byte[] distanceLengths) {
    long bits = 0;
    for (int i = 0; i < LITERAL_CODES; i++) {
      bits += (long) literalFreq[i] * literalLengths[i];
    }
    for (int i = 0; i < DISTANCE_CODES; i++) {
      bits += (long) distanceFreq[i] * distanceLengths[i];
    }
    return bits;
  }

  /** The pending symbols' extra bits, the same with any codes. */
  private long extraBits() {
    long bits = 0;
    for (int i = 257 + 8; i < 285; i++) {
      bits += (long) literalFreq[i] * ((i - 261) / 4);
    }
    for (int i = 0; i < DISTANCE_CODES; i++) {
      bits += (long) distanceFreq[i] * DISTANCE_EXTRA_BITS[i];
    }
    return bits;
  }

  /** A dynamic block's header: its counts, the code length code, then the run-length codes. */
  private void writeDynamicHeader(int literalCount, int distanceCount, int lengthCount, int runs) {
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
  }

  private void writeSymbols(
      int[] literalCodes, byte[] literalLengths, int[] distanceCodes, byte[] distanceLengths) {
    // Per low nine bits of a symbol, its code and extra bits as one value, and the same for each
    // distance code, so that each symbol goes out in one write without a branch.
    long[] symbolBits = this.symbolBits;
    for (int i = 0; i < 256; i++) {
      symbolBits[i] = (long) literalCodes[i] << 6 | literalLengths[i];
    }
    for (int i = 0; i < 256; i++) {
      int code = LENGTH_CODE[i];
      int extra = LENGTH_EXTRA[i];
      int len = literalLengths[code];
      symbolBits[256 + i] =
          (long) (literalCodes[code] | (extra >>> 4) << len) << 6 | (len + (extra & 0xf));
    }
    long[] distanceBits = this.distanceBits;
    for (int i = 0; i < DISTANCE_CODES; i++) {
      int len = distanceLengths[i];
      distanceBits[i] = (long) distanceCodes[i] << 16 | len << 8 | (len + DISTANCE_EXTRA_BITS[i]);
    }
    int[] symbols = this.symbols;
    byte[] out = this.out;
    int outPos = this.outPos;
    long bits = this.bits;
    int bitCount = this.bitCount;
    // At most seven bits wait in the buffer before each symbol, which adds at most 48 (a length
    // code of 15 bits with 5 extra, a distance code of 15 with 13): 55 fit in a long.
    LONG.set(out, outPos, bits);
    outPos += bitCount >>> 3;
    bits >>>= bitCount & ~7;
    bitCount &= 7;
    for (int i = 0, n = symbolCount; i < n; i++) {
      int symbol = symbols[i];
      long code = symbolBits[symbol & 0x1ff];
      int codeLength = (int) code & 0x3f;
      // A literal has distance code 0 and no distance bits: the mask clears what it would add.
      int mask = -((symbol >>> 8) & 1);
      long distance = distanceBits[(symbol >>> 9) & 0x1f];
      long distanceValue =
          ((distance >>> 16) | (long) (symbol >>> 14) << ((int) distance >>> 8 & 0xff)) & mask;
      bits |= ((code >>> 6) | distanceValue << codeLength) << bitCount;
      bitCount += codeLength + ((int) distance & 0xff & mask);
      LONG.set(out, outPos, bits);
      outPos += bitCount >>> 3;
      bits >>>= bitCount & ~7;
      bitCount &= 7;
    }
    this.outPos = outPos;
    this.bits = bits;
    this.bitCount = bitCount;
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
    private final long[] keys;
    private final int[] blCount = new int[64];

    Huffman(int maxSymbols) {
      order = new int[maxSymbols];
      keys = new long[maxSymbols];
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

    /** Sorts {@code order[0, used)} by ascending frequency, ties by symbol. */
    private void sortByFrequency(int[] freq, int used) {
      long[] keys = this.keys;
      for (int i = 0; i < used; i++) {
        keys[i] = (long) freq[order[i]] << 32 | order[i];
      }
      Arrays.sort(keys, 0, used);
      for (int i = 0; i < used; i++) {
        order[i] = (int) keys[i];
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
