/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExportRequestMarshallerTest {

  private final ExportRequestMarshaller traces = new ExportRequestMarshaller(Signal.TRACES);
  private final ExportRequest joined =
      ExportRequest.join(
          Signal.TRACES,
          List.of(TestRequests.traceRequest("a", 2), TestRequests.traceRequest("b", 1)));

  @Test
  void stream_knowsItsLength_andDrainsEveryPartInOneCall() throws Exception {
    InputStream stream = traces.stream(joined);

    assertThat(stream).isInstanceOf(KnownLength.class).isInstanceOf(Drainable.class);
    assertThat(stream.available()).isEqualTo(joined.size());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(((Drainable) stream).drainTo(out)).isEqualTo(joined.size());
    assertThat(out.toByteArray()).isEqualTo(joined.body());
    assertThat(stream.available()).isZero();
    assertThat(stream.read()).isEqualTo(-1);
  }

  @Test
  void stream_canBeReadAndThenDrained() throws Exception {
    InputStream stream = traces.stream(joined);
    byte[] body = joined.body();

    assertThat(stream.read()).isEqualTo(body[0] & 0xff);
    byte[] next = new byte[9];
    assertThat(stream.read(next, 0, 9)).isEqualTo(9);
    ByteArrayOutputStream rest = new ByteArrayOutputStream();
    assertThat(((Drainable) stream).drainTo(rest)).isEqualTo(body.length - 10);

    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.write(body[0]);
    all.write(next);
    all.write(rest.toByteArray());
    assertThat(all.toByteArray()).isEqualTo(body);
  }

  @Test
  void parse_countsTheItemsOfItsSignal() {
    ExportRequest parsed = traces.parse(new ByteArrayInputStream(joined.body()));

    assertThat(parsed.body()).isEqualTo(joined.body());
    assertThat(parsed.itemCount()).isEqualTo(3);
    assertThat(
            new ExportRequestMarshaller(Signal.METRICS)
                .parse(traces.stream(TestRequests.metricsRequest()))
                .itemCount())
        .isEqualTo(TestRequests.metricsRequest().itemCount());
  }

  @Test
  void parse_ofBytesThatAreNotARequest_isAnInternalError() {
    assertThatThrownBy(() -> traces.parse(new ByteArrayInputStream(new byte[] {0x0a, 0x7f})))
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(
            e -> {
              Status status = ((StatusRuntimeException) e).getStatus();
              assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL);
              assertThat(status.getDescription()).startsWith("not a traces export request: ");
            });
  }
}
