/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A gRPC marshaller for messages that are already encoded: the bytes go on the wire as they are.
 *
 * <p>The stream it returns tells gRPC its length up front ({@link KnownLength}) and writes the
 * whole array in one call ({@link Drainable}), so gRPC frames it without an extra buffering pass.
 * Stateless and thread-safe.
 */
final class ByteArrayMarshaller implements MethodDescriptor.Marshaller<byte[]> {

  static final ByteArrayMarshaller INSTANCE = new ByteArrayMarshaller();

  private ByteArrayMarshaller() {}

  @Override
  public InputStream stream(byte[] value) {
    return new Stream(value);
  }

  @Override
  public byte[] parse(InputStream stream) {
    try {
      return stream.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A byte array stream that gRPC can measure and drain in one write. */
  private static final class Stream extends ByteArrayInputStream implements KnownLength, Drainable {
    Stream(byte[] bytes) {
      super(bytes);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int length = count - pos;
      target.write(buf, pos, length);
      pos = count;
      return length;
    }
  }
}
