/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A gRPC marshaller for messages that are already encoded: the bytes go on the wire as they are.
 *
 * <p>The stream it returns tells gRPC its length up front ({@link KnownLength}) and writes the
 * whole array in one call ({@link Drainable}), so gRPC frames it without an extra buffering pass.
 * Parsing reads a stream that knows its length (grpc-java's message streams do) into one exact
 * array, instead of a list of chunks joined at the end. The exporters, the gRPC receiver and the
 * benchmark harness use it. Stateless and thread-safe.
 */
public final class ByteArrayMarshaller implements MethodDescriptor.Marshaller<byte[]> {

  /** The one instance. */
  public static final ByteArrayMarshaller INSTANCE = new ByteArrayMarshaller();

  private ByteArrayMarshaller() {}

  @Override
  public InputStream stream(byte[] value) {
    return new Stream(value);
  }

  @Override
  public byte[] parse(InputStream stream) {
    try {
      if (stream instanceof KnownLength) {
        byte[] body = new byte[stream.available()];
        int read = stream.readNBytes(body, 0, body.length);
        if (read == body.length && stream.read() == -1) {
          return body;
        }
        throw new IOException("the message was not the length it announced");
      }
      return stream.readAllBytes();
    } catch (IOException e) {
      throw Status.INTERNAL
          .withDescription("could not read the message: " + e.getMessage())
          .withCause(e)
          .asRuntimeException();
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
