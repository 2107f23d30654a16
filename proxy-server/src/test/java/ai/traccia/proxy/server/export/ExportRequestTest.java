/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExportRequestTest {

  private static byte[] joined(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  @Test
  void join_keepsTheParts_andReadsAsOneMessageWithEveryItem() throws Exception {
    ExportRequest a = TestRequests.traceRequest("a", 2);
    ExportRequest b = TestRequests.traceRequest("b", 3);

    ExportRequest request = ExportRequest.join(Signal.TRACES, List.of(a, b));

    assertThat(request.signal()).isEqualTo(Signal.TRACES);
    assertThat(request.itemCount()).isEqualTo(5);
    assertThat(request.size()).isEqualTo(a.size() + b.size());
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    assertThat(request.writeTo(written)).isEqualTo(request.size());
    assertThat(written.toByteArray()).isEqualTo(joined(a.body(), b.body()));
    assertThat(request.body()).isEqualTo(written.toByteArray()).isSameAs(request.body());
    ExportTraceServiceRequest parsed = ExportTraceServiceRequest.parseFrom(request.body());
    assertThat(parsed.getResourceSpansCount()).isEqualTo(2);
    assertThat(request.toString())
        .isEqualTo("ExportRequest{traces, 5 spans, " + request.size() + " bytes}");
  }

  @Test
  void join_ofJoinedRequests_keepsTheirOrder() {
    ExportRequest a = TestRequests.traceRequest("a", 1);
    ExportRequest b = TestRequests.traceRequest("b", 1);
    ExportRequest c = TestRequests.traceRequest("c", 1);
    ExportRequest ab = ExportRequest.join(Signal.TRACES, List.of(a, b));

    ExportRequest request = ExportRequest.join(Signal.TRACES, List.of(ab, c, a));

    assertThat(request.body()).isEqualTo(joined(a.body(), b.body(), c.body(), a.body()));
    assertThat(request.itemCount()).isEqualTo(4);
  }

  @Test
  void join_ofOneRequest_isThatRequest() {
    ExportRequest a = TestRequests.traceRequest("a", 1);

    assertThat(ExportRequest.join(Signal.TRACES, List.of(a))).isSameAs(a);
  }

  @Test
  void join_refusesNoRequestsAndRequestsOfAnotherSignal() {
    assertThatThrownBy(() -> ExportRequest.join(Signal.TRACES, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no requests to join");
    assertThatThrownBy(
            () ->
                ExportRequest.join(
                    Signal.TRACES,
                    List.of(TestRequests.traceRequest("a", 1), TestRequests.metricsRequest())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a metrics request among traces requests");
    assertThatThrownBy(
            () -> ExportRequest.join(Signal.LOGS, List.of(TestRequests.traceRequest("a", 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a traces request among logs requests");
  }

  @Test
  void of_keepsTheArray() {
    byte[] body = {1, 2, 3};

    ExportRequest request = ExportRequest.of(Signal.LOGS, body, 0);

    assertThat(request.body()).isSameAs(body);
    assertThat(request.size()).isEqualTo(3);
    assertThatThrownBy(() -> ExportRequest.of(Signal.LOGS, body, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("itemCount: -1 (expected: >= 0)");
  }
}
