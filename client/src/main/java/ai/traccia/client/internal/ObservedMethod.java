/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.client.internal;

import ai.traccia.client.Observe;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import net.bytebuddy.description.method.MethodDescription;

/**
 * What {@code @Observe} says about one woven method, read once by reflection and then cached per
 * class. Immutable; the cache is thread-safe and holds no strong reference to the class beyond the
 * class's own lifetime ({@link ClassValue}).
 */
final class ObservedMethod {

  private static final ClassValue<ConcurrentMap<String, ObservedMethod>> CACHE =
      new ClassValue<ConcurrentMap<String, ObservedMethod>>() {
        @Override
        protected ConcurrentMap<String, ObservedMethod> computeValue(Class<?> type) {
          return new ConcurrentHashMap<>();
        }
      };

  // Parameter names read from the class file's local variable table when the weaver saw the
  // class, keyed by "binary class name#method(descriptor)". Used when the class was compiled
  // without -parameters, where reflection only knows arg0, arg1, ...
  private static final ConcurrentMap<String, List<String>> CLASS_FILE_NAMES =
      new ConcurrentHashMap<>();

  final String spanName;
  final String scopeName;
  final String asType;
  final Map<String, String> attributes;
  final List<String> tags;
  final Set<String> skipArgs;
  final boolean skipResult;
  final List<String> parameterNames;

  private ObservedMethod(Class<?> type, Method method, Observe observe) {
    this.spanName = observe.name().isEmpty() ? method.getName() : observe.name();
    this.scopeName = type.getName();
    this.asType = observe.asType().isEmpty() ? "span" : observe.asType();
    Map<String, String> attrs = new LinkedHashMap<>();
    for (String pair : observe.attributes()) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        attrs.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    this.attributes = Collections.unmodifiableMap(attrs);
    this.tags = Collections.unmodifiableList(Arrays.asList(observe.tags()));
    this.skipArgs = Collections.unmodifiableSet(new HashSet<>(Arrays.asList(observe.skipArgs())));
    this.skipResult = observe.skipResult();
    this.parameterNames = parameterNames(type, method);
  }

  /**
   * The method of {@code type} with {@code signature} ({@code name(descriptor)}), or null if it has
   * no {@code @Observe} (the class changed since it was woven).
   */
  static ObservedMethod of(Class<?> type, String signature) {
    ConcurrentMap<String, ObservedMethod> methods = CACHE.get(type);
    ObservedMethod cached = methods.get(signature);
    if (cached != null) {
      return cached;
    }
    for (Method method : type.getDeclaredMethods()) {
      Observe observe = method.getAnnotation(Observe.class);
      if (observe != null && signature.equals(signature(method))) {
        ObservedMethod resolved = new ObservedMethod(type, method, observe);
        ObservedMethod raced = methods.putIfAbsent(signature, resolved);
        return raced != null ? raced : resolved;
      }
    }
    return null;
  }

  /** Remembers the parameter names the weaver read from the class file. */
  static void rememberParameterNames(String className, String signature, List<String> names) {
    CLASS_FILE_NAMES.put(className + "#" + signature, Collections.unmodifiableList(names));
  }

  /** {@code name(descriptor)}, as the weaver's {@code #m#d} origin writes it. */
  static String signature(Method method) {
    return method.getName() + new MethodDescription.ForLoadedMethod(method).getDescriptor();
  }

  private static List<String> parameterNames(Class<?> type, Method method) {
    Parameter[] parameters = method.getParameters();
    List<String> names = new ArrayList<>(parameters.length);
    boolean present = parameters.length == 0 || parameters[0].isNamePresent();
    if (present) {
      for (Parameter p : parameters) {
        names.add(p.getName());
      }
      return names;
    }
    List<String> fromClassFile = CLASS_FILE_NAMES.get(type.getName() + "#" + signature(method));
    if (fromClassFile != null && fromClassFile.size() == parameters.length) {
      return fromClassFile;
    }
    for (Parameter p : parameters) {
      names.add(p.getName());
    }
    return names;
  }
}
