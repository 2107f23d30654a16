/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import ai.traccia.client.internal.Weaving;
import java.lang.instrument.Instrumentation;

/**
 * The {@code -javaagent} entry point: {@code java -javaagent:traccia-client.jar -jar app.jar}
 * weaves {@link Observe} methods from the first class loaded, with no attach at run time.
 *
 * <p>The agent only weaves; the application still calls {@link Traccia#init()} to say where spans
 * go. Observed methods called before that record into a no-op tracer.
 */
public final class TracciaAgent {

  private TracciaAgent() {}

  /**
   * Called by the JVM before {@code main} when started with {@code -javaagent}.
   *
   * @param arguments the text after {@code =} in the option; unused
   */
  public static void premain(String arguments, Instrumentation instrumentation) {
    Weaving.install(instrumentation, Weaving.Mode.AGENT);
  }

  /**
   * Called by the JVM when a tool loads the agent into a running JVM.
   *
   * @param arguments the agent arguments; unused
   */
  public static void agentmain(String arguments, Instrumentation instrumentation) {
    Weaving.install(instrumentation, Weaving.Mode.AGENT);
  }
}
