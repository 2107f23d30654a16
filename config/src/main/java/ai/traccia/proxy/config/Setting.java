/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One configuration key: its names in every layer, its type, default and rule, and whether it may
 * change while the proxy runs.
 *
 * <p>Every key has a canonical {@code section.name} spelling (the TOML one). Environment variables
 * and flags use a short alias without the section ({@code TRACCIA_MAX_QUEUE_SIZE}, {@code
 * --max-queue-size}); flags also accept the full key. All spellings are compared after {@link
 * #normalize(String)}. Immutable; the proxy's keys are listed in {@code ProxyKeys}, the
 * application-only ones in {@link ClientKeys}, and {@link Catalog} says who reads which.
 */
final class Setting<T> {

  final String key;
  final String section;
  final String name;
  final ValueType<T> type;
  final T defaultValue;
  private final Function<? super T, String> check;

  /** Flag alias without dashes ({@code max-queue-size}), or null when only the full key works. */
  final String flag;

  /** Environment variables, highest precedence first; the first one set wins. */
  final List<String> env;

  /** Environment variables that still work but are reported as deprecated. */
  final List<String> deprecatedEnv;

  final boolean inFile;
  final boolean secret;
  final boolean live;

  /** An empty string means "none" rather than an error. */
  final boolean optional;

  /** An empty environment variable means "none"; otherwise an empty variable counts as unset. */
  final boolean emptyEnvMeansNone;

  /** Why a proxy cannot honour this key, or null for keys the proxy uses. */
  final String clientOnlyReason;

  final String description;

  /** A TOML literal shown in the template for keys without a default. */
  final String example;

  private final Setting<T> writes;

  private Setting(Builder<T> b) {
    this.key = b.section + "." + b.name;
    this.section = b.section;
    this.name = b.name;
    this.type = b.type;
    this.defaultValue = b.defaultValue;
    this.check = b.check;
    this.flag = b.flag;
    this.env = Collections.unmodifiableList(new ArrayList<>(b.env));
    this.deprecatedEnv = Collections.unmodifiableList(new ArrayList<>(b.deprecatedEnv));
    this.inFile = b.inFile;
    this.secret = b.secret;
    this.live = b.live;
    this.optional = b.optional;
    this.emptyEnvMeansNone = b.emptyEnvMeansNone;
    this.clientOnlyReason = b.clientOnlyReason;
    this.description = b.description;
    this.example = b.example;
    this.writes = b.writes;
  }

  static <T> Builder<T> builder(String section, String name, ValueType<T> type) {
    return new Builder<>(section, name, type);
  }

  /** Lower case, with '_' and '-' turned into '.', so every spelling of a key compares equal. */
  static String normalize(String key) {
    return key.toLowerCase(Locale.ROOT).replace('_', '.').replace('-', '.');
  }

  boolean clientOnly() {
    return clientOnlyReason != null;
  }

  /** The setting whose value this key sets: itself, except for alternative spellings. */
  Setting<T> target() {
    return writes == null ? this : writes;
  }

  /** What would be accepted, or null if {@code value} is fine. Null values (none) are fine. */
  String problem(T value) {
    return value == null || check == null ? null : check.apply(value);
  }

  /** Throws the pinned {@code key: value (expected: ...)} message if {@code value} is invalid. */
  T require(T value) {
    String expected = problem(value);
    if (expected != null) {
      throw new IllegalArgumentException(
          key + ": " + show(value) + " (expected: " + expected + ")");
    }
    return value;
  }

  /** Shows a converted value: {@code (none)} for null, {@code ****} for a secret. */
  String show(T value) {
    if (value == null) {
      return "(none)";
    }
    return secret ? ValueType.REDACTED : type.show(value);
  }

  @SuppressWarnings("unchecked")
  String showUnchecked(Object value) {
    return show((T) value);
  }

  /** Shows a raw value, redacted if this key holds secrets. */
  String showRaw(Object raw, boolean fromToml) {
    return secret ? ValueType.REDACTED : type.showRaw(raw, fromToml);
  }

  /**
   * Converts a raw value: a TOML value from the file, or text from the environment or a flag. An
   * empty text leaves an optional key unset (null). The rule of {@link #problem} is not applied.
   *
   * @throws ValueType.InvalidValue listing what is wrong with it
   */
  T convert(Object raw, boolean fromToml, ValueType.Context context) throws ValueType.InvalidValue {
    if (optional && raw instanceof String && ((String) raw).isEmpty()) {
      return null;
    }
    return fromToml ? type.fromToml(raw, context) : type.fromText((String) raw, context);
  }

  /** How {@code issue}, found in {@code raw}, shows the value: its own part, or the raw value. */
  String shown(ValueType.Issue issue, Object raw, boolean fromToml) {
    if (issue.shown == null) {
      return showRaw(raw, fromToml);
    }
    return secret ? ValueType.REDACTED : issue.shown;
  }

  @Override
  public String toString() {
    return key;
  }

  static final class Builder<T> {
    private final String section;
    private final String name;
    private final ValueType<T> type;
    private T defaultValue;
    private Function<? super T, String> check;
    private String flag;
    private final List<String> env = new ArrayList<>();
    private final List<String> deprecatedEnv = new ArrayList<>();
    private boolean inFile = true;
    private boolean secret;
    private boolean live;
    private boolean optional;
    private boolean emptyEnvMeansNone;
    private String clientOnlyReason;
    private String description = "";
    private String example;
    private Setting<T> writes;

    private Builder(String section, String name, ValueType<T> type) {
      this.section = section;
      this.name = name;
      this.type = type;
    }

    /** The built-in default; keys without one (null) are "none" until set. */
    Builder<T> defaultValue(T value) {
      this.defaultValue = value;
      return this;
    }

    /** The short name: flag {@code --<alias>} (with '-') and env {@code TRACCIA_<ALIAS>}. */
    Builder<T> alias(String alias) {
      this.flag = alias.replace('_', '-');
      this.env.add("TRACCIA_" + alias.toUpperCase(Locale.ROOT));
      return this;
    }

    Builder<T> flagOnly(String alias) {
      this.flag = alias.replace('_', '-');
      return this;
    }

    Builder<T> env(String... names) {
      this.env.addAll(Arrays.asList(names));
      return this;
    }

    Builder<T> deprecatedEnv(String name) {
      this.env.add(name);
      this.deprecatedEnv.add(name);
      return this;
    }

    Builder<T> check(Function<? super T, String> check) {
      this.check = check;
      return this;
    }

    Builder<T> notInFile() {
      this.inFile = false;
      return this;
    }

    Builder<T> secret() {
      this.secret = true;
      return this;
    }

    Builder<T> live() {
      this.live = true;
      return this;
    }

    /** No default: an empty string means "none". {@code example} is shown in the template. */
    Builder<T> optional(String example) {
      this.optional = true;
      this.example = example;
      return this;
    }

    /** A TOML literal shown in the template, for keys whose default is not worth writing. */
    Builder<T> example(String example) {
      this.example = example;
      return this;
    }

    Builder<T> emptyEnvMeansNone() {
      this.emptyEnvMeansNone = true;
      return this;
    }

    Builder<T> clientOnly(String reason) {
      this.clientOnlyReason = reason;
      return this;
    }

    Builder<T> description(String description) {
      this.description = description;
      return this;
    }

    Builder<T> writes(Setting<T> target) {
      this.writes = target;
      return this;
    }

    Setting<T> build() {
      return new Setting<>(this);
    }
  }
}
