/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import ai.traccia.proxy.codec.OtlpWire;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The OTLP/gRPC exporter's request marshaller for one signal. It hands gRPC's framer (and its gzip)
 * an {@link ExportRequest}'s parts as they are, so a batch joined from many requests is sent
 * without first being copied into one array. Parsing, which only a server does, reads the message
 * into a request of one part and counts its items from the encoding. Stateless and thread-safe.
 */
final class ExportRequestMarshaller implements MethodDescriptor.Marshaller<ExportRequest> {
  private final Signal signal;

  ExportRequestMarshaller(Signal signal) {
    this.signal = Objects.requireNonNull(signal, "signal");
  }

  @Override
  public InputStream stream(ExportRequest value) {
    return new Stream(value);
  }

  @Override
  public ExportRequest parse(InputStream stream) {
    byte[] body = ByteArrayMarshaller.INSTANCE.parse(stream);
    try {
      return ExportRequest.of(signal, body, items(body));
    } catch (InvalidProtocolBufferException e) {
      throw Status.INTERNAL
          .withDescription("not a " + signal.label() + " export request: " + e.getMessage())
          .withCause(e)
          .asRuntimeException();
    }
  }

  private int items(byte[] body) throws InvalidProtocolBufferException {
    return switch (signal) {
      case TRACES -> OtlpWire.countSpans(body);
      case METRICS -> OtlpWire.countDataPoints(body);
      case LOGS -> OtlpWire.countLogRecords(body);
    };
  }

  /**
   * A request's bytes, with their length known up front and drained part by part in one call. Read
   * byte by byte only if gRPC ever asks, from the request's joined body.
   */
  private static final class Stream extends InputStream implements KnownLength, Drainable {
    private ExportRequest pending;
    private InputStream rest = InputStream.nullInputStream();

    Stream(ExportRequest request) {
      this.pending = request;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      if (pending != null) {
        ExportRequest request = pending;
        pending = null;
        return request.writeTo(target);
      }
      int n = rest.available();
      rest.transferTo(target);
      return n;
    }

    @Override
    public int available() throws IOException {
      return pending != null ? pending.size() : rest.available();
    }

    @Override
    public int read() throws IOException {
      return reading().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return reading().read(b, off, len);
    }

    private InputStream reading() {
      if (pending != null) {
        rest = new ByteArrayInputStream(pending.body());
        pending = null;
      }
      return rest;
    }
  }
}
