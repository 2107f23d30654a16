/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client.internal;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * The code the weaver inlines at the start and end of every {@code @Observe} method. Internal.
 *
 * <p>Both parts only call {@link ObserveRuntime} and suppress any exception of their own, so a
 * woven method behaves exactly as before apart from the span; an exception of the method itself
 * passes through unchanged.
 */
public final class ObserveAdvice {

  private ObserveAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static Object enter(
      @Advice.Origin Class<?> type,
      @Advice.Origin("#m#d") String signature,
      @Advice.AllArguments Object[] arguments) {
    return ObserveRuntime.enter(type, signature, arguments);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  static void exit(
      @Advice.Enter Object invocation,
      @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object returned,
      @Advice.Thrown Throwable thrown) {
    ObserveRuntime.exit(invocation, returned, thrown);
  }
}
