/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.traccia.proxy.server.export.Signal;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SelfMetricsTest {

  private static String text(SelfMetrics metrics) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    metrics.writeText(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  // Issue "Hostile input and exposure", case 2, for the proxy's own unpriced-model counter.
  @Test
  void unpricedSpan_longModelNames_cutToTheLabelLength() throws Exception {
    SelfMetrics metrics = new SelfMetrics(16);

    for (int k = 0; k < 20; k++) {
      metrics.unpricedSpan((char) ('a' + k) + "m".repeat(1024 * 1024));
    }

    String text = text(metrics);
    assertThat(text.length()).isLessThan(4096);
    assertThat(metrics.counterValue("traccia_proxy_unpriced_spans", "model", "a" + "m".repeat(15)))
        .isEqualTo(1.0);
  }

  @Test
  void recordings_scheduleNoExemplarSampling() throws Exception {
    // The Prometheus client's exemplar sampler schedules a task on its own thread after each
    // sampled recording; with exemplars off that thread never starts. Nothing else in this
    // module's tests makes Prometheus metrics with exemplars.
    SelfMetrics metrics = new SelfMetrics();

    for (int k = 0; k < 50; k++) {
      metrics.received(Signal.TRACES, "grpc", 10);
      metrics.accepted(Signal.TRACES, "grpc", 10);
      metrics.exported(Signal.TRACES, "otlp", 10);
      metrics.exportDuration(Signal.TRACES, "otlp", 0.01);
      metrics.durableFsync("otlp", 1_000_000);
      metrics.guardrailEvent("root_held", "");
      Thread.sleep(2);
    }

    assertThat(Thread.getAllStackTraces().keySet())
        .extracting(Thread::getName)
        .noneMatch(name -> name.startsWith("prometheus-metrics-scheduler-"));
    assertThat(text(metrics)).doesNotContain("trace_id");
  }

  @Test
  void unpricedSpan_pastTheCap_foldedIntoOther() throws Exception {
    SelfMetrics metrics = new SelfMetrics();

    for (int k = 0; k < SelfMetrics.MAX_UNPRICED_MODELS + 50; k++) {
      metrics.unpricedSpan("model-" + k);
    }
    metrics.unpricedSpan("model-0");

    assertThat(metrics.counterValue("traccia_proxy_unpriced_spans", "model", "model-0"))
        .isEqualTo(2.0);
    assertThat(
            metrics.counterValue("traccia_proxy_unpriced_spans", "model", SelfMetrics.OTHER_MODEL))
        .isEqualTo(50.0);
    assertThat(text(metrics)).doesNotContain("model-" + SelfMetrics.MAX_UNPRICED_MODELS + "\"");
  }

  @Test
  void constructor_rejectsNonPositiveLabelLength() {
    assertThatThrownBy(() -> new SelfMetrics(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxLabelLength: 0 (expected: > 0)");
  }
}
