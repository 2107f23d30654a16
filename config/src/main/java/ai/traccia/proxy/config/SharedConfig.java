/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the proxy's and the Java client's configurations have in common: the values and origins of
 * one load, and the keys both read (the export endpoint, API key and headers, TLS files, batching,
 * the sample rate, metrics on or off, debug). {@code ProxyConfig} and {@link ClientConfig} add
 * their own audience's keys; nothing else extends it. Immutable and thread-safe.
 */
public abstract class SharedConfig {

  /** The origin of a built-in default. */
  static final String DEFAULT_ORIGIN = "default";

  /** The origin of a value set through a builder, in code. */
  static final String BUILDER_ORIGIN = "builder";

  final Map<Setting<?>, Object> values;
  final Map<Setting<?>, String> origins;

  SharedConfig(Map<Setting<?>, Object> values, Map<Setting<?>, String> origins) {
    this.values = Collections.unmodifiableMap(new HashMap<>(values));
    this.origins = Collections.unmodifiableMap(new HashMap<>(origins));
  }

  @SuppressWarnings("unchecked")
  <T> T get(Setting<T> setting) {
    return (T) values.get(setting.target());
  }

  /** The API key ({@code tracing.api_key}); a secret, never log it. */
  public Optional<String> apiKey() {
    return Optional.ofNullable(get(SharedKeys.API_KEY));
  }

  /**
   * The traces endpoint as configured ({@code tracing.endpoint}); see {@code
   * ProxyConfig#tracesEndpoint()}.
   */
  public Optional<URI> endpoint() {
    return Optional.ofNullable(get(SharedKeys.ENDPOINT));
  }

  /** Fraction of traces forwarded, 0 to 1 ({@code tracing.sample_rate}); reloadable. */
  public double sampleRate() {
    return get(SharedKeys.SAMPLE_RATE);
  }

  /** Whether OTLP export is wanted at all ({@code tracing.use_otlp}). */
  public boolean useOtlp() {
    return get(SharedKeys.USE_OTLP);
  }

  /** service.name for spans whose resource has none ({@code tracing.service_name}). */
  public Optional<String> serviceName() {
    return Optional.ofNullable(get(SharedKeys.SERVICE_NAME));
  }

  /** OTLP protocol to the backend ({@code exporters.protocol}). */
  public ExporterProtocol exporterProtocol() {
    return get(SharedKeys.PROTOCOL);
  }

  /** Extra headers for the backend ({@code exporters.headers}); values are secrets. */
  public Map<String, String> exporterHeaders() {
    return get(SharedKeys.HEADERS);
  }

  /** Compression of export requests ({@code exporters.compression}). */
  public Compression compression() {
    return get(SharedKeys.COMPRESSION);
  }

  /** Timeout of one export request ({@code exporters.timeout_ms}). */
  public Duration exporterTimeout() {
    return Duration.ofMillis(get(SharedKeys.TIMEOUT_MS));
  }

  /** CA certificates to trust instead of the system's ({@code exporters.ca_file}). */
  public Optional<Path> caFile() {
    return Optional.ofNullable(get(SharedKeys.CA_FILE));
  }

  /** Client certificate for mutual TLS ({@code exporters.client_cert_file}). */
  public Optional<Path> clientCertFile() {
    return Optional.ofNullable(get(SharedKeys.CLIENT_CERT_FILE));
  }

  /** Client private key for mutual TLS ({@code exporters.client_key_file}). */
  public Optional<Path> clientKeyFile() {
    return Optional.ofNullable(get(SharedKeys.CLIENT_KEY_FILE));
  }

  /** Spans held waiting for export ({@code rate_limiting.max_queue_size}). */
  public int maxQueueSize() {
    return get(SharedKeys.MAX_QUEUE_SIZE);
  }

  /** Most spans per export ({@code rate_limiting.max_export_batch_size}). */
  public int maxExportBatchSize() {
    return get(SharedKeys.MAX_EXPORT_BATCH_SIZE);
  }

  /** Longest wait before a partial batch is sent ({@code rate_limiting.schedule_delay_millis}). */
  public Duration scheduleDelay() {
    return Duration.ofMillis(get(SharedKeys.SCHEDULE_DELAY_MILLIS));
  }

  /** Whether metrics are produced from spans ({@code metrics.enable_metrics}). */
  public boolean metricsEnabled() {
    return get(SharedKeys.ENABLE_METRICS);
  }

  /** Whether debug logging is on ({@code logging.debug}). */
  public boolean debug() {
    return get(SharedKeys.DEBUG);
  }

  /** Longest string attribute in the file exporter ({@code advanced.attr_truncation_limit}). */
  public OptionalInt attrTruncationLimit() {
    Integer limit = get(SharedKeys.ATTR_TRUNCATION_LIMIT);
    return limit == null ? OptionalInt.empty() : OptionalInt.of(limit);
  }
}
