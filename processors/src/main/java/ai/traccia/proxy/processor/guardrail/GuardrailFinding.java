/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.guardrail;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One guardrail signal found on one span: the SDK's {@code GuardrailFinding}. Immutable; its JSON
 * form is computed once, at construction.
 */
final class GuardrailFinding {

  static final String EXPLICIT = "explicit";
  static final String PROVIDER_NATIVE = "provider_native";
  static final String HEURISTIC = "heuristic";

  static final String HIGH = "high";
  static final String MEDIUM = "medium";
  static final String LOW = "low";

  final String id;
  final String category;
  final String name;
  final String sourceType;
  final String confidence;
  final Boolean triggered;
  final String enforcementMode;
  final String detectionReason;
  final String json;

  GuardrailFinding(
      String traceId,
      String spanId,
      String category,
      String name,
      String sourceType,
      String confidence,
      Boolean triggered,
      String enforcementMode,
      String detectionReason,
      String integration,
      List<String> attributeKeys,
      String rawExcerpt) {
    this.id = id(traceId, sourceType, category, name, spanId);
    this.category = category;
    this.name = name;
    this.sourceType = sourceType;
    this.confidence = confidence;
    this.triggered = triggered;
    this.enforcementMode = enforcementMode;
    this.detectionReason = detectionReason;
    this.json =
        json(traceId, spanId, integration, attributeKeys, rawExcerpt, new StringBuilder(512))
            .toString();
  }

  /** {@code triggered}, {@code not_triggered} or {@code present} (triggered unknown). */
  String status() {
    if (triggered == null) {
      return "present";
    }
    return triggered ? "triggered" : "not_triggered";
  }

  /** 3 for high, 2 for medium, 1 for low: dedupe keeps the higher. */
  static int rank(String confidence) {
    switch (confidence) {
      case HIGH:
        return 3;
      case MEDIUM:
        return 2;
      default:
        return 1;
    }
  }

  /**
   * The first 16 hex digits of SHA-256 over {@code trace|source|category|name|span}; an absent id
   * is the empty string.
   */
  static String id(String traceId, String sourceType, String category, String name, String spanId) {
    String input =
        (traceId == null ? "" : traceId)
            + '|'
            + sourceType
            + '|'
            + category
            + '|'
            + name
            + '|'
            + (spanId == null ? "" : spanId);
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(input.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-256.
      throw new AssertionError(e);
    }
    return HexFormat.of().formatHex(digest, 0, 8);
  }

  private StringBuilder json(
      String traceId,
      String spanId,
      String integration,
      List<String> attributeKeys,
      String rawExcerpt,
      StringBuilder out) {
    out.append('{');
    PyJson.key(out, "id", true);
    PyJson.string(out, id);
    PyJson.key(out, "category", false);
    PyJson.string(out, category);
    PyJson.key(out, "name", false);
    PyJson.string(out, name);
    PyJson.key(out, "source_type", false);
    PyJson.string(out, sourceType);
    PyJson.key(out, "confidence", false);
    PyJson.string(out, confidence);
    PyJson.key(out, "triggered", false);
    out.append(triggered == null ? "null" : triggered.toString());
    PyJson.key(out, "enforcement_mode", false);
    PyJson.string(out, enforcementMode);
    PyJson.key(out, "status", false);
    PyJson.string(out, status());
    PyJson.key(out, "detection_reason", false);
    PyJson.string(out, detectionReason);
    PyJson.key(out, "evidence_ref", false);
    out.append('{');
    boolean first = true;
    if (traceId != null && !traceId.isEmpty()) {
      PyJson.key(out, "trace_id", first);
      PyJson.string(out, traceId);
      first = false;
    }
    if (spanId != null && !spanId.isEmpty()) {
      PyJson.key(out, "span_id", first);
      PyJson.string(out, spanId);
      first = false;
    }
    if (integration != null) {
      PyJson.key(out, "integration", first);
      PyJson.string(out, integration);
      first = false;
    }
    if (!attributeKeys.isEmpty()) {
      PyJson.key(out, "attribute_keys", first);
      PyJson.strings(out, attributeKeys);
    }
    out.append('}');
    PyJson.key(out, "raw_excerpt", false);
    PyJson.string(out, rawExcerpt);
    out.append('}');
    return out;
  }

  /** A JSON array of {@code findings}, as {@code guardrail.findings} holds it. */
  static String jsonArray(List<GuardrailFinding> findings) {
    StringBuilder out = new StringBuilder(findings.size() * 512 + 2);
    out.append('[');
    for (int k = 0; k < findings.size(); k++) {
      if (k > 0) {
        out.append(", ");
      }
      out.append(findings.get(k).json);
    }
    return out.append(']').toString();
  }
}
