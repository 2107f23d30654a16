/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The tenant a bearer token belongs to, and the resource attribute it is written as.
 *
 * <p>{@link #tag} writes the attribute on every resource of an OTLP export request, working on the
 * protobuf wire: the three requests (traces, metrics, logs) share the shape it needs, a repeated
 * field 1 of {@code Resource*} messages whose field 1 is the {@code Resource}, whose field 1 holds
 * the attributes. Every attribute of that name the client sent is removed, so a client cannot claim
 * another tenant, and the rest of the request is copied byte for byte. Immutable and thread-safe.
 */
public final class Tenant {

  // Field 1, wire type 2 (length-delimited): (1 << 3) | 2.
  private static final int LENGTH_DELIMITED_1 = (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
  private static final byte[] NO_BYTES = new byte[0];

  private final String attribute;
  private final String name;
  private final byte[] attributeBytes;
  private final byte[] encodedAttribute;

  Tenant(String attribute, String name) {
    this.attribute = Objects.requireNonNull(attribute, "attribute");
    this.name = Objects.requireNonNull(name, "name");
    this.attributeBytes = attribute.getBytes(StandardCharsets.UTF_8);
    this.encodedAttribute =
        KeyValue.newBuilder()
            .setKey(attribute)
            .setValue(AnyValue.newBuilder().setStringValue(name))
            .build()
            .toByteArray();
  }

  /** The resource attribute's name ({@code server.tenant_attribute}). */
  public String attribute() {
    return attribute;
  }

  /** The tenant's name, as configured in {@code server.auth_tenants}. */
  public String name() {
    return name;
  }

  /** {@code request} tagged with {@code tenant}, or {@code request} itself when it is null. */
  static byte[] tag(Tenant tenant, byte[] request) throws InvalidProtocolBufferException {
    return tenant == null ? request : tenant.tag(request);
  }

  /**
   * Returns a copy of an encoded {@code Export{Trace,Metrics,Logs}ServiceRequest} whose every
   * resource carries this tenant's attribute, and no other value under its name.
   *
   * @throws InvalidProtocolBufferException when {@code request} is not valid protobuf
   */
  byte[] tag(byte[] request) throws InvalidProtocolBufferException {
    try {
      return tagged(request);
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      // Reading a byte array fails only on malformed input, reported as the exception above.
      throw new InvalidProtocolBufferException(e);
    }
  }

  private byte[] tagged(byte[] request) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(request);
    Output out = new Output(request.length + 64);
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == LENGTH_DELIMITED_1) {
        out.field(1, resourceEntry(in.readByteArray()));
      } else {
        out.copy(in, tag);
      }
    }
    return out.bytes();
  }

  /** A {@code ResourceSpans}, {@code ResourceMetrics} or {@code ResourceLogs}. */
  private byte[] resourceEntry(byte[] entry) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(entry);
    Output out = new Output(entry.length + encodedAttribute.length + 8);
    boolean tagged = false;
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == LENGTH_DELIMITED_1) {
        // A message field sent twice is merged by parsers, attributes appended: the attribute is
        // added to the first occurrence only, and removed from all.
        out.field(1, resource(in.readByteArray(), !tagged));
        tagged = true;
      } else {
        out.copy(in, tag);
      }
    }
    if (!tagged) {
      out.field(1, resource(NO_BYTES, true));
    }
    return out.bytes();
  }

  private byte[] resource(byte[] resource, boolean add) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(resource);
    Output out = new Output(resource.length + encodedAttribute.length + 4);
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == LENGTH_DELIMITED_1) {
        byte[] keyValue = in.readByteArray();
        if (!isOurs(keyValue)) {
          out.field(1, keyValue);
        }
      } else {
        out.copy(in, tag);
      }
    }
    if (add) {
      out.field(1, encodedAttribute);
    }
    return out.bytes();
  }

  /** Whether a {@code KeyValue}'s key is this tenant's attribute; the last key sent counts. */
  private boolean isOurs(byte[] keyValue) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(keyValue);
    byte[] key = null;
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == LENGTH_DELIMITED_1) {
        key = in.readByteArray();
      } else {
        in.skipField(tag);
      }
    }
    return key != null && Arrays.equals(key, attributeBytes);
  }

  @Override
  public String toString() {
    return attribute + "=" + name;
  }

  /** A growing protobuf output; nested messages are written whole, with their length first. */
  private static final class Output {
    private final ByteArrayOutputStream buffer;
    private final CodedOutputStream out;

    Output(int expectedSize) {
      this.buffer = new ByteArrayOutputStream(expectedSize);
      this.out = CodedOutputStream.newInstance(buffer, 4096);
    }

    void field(int number, byte[] message) throws IOException {
      out.writeByteArray(number, message);
    }

    void copy(CodedInputStream in, int tag) throws IOException {
      in.skipField(tag, out);
    }

    byte[] bytes() throws IOException {
      out.flush();
      return buffer.toByteArray();
    }
  }
}
