/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * The named OTLP exporters, {@code [exporters.otlp.<name>]}: the catalog of the keys one section
 * may hold, how a section is read and checked, and how it is resolved into an {@link ExporterSpec}.
 *
 * <p><b>Design.</b> A section's keys are {@link Setting}s of their own, with the same {@link
 * ValueType}s and checks as the flat {@code [exporters]} keys, so a value is read, refused and
 * shown the same way in both places, and the README table is checked against this one list. A key
 * left out of a section takes the value of the flat key it names as its fallback (which itself may
 * be a default), so defaults live once, in {@link ProxyKeys}. Credentials ({@code headers}, {@code
 * api_key}) have no fallback: a backend gets only the credentials written for it.
 *
 * <p>Problems name the section and key ({@code exporters.otlp.tempo.timeout_ms}) with the origin of
 * the value. Immutable after class initialisation.
 */
final class ExporterSections {

  private ExporterSections() {}

  /** The table that holds the named sections. */
  static final String TABLE = "exporters.otlp";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
  private static final String SECTION = TABLE + ".<name>";

  /** One key of a section and the flat setting whose value it takes when unset (null: none). */
  static final class Key<T> {
    final Setting<T> setting;
    final Setting<T> fallback;

    private Key(Setting<T> setting, Setting<T> fallback) {
      this.setting = setting;
      this.fallback = fallback;
    }

    String name() {
      return setting.name;
    }
  }

  private static final List<Key<?>> REGISTRY = new ArrayList<>();

  static final Key<URI> ENDPOINT =
      own(
          Setting.builder(SECTION, "endpoint", ValueType.URL)
              .check(Checks::httpUrl)
              .example("\"http://tempo:4318\"")
              .description(
                  "Base URL of the backend: for http/protobuf /v1/traces, /v1/metrics and"
                      + " /v1/logs are appended; for grpc, scheme://host:port."));

  static final Key<URI> TRACES_ENDPOINT = signalEndpoint(ExporterSignal.TRACES);
  static final Key<URI> METRICS_ENDPOINT = signalEndpoint(ExporterSignal.METRICS);
  static final Key<URI> LOGS_ENDPOINT = signalEndpoint(ExporterSignal.LOGS);

  static final Key<ExporterProtocol> PROTOCOL = inherited(ProxyKeys.PROTOCOL);

  static final Key<Map<String, String>> HEADERS =
      own(
          Setting.builder(SECTION, "headers", ValueType.HEADERS)
              .defaultValue(Collections.<String, String>emptyMap())
              .check(Checks::headers)
              .example("{ \"x-scope-orgid\" = \"tenant-1\" }")
              .description(
                  "Extra headers sent to this backend; values are secrets. Not inherited from"
                      + " exporters.headers."));

  static final Key<String> API_KEY =
      own(
          Setting.builder(SECTION, "api_key", ValueType.STRING)
              .check(Checks::apiKey)
              .secret()
              .optional("\"backend-api-key\"")
              .description(
                  "Sent as 'Authorization: Bearer <key>'; not together with an authorization"
                      + " header. Not inherited from tracing.api_key."));

  static final Key<Compression> COMPRESSION = inherited(ProxyKeys.COMPRESSION);
  static final Key<Long> TIMEOUT_MS = inherited(ProxyKeys.TIMEOUT_MS);
  static final Key<Path> CA_FILE = inherited(ProxyKeys.CA_FILE);
  static final Key<Path> CLIENT_CERT_FILE = inherited(ProxyKeys.CLIENT_CERT_FILE);
  static final Key<Path> CLIENT_KEY_FILE = inherited(ProxyKeys.CLIENT_KEY_FILE);
  static final Key<Long> RETRY_INITIAL_BACKOFF_MS = inherited(ProxyKeys.RETRY_INITIAL_BACKOFF_MS);
  static final Key<Long> RETRY_MAX_BACKOFF_MS = inherited(ProxyKeys.RETRY_MAX_BACKOFF_MS);
  static final Key<Long> RETRY_MAX_ELAPSED_MS = inherited(ProxyKeys.RETRY_MAX_ELAPSED_MS);
  static final Key<Integer> MAX_QUEUE_SIZE = inherited(ProxyKeys.MAX_QUEUE_SIZE);
  static final Key<Boolean> DURABLE_QUEUE = inherited(ProxyKeys.DURABLE_QUEUE);

  static final Key<Set<ExporterSignal>> SIGNALS =
      own(
          Setting.builder(SECTION, "signals", signalsType())
              .defaultValue(Collections.unmodifiableSet(EnumSet.allOf(ExporterSignal.class)))
              .check(s -> s.isEmpty() ? "at least one of traces, metrics, logs" : null)
              .description(
                  "The signals this backend takes; requests of other signals are not offered to"
                      + " it."));

  /** Every key a section may hold, in documentation order. */
  static final List<Key<?>> KEYS = Collections.unmodifiableList(new ArrayList<>(REGISTRY));

  private static <T> Key<T> own(Setting.Builder<T> builder) {
    Key<T> key = new Key<>(builder.build(), null);
    REGISTRY.add(key);
    return key;
  }

  private static <T> Key<T> inherited(Setting<T> flat) {
    Setting.Builder<T> b =
        Setting.builder(SECTION, flat.name, flat.type)
            .defaultValue(flat.defaultValue)
            .check(flat::problem)
            .description("Default: " + flat.key + ".");
    if (flat.secret) {
      b.secret();
    }
    Key<T> key = new Key<>(b.build(), flat);
    REGISTRY.add(key);
    return key;
  }

  private static Key<URI> signalEndpoint(ExporterSignal signal) {
    String name = signal.configValue();
    return own(
        Setting.builder(SECTION, name + "_endpoint", ValueType.URL)
            .check(Checks::httpUrl)
            .example("\"http://tempo:4318/v1/" + name + "\"")
            .description(
                "Full OTLP/HTTP URL for " + name + ", used as is instead of endpoint/v1/" + name));
  }

  /** The key with this name in any spelling, or null. */
  static Key<?> byName(String name) {
    String normalized = Setting.normalize(name);
    for (Key<?> key : KEYS) {
      if (Setting.normalize(key.name()).equals(normalized)) {
        return key;
      }
    }
    return null;
  }

  private static List<String> names() {
    List<String> names = new ArrayList<>();
    for (Key<?> key : KEYS) {
      names.add(key.name());
    }
    return names;
  }

  /**
   * The full key of {@code key} in section {@code name}: {@code exporters.otlp.tempo.timeout_ms}.
   */
  static String keyOf(String name, Key<?> key) {
    return prefix(name) + "." + key.name();
  }

  /** {@code exporters.otlp.<name>}, with the name quoted if it is not a bare TOML key. */
  static String prefix(String name) {
    return TABLE + "." + ConfigReader.keyPath(Collections.singletonList(name));
  }

  /** Why {@code name} cannot name a section, or null if it can. */
  static String nameProblem(String name) {
    return NAME.matcher(name).matches() ? null : "a section name of letters, digits, '-' or '_'";
  }

  // --- One section ------------------------------------------------------------------------------

  /** The keys one section sets, with their origins. Immutable. */
  static final class Section {
    final String name;
    final String origin;
    private final Map<Key<?>, Object> values;
    private final Map<Key<?>, String> origins;
    private final Set<Key<?>> failed;

    Section(
        String name,
        String origin,
        Map<Key<?>, Object> values,
        Map<Key<?>, String> origins,
        Set<Key<?>> failed) {
      this.name = name;
      this.origin = origin;
      this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
      this.origins = Collections.unmodifiableMap(new LinkedHashMap<>(origins));
      this.failed = Collections.unmodifiableSet(new java.util.HashSet<>(failed));
    }

    boolean isSet(Key<?> key) {
      return values.containsKey(key);
    }

    @SuppressWarnings("unchecked")
    <T> T own(Key<T> key) {
      return (T) values.get(key);
    }

    /** The section's value, else the flat key's, else the key's default. */
    <T> T value(Key<T> key, ProxyConfig flat) {
      if (values.containsKey(key)) {
        return own(key);
      }
      return key.fallback != null ? flat.get(key.fallback) : key.setting.defaultValue;
    }

    /** Where the value of {@code key} came from. */
    String origin(Key<?> key, ProxyConfig flat) {
      String own = origins.get(key);
      if (own != null) {
        return own;
      }
      return key.fallback != null
          ? key.fallback.key + ", " + flat.origin(key.fallback.key)
          : ProxyConfig.DEFAULT_ORIGIN;
    }

    String key(Key<?> key) {
      return keyOf(name, key);
    }

    /** {@code exporters.otlp.tempo.timeout_ms: 5000 (traccia.toml:3:1)} for each key set. */
    List<String> describe() {
      List<String> lines = new ArrayList<>();
      for (Key<?> key : KEYS) {
        if (values.containsKey(key)) {
          lines.add(
              key(key)
                  + ": "
                  + key.setting.showUnchecked(values.get(key))
                  + " ("
                  + origins.get(key)
                  + ")");
        }
      }
      return lines;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Section
          && ((Section) o).name.equals(name)
          && ((Section) o).values.equals(values);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, values);
    }
  }

  /**
   * Reads the sections under {@code [exporters.otlp]} of a TOML file, adding a problem for every
   * bad name, unknown key and bad value. A section with problems is still returned, without the
   * keys that failed, so its other rules can still be checked.
   *
   * @param at the origin of a path in the file, {@code traccia.toml:14:3}
   */
  static List<Section> fromToml(
      TomlTable table,
      List<String> path,
      ValueType.Context context,
      Function<List<String>, String> at,
      List<ConfigProblem> problems) {
    List<Section> sections = new ArrayList<>();
    for (String name : table.keySet()) {
      List<String> sectionPath = new ArrayList<>(path);
      sectionPath.add(name);
      Object raw = table.get(Collections.singletonList(name));
      String origin = at.apply(sectionPath);
      String nameProblem = nameProblem(name);
      if (nameProblem != null) {
        problems.add(
            ConfigProblem.of(prefix(name), ValueType.showPlain(raw, true), nameProblem, origin));
        continue;
      }
      if (!(raw instanceof TomlTable)) {
        problems.add(
            ConfigProblem.of(
                prefix(name),
                ValueType.showPlain(raw, true),
                "a table: [" + prefix(name) + "] with the keys of one exporter below it",
                origin));
        continue;
      }
      TomlTable keys = (TomlTable) raw;
      Map<Key<?>, Object> values = new LinkedHashMap<>();
      Map<Key<?>, String> origins = new LinkedHashMap<>();
      Set<Key<?>> failed = new java.util.HashSet<>();
      for (String keyName : keys.keySet()) {
        List<String> keyPath = new ArrayList<>(sectionPath);
        keyPath.add(keyName);
        Object value = keys.get(Collections.singletonList(keyName));
        String keyOrigin = at.apply(keyPath);
        Key<?> key = byName(keyName);
        if (key == null) {
          String suggestion = Suggestions.closest(keyName, names());
          problems.add(
              ConfigProblem.of(
                  prefix(name) + "." + ConfigReader.keyPath(Collections.singletonList(keyName)),
                  ValueType.showPlain(value, true),
                  "a known key of ["
                      + prefix(name)
                      + "]"
                      + (suggestion == null ? "" : "; did you mean " + suggestion + "?"),
                  keyOrigin));
          continue;
        }
        if (values.containsKey(key) || failed.contains(key)) {
          problems.add(
              ConfigProblem.of(
                  keyOf(name, key),
                  key.setting.showRaw(value, true),
                  "set only once in [" + prefix(name) + "]",
                  keyOrigin));
          failed.add(key);
          continue;
        }
        Object read = read(name, key, value, true, context, keyOrigin, problems);
        if (read == FAILED) {
          failed.add(key);
        } else {
          values.put(key, read);
          origins.put(key, keyOrigin);
        }
      }
      sections.add(new Section(name, origin, values, origins, failed));
    }
    return sections;
  }

  /**
   * A section set in code, from text values as an environment variable would hold them ({@code
   * "5000"}, {@code "traces,metrics"}, {@code "k1=v1,k2=v2"}).
   *
   * @throws IllegalArgumentException with the pinned {@code key: value (expected: ...)} message
   */
  static Section fromText(String name, Map<String, String> settings, ValueType.Context context) {
    String nameProblem = nameProblem(name);
    if (nameProblem != null) {
      throw new IllegalArgumentException(
          prefix(name) + ": " + ValueType.quote(name) + " (expected: " + nameProblem + ")");
    }
    Map<Key<?>, Object> values = new LinkedHashMap<>();
    Map<Key<?>, String> origins = new LinkedHashMap<>();
    List<ConfigProblem> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : settings.entrySet()) {
      Key<?> key = byName(e.getKey());
      if (key == null) {
        String suggestion = Suggestions.closest(e.getKey(), names());
        throw new IllegalArgumentException(
            prefix(name)
                + "."
                + e.getKey()
                + ": "
                + ValueType.showPlain(e.getValue(), false)
                + " (expected: a known key of ["
                + prefix(name)
                + "]"
                + (suggestion == null ? "" : "; did you mean " + suggestion + "?")
                + ")");
      }
      Object read =
          read(name, key, e.getValue(), false, context, ProxyConfig.BUILDER_ORIGIN, problems);
      if (read == FAILED) {
        ConfigProblem first = problems.get(0);
        throw new IllegalArgumentException(
            first.key() + ": " + first.value() + " (expected: " + first.expected() + ")");
      }
      values.put(key, read);
      origins.put(key, ProxyConfig.BUILDER_ORIGIN);
    }
    return new Section(name, ProxyConfig.BUILDER_ORIGIN, values, origins, Collections.emptySet());
  }

  private static final Object FAILED = new Object();

  /** Converts and checks one raw value; returns it, or {@link #FAILED} after adding problems. */
  private static <T> Object read(
      String section,
      Key<T> key,
      Object raw,
      boolean fromToml,
      ValueType.Context context,
      String origin,
      List<ConfigProblem> problems) {
    Setting<T> setting = key.setting;
    T value;
    try {
      value = setting.convert(raw, fromToml, context);
      if (value == null) {
        return null; // an optional key left empty
      }
    } catch (ValueType.InvalidValue invalid) {
      for (ValueType.Issue issue : invalid.issues) {
        String k =
            keyOf(section, key)
                + (issue.subPath.isEmpty() ? "" : "." + ConfigReader.keyPath(issue.subPath));
        problems.add(
            ConfigProblem.of(k, setting.shown(issue, raw, fromToml), issue.expected, origin));
      }
      return FAILED;
    }
    String expected = setting.problem(value);
    if (expected != null) {
      problems.add(
          ConfigProblem.of(keyOf(section, key), setting.showRaw(raw, fromToml), expected, origin));
      return FAILED;
    }
    return value;
  }

  // --- Resolution and the rules between keys ----------------------------------------------------

  /** The spec of {@code section}, its unset keys taken from {@code flat}. */
  static ExporterSpec resolve(Section section, ProxyConfig flat) {
    ExporterProtocol protocol = section.value(PROTOCOL, flat);
    Set<ExporterSignal> signals = section.value(SIGNALS, flat);
    ExporterSpec.Builder b =
        ExporterSpec.builder(ExporterSpec.DEFAULT_NAME + "/" + section.name, prefix(section.name))
            .protocol(protocol)
            .signals(signals)
            .headers(section.value(HEADERS, flat))
            .apiKey(section.own(API_KEY))
            .compression(section.value(COMPRESSION, flat))
            .timeout(Duration.ofMillis(section.value(TIMEOUT_MS, flat)))
            .tls(
                section.value(CA_FILE, flat),
                section.value(CLIENT_CERT_FILE, flat),
                section.value(CLIENT_KEY_FILE, flat))
            .retry(
                Duration.ofMillis(section.value(RETRY_INITIAL_BACKOFF_MS, flat)),
                Duration.ofMillis(section.value(RETRY_MAX_BACKOFF_MS, flat)),
                Duration.ofMillis(section.value(RETRY_MAX_ELAPSED_MS, flat)))
            .queue(section.value(MAX_QUEUE_SIZE, flat), section.value(DURABLE_QUEUE, flat));
    for (ExporterSignal signal : signals) {
      b.endpoint(signal, endpoint(section, protocol, signal));
    }
    return b.build();
  }

  /**
   * Where {@code signal} goes: its own key, else derived from {@code endpoint}; null if neither.
   */
  private static URI endpoint(Section section, ExporterProtocol protocol, ExporterSignal signal) {
    URI base = section.own(ENDPOINT);
    if (protocol == ExporterProtocol.GRPC) {
      return base;
    }
    URI own = section.own(signalKey(signal));
    if (own != null) {
      return own;
    }
    if (base == null) {
      return null;
    }
    // As OTEL_EXPORTER_OTLP_ENDPOINT: the signal's path is appended to the base URL's path.
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String query = base.getRawQuery() == null ? "" : "?" + base.getRawQuery();
    return URI.create(
        base.getScheme()
            + "://"
            + base.getRawAuthority()
            + path
            + "/v1/"
            + signal.configValue()
            + query);
  }

  private static Key<URI> signalKey(ExporterSignal signal) {
    switch (signal) {
      case TRACES:
        return TRACES_ENDPOINT;
      case METRICS:
        return METRICS_ENDPOINT;
      default:
        return LOGS_ENDPOINT;
    }
  }

  /**
   * The rules between the keys of {@code section}, with the flat values it inherits; rules whose
   * keys failed to read are skipped. The same rules as the flat exporter's, with the same words.
   */
  static List<ConfigProblem> problems(Section section, ProxyConfig flat) {
    List<ConfigProblem> problems = new ArrayList<>();
    if (section.failed.contains(PROTOCOL)
        || section.failed.contains(SIGNALS)
        || section.failed.contains(ENDPOINT)) {
      return problems;
    }
    ExporterProtocol protocol = section.value(PROTOCOL, flat);
    Set<ExporterSignal> signals = section.value(SIGNALS, flat);
    URI base = section.own(ENDPOINT);
    if (protocol == ExporterProtocol.GRPC) {
      for (ExporterSignal signal : ExporterSignal.values()) {
        Key<URI> key = signalKey(signal);
        if (section.isSet(key)) {
          problems.add(
              problem(
                  section,
                  key,
                  flat,
                  "not set with "
                      + which(section, PROTOCOL, flat)
                      + "; OTLP/gRPC sends every signal to "
                      + section.key(ENDPOINT)));
        }
      }
      if (base == null) {
        problems.add(
            problem(
                section,
                ENDPOINT,
                flat,
                "set: the scheme://host:port of the OTLP/gRPC backend, such as"
                    + " http://collector:4317"));
      } else if (hasPathOrQuery(base)) {
        problems.add(
            problem(
                section,
                ENDPOINT,
                flat,
                "scheme://host:port without a path or query, such as http://localhost:4317,"
                    + " with "
                    + which(section, PROTOCOL, flat)
                    + "; OTLP/gRPC has no URL path or query"));
      }
    } else {
      List<String> missing = new ArrayList<>();
      for (ExporterSignal signal : signals) {
        if (endpoint(section, protocol, signal) == null) {
          missing.add(signal.configValue());
        }
      }
      if (!missing.isEmpty()) {
        problems.add(
            problem(
                section,
                ENDPOINT,
                flat,
                "set, or an endpoint of its own for each signal the exporter takes ("
                    + String.join(", ", missing)
                    + "_endpoint missing)"));
      }
      if (base != null && base.getRawPath() != null) {
        for (ExporterSignal signal : ExporterSignal.values()) {
          String path = base.getRawPath();
          if (path.endsWith("/v1/" + signal.configValue())
              || path.endsWith("/v1/" + signal.configValue() + "/")) {
            problems.add(
                problem(
                    section,
                    ENDPOINT,
                    flat,
                    "a base URL without /v1/"
                        + signal.configValue()
                        + ", such as http://collector:4318 (the signal's path is appended); set "
                        + section.key(signalKey(signal))
                        + " to use a full URL"));
            break;
          }
        }
      }
    }
    if (!section.failed.contains(HEADERS)) {
      Map<String, String> headers = section.value(HEADERS, flat);
      for (String header : headers.keySet()) {
        if (protocol.reservesHeader(header)) {
          problems.add(
              problem(
                  section,
                  HEADERS,
                  flat,
                  "no header "
                      + header.toLowerCase(Locale.ROOT)
                      + ", which the "
                      + protocol
                      + " exporter sets itself or its transport forbids ("
                      + which(section, PROTOCOL, flat)
                      + ")"));
        }
      }
      if (section.own(API_KEY) != null
          && headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("authorization"))) {
        problems.add(
            problem(
                section,
                API_KEY,
                flat,
                "not set together with an authorization header in "
                    + section.key(HEADERS)
                    + " ["
                    + section.origin(HEADERS, flat)
                    + "]; the key is sent as authorization: Bearer <key>, so set only one of"
                    + " them"));
      }
    }
    boolean ownCert = section.isSet(CLIENT_CERT_FILE);
    boolean ownKey = section.isSet(CLIENT_KEY_FILE);
    if (ownCert && !ownKey && !section.failed.contains(CLIENT_KEY_FILE)) {
      problems.add(
          problem(
              section,
              CLIENT_CERT_FILE,
              flat,
              "set together with " + section.key(CLIENT_KEY_FILE) + ", which is not set"));
    } else if (ownKey && !ownCert && !section.failed.contains(CLIENT_CERT_FILE)) {
      problems.add(
          problem(
              section,
              CLIENT_KEY_FILE,
              flat,
              "set together with " + section.key(CLIENT_CERT_FILE) + ", which is not set"));
    }
    // Only TLS files written in the section must have an https endpoint to go with; inherited
    // ones belong to the flat backend and are simply not used for a plain-text one.
    Key<Path> ownTls = section.isSet(CA_FILE) ? CA_FILE : ownCert ? CLIENT_CERT_FILE : null;
    if (ownTls != null && problems.isEmpty()) {
      ExporterSpec spec = resolve(section, flat);
      boolean https = false;
      for (ExporterSignal signal : spec.signals()) {
        URI uri = spec.endpoint(signal).orElse(null);
        https |= uri != null && "https".equalsIgnoreCase(uri.getScheme());
      }
      if (!https) {
        problems.add(
            problem(
                section,
                ownTls,
                flat,
                "unset, or an https:// endpoint to use TLS with; the endpoint is "
                    + Redaction.url(spec.primaryEndpoint())
                    + " ["
                    + section.origin(ENDPOINT, flat)
                    + "]"));
      }
    }
    if (!section.failed.contains(RETRY_INITIAL_BACKOFF_MS)
        && !section.failed.contains(RETRY_MAX_BACKOFF_MS)
        && section.value(RETRY_MAX_BACKOFF_MS, flat)
            < section.value(RETRY_INITIAL_BACKOFF_MS, flat)) {
      Key<Long> blamed =
          section.isSet(RETRY_MAX_BACKOFF_MS) ? RETRY_MAX_BACKOFF_MS : RETRY_INITIAL_BACKOFF_MS;
      Key<Long> other =
          blamed == RETRY_MAX_BACKOFF_MS ? RETRY_INITIAL_BACKOFF_MS : RETRY_MAX_BACKOFF_MS;
      problems.add(
          problem(
              section,
              blamed,
              flat,
              (blamed == RETRY_MAX_BACKOFF_MS ? ">= " : "<= ") + which(section, other, flat)));
    }
    return problems;
  }

  private static boolean hasPathOrQuery(URI uri) {
    String path = uri.getRawPath();
    return (path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null;
  }

  private static <T> ConfigProblem problem(
      Section section, Key<T> key, ProxyConfig flat, String expected) {
    T value = section.value(key, flat);
    return ConfigProblem.of(
        section.key(key),
        key.setting.show(value),
        expected,
        section.isSet(key) ? section.origin(key, flat) : section.origin);
  }

  private static String which(Section section, Key<?> key, ProxyConfig flat) {
    return section.key(key)
        + ", which is "
        + key.setting.showUnchecked(section.value(key, flat))
        + " ["
        + section.origin(key, flat)
        + "]";
  }

  // --- The signals type -------------------------------------------------------------------------

  private static ValueType<Set<ExporterSignal>> signalsType() {
    String expected = "traces, metrics or logs";
    return new ValueType<Set<ExporterSignal>>() {
      @Override
      Set<ExporterSignal> fromToml(Object raw, Context context) throws InvalidValue {
        if (!(raw instanceof TomlArray)) {
          throw InvalidValue.expected("an array such as [\"traces\", \"metrics\"]");
        }
        TomlArray array = (TomlArray) raw;
        Set<ExporterSignal> signals = EnumSet.noneOf(ExporterSignal.class);
        List<Issue> issues = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
          Object value = array.get(i);
          ExporterSignal signal = value instanceof String ? signal((String) value) : null;
          if (signal == null) {
            issues.add(
                new Issue(
                    Collections.singletonList(Integer.toString(i)),
                    showPlain(value, true),
                    expected));
          } else {
            signals.add(signal);
          }
        }
        if (!issues.isEmpty()) {
          throw new InvalidValue(issues);
        }
        return Collections.unmodifiableSet(signals);
      }

      @Override
      Set<ExporterSignal> fromText(String raw, Context context) throws InvalidValue {
        Set<ExporterSignal> signals = EnumSet.noneOf(ExporterSignal.class);
        for (String entry : raw.split(",", -1)) {
          if (entry.trim().isEmpty()) {
            continue;
          }
          ExporterSignal signal = signal(entry);
          if (signal == null) {
            throw InvalidValue.expected("a comma-separated list of " + expected);
          }
          signals.add(signal);
        }
        return Collections.unmodifiableSet(signals);
      }

      @Override
      String showRaw(Object raw, boolean fromToml) {
        if (!(raw instanceof TomlArray)) {
          return showPlain(raw, fromToml);
        }
        StringJoiner joiner = new StringJoiner(", ", "[", "]");
        TomlArray array = (TomlArray) raw;
        for (int i = 0; i < array.size(); i++) {
          joiner.add(showPlain(array.get(i), true));
        }
        return joiner.toString();
      }

      @Override
      String show(Set<ExporterSignal> value) {
        StringJoiner joiner = new StringJoiner(", ", "[", "]");
        value.forEach(s -> joiner.add(quote(s.configValue())));
        return joiner.toString();
      }
    };
  }

  private static ExporterSignal signal(String word) {
    String w = word.trim().toLowerCase(Locale.ROOT);
    for (ExporterSignal s : ExporterSignal.values()) {
      if (s.configValue().equals(w)) {
        return s;
      }
    }
    return null;
  }
}
