/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrometheusBridgeTest {

  @Test
  void prometheusName_followsTheUnitRules() {
    assertThat(PrometheusBridge.prometheusName("gen_ai.client.operation.duration", "s"))
        .isEqualTo("gen_ai_client_operation_duration_seconds");
    assertThat(PrometheusBridge.prometheusName("gen_ai.client.token.usage", "{token}"))
        .isEqualTo("gen_ai_client_token_usage");
    assertThat(PrometheusBridge.prometheusName("gen_ai.client.operation.cost", "usd"))
        .isEqualTo("gen_ai_client_operation_cost_usd");
    assertThat(PrometheusBridge.prometheusName("gen_ai.agent.runs", "1"))
        .isEqualTo("gen_ai_agent_runs");
    assertThat(PrometheusBridge.prometheusName("latency_seconds", "s"))
        .isEqualTo("latency_seconds");
  }

  @Test
  void collect_collidingLabelNamesJoinDistinctValues() {
    PrometheusBridge bridge = new PrometheusBridge();
    SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(bridge).build();
    Meter meter = provider.get("test");
    meter
        .counterBuilder("runs")
        .build()
        .add(
            2,
            Attributes.of(
                AttributeKey.stringKey("agent.id"), "a", AttributeKey.stringKey("agent_id"), "b"));

    MetricSnapshots snapshots = bridge.collect();

    CounterSnapshot counter = (CounterSnapshot) snapshots.get(0);
    assertThat(counter.getMetadata().getName()).isEqualTo("runs");
    assertThat((Object) counter.getDataPoints().get(0).getLabels())
        .isEqualTo(Labels.of("agent_id", "a;b"));
    assertThat(counter.getDataPoints().get(0).getValue()).isEqualTo(2.0);
    provider.shutdown().join(10, TimeUnit.SECONDS);
    assertThat(bridge.collect().size()).isZero();
  }
}
