/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client.internal;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.ReadableSpan;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What woven {@code @Observe} methods call on entry and exit. Internal: the weaver inlines calls to
 * {@link #enter} and {@link #exit} into application classes, which is why this class is public; it
 * is not part of the client's API.
 *
 * <p>Nothing here throws into the application: the woven calls suppress every exception, and the
 * methods below catch their own. Thread-safe; the current OpenTelemetry instance and value rules
 * are published through one volatile field.
 */
public final class ObserveRuntime {

  private static final Logger logger = Logger.getLogger(ObserveRuntime.class.getName());

  private static final AttributeKey<String> SPAN_TYPE = AttributeKey.stringKey("span.type");
  private static final AttributeKey<Boolean> GUARDRAIL_TRIGGERED =
      AttributeKey.booleanKey("guardrail.triggered");

  /** What spans are made with; replaced as a whole so readers see one consistent pair. */
  private static final class State {
    final OpenTelemetry openTelemetry;
    final Values values;

    State(OpenTelemetry openTelemetry, Values values) {
      this.openTelemetry = openTelemetry;
      this.values = values;
    }
  }

  private static final State NOOP = new State(OpenTelemetry.noop(), Values.of(OptionalInt.empty()));

  private static volatile State state = NOOP;

  private ObserveRuntime() {}

  /** Makes observed methods record through {@code openTelemetry} with {@code values}' rules. */
  public static void configure(OpenTelemetry openTelemetry, Values values) {
    state = new State(openTelemetry, values);
  }

  /** Back to recording nothing (after shutdown). */
  public static void reset() {
    state = NOOP;
  }

  /** The tracer for instrumentation scope {@code scopeName}. */
  public static Tracer tracer(String scopeName) {
    return state.openTelemetry.getTracer(scopeName);
  }

  /** The value rules in effect. */
  public static Values values() {
    return state.values;
  }

  /** The OpenTelemetry instance in effect: the client's after init, a no-op one before. */
  public static OpenTelemetry openTelemetry() {
    return state.openTelemetry;
  }

  /** One call in progress: its span, and the scope that makes the span current. */
  static final class Invocation {
    final ObservedMethod method;
    final Span span;
    final Scope scope;

    Invocation(ObservedMethod method, Span span, Scope scope) {
      this.method = method;
      this.span = span;
      this.scope = scope;
    }
  }

  /**
   * Starts the span of a call to the method {@code signature} ({@code name(descriptor)}) of {@code
   * type} and makes it current. Returns what {@link #exit} needs, or null if nothing was started.
   */
  public static Object enter(Class<?> type, String signature, Object[] arguments) {
    try {
      ObservedMethod method = ObservedMethod.of(type, signature);
      if (method == null) {
        return null;
      }
      State s = state;
      Context parent = Context.current();
      Span span =
          s.openTelemetry
              .getTracer(method.scopeName)
              .spanBuilder(method.spanName)
              .setParent(parent)
              .startSpan();
      if (span.isRecording()) {
        recordStart(span, method, arguments, s.values);
      }
      return new Invocation(method, span, parent.with(span).makeCurrent());
    } catch (RuntimeException | LinkageError e) {
      logger.log(Level.WARNING, "@Observe could not start a span for " + signature, e);
      return null;
    }
  }

  /**
   * Ends the call {@code invocation} (from {@link #enter}): records the result or the error and
   * ends the span, or, for a {@link CompletionStage}, ends it when the stage completes.
   */
  public static void exit(Object invocation, Object returned, Throwable thrown) {
    if (!(invocation instanceof Invocation)) {
      return;
    }
    Invocation call = (Invocation) invocation;
    try {
      call.scope.close();
    } catch (RuntimeException e) {
      logger.log(Level.FINE, "@Observe scope closed out of order", e);
    }
    try {
      if (thrown != null) {
        fail(call.span, thrown);
      } else if (returned instanceof CompletionStage) {
        Values values = state.values;
        ((CompletionStage<?>) returned)
            .whenComplete(
                (value, error) -> {
                  if (error != null) {
                    fail(call.span, unwrap(error));
                  } else {
                    succeed(call, value, values);
                  }
                });
      } else {
        succeed(call, returned, state.values);
      }
    } catch (RuntimeException | LinkageError e) {
      logger.log(Level.WARNING, "@Observe could not end the span " + call.method.spanName, e);
      call.span.end();
    }
  }

  private static void recordStart(
      Span span, ObservedMethod method, Object[] arguments, Values values) {
    method.attributes.forEach(span::setAttribute);
    List<String> names = method.parameterNames;
    int n = arguments == null ? 0 : Math.min(arguments.length, names.size());
    for (int i = 0; i < n; i++) {
      String name = names.get(i);
      if (!method.skipArgs.contains(name)) {
        values.put(span, name, arguments[i]);
      }
    }
    if (!method.tags.isEmpty()) {
      span.setAttribute(AttributeKey.stringArrayKey("span.tags"), method.tags);
    }
    if ("llm".equals(method.asType)) {
      LlmArguments.record(span, names, method.skipArgs, arguments, values);
    }
    span.setAttribute(SPAN_TYPE, spanType(span, method.asType));
  }

  private static String spanType(Span span, String asType) {
    if (!"span".equals(asType) || !(span instanceof ReadableSpan)) {
      return asType;
    }
    ReadableSpan readable = (ReadableSpan) span;
    if (has(readable, "llm.model") || has(readable, "llm.vendor") || has(readable, "model")) {
      return "llm";
    }
    if (has(readable, "tool.name") || has(readable, "tool") || has(readable, "http.url")) {
      return "tool";
    }
    return asType;
  }

  static boolean has(ReadableSpan span, String key) {
    for (Map.Entry<AttributeKey<?>, Object> e : span.getAttributes().asMap().entrySet()) {
      if (e.getKey().getKey().equals(key)) {
        Object v = e.getValue();
        return v != null && !"".equals(v) && !Boolean.FALSE.equals(v);
      }
    }
    return false;
  }

  private static void succeed(Invocation call, Object value, Values values) {
    Span span = call.span;
    if (span.isRecording()) {
      if (!call.method.skipResult) {
        values.put(span, "result", value);
      }
      if ("guardrail".equals(call.method.asType)
          && value instanceof Boolean
          && !(span instanceof ReadableSpan
              && ((ReadableSpan) span).getAttribute(GUARDRAIL_TRIGGERED) != null)) {
        span.setAttribute(GUARDRAIL_TRIGGERED, (Boolean) value);
      }
      markOk(span);
    }
    span.end();
  }

  /** Sets status OK, as the Python SDK does, unless the method set a status itself. */
  public static void markOk(Span span) {
    if (span instanceof ReadableSpan
        && ((ReadableSpan) span).toSpanData().getStatus().getStatusCode() != StatusCode.UNSET) {
      return;
    }
    span.setStatus(StatusCode.OK);
  }

  private static void fail(Span span, Throwable error) {
    if (span.isRecording()) {
      Values.recordError(span, error);
    }
    span.end();
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
