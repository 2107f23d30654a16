/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.codec;

/**
 * A position in protobuf bytes that were already checked ({@link OtlpWire}) or written by
 * protobuf-java, with the few reads the pipeline needs: nothing here checks what it reads.
 */
final class WireReader {

  final byte[] buf;
  int pos;

  WireReader(byte[] buf) {
    this.buf = buf;
  }

  /** Reads a varint of up to ten bytes and keeps its low 32 bits, as protobuf-java does. */
  int varint32() {
    byte b = buf[pos++];
    if (b >= 0) {
      return b;
    }
    int result = b & 0x7f;
    for (int shift = 7; shift < 70; shift += 7) {
      b = buf[pos++];
      if (shift < 32) {
        result |= (b & 0x7f) << shift;
      }
      if (b >= 0) {
        return result;
      }
    }
    throw new IllegalStateException("malformed varint in a checked request");
  }

  /** Reads the length of a length-delimited field and returns where the field ends. */
  int limit() {
    int length = varint32();
    return pos + length;
  }

  long fixed64() {
    long v = 0;
    for (int k = 7; k >= 0; k--) {
      v = v << 8 | (buf[pos + k] & 0xffL);
    }
    pos += 8;
    return v;
  }

  /** Skips the rest of a field whose tag (or wire type) was just read. */
  void skip(int tag) {
    switch (tag & 7) {
      case 0:
        // A checked varint ends within ten bytes, the tenth ending it whatever its top bit says.
        for (int k = 0; k < 10 && buf[pos++] < 0; k++) {
          // skipped
        }
        break;
      case 1:
        pos += 8;
        break;
      case 2:
        pos = limit();
        break;
      case 3:
        while (true) {
          int inner = varint32();
          if ((inner & 7) == 4) {
            return; // nested groups were skipped whole, so this end is the group's own
          }
          skip(inner);
        }
      case 5:
        pos += 4;
        break;
      default:
        throw new IllegalStateException("wire type " + (tag & 7) + " in a checked request");
    }
  }
}
