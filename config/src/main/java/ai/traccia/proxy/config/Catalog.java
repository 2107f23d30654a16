/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keys one program reads, and the keys of the other program it shares the file with.
 *
 * <p>The proxy and an application's SDK read one {@code traccia.toml} and one set of {@code
 * TRACCIA_*} variables, but not the same keys. A catalog lists the keys its program {@link #reads};
 * the {@link #others} are known, so that they are not reported as misspellings, but are not read.
 * {@link ConfigReader} takes a catalog: the proxy rejects an application-only key in its file or
 * flags (with the reason the key carries) and ignores it with a warning in the environment; the
 * client ignores the proxy's keys.
 *
 * <p>Immutable; lookups compare keys after {@link Setting#normalize(String)}.
 */
final class Catalog {

  /**
   * The resource listing the proxy's keys by name, in documentation order: one line per key with
   * its section, name, flag alias ({@code -} if none), environment variables ({@code -} if none)
   * and whether it may be set in the file, separated by tabs. The proxy's catalog is not on the
   * client's class path, but the client must know the proxy's keys to ignore them rather than
   * report them as misspellings; a test of the proxy's catalog checks that this list matches it.
   */
  static final String PROXY_KEYS_RESOURCE = "proxy-keys.tsv";

  /** The Java client's catalog: {@link ClientKeys#ALL}; the proxy's keys are ignored. */
  static final Catalog CLIENT = client();

  /** What this program reads, in documentation order. */
  final List<Setting<?>> reads;

  /** Known keys of the other program, read by nobody here. */
  final List<Setting<?>> others;

  /** Whether {@link #others} set in the file or by a flag are errors (else they are ignored). */
  final boolean rejectsOthers;

  /** {@link #reads} and then {@link #others}. */
  final List<Setting<?>> known;

  /** Every known section, in documentation order. */
  final List<String> sections;

  private final Set<Setting<?>> readSet;
  private final Map<String, Setting<?>> byKey = new HashMap<>();
  private final Map<String, Setting<?>> byFlag = new HashMap<>();
  private final Map<String, Setting<?>> byEnv = new HashMap<>();

  /**
   * A catalog reading {@code reads}; {@code others} are the other program's keys it does not read,
   * and {@code otherReads} everything the other program reads, for the order of the sections.
   */
  Catalog(
      List<Setting<?>> reads,
      List<Setting<?>> others,
      List<Setting<?>> otherReads,
      boolean rejectsOthers) {
    this.reads = Collections.unmodifiableList(new ArrayList<>(reads));
    this.others = Collections.unmodifiableList(new ArrayList<>(others));
    this.rejectsOthers = rejectsOthers;
    this.readSet = Collections.unmodifiableSet(new LinkedHashSet<>(reads));
    List<Setting<?>> known = new ArrayList<>(reads);
    known.addAll(others);
    for (Setting<?> s : known) {
      index(byKey, Setting.normalize(s.key), s);
      if (s.flag != null) {
        index(byFlag, Setting.normalize(s.flag), s);
      }
      for (String name : s.env) {
        index(byEnv, name, s);
      }
    }
    this.known = Collections.unmodifiableList(known);
    List<String> sections = mergeSections(sectionsOf(reads), sectionsOf(otherReads));
    sections.retainAll(sectionsOf(known));
    this.sections = Collections.unmodifiableList(sections);
  }

  private static Catalog client() {
    Map<String, Setting<?>> clientReads = new HashMap<>();
    for (Setting<?> s : ClientKeys.ALL) {
      clientReads.put(s.key, s);
    }
    List<Setting<?>> proxyReads = new ArrayList<>();
    List<Setting<?>> proxyOnly = new ArrayList<>();
    for (Setting<?> s : proxyKeyNames()) {
      Setting<?> shared = clientReads.get(s.key);
      proxyReads.add(shared != null ? shared : s);
      if (shared == null) {
        proxyOnly.add(s);
      }
    }
    return new Catalog(ClientKeys.ALL, proxyOnly, proxyReads, false);
  }

  /**
   * The proxy's keys as listed in {@link #PROXY_KEYS_RESOURCE}: names, flags and variables only,
   * read as strings, since nothing here reads their values.
   */
  static List<Setting<?>> proxyKeyNames() {
    List<Setting<?>> keys = new ArrayList<>();
    try (InputStream in = Catalog.class.getResourceAsStream(PROXY_KEYS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(PROXY_KEYS_RESOURCE + " is missing from the class path");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] fields = line.split("\t", -1);
        if (fields.length != 5) {
          throw new IllegalStateException(PROXY_KEYS_RESOURCE + ": malformed line " + line);
        }
        Setting.Builder<String> b = Setting.builder(fields[0], fields[1], ValueType.STRING);
        if (!fields[2].equals("-")) {
          b.flagOnly(fields[2]);
        }
        if (!fields[3].equals("-")) {
          b.env(fields[3].split(","));
        }
        if (!Boolean.parseBoolean(fields[4])) {
          b.notInFile();
        }
        keys.add(b.build());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return keys;
  }

  /** One line of {@link #PROXY_KEYS_RESOURCE} for {@code s}. */
  static String proxyKeyLine(Setting<?> s) {
    return s.section
        + "\t"
        + s.name
        + "\t"
        + (s.flag == null ? "-" : s.flag)
        + "\t"
        + (s.env.isEmpty() ? "-" : String.join(",", s.env))
        + "\t"
        + s.inFile;
  }

  private static void index(Map<String, Setting<?>> index, String name, Setting<?> setting) {
    Setting<?> previous = index.put(name, setting);
    if (previous != null) {
      throw new IllegalStateException(name + " names both " + previous + " and " + setting);
    }
  }

  private static List<String> sectionsOf(List<Setting<?>> settings) {
    Set<String> sections = new LinkedHashSet<>();
    for (Setting<?> s : settings) {
      sections.add(s.section);
    }
    return new ArrayList<>(sections);
  }

  /**
   * Both lists in one order: {@code first}'s, with each section only in {@code second} placed
   * before the next section they share, so the documentation order of both is kept.
   */
  static List<String> mergeSections(List<String> first, List<String> second) {
    List<String> merged = new ArrayList<>();
    int next = 0;
    for (String section : first) {
      int at = second.indexOf(section);
      for (; at >= 0 && next < at; next++) {
        if (!first.contains(second.get(next)) && !merged.contains(second.get(next))) {
          merged.add(second.get(next));
        }
      }
      merged.add(section);
    }
    for (String section : second) {
      if (!merged.contains(section)) {
        merged.add(section);
      }
    }
    return merged;
  }

  /** Whether this program reads {@code setting}. */
  boolean reads(Setting<?> setting) {
    return readSet.contains(setting);
  }

  /** The known setting with this key in any spelling ({@code rate-limiting.Max_Queue_Size}). */
  Setting<?> byKey(String key) {
    return byKey.get(Setting.normalize(key));
  }

  /** The known setting for a flag name without dashes: its alias or its full key; null if none. */
  Setting<?> byFlag(String flag) {
    String normalized = Setting.normalize(flag);
    Setting<?> s = byFlag.get(normalized);
    if (s == null) {
      s = byKey.get(normalized);
      if (s != null && !s.inFile && s.flag == null) {
        return null;
      }
    }
    return s;
  }

  /** The known setting an environment variable sets, or null. */
  Setting<?> byEnv(String name) {
    return byEnv.get(name);
  }

  /** Whether {@code normalizedPath} is a section or another prefix of a known key. */
  boolean isPrefix(String normalizedPath) {
    String prefix = normalizedPath + ".";
    for (String key : byKey.keySet()) {
      if (key.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** Every flag spelling this program reads, with dashes, for suggestions and help. */
  List<String> flagNames() {
    List<String> names = new ArrayList<>();
    for (Setting<?> s : reads) {
      if (s.flag != null) {
        names.add("--" + s.flag);
      }
    }
    return names;
  }

  /** Every known environment variable name, for suggestions. */
  List<String> envNames() {
    List<String> names = new ArrayList<>();
    for (Setting<?> s : known) {
      names.addAll(s.env);
    }
    return names;
  }
}
