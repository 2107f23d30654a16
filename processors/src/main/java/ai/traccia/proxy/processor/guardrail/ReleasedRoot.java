/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/**
 * A root span the guardrail processor held and now releases with its trace's summary: an encoded
 * export request holding that one span with its resource and scope, ready to queue, and the two
 * fields a sampling decision needs. Immutable.
 */
public final class ReleasedRoot {

  private final byte[] encodedRequest;
  private final ByteString traceId;
  private final String traceState;

  ReleasedRoot(byte[] encodedRequest, ByteString traceId, String traceState) {
    this.encodedRequest = encodedRequest;
    this.traceId = traceId;
    this.traceState = traceState;
  }

  /** The protobuf encoding of an {@code ExportTraceServiceRequest} with the one root span. */
  public byte[] encodedRequest() {
    return encodedRequest;
  }

  /** The root's trace id. */
  public ByteString traceId() {
    return traceId;
  }

  /** The root's W3C tracestate, or "". */
  public String traceState() {
    return traceState;
  }

  /** The request, decoded; for tests and tools. */
  public ExportTraceServiceRequest request() {
    try {
      return ExportTraceServiceRequest.parseFrom(encodedRequest);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the processor wrote a request it cannot read", e);
    }
  }
}
