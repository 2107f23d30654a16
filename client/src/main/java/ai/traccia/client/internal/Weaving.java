/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client.internal;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isAnnotatedWith;
import static net.bytebuddy.matcher.ElementMatchers.isBootstrapClassLoader;
import static net.bytebuddy.matcher.ElementMatchers.isNative;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.ParameterDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Weaves {@code @Observe} methods, once per JVM: either from the {@code -javaagent} entry point
 * with the {@link Instrumentation} the JVM hands it, or by attaching to the running JVM. Internal.
 *
 * <p>Classes loaded before the weaver is installed are retransformed; classes loaded later are
 * transformed as they load. Only classes that declare an {@code @Observe} method are changed, and
 * only by inlining {@link ObserveAdvice}, which adds no fields or methods, so retransformation is
 * allowed. Thread-safe: installation is synchronized and happens at most once.
 */
public final class Weaving {

  private static final Logger logger = Logger.getLogger(Weaving.class.getName());

  private static final String OBSERVE = "ai.traccia.client.Observe";

  /** How the weaver got into this JVM. */
  public enum Mode {
    /** Not installed: {@code @Observe} has no effect. */
    NONE,
    /** {@code -javaagent:traccia-client.jar}, or an agent loaded into the JVM by a tool. */
    AGENT,
    /** Attached to itself from {@code Traccia.init()}. */
    SELF_ATTACHED
  }

  private static final Object lock = new Object();
  private static volatile Mode mode = Mode.NONE;
  private static final AtomicLong transformedTypes = new AtomicLong();

  private Weaving() {}

  /** How the weaver was installed, or {@link Mode#NONE}. */
  public static Mode mode() {
    return mode;
  }

  /** How many classes have been woven so far. */
  public static long transformedTypes() {
    return transformedTypes.get();
  }

  /**
   * Installs the weaver through {@code instrumentation} unless it is installed already; returns the
   * mode in effect afterwards. Retransforms classes already loaded.
   */
  public static Mode install(Instrumentation instrumentation, Mode how) {
    synchronized (lock) {
      if (mode == Mode.NONE) {
        agentBuilder().installOn(instrumentation);
        mode = how;
      }
      return mode;
    }
  }

  /**
   * Attaches the weaver to this JVM unless it is installed already. Returns the mode in effect;
   * {@link Mode#NONE} after logging a warning that says why and what to do instead.
   */
  public static Mode selfAttach() {
    synchronized (lock) {
      if (mode != Mode.NONE) {
        return mode;
      }
      Instrumentation instrumentation;
      try {
        instrumentation = ByteBuddyAgent.install();
      } catch (RuntimeException | LinkageError e) {
        logger.log(
            Level.WARNING,
            "@Observe is not active: Traccia.init() could not attach its weaver to this JVM ("
                + e
                + "). Start the JVM with -javaagent:<path to traccia-client.jar>, or run it on a"
                + " full JDK (with the jdk.attach module) and without"
                + " -XX:+DisableAttachMechanism. Until then @Observe methods run unchanged and"
                + " record no spans; Traccia.span(...) still works.",
            e);
        return Mode.NONE;
      }
      return install(instrumentation, Mode.SELF_ATTACHED);
    }
  }

  private static AgentBuilder agentBuilder() {
    ElementMatcher.Junction<MethodDescription> observed =
        isAnnotatedWith(named(OBSERVE)).and(not(isAbstract())).and(not(isNative()));
    AgentBuilder.Transformer transformer =
        (builder, type, loader, module, domain) -> {
          rememberParameterNames(type, observed);
          return builder.visit(Advice.to(ObserveAdvice.class).on(observed));
        };
    return new AgentBuilder.Default()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.PoolStrategy.Default.EXTENDED)
        .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
        // The advice is inlined: nothing is ever injected into a class loader.
        .with(AgentBuilder.InjectionStrategy.Disabled.INSTANCE)
        .with(new ErrorLogger())
        .ignore(any(), isBootstrapClassLoader())
        .or(
            nameStartsWith("java.")
                .or(nameStartsWith("javax."))
                .or(nameStartsWith("jdk."))
                .or(nameStartsWith("sun."))
                .or(nameStartsWith("com.sun."))
                .or(nameStartsWith("net.bytebuddy."))
                .or(nameStartsWith("io.opentelemetry."))
                .or(nameStartsWith("ai.traccia.client.internal."))
                .or(nameStartsWith("ai.traccia.client.shaded."))
                .or(isSynthetic()))
        .type(declaresMethod(observed))
        .transform(transformer);
  }

  // Parameter names for classes compiled without -parameters: the extended type pool reads them
  // from the local variable table, which reflection cannot see.
  private static void rememberParameterNames(
      TypeDescription type, ElementMatcher<MethodDescription> observed) {
    for (MethodDescription.InDefinedShape method : type.getDeclaredMethods().filter(observed)) {
      List<String> names = new ArrayList<>();
      for (ParameterDescription.InDefinedShape parameter : method.getParameters()) {
        names.add(parameter.getName());
      }
      ObservedMethod.rememberParameterNames(
          type.getName(), method.getInternalName() + method.getDescriptor(), names);
    }
  }

  /** Counts woven classes and logs classes that could not be woven. */
  private static final class ErrorLogger extends AgentBuilder.Listener.Adapter {
    @Override
    public void onTransformation(
        TypeDescription type,
        ClassLoader loader,
        JavaModule module,
        boolean loaded,
        DynamicType dynamicType) {
      transformedTypes.incrementAndGet();
      logger.log(Level.FINE, "@Observe woven into {0}", type.getName());
    }

    @Override
    public void onError(
        String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
      logger.log(
          Level.WARNING,
          "@Observe could not be woven into "
              + typeName
              + "; its methods run unchanged and record no spans",
          error);
    }
  }
}
