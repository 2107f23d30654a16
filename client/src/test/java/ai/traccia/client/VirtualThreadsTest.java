/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import static ai.traccia.client.Clients.only;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code @Observe} on virtual threads. The client is compiled for Java 11, so virtual threads are
 * reached by reflection; on a JDK before 21 the test is skipped, unless {@code
 * -Dtraccia.requireVirtualThreads=true} (set by the {@code virtual-threads} profile) makes that a
 * failure.
 */
class VirtualThreadsTest {

  @TempDir Path directory;

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();

  @AfterEach
  void stop() {
    Clients.stop();
  }

  private static ExecutorService virtualThreads() throws Exception {
    boolean required = Boolean.getBoolean("traccia.requireVirtualThreads");
    if (!required) {
      assumeTrue(
          Runtime.version().feature() >= 21,
          "virtual threads need JDK 21+; this is " + Runtime.version());
    }
    return (ExecutorService)
        Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
  }

  private static boolean onVirtualThread() {
    try {
      return (Boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread());
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void observe_nestsOnVirtualThreadsWithPropagatedContext() throws Exception {
    Clients.inMemory(directory, exporter);
    ObservedService service = new ObservedService();

    ExecutorService executor = virtualThreads();
    try (IdentityScope run = Traccia.runIdentity("vt-agent", null, null)) {
      boolean virtual =
          Traccia.span(
              "request",
              null,
              span ->
                  executor
                      .submit(
                          Context.current()
                              .wrap(
                                  () -> {
                                    service.outer(5);
                                    return onVirtualThread();
                                  }))
                      .get(10, TimeUnit.SECONDS));
      assertThat(virtual).isTrue();
    } finally {
      executor.shutdownNow();
    }

    SpanData request = only(exporter, "request");
    SpanData outer = only(exporter, "outer");
    SpanData inner = only(exporter, "inner");
    assertThat(outer.getParentSpanId()).isEqualTo(request.getSpanId());
    assertThat(inner.getParentSpanId()).isEqualTo(outer.getSpanId());
    assertThat(inner.getAttributes().get(stringKey("agent.id"))).isEqualTo("vt-agent");
  }

  @Test
  void observe_asyncMethodCompletedOnVirtualThread() throws Exception {
    Clients.inMemory(directory, exporter);
    ObservedService service = new ObservedService();
    CompletableFuture<String> source = new CompletableFuture<>();

    ExecutorService executor = virtualThreads();
    try {
      CompletableFuture<String> returned = service.later(source);
      executor.submit(() -> source.complete("from a virtual thread")).get(10, TimeUnit.SECONDS);
      assertThat(returned.get(10, TimeUnit.SECONDS)).isEqualTo("from a virtual thread");
    } finally {
      executor.shutdownNow();
    }

    assertThat(only(exporter, "later").getAttributes().get(stringKey("result")))
        .isEqualTo("from a virtual thread");
  }
}
