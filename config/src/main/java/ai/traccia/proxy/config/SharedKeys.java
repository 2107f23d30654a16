/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys both the proxy and the Java client read: where spans go, how they are sent and batched,
 * metrics and debug.
 *
 * <p>They live here, with the client's catalog, because the client reads them without the proxy's
 * catalog on its class path; the proxy's catalog lists each of them at its place in the
 * documentation order. Immutable after class initialisation.
 */
final class SharedKeys {

  private SharedKeys() {}

  static final Setting<String> API_KEY =
      Setting.builder("tracing", "api_key", ValueType.STRING)
          .alias("api_key")
          .env("AGENT_DASHBOARD_API_KEY")
          .check(Checks::apiKey)
          .secret()
          .optional("\"your-traccia-api-key\"")
          .description(
              "API key, sent as 'Authorization: Bearer <key>'. With a key and no endpoint,"
                  + " spans go to the Traccia platform. Prefer the environment variable.")
          .build();

  static final Setting<URI> ENDPOINT =
      Setting.builder("tracing", "endpoint", ValueType.URL)
          .alias("endpoint")
          .env("AGENT_DASHBOARD_ENDPOINT")
          .check(Checks::httpUrl)
          .optional("\"http://localhost:4318/v1/traces\"")
          .description(
              "OTLP traces endpoint of the backend. Without it: the Traccia platform if an"
                  + " api_key is set, else no OTLP export (spans go to the file exporter).")
          .build();

  static final Setting<Double> SAMPLE_RATE =
      Setting.builder("tracing", "sample_rate", ValueType.DOUBLE)
          .defaultValue(1.0)
          .alias("sample_rate")
          .env("AGENT_DASHBOARD_SAMPLE_RATE")
          .check(Checks::fraction)
          .live()
          .description("Fraction of traces forwarded, from 0 to 1.")
          .build();

  static final Setting<Boolean> USE_OTLP =
      Setting.builder("tracing", "use_otlp", ValueType.BOOLEAN)
          .defaultValue(true)
          .alias("use_otlp")
          .description("Export over OTLP. When false, enable the console or the file exporter.")
          .build();

  static final Setting<String> SERVICE_NAME =
      Setting.builder("tracing", "service_name", ValueType.STRING)
          .alias("service_name")
          .optional("\"my-service\"")
          .description("service.name given to spans whose resource has none.")
          .build();

  static final Setting<ExporterProtocol> PROTOCOL =
      Setting.builder("exporters", "protocol", ValueType.choice(protocols()))
          .defaultValue(ExporterProtocol.HTTP_PROTOBUF)
          .alias("exporter_protocol")
          .description("OTLP protocol to the backend: \"grpc\" or \"http/protobuf\".")
          .build();

  static final Setting<Map<String, String>> HEADERS =
      Setting.builder("exporters", "headers", ValueType.HEADERS)
          .defaultValue(Collections.<String, String>emptyMap())
          .alias("exporter_headers")
          .check(Checks::headers)
          .example("{ \"x-scope-orgid\" = \"tenant-1\" }")
          .description(
              "Extra headers sent to the backend; values are secrets and never shown. As an"
                  + " environment variable: k1=v1,k2=v2 with percent-encoded values."
                  + " Default: none.")
          .build();

  static final Setting<Compression> COMPRESSION =
      Setting.builder("exporters", "compression", ValueType.choice(compressions()))
          .defaultValue(Compression.GZIP)
          .alias("exporter_compression")
          .description("Compression of export requests: \"gzip\" or \"none\".")
          .build();

  static final Setting<Long> TIMEOUT_MS =
      Setting.builder("exporters", "timeout_ms", ValueType.LONG)
          .defaultValue(10_000L)
          .alias("exporter_timeout_ms")
          .check(Checks::positive)
          .description("Timeout of one export request, in ms.")
          .build();

  static final Setting<Path> CA_FILE =
      Setting.builder("exporters", "ca_file", ValueType.PATH)
          .alias("exporter_ca_file")
          .check(Checks::readableFile)
          .optional("\"/etc/ssl/certs/backend-ca.pem\"")
          .description(
              "PEM file of the CA certificates to trust for an https endpoint, instead of"
                  + " the system's.")
          .build();

  static final Setting<Path> CLIENT_CERT_FILE =
      Setting.builder("exporters", "client_cert_file", ValueType.PATH)
          .alias("exporter_client_cert_file")
          .check(Checks::readableFile)
          .optional("\"/etc/traccia/client.pem\"")
          .description("PEM client certificate for mutual TLS; needs client_key_file.")
          .build();

  static final Setting<Path> CLIENT_KEY_FILE =
      Setting.builder("exporters", "client_key_file", ValueType.PATH)
          .alias("exporter_client_key_file")
          .check(Checks::readableFile)
          .optional("\"/etc/traccia/client-key.pem\"")
          .description(
              "PEM private key for mutual TLS (PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted); needs"
                  + " client_cert_file.")
          .build();

  static final Setting<Integer> MAX_QUEUE_SIZE =
      Setting.builder("rate_limiting", "max_queue_size", ValueType.INT)
          .defaultValue(50_000)
          .alias("max_queue_size")
          .check(Checks::positive)
          .description(
              "Items each exporter's in-memory queue holds, queued and in flight; past it,"
                  + " clients are asked to retry.")
          .build();

  static final Setting<Integer> MAX_EXPORT_BATCH_SIZE =
      Setting.builder("rate_limiting", "max_export_batch_size", ValueType.INT)
          .defaultValue(2048)
          .alias("max_export_batch_size")
          .check(Checks::positive)
          .description("Most spans per export request; at most max_queue_size.")
          .build();

  static final Setting<Long> SCHEDULE_DELAY_MILLIS =
      Setting.builder("rate_limiting", "schedule_delay_millis", ValueType.LONG)
          .defaultValue(200L)
          .alias("schedule_delay_millis")
          .check(Checks::positive)
          .description("Longest wait before a partial batch is exported, in ms.")
          .build();

  static final Setting<Boolean> ENABLE_METRICS =
      Setting.builder("metrics", "enable_metrics", ValueType.BOOLEAN)
          .defaultValue(true)
          .alias("enable_metrics")
          .description("Produce metrics (tokens, cost, latency) from the spans.")
          .build();

  static final Setting<URI> METRICS_ENDPOINT =
      Setting.builder("metrics", "metrics_endpoint", ValueType.URL)
          .alias("metrics_endpoint")
          .check(Checks::httpUrl)
          .optional("\"http://localhost:4318/v1/metrics\"")
          .description("OTLP metrics endpoint. Default: derived from the traces endpoint.")
          .build();

  static final Setting<Boolean> DEBUG =
      Setting.builder("logging", "debug", ValueType.BOOLEAN)
          .defaultValue(false)
          .alias("debug")
          .env("AGENT_DASHBOARD_DEBUG")
          .live()
          .description("Debug logging; the same as level = \"debug\" unless level is set.")
          .build();

  static final Setting<Integer> ATTR_TRUNCATION_LIMIT =
      Setting.builder("advanced", "attr_truncation_limit", ValueType.INT)
          .alias("attr_truncation_limit")
          .check(Checks::positive)
          .optional("1000")
          .description("Longest string attribute written by the file exporter. Default: no limit.")
          .build();

  private static Map<String, ExporterProtocol> protocols() {
    Map<String, ExporterProtocol> words = new LinkedHashMap<>();
    for (ExporterProtocol p : ExporterProtocol.values()) {
      words.put(p.configValue(), p);
    }
    return words;
  }

  private static Map<String, Compression> compressions() {
    Map<String, Compression> words = new LinkedHashMap<>();
    for (Compression c : Compression.values()) {
      words.put(c.configValue(), c);
    }
    return words;
  }
}
