/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Records every call of the annotated method as a span.
 *
 * <p>The span is named {@link #name()}, or after the method; its instrumentation scope is the
 * declaring class. It is a child of the span current when the method is called and is current while
 * the method runs, so observed methods called from it nest below it. Each argument becomes an
 * attribute named after its parameter (compile with {@code -parameters}, or keep debug information,
 * for real names; otherwise they are {@code arg0}, {@code arg1}, ...), the return value becomes
 * {@code result}, and {@code span.type} is {@link #asType()}. See the client README for how values
 * are converted and cut.
 *
 * <p>On an exception the span gets {@code error.type}, {@code error.message}, {@code
 * error.stack_trace}, an {@code exception} event and status ERROR; the exception is then rethrown
 * unchanged. A method returning a {@link java.util.concurrent.CompletionStage} ends its span when
 * the stage completes. A {@code "guardrail"} method returning a {@code boolean} sets {@code
 * guardrail.triggered}, unless the method set it itself.
 *
 * <p>The annotation takes effect once the class is woven: by {@code -javaagent:traccia-client.jar},
 * or by {@link Traccia#init()} installing the weaver in the running JVM. Abstract and native
 * methods are not woven.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Observe {

  /** The span name; empty (default) uses the method name. */
  String name() default "";

  /**
   * The {@code span.type}: {@code "span"} (default), {@code "llm"}, {@code "tool"} or {@code
   * "guardrail"}; other values are recorded as they are. With {@code "span"} the type is inferred
   * from the recorded attributes: {@code llm.model}, {@code llm.vendor} or {@code model} make it
   * {@code "llm"}, {@code tool.name}, {@code tool} or {@code http.url} make it {@code "tool"}.
   */
  String asType() default "span";

  /**
   * Fixed attributes, each {@code "key=value"}; the value is recorded as a string. Set before the
   * arguments, so an argument of the same name wins.
   */
  String[] attributes() default {};

  /** Recorded as {@code span.tags} (an array of strings) when not empty. */
  String[] tags() default {};

  /** Parameter names whose values are not recorded, such as passwords or API keys. */
  String[] skipArgs() default {};

  /** Whether to leave the return value out ({@code result} is not recorded). */
  boolean skipResult() default false;
}
