/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.ui;

import java.util.List;

/**
 * What the live page keeps of one span: its place in the tree, its timing, and its attributes as
 * shortened text, each marked when the proxy wrote it. Immutable.
 */
record SpanView(
    String spanId,
    String parentSpanId,
    String name,
    String service,
    long startNanos,
    long endNanos,
    int statusCode,
    List<Attribute> attributes,
    int attributesLeftOut) {

  /** One attribute, its value as text; {@code proxy} when the pipeline set it. */
  record Attribute(String key, String value, boolean proxy) {}
}
