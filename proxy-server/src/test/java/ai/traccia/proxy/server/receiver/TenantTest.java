/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import static ai.traccia.proxy.server.TestData.attr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.traccia.proxy.server.TestData;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import java.util.List;
import org.junit.jupiter.api.Test;

class TenantTest {

  private final Tenant tenant = new Tenant("tenant.id", "team-a");

  @Test
  void tag_traces_addsTheAttributeAndKeepsTheRest() throws Exception {
    ExportTraceServiceRequest request = TestData.traces(3);

    ExportTraceServiceRequest tagged =
        ExportTraceServiceRequest.parseFrom(tenant.tag(request.toByteArray()));

    ExportTraceServiceRequest expected =
        request.toBuilder()
            .setResourceSpans(
                0,
                request.getResourceSpans(0).toBuilder()
                    .setResource(
                        request.getResourceSpans(0).getResource().toBuilder()
                            .addAttributes(attr("tenant.id", "team-a"))))
            .build();
    assertThat(tagged).isEqualTo(expected);
  }

  @Test
  void tag_clientValueOfTheAttribute_isReplacedEverywhere() throws Exception {
    ResourceSpans spoofed =
        ResourceSpans.newBuilder()
            .setResource(
                Resource.newBuilder()
                    .addAttributes(attr("tenant.id", "team-b"))
                    .addAttributes(attr("service.name", "checkout"))
                    .addAttributes(attr("tenant.id", "team-c")))
            .build();
    ResourceSpans noResource = ResourceSpans.newBuilder().setSchemaUrl("s").build();
    byte[] request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(spoofed)
            .addResourceSpans(noResource)
            .build()
            .toByteArray();
    // The same resource sent twice in one ResourceSpans: parsers merge the two.
    byte[] twice =
        concat(
            request,
            ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(
                    ResourceSpans.newBuilder()
                        .setResource(Resource.newBuilder().addAttributes(attr("tenant.id", "x"))))
                .build()
                .toByteArray());

    ExportTraceServiceRequest tagged = ExportTraceServiceRequest.parseFrom(tenant.tag(request));
    assertThat(tagged.getResourceSpans(0).getResource().getAttributesList())
        .containsExactly(attr("service.name", "checkout"), attr("tenant.id", "team-a"));
    assertThat(tagged.getResourceSpans(1).getResource().getAttributesList())
        .containsExactly(attr("tenant.id", "team-a"));
    assertThat(tagged.getResourceSpans(1).getSchemaUrl()).isEqualTo("s");
    for (ResourceSpans rs :
        ExportTraceServiceRequest.parseFrom(tenant.tag(twice)).getResourceSpansList()) {
      assertThat(tenantValues(rs.getResource().getAttributesList())).containsExactly("team-a");
    }
  }

  @Test
  void tag_metricsAndLogs() throws Exception {
    ExportMetricsServiceRequest metrics =
        ExportMetricsServiceRequest.parseFrom(tenant.tag(TestData.metrics(2).toByteArray()));
    ExportLogsServiceRequest logs =
        ExportLogsServiceRequest.parseFrom(tenant.tag(TestData.logs(2).toByteArray()));

    assertThat(metrics.getResourceMetrics(0).getResource().getAttributesList())
        .containsExactly(attr("service.name", "checkout"), attr("tenant.id", "team-a"));
    assertThat(metrics.getResourceMetrics(0).getScopeMetrics(0))
        .isEqualTo(TestData.metrics(2).getResourceMetrics(0).getScopeMetrics(0));
    assertThat(logs.getResourceLogs(0).getResource().getAttributesList())
        .contains(attr("tenant.id", "team-a"));
    assertThat(logs.getResourceLogs(0).getScopeLogs(0))
        .isEqualTo(TestData.logs(2).getResourceLogs(0).getScopeLogs(0));
  }

  @Test
  void tag_emptyRequestStaysEmpty() throws Exception {
    assertThat(tenant.tag(new byte[0])).isEmpty();
    assertThat(Tenant.tag(null, new byte[] {1, 2})).containsExactly(1, 2);
  }

  @Test
  void tag_malformed_throwsInvalidProtocolBuffer() {
    assertThatThrownBy(() -> tenant.tag(new byte[] {0x0a, 0x7f, 0x01}))
        .isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> tenant.tag(new byte[] {(byte) 0xff, (byte) 0xff}))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  private static List<String> tenantValues(List<KeyValue> attributes) {
    return attributes.stream()
        .filter(a -> a.getKey().equals("tenant.id"))
        .map(a -> a.getValue().getStringValue())
        .collect(java.util.stream.Collectors.toList());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    // Two encoded requests one after the other parse as one request: ResourceSpans lists join.
    // To send one ResourceSpans with two resources, splice the second resource into the first
    // ResourceSpans instead.
    ExportTraceServiceRequest first;
    try {
      first = ExportTraceServiceRequest.parseFrom(a);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
    byte[] extraResource;
    try {
      extraResource = ExportTraceServiceRequest.parseFrom(b).getResourceSpans(0).toByteArray();
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
    byte[] entry = concatBytes(first.getResourceSpans(0).toByteArray(), extraResource);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(0x0a);
    writeVarint(out, entry.length);
    out.writeBytes(entry);
    return out.toByteArray();
  }

  private static byte[] concatBytes(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void writeVarint(java.io.ByteArrayOutputStream out, int value) {
    while ((value & ~0x7f) != 0) {
      out.write((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.write(value);
  }
}
