/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import ai.traccia.client.internal.Weaving;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * A tiny application the *IT tests start in a child JVM: {@code agent} expects the weaver from
 * {@code -javaagent} and disables self-attach; {@code self} loads its observed class before {@code
 * init()}, so that class must be retransformed. Prints one line per span and the weaving mode.
 */
final class WovenApp {

  private WovenApp() {}

  /** Loaded and used before init() in the "self" mode. */
  static final class Greeter {
    @Observe(asType = "tool")
    String greet(String name) {
      return "hi " + name;
    }
  }

  public static void main(String[] args) throws Exception {
    boolean agent = args[0].equals("agent");
    Greeter greeter = new Greeter();
    // Runs before init(): no span, but the class is now loaded.
    greeter.greet("early");

    Path directory = Files.createTempDirectory("woven-app");
    Traccia.Builder b = Clients.isolated(directory).setSelfAttach(!agent);
    b.spanExporter = new PrintingExporter();
    Traccia traccia = b.init();
    new ObservedService().outer(1);
    greeter.greet("late");
    traccia.shutdown();
    System.out.println("WEAVING " + Weaving.mode());
  }

  /** Prints {@code SPAN <name> <parent-name-or-root> span.type=<type> x=<x>}. */
  private static final class PrintingExporter implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      for (SpanData span : spans) {
        System.out.println(
            "SPAN "
                + span.getName()
                + " parent="
                + (span.getParentSpanContext().isValid() ? "yes" : "no")
                + " span.type="
                + span.getAttributes().get(AttributeKey.stringKey("span.type"))
                + " name="
                + span.getAttributes().get(AttributeKey.stringKey("name"))
                + " x="
                + span.getAttributes().get(AttributeKey.longKey("x")));
      }
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
