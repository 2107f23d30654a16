/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static ai.traccia.proxy.it.TwoServiceTraces.assertSameAsOneNode;
import static ai.traccia.proxy.it.TwoServiceTraces.assertSameMetricTotals;
import static ai.traccia.proxy.it.TwoServiceTraces.input;
import static ai.traccia.proxy.it.TwoServiceTraces.key;
import static ai.traccia.proxy.it.TwoServiceTraces.post;
import static ai.traccia.proxy.it.TwoServiceTraces.service;
import static ai.traccia.proxy.it.TwoServiceTraces.spansByKey;
import static ai.traccia.proxy.it.TwoServiceTraces.written;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The same traces through one proxy with {@code server.role = all}, and through two sidecars whose
 * output is routed by trace id to three gateways, as the Collector's load-balancing exporter routes
 * it: every span, root summary and roll-up is the same, and the derived metrics summed over the
 * gateways are those of the one node.
 *
 * <p>The traces ({@link TwoServiceTraces}) have spans from two services, each sent through its own
 * sidecar. The test is the router: it collects what the sidecars wrote and sends it on in the order
 * the requests were first sent, which is the order a router forwarding each request at once would
 * keep, since the root summary lists findings in arrival order.
 */
class RoleSplitIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int TRACES = 12;
  private static final int GATEWAYS = 3;

  private final Path work =
      LocalProcesses.workDirectory("role-split", "run-", "the role split test");
  private final List<ProxyProcess> processes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (ProxyProcess p : processes) {
      p.close();
    }
  }

  @Test
  void sidecarsThenGateways_writeWhatOneNodeWrites() throws Exception {
    List<ExportTraceServiceRequest> input = input(TRACES);
    int spanCount = input.stream().mapToInt(TwoServiceTraces::spanCount).sum();

    List<CompletableFuture<ProxyProcess>> starting = new ArrayList<>();
    starting.add(start("single", "all"));
    starting.add(start("sidecar-frontend", "sidecar"));
    starting.add(start("sidecar-search", "sidecar"));
    for (int g = 0; g < GATEWAYS; g++) {
      starting.add(start("gateway-" + g, "gateway"));
    }
    List<ProxyProcess> started = new ArrayList<>();
    for (CompletableFuture<ProxyProcess> s : starting) {
      started.add(s.join());
    }
    processes.addAll(started);
    ProxyProcess single = started.get(0);
    Map<String, ProxyProcess> sidecars =
        Map.of("frontend", started.get(1), "search", started.get(2));
    List<ProxyProcess> gateways = started.subList(3, 3 + GATEWAYS);

    // (a) One node.
    for (ExportTraceServiceRequest request : input) {
      post(single, request);
    }
    // (b) Each service's spans through its sidecar...
    for (ExportTraceServiceRequest request : input) {
      post(sidecars.get(service(request)), request);
    }
    Map<String, ResourceSpans> enriched = new LinkedHashMap<>();
    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              enriched.clear();
              for (ProxyProcess sidecar : sidecars.values()) {
                enriched.putAll(spansByKey(written(sidecar)));
              }
              return enriched.size() == spanCount;
            });
    // Sidecars do not redact: the gateway does, once, after its guardrail stage read the text.
    assertThat(enriched.values().toString()).contains("jane.doe@example.com");
    // ...then routed by trace id to the gateways, in the order the requests were sent.
    for (ExportTraceServiceRequest request : input) {
      ExportTraceServiceRequest.Builder routed = ExportTraceServiceRequest.newBuilder();
      for (Span span : request.getResourceSpans(0).getScopeSpans(0).getSpansList()) {
        routed.addResourceSpans(enriched.get(key(span)));
      }
      post(gateways.get(gateway(request)), routed.build());
    }

    // Every root is held for its children, then written with its summary.
    Map<String, Span> one = awaitAllWritten(List.of(single), spanCount);
    Map<String, Span> tiered = awaitAllWritten(gateways, spanCount);
    assertSameAsOneNode(one, tiered, TRACES);

    // Derived metrics: counted at the gateways only, and there once.
    assertSameMetricTotals(single, gateways, sidecars.values());
  }

  /** The gateway a trace goes to: what a hash of the trace id does, here its first byte. */
  private static int gateway(ExportTraceServiceRequest request) {
    ByteString trace = request.getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId();
    return Math.floorMod(trace.byteAt(0), GATEWAYS);
  }

  // --- The processes --------------------------------------------------------------------------

  private CompletableFuture<ProxyProcess> start(String name, String role) {
    return TwoServiceTraces.startNode(work.resolve(name), role, Map.of());
  }

  private Map<String, Span> awaitAllWritten(List<ProxyProcess> nodes, int spanCount) {
    Map<String, Span> spans = new TreeMap<>();
    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              spans.clear();
              for (ProxyProcess node : nodes) {
                for (ResourceSpans rs : spansByKey(written(node)).values()) {
                  Span span = rs.getScopeSpans(0).getSpans(0);
                  spans.put(key(span), span);
                }
              }
              return spans.size() == spanCount;
            });
    return spans;
  }
}
