/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import ai.traccia.proxy.config.ProxyConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * The bounds on what a client controls at a receiver, besides the request size: how many
 * connections it may open, how long it may take to send a request's head and body, how long an idle
 * connection stays open, and how large headers may be. Immutable.
 *
 * @param maxConnections open connections per receiver; more are closed as they are accepted
 * @param headerTimeout time for a request's head once its first byte arrived (HTTP; from the
 *     connection's start for its first request), or for the connection handshake (gRPC)
 * @param bodyTimeout time for a request's body once its head arrived (HTTP), or for a call's
 *     message once the call started (gRPC)
 * @param idleTimeout time a connection with no request in progress stays open
 * @param maxHeaderBytes largest request line and header block (HTTP) or metadata (gRPC)
 * @param maxConcurrentStreams concurrent calls per gRPC connection
 */
public record ReceiverLimits(
    int maxConnections,
    Duration headerTimeout,
    Duration bodyTimeout,
    Duration idleTimeout,
    int maxHeaderBytes,
    int maxConcurrentStreams) {

  /** The defaults of the configuration catalog (see config/README.md, {@code [server]}). */
  public static final ReceiverLimits DEFAULTS = fromConfig(ProxyConfig.defaults());

  /** The limits {@code config} sets. */
  public static ReceiverLimits fromConfig(ProxyConfig config) {
    return new ReceiverLimits(
        config.maxConnections(),
        config.headerTimeout(),
        config.bodyTimeout(),
        config.idleTimeout(),
        config.maxHeaderBytes(),
        config.maxConcurrentStreams());
  }

  public ReceiverLimits {
    check(maxConnections > 0, "server.max_connections", maxConnections);
    check(positive(headerTimeout), "server.header_timeout_ms", headerTimeout);
    check(positive(bodyTimeout), "server.body_timeout_ms", bodyTimeout);
    check(positive(idleTimeout), "server.idle_timeout_ms", idleTimeout);
    check(maxHeaderBytes > 0, "server.max_header_bytes", maxHeaderBytes);
    check(maxConcurrentStreams > 0, "server.max_concurrent_streams", maxConcurrentStreams);
  }

  private static boolean positive(Duration d) {
    return !Objects.requireNonNull(d).isNegative() && !d.isZero();
  }

  private static void check(boolean ok, String key, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: > 0)");
    }
  }
}
