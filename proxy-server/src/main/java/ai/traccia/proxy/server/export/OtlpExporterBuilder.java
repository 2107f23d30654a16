/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.export;

import ai.traccia.proxy.config.ExporterProtocol;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The settings both OTLP exporters share: name, headers, API key, compression, timeout and TLS
 * files. Each setter checks its value at once, throwing {@link IllegalArgumentException} with what
 * was wrong. Not thread-safe.
 *
 * @param <B> the concrete builder, returned by every setter
 */
abstract class OtlpExporterBuilder<B extends OtlpExporterBuilder<B>> {

  final ExporterOptions settings;
  String name;
  Path caFile;
  Path clientCertificate;
  Path clientKey;

  OtlpExporterBuilder(ExporterProtocol protocol, String defaultName) {
    this.settings = new ExporterOptions(protocol);
    this.name = defaultName;
  }

  abstract B self();

  /** The name in logs and self-metrics. */
  public B setName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: empty (expected: a short name such as tempo)");
    }
    this.name = name;
    return self();
  }

  /** Adds a header sent with every export, such as {@code x-scope-orgid}. */
  public B addHeader(String name, String value) {
    settings.addHeader(name, value);
    return self();
  }

  /** Adds every entry of {@code headers}, as {@link #addHeader} does. */
  public B setHeaders(Map<String, String> headers) {
    headers.forEach(settings::addHeader);
    return self();
  }

  /** Sends {@code Authorization: Bearer <apiKey>} with every export. */
  public B setApiKey(String apiKey) {
    settings.setApiKey(apiKey);
    return self();
  }

  /** {@code gzip} or {@code none} (the default). */
  public B setCompression(String compression) {
    settings.setCompression(compression);
    return self();
  }

  /** How long one export may take, connecting included. Default 10 seconds. */
  public B setTimeout(Duration timeout) {
    settings.setTimeout(timeout);
    return self();
  }

  /**
   * PEM file of the CA certificates to trust instead of the system trust store, for a backend with
   * a private CA. Needs an {@code https://} endpoint.
   */
  public B setCaFile(Path caFile) {
    this.caFile = Objects.requireNonNull(caFile, "caFile");
    return self();
  }

  /**
   * PEM files of the client certificate chain and its private key, for backends that require mutual
   * TLS. Needs an {@code https://} endpoint.
   */
  public B setClientCertificate(Path certificateChain, Path privateKey) {
    this.clientCertificate = Objects.requireNonNull(certificateChain, "certificateChain");
    this.clientKey = Objects.requireNonNull(privateKey, "privateKey");
    return self();
  }
}
