/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tokens;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Counts the tokens of ordinary text with a tiktoken encoding, holding its vocabulary compactly.
 *
 * <p>JTokkit counts exactly but keeps each vocabulary as boxed maps: loaded, {@code o200k_base}
 * took about 28 MiB of a proxy's heap and {@code cl100k_base} 14 MiB, most of what the enriched
 * proxy kept live. This class reads the same vocabulary files (shipped in the JTokkit jar) into
 * three arrays and an open-addressing table, about 5 MiB for {@code o200k_base}, and runs the same
 * algorithm: split the text into the pieces the encoding's pre-tokenizer pattern matches ({@link
 * PreTokenizer}, which reproduces the regex without running one), then merge each piece's bytes
 * pairwise, lowest rank first (leftmost on ties), and count what is left. The text is encoded to
 * UTF-8 once and each piece is a range of those bytes; a piece that is a token costs one table
 * lookup and no allocation. Special tokens are counted as ordinary text, as JTokkit's {@code
 * countTokensOrdinary} does. Tests compare every count with JTokkit's.
 *
 * <p>Immutable and thread-safe.
 */
final class TiktokenCounter {

  // The pieces longer than this are merged with a heap instead of by scanning every pair, so that
  // one long run of letters costs n log n rather than n squared.
  static final int SCAN_LIMIT = 128;

  static final int NONE = Integer.MAX_VALUE;

  private final String name;
  private final PreTokenizer preTokenizer;
  // Token i's bytes are blob[starts[i] .. starts[i + 1]); its rank is ranks[i].
  private final byte[] blob;
  private final int[] starts;
  private final int[] ranks;
  // Open addressing by the hash of a token's bytes, 0 for empty. An entry holds token index + 1 in
  // its low indexBits and the hash's high bits above them, so that a probe that meets another
  // token is almost always turned away without reading that token's bytes (most lookups in the
  // merges are of pairs that are not tokens, and each probe of starts and blob is a cache miss).
  private final int[] table;
  private final int mask;
  private final int indexMask;

  private TiktokenCounter(
      String name, PreTokenizer preTokenizer, byte[] blob, int[] starts, int[] ranks) {
    this.name = name;
    this.preTokenizer = preTokenizer;
    this.blob = blob;
    this.starts = starts;
    this.ranks = ranks;
    int tokens = ranks.length;
    int size = Integer.highestOneBit(Math.max(2, tokens * 2 - 1)) << 1;
    this.table = new int[size];
    this.mask = size - 1;
    this.indexMask = (Integer.highestOneBit(tokens) << 1) - 1;
    for (int i = 0; i < tokens; i++) {
      int h = hash(blob, starts[i], starts[i + 1] - starts[i]);
      int slot = h & mask;
      while (table[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      table[slot] = (h & ~indexMask) | (i + 1);
    }
  }

  /**
   * Loads encoding {@code name}: {@code o200k_base}, {@code cl100k_base}, {@code p50k_base}, {@code
   * p50k_edit} or {@code r50k_base}.
   */
  static TiktokenCounter load(String name) {
    switch (name) {
      case "o200k_base":
        return read(name, "o200k_base", PreTokenizer.O200K);
      case "cl100k_base":
        return read(name, "cl100k_base", PreTokenizer.CL100K);
      case "p50k_base":
      case "p50k_edit":
        return read(name, "p50k_base", PreTokenizer.GPT2);
      case "r50k_base":
        return read(name, "r50k_base", PreTokenizer.GPT2);
      default:
        throw new IllegalArgumentException("unknown encoding: " + name);
    }
  }

  private static TiktokenCounter read(String name, String file, PreTokenizer preTokenizer) {
    String resource = "/com/knuddels/jtokkit/" + file + ".tiktoken";
    try (InputStream in = TiktokenCounter.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the vocabulary " + resource + " is not on the class path");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      byte[] blob = new byte[1 << 20];
      int used = 0;
      int[] starts = new int[1 << 16];
      int[] ranks = new int[1 << 16];
      int count = 0;
      Base64.Decoder base64 = Base64.getDecoder();
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isEmpty()) {
          continue;
        }
        int space = line.indexOf(' ');
        byte[] token = base64.decode(line.substring(0, space));
        if (count + 1 >= starts.length) {
          starts = Arrays.copyOf(starts, starts.length * 2);
          ranks = Arrays.copyOf(ranks, ranks.length * 2);
        }
        if (used + token.length > blob.length) {
          blob = Arrays.copyOf(blob, Math.max(blob.length * 2, used + token.length));
        }
        starts[count] = used;
        ranks[count] = Integer.parseInt(line.substring(space + 1).trim());
        System.arraycopy(token, 0, blob, used, token.length);
        used += token.length;
        count++;
      }
      starts[count] = used;
      return new TiktokenCounter(
          name,
          preTokenizer,
          Arrays.copyOf(blob, used),
          Arrays.copyOf(starts, count + 1),
          Arrays.copyOf(ranks, count));
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + resource, e);
    }
  }

  /** The encoding's name, for example {@code o200k_base}. */
  String name() {
    return name;
  }

  /** The number of tokens of {@code text}, special-token strings counted as ordinary text. */
  int count(String text) {
    return count(text, Integer.MAX_VALUE);
  }

  int count(String text, int scanLimit) {
    // One UTF-8 encoding per text; the pieces are its byte ranges. A piece never splits a
    // surrogate pair, so the whole text's bytes are the pieces' bytes one after the other (a lone
    // surrogate is the '?' the encoder writes in its place, here and in utf8Length).
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    int limit = Math.min(scanLimit, SCAN_LIMIT);
    int[] work = null; // mergeByScan's arrays, allocated for the first piece that needs them
    int tokens = 0;
    int from = 0;
    for (int start = 0, n = text.length(); start < n; ) {
      int end = preTokenizer.end(text, start);
      int length = utf8Length(text, start, end);
      if (length <= 1 || rank(utf8, from, length) != NONE) {
        tokens++;
      } else if (length <= limit) {
        if (work == null) {
          work = new int[2 * limit + 2];
        }
        tokens += mergeByScan(utf8, from, length, work);
      } else {
        tokens += mergeByHeap(utf8, from, length);
      }
      from += length;
      start = end;
    }
    return tokens;
  }

  /**
   * The number of bytes {@code text[start .. end)} takes in UTF-8, as String.getBytes writes it.
   */
  static int utf8Length(String text, int start, int end) {
    int bytes = 0;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (!Character.isSurrogate(c)) {
        bytes += 3;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < end
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes++; // a lone surrogate: '?'
      }
    }
    return bytes;
  }

  /**
   * Merges the pair of lowest rank, leftmost first, until none is a token; returns the parts of
   * {@code piece[from .. from + n)}. {@code work} holds at least {@code 2 * n + 1} ints.
   */
  private int mergeByScan(byte[] piece, int from, int n, int[] work) {
    // work[0 .. parts] are the bounds: part i is piece[work[i] .. work[i + 1]). work[r + i] is the
    // rank of parts i and i + 1 joined.
    int r = n + 1;
    int parts = n;
    for (int i = 0; i <= n; i++) {
      work[i] = from + i;
    }
    for (int i = 0; i < parts - 1; i++) {
      work[r + i] = rank(piece, work[i], work[i + 2] - work[i]);
    }
    while (parts > 1) {
      int at = -1;
      int min = NONE;
      for (int i = 0; i < parts - 1; i++) {
        if (work[r + i] < min) {
          min = work[r + i];
          at = i;
        }
      }
      if (at < 0) {
        break;
      }
      // Parts at and at + 1 become one: drop the bound between them.
      System.arraycopy(work, at + 2, work, at + 1, parts - at - 1);
      System.arraycopy(work, r + at + 2, work, r + at + 1, Math.max(0, parts - at - 3));
      parts--;
      if (at < parts - 1) {
        work[r + at] = rank(piece, work[at], work[at + 2] - work[at]);
      }
      if (at > 0) {
        work[r + at - 1] = rank(piece, work[at - 1], work[at + 1] - work[at - 1]);
      }
    }
    return parts;
  }

  /**
   * The same merges, the next pair taken from a heap ordered by rank, then position. Parts are
   * named by their first byte's offset in the piece.
   */
  private int mergeByHeap(byte[] piece, int from, int n) {
    // Parts are named by their first byte; next[s] is the start of the part after s (n at the end).
    int[] next = new int[n];
    int[] prev = new int[n];
    int[] pairRank = new int[n];
    boolean[] gone = new boolean[n];
    LongHeap heap = new LongHeap(n);
    for (int s = 0; s < n; s++) {
      next[s] = s + 1;
      prev[s] = s - 1;
    }
    for (int s = 0; s + 1 < n; s++) {
      pairRank[s] = rank(piece, from + s, 2);
      if (pairRank[s] != NONE) {
        heap.push(((long) pairRank[s] << 32) | s);
      }
    }
    pairRank[n - 1] = NONE;
    int parts = n;
    while (!heap.isEmpty()) {
      long top = heap.pop();
      int s = (int) top;
      int r = (int) (top >>> 32);
      if (gone[s] || pairRank[s] != r) {
        continue; // stale: s was merged away or its pair changed since
      }
      int right = next[s];
      gone[right] = true;
      next[s] = next[right];
      if (next[s] < n) {
        prev[next[s]] = s;
      }
      parts--;
      pairRank[s] = next[s] < n ? rank(piece, from + s, next[next[s]] - s) : NONE;
      if (pairRank[s] != NONE) {
        heap.push(((long) pairRank[s] << 32) | s);
      }
      int p = prev[s];
      if (p >= 0) {
        pairRank[p] = rank(piece, from + p, next[s] - p);
        if (pairRank[p] != NONE) {
          heap.push(((long) pairRank[p] << 32) | p);
        }
      }
    }
    return parts;
  }

  /** The rank of {@code bytes[from .. from + length)} as one token, or {@link #NONE}. */
  int rank(byte[] bytes, int from, int length) {
    int h = hash(bytes, from, length);
    int tag = h & ~indexMask;
    int slot = h & mask;
    while (true) {
      int entry = table[slot];
      if (entry == 0) {
        return NONE;
      }
      if ((entry & ~indexMask) == tag) {
        int t = (entry & indexMask) - 1;
        int start = starts[t];
        if (starts[t + 1] - start == length
            && Arrays.equals(blob, start, start + length, bytes, from, from + length)) {
          return ranks[t];
        }
      }
      slot = (slot + 1) & mask;
    }
  }

  /**
   * FNV-1a over the bytes, then MurmurHash3's finalizer: the slot takes the low bits and the tag
   * the high ones, and pieces of two or three bytes differ in few input bits, so every output bit
   * must depend on all of them (31 * h + b left two-byte pieces in a few thousand values).
   */
  private static int hash(byte[] bytes, int from, int length) {
    int h = 0x811c9dc5 ^ length;
    for (int i = from; i < from + length; i++) {
      h = (h ^ (bytes[i] & 0xff)) * 0x01000193;
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  /** A binary min-heap of longs. */
  private static final class LongHeap {
    private long[] items;
    private int size;

    LongHeap(int capacity) {
      items = new long[Math.max(4, capacity)];
    }

    boolean isEmpty() {
      return size == 0;
    }

    void push(long value) {
      if (size == items.length) {
        items = Arrays.copyOf(items, size * 2);
      }
      int i = size++;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (items[parent] <= value) {
          break;
        }
        items[i] = items[parent];
        i = parent;
      }
      items[i] = value;
    }

    long pop() {
      long top = items[0];
      long last = items[--size];
      int i = 0;
      while (true) {
        int child = 2 * i + 1;
        if (child >= size) {
          break;
        }
        if (child + 1 < size && items[child + 1] < items[child]) {
          child++;
        }
        if (items[child] >= last) {
          break;
        }
        items[i] = items[child];
        i = child;
      }
      if (size > 0) {
        items[i] = last;
      }
      return top;
    }
  }
}
