/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.traccia.proxy.config.ExporterProtocol;
import ai.traccia.proxy.config.ProxyConfig;
import ai.traccia.proxy.server.ProxyAssembly;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The metrics derived from spans reach a real OpenTelemetry Collector over OTLP, by gRPC and by
 * HTTP, with the endpoint derived from the traces endpoint as the proxy derives it, through the
 * proxy's export queues: the spans go to a running proxy, and the metrics are the ones it queues
 * when it closes (the export interval is far longer than the test).
 */
@ExtendWith(CollectorBackend.IfAvailable.class)
class DerivedMetricsIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private static CollectorBackend backend;

  @TempDir Path dir;

  @BeforeAll
  static void startCollector() {
    backend = CollectorBackend.start();
  }

  @AfterAll
  static void stopCollector() {
    if (backend != null) {
      backend.close();
    }
  }

  private static KeyValue attribute(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static AnyValue string(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  private static AnyValue integer(long n) {
    return AnyValue.newBuilder().setIntValue(n).build();
  }

  /** {@code length} bytes, none zero (an all-zero id is invalid), distinct per {@code seed}. */
  private static byte[] id(int length, int seed) {
    byte[] id = new byte[length];
    Arrays.fill(id, (byte) seed);
    return id;
  }

  private static ExportTraceServiceRequest llmSpans(String model, int count) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int k = 0; k < count; k++) {
      scope.addSpans(
          Span.newBuilder()
              .setTraceId(ByteString.copyFrom(id(16, k + 1)))
              .setSpanId(ByteString.copyFrom(id(8, k + 1)))
              .setName("chat " + model)
              .setStartTimeUnixNano(1_000_000_000L)
              .setEndTimeUnixNano(1_250_000_000L)
              .addAttributes(attribute("gen_ai.operation.name", string("chat")))
              .addAttributes(attribute("gen_ai.provider.name", string("openai")))
              .addAttributes(attribute("gen_ai.request.model", string(model)))
              .addAttributes(attribute("gen_ai.usage.input_tokens", integer(100)))
              .addAttributes(attribute("gen_ai.usage.output_tokens", integer(20))));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(
                    Resource.newBuilder().addAttributes(attribute("service.name", string("it"))))
                .addScopeSpans(scope))
        .build();
  }

  @ParameterizedTest
  @EnumSource(ExporterProtocol.class)
  void derivedMetrics_reachTheCollector(ExporterProtocol protocol) throws Exception {
    String model = "model-" + protocol.name().toLowerCase(Locale.ROOT);
    URI traces =
        protocol == ExporterProtocol.GRPC
            ? URI.create(backend.grpcEndpoint())
            : URI.create(backend.httpEndpoint() + "/v1/traces");
    ProxyAssembly proxy =
        ProxyAssembly.start(
            ProxyConfig.builder()
                .setEndpoint(traces)
                .setExporterProtocol(protocol)
                .setApiKey("it-key")
                .setMetricsExportInterval(Duration.ofMinutes(10))
                .setGrpcPort(0)
                .setHttpPort(0)
                .setAdminPort(0)
                .setBindAddress("127.0.0.1")
                .setLivePageEnabled(false)
                .setFilePath(dir.resolve("traces.jsonl"))
                .build());
    try {
      HttpResponse<Void> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + proxy.server().httpPort() + "/v1/traces"))
                      .header("Content-Type", "application/x-protobuf")
                      .POST(
                          HttpRequest.BodyPublishers.ofByteArray(llmSpans(model, 3).toByteArray()))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
      assertThat(response.statusCode()).isEqualTo(200);
    } finally {
      proxy.close(); // the last collection is queued, then the queues drain to the collector
    }

    // The export finished; the collector's file exporter may still be writing it.
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              double inputSum = 0;
              long inputCount = 0;
              for (Metric metric : backend.receivedMetricList()) {
                if (!metric.getName().equals("gen_ai.client.token.usage")) {
                  continue;
                }
                assertThat(metric.getUnit()).isEqualTo("{token}");
                assertThat(metric.getHistogram().getAggregationTemporality())
                    .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
                for (HistogramDataPoint point : metric.getHistogram().getDataPointsList()) {
                  if (hasAttribute(point.getAttributesList(), "gen_ai.request.model", model)
                      && hasAttribute(point.getAttributesList(), "gen_ai.token.type", "input")) {
                    inputSum += point.getSum();
                    inputCount += point.getCount();
                    assertThat(point.getExplicitBoundsList()).startsWith(1.0, 4.0, 16.0, 64.0);
                  }
                }
              }
              assertThat(inputCount).isEqualTo(3);
              assertThat(inputSum).isEqualTo(300.0);
            });
  }

  private static boolean hasAttribute(List<KeyValue> attributes, String key, String value) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals(key) && kv.getValue().getStringValue().equals(value)) {
        return true;
      }
    }
    return false;
  }
}
