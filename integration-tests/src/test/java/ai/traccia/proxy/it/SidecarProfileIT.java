/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's sidecar JVM profile ({@code sidecar.javaOpts} in the chart's values) is a
 * configuration this JVM accepts without a warning, and the proxy started with it in the sidecar
 * example's 384 MiB serves both transports, requests of several MiB included, and delivers every
 * span intact. The profile's Netty allocator, garbage collector and heap shape are what a sidecar
 * runs with; the other tests run the proxy with the JVM's defaults.
 */
class SidecarProfileIT {

  private static final Path VALUES = Paths.get("..", "helm", "traccia-proxy", "values.yaml");

  // The same line that benchmarks/run-comparison.sh reads: the only javaOpts key of the values.
  private static final Pattern JAVA_OPTS =
      Pattern.compile("^  javaOpts: \"(.*)\"$", Pattern.MULTILINE);

  // The sidecar example's memory limit (helm/examples/sidecar); in a container the JVM reads it
  // from its cgroup, here MaxRAM stands in for it.
  private static final String CONTAINER_LIMIT = "-XX:MaxRAM=384m";

  // The oldest JVM the profile is for: -XX:TrimNativeHeapInterval came to JDK 17 in 17.0.9, and the
  // image's base image is the newest JDK 17.
  private static final Runtime.Version OLDEST_JVM = Runtime.Version.parse("17.0.9");

  private static final int CHILDREN = 30;
  private static final int LARGE_SPANS = 3;
  private static final int LARGE_VALUE_CHARS = 1 << 20;
  private static final AttributeKey<String> PAYLOAD = AttributeKey.stringKey("test.payload");

  @TempDir Path work;
  private final OtlpHttpSink sink = new OtlpHttpSink();
  private ProxyProcess proxy;

  @AfterEach
  void stopAll() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    sink.close();
  }

  @Test
  void chartSidecarProfile_startsWithoutWarningsAndDeliversOverBothTransports() throws Exception {
    assumeTrue(
        Runtime.version().compareTo(OLDEST_JVM) >= 0,
        "the sidecar profile is for JDK " + OLDEST_JVM + " or newer, as in the image");
    List<String> options = new ArrayList<>(sidecarJavaOpts());
    options.add(CONTAINER_LIMIT);
    sink.start();
    proxy =
        ProxyProcess.startWithJvmOptions(
            work.resolve("proxy"),
            options,
            ProxyProcess.env(
                // The image's environment.
                "MALLOC_ARENA_MAX",
                "2",
                "TRACCIA_ENDPOINT",
                sink.tracesUrl(),
                "TRACCIA_EXPORTER_PROTOCOL",
                "http/protobuf",
                "TRACCIA_EXPORTER_COMPRESSION",
                "none",
                "TRACCIA_SCHEDULE_DELAY_MILLIS",
                "50",
                "TRACCIA_GUARDRAIL_ROOT_SPAN_WAIT_MS",
                "500"));

    int sent =
        sendTrace(OtlpGrpcSpanExporter.builder().setEndpoint(proxy.grpcEndpoint()).build(), "grpc")
            + sendTrace(
                OtlpHttpSpanExporter.builder()
                    .setEndpoint(proxy.httpEndpoint() + "/v1/traces")
                    .build(),
                "http");

    await().atMost(Duration.ofSeconds(30)).until(() -> sink.spans().size() >= sent);
    assertThat(sink.spans()).hasSize(sent);
    assertThat(sink.duplicates()).isZero();
    List<io.opentelemetry.proto.trace.v1.Span> large =
        sink.spans().values().stream()
            .filter(s -> s.getName().startsWith("large-"))
            .collect(Collectors.toList());
    assertThat(large).hasSize(2 * LARGE_SPANS);
    for (io.opentelemetry.proto.trace.v1.Span span : large) {
      assertThat(OtlpAttributes.attributes(span).get(PAYLOAD.getKey()))
          .as("%s of %s", PAYLOAD, span.getName())
          .isEqualTo(largeValue(span.getName()));
    }
    // HotSpot prints "OpenJDK 64-Bit Server VM warning: ..." for an option it ignores, has
    // deprecated or cannot honour; the profile must have none on the JVM the image runs.
    assertThat(proxy.output()).doesNotContain("VM warning");
    assertThat(proxy.stop()).isZero();
  }

  /** The chart's sidecar JVM options, one element per option. */
  private static List<String> sidecarJavaOpts() throws Exception {
    String values = Files.readString(VALUES, StandardCharsets.UTF_8);
    Matcher m = JAVA_OPTS.matcher(values);
    assertThat(m.find()).as("a javaOpts line in %s", VALUES).isTrue();
    String opts = m.group(1);
    assertThat(m.find()).as("a single javaOpts line in %s", VALUES).isFalse();
    List<String> options = Arrays.asList(opts.trim().split("\\s+"));
    assertThat(options).as("sidecar.javaOpts").isNotEmpty().allMatch(o -> o.startsWith("-"));
    return options;
  }

  /**
   * One trace through {@code exporter}: a root, {@link #CHILDREN} children and {@link #LARGE_SPANS}
   * spans each carrying a 1 MiB attribute, so that one export is several MiB. Returns the number of
   * spans sent.
   */
  private static int sendTrace(SpanExporter exporter, String transport) {
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .addSpanProcessor(
                BatchSpanProcessor.builder(exporter)
                    .setMaxExportBatchSize(CHILDREN + LARGE_SPANS + 1)
                    .setScheduleDelay(Duration.ofMillis(100))
                    .build())
            .build();
    Tracer tracer = provider.get("sidecar-profile-test");
    Span root = tracer.spanBuilder("root-" + transport).startSpan();
    try (Scope ignored = root.makeCurrent()) {
      for (int i = 0; i < CHILDREN; i++) {
        tracer
            .spanBuilder("child-" + transport + "-" + i)
            .setAttribute("gen_ai.request.model", "gpt-4o-mini")
            .setAttribute("gen_ai.usage.input_tokens", 120L + i)
            .setAttribute("gen_ai.usage.output_tokens", 30L)
            .startSpan()
            .end();
      }
      for (int i = 0; i < LARGE_SPANS; i++) {
        String name = "large-" + transport + "-" + i;
        tracer.spanBuilder(name).setAttribute(PAYLOAD, largeValue(name)).startSpan().end();
      }
    } finally {
      root.end();
    }
    assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess())
        .as("the %s export was accepted", transport)
        .isTrue();
    provider.shutdown().join(30, TimeUnit.SECONDS);
    return CHILDREN + LARGE_SPANS + 1;
  }

  /** A 1 MiB value that differs per span, so that a mixed-up buffer would show. */
  private static String largeValue(String name) {
    StringBuilder value = new StringBuilder(LARGE_VALUE_CHARS);
    int i = 0;
    while (value.length() < LARGE_VALUE_CHARS) {
      value.append(name).append(':').append(i++).append(' ');
    }
    value.setLength(LARGE_VALUE_CHARS);
    return value.toString();
  }
}
