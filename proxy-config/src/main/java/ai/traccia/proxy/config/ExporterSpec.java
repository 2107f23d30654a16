/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * One OTLP backend, resolved once from the configuration: where each signal goes, how (protocol,
 * headers, TLS material, compression, timeout), how failures are retried and how its queue is kept.
 *
 * <p>Every part of the proxy that talks to a backend (the exporters, {@code check}, {@code doctor})
 * starts from this, so none of them repeats a rule of the configuration: endpoints are derived,
 * defaults applied and the api key checked against the headers before a spec exists. Obtain specs
 * from {@link ProxyConfig#otlpExporters()}.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the api key, header values or an
 * endpoint's user information and query.
 */
public final class ExporterSpec {

  /** The name of the backend configured by the flat {@code [exporters]} keys. */
  public static final String DEFAULT_NAME = "otlp";

  private final String name;
  private final String configKey;
  private final ExporterProtocol protocol;
  private final Map<ExporterSignal, URI> endpoints;
  private final Set<ExporterSignal> signals;
  private final Map<String, String> headers;
  private final String apiKey;
  private final Compression compression;
  private final Duration timeout;
  private final Path caFile;
  private final Path clientCertFile;
  private final Path clientKeyFile;
  private final Duration retryInitialBackoff;
  private final Duration retryMaxBackoff;
  private final Duration retryMaxElapsed;
  private final int maxQueueSize;
  private final boolean durableQueue;

  private ExporterSpec(Builder b) {
    this.name = b.name;
    this.configKey = b.configKey;
    this.protocol = b.protocol;
    this.endpoints = Collections.unmodifiableMap(new EnumMap<>(b.endpoints));
    this.signals = Collections.unmodifiableSet(EnumSet.copyOf(b.signals));
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    this.apiKey = b.apiKey;
    this.compression = b.compression;
    this.timeout = b.timeout;
    this.caFile = b.caFile;
    this.clientCertFile = b.clientCertFile;
    this.clientKeyFile = b.clientKeyFile;
    this.retryInitialBackoff = b.retryInitialBackoff;
    this.retryMaxBackoff = b.retryMaxBackoff;
    this.retryMaxElapsed = b.retryMaxElapsed;
    this.maxQueueSize = b.maxQueueSize;
    this.durableQueue = b.durableQueue;
  }

  static Builder builder(String name, String configKey) {
    return new Builder(name, configKey);
  }

  /**
   * The name in logs, self-metrics labels and the durable queue's directory: {@code otlp} for the
   * flat {@code [exporters]} backend, {@code otlp/<name>} for an {@code [exporters.otlp.<name>]}
   * section.
   */
  public String name() {
    return name;
  }

  /**
   * Where this exporter is configured, as a key prefix for messages: {@code exporters} for the flat
   * backend, {@code exporters.otlp.tempo} for a section.
   */
  public String configKey() {
    return configKey;
  }

  /** Whether this is the backend of the flat {@code [exporters]} keys. */
  public boolean isDefault() {
    return DEFAULT_NAME.equals(name);
  }

  public ExporterProtocol protocol() {
    return protocol;
  }

  /**
   * Where {@code signal} is sent, or empty when no endpoint is known for it. For OTLP/gRPC every
   * signal goes to the same {@code scheme://host:port}.
   */
  public Optional<URI> endpoint(ExporterSignal signal) {
    return Optional.ofNullable(endpoints.get(signal));
  }

  /**
   * The traces endpoint if there is one, else the first endpoint: what a one-line summary shows.
   */
  public URI primaryEndpoint() {
    URI traces = endpoints.get(ExporterSignal.TRACES);
    return traces != null ? traces : endpoints.values().iterator().next();
  }

  /** The signals this exporter takes; a request of another signal is never offered to it. */
  public Set<ExporterSignal> signals() {
    return signals;
  }

  /** Whether this exporter takes {@code signal}. */
  public boolean takes(ExporterSignal signal) {
    return signals.contains(signal);
  }

  /**
   * Extra headers as configured; values are secrets. Never holds {@code authorization} and a key.
   */
  public Map<String, String> headers() {
    return headers;
  }

  /** The api key, sent as {@code authorization: Bearer <key>}; a secret, never log it. */
  public Optional<String> apiKey() {
    return Optional.ofNullable(apiKey);
  }

  /**
   * The headers sent with every export: {@link #headers()} plus {@code authorization: Bearer <key>}
   * when an api key is set (configuration validation refuses an api key beside an authorization
   * header, so neither silently wins).
   */
  public Map<String, String> requestHeaders() {
    Map<String, String> all = new LinkedHashMap<>(headers);
    if (apiKey != null) {
      all.put("authorization", "Bearer " + apiKey);
    }
    return Collections.unmodifiableMap(all);
  }

  public Compression compression() {
    return compression;
  }

  /** Timeout of one export request. */
  public Duration timeout() {
    return timeout;
  }

  /** CA certificates to trust instead of the system's, for https endpoints. */
  public Optional<Path> caFile() {
    return Optional.ofNullable(caFile);
  }

  /** Client certificate for mutual TLS; present exactly when {@link #clientKeyFile()} is. */
  public Optional<Path> clientCertFile() {
    return Optional.ofNullable(clientCertFile);
  }

  /** Client private key (PKCS#8, PKCS#1 or SEC1 PEM) for mutual TLS. */
  public Optional<Path> clientKeyFile() {
    return Optional.ofNullable(clientKeyFile);
  }

  public Duration retryInitialBackoff() {
    return retryInitialBackoff;
  }

  public Duration retryMaxBackoff() {
    return retryMaxBackoff;
  }

  /** Retry budget per batch; zero means no retries. */
  public Duration retryMaxElapsed() {
    return retryMaxElapsed;
  }

  /** Items this exporter's in-memory queue holds at most. */
  public int maxQueueSize() {
    return maxQueueSize;
  }

  /** Whether this exporter's queue is kept on disk, under its own subdirectory. */
  public boolean durableQueue() {
    return durableQueue;
  }

  /** A one-line summary such as {@code otlp/tempo: OTLP/gRPC http://tempo:4317 [traces]}. */
  public String describe() {
    StringJoiner signalNames = new StringJoiner(", ", "[", "]");
    signals.forEach(s -> signalNames.add(s.configValue()));
    return name
        + ": "
        + (protocol == ExporterProtocol.GRPC ? "OTLP/gRPC " : "OTLP/HTTP ")
        + Redaction.url(primaryEndpoint())
        + " "
        + signalNames;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ExporterSpec)) {
      return false;
    }
    ExporterSpec other = (ExporterSpec) o;
    return name.equals(other.name)
        && configKey.equals(other.configKey)
        && protocol == other.protocol
        && endpoints.equals(other.endpoints)
        && signals.equals(other.signals)
        && headers.equals(other.headers)
        && Objects.equals(apiKey, other.apiKey)
        && compression == other.compression
        && timeout.equals(other.timeout)
        && Objects.equals(caFile, other.caFile)
        && Objects.equals(clientCertFile, other.clientCertFile)
        && Objects.equals(clientKeyFile, other.clientKeyFile)
        && retryInitialBackoff.equals(other.retryInitialBackoff)
        && retryMaxBackoff.equals(other.retryMaxBackoff)
        && retryMaxElapsed.equals(other.retryMaxElapsed)
        && maxQueueSize == other.maxQueueSize
        && durableQueue == other.durableQueue;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, protocol, endpoints, signals, timeout, maxQueueSize, durableQueue);
  }

  /** Every field, with the api key and header values shown as {@code ****}. */
  @Override
  public String toString() {
    StringJoiner shownEndpoints = new StringJoiner(", ", "{", "}");
    endpoints.forEach((s, uri) -> shownEndpoints.add(s + "=" + Redaction.url(uri)));
    return "ExporterSpec{name="
        + name
        + ", protocol="
        + protocol
        + ", endpoints="
        + shownEndpoints
        + ", signals="
        + signals
        + ", headers="
        + ValueType.HEADERS.show(headers)
        + ", apiKey="
        + (apiKey == null ? "(none)" : Redaction.MASK)
        + ", compression="
        + compression
        + ", timeout="
        + timeout.toMillis()
        + "ms, caFile="
        + caFile
        + ", clientCertFile="
        + clientCertFile
        + ", clientKeyFile="
        + clientKeyFile
        + ", retry="
        + retryInitialBackoff.toMillis()
        + "/"
        + retryMaxBackoff.toMillis()
        + "/"
        + retryMaxElapsed.toMillis()
        + "ms, maxQueueSize="
        + maxQueueSize
        + ", durableQueue="
        + durableQueue
        + "}";
  }

  /** Fills a spec; used only while resolving a configuration. Not thread-safe. */
  static final class Builder {
    private final String name;
    private final String configKey;
    private ExporterProtocol protocol = ExporterProtocol.HTTP_PROTOBUF;
    private final Map<ExporterSignal, URI> endpoints = new EnumMap<>(ExporterSignal.class);
    private Set<ExporterSignal> signals = EnumSet.allOf(ExporterSignal.class);
    private Map<String, String> headers = Collections.emptyMap();
    private String apiKey;
    private Compression compression = Compression.GZIP;
    private Duration timeout;
    private Path caFile;
    private Path clientCertFile;
    private Path clientKeyFile;
    private Duration retryInitialBackoff;
    private Duration retryMaxBackoff;
    private Duration retryMaxElapsed;
    private int maxQueueSize;
    private boolean durableQueue;

    private Builder(String name, String configKey) {
      this.name = name;
      this.configKey = configKey;
    }

    Builder protocol(ExporterProtocol protocol) {
      this.protocol = protocol;
      return this;
    }

    Builder endpoint(ExporterSignal signal, URI uri) {
      if (uri != null) {
        endpoints.put(signal, uri);
      }
      return this;
    }

    Builder signals(Set<ExporterSignal> signals) {
      this.signals = signals;
      return this;
    }

    Builder headers(Map<String, String> headers) {
      this.headers = headers;
      return this;
    }

    Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    Builder compression(Compression compression) {
      this.compression = compression;
      return this;
    }

    Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    Builder tls(Path caFile, Path clientCertFile, Path clientKeyFile) {
      this.caFile = caFile;
      // A pair or nothing: the loader refuses one without the other.
      boolean pair = clientCertFile != null && clientKeyFile != null;
      this.clientCertFile = pair ? clientCertFile : null;
      this.clientKeyFile = pair ? clientKeyFile : null;
      return this;
    }

    Builder retry(Duration initialBackoff, Duration maxBackoff, Duration maxElapsed) {
      this.retryInitialBackoff = initialBackoff;
      this.retryMaxBackoff = maxBackoff;
      this.retryMaxElapsed = maxElapsed;
      return this;
    }

    Builder queue(int maxQueueSize, boolean durableQueue) {
      this.maxQueueSize = maxQueueSize;
      this.durableQueue = durableQueue;
      return this;
    }

    ExporterSpec build() {
      return new ExporterSpec(this);
    }
  }
}
