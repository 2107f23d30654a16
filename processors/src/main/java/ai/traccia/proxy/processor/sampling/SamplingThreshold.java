/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.sampling;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenTelemetry consistent probability sampling: 56-bit randomness, rejection thresholds and the
 * {@code ot} member of the W3C tracestate that carries them ({@code ot=th:c;rv:...}).
 *
 * <p>A trace is kept when its randomness {@code R} is at least the threshold {@code T}; the
 * probability of that is {@code (2^56 - T) / 2^56}. {@code R} is the explicit {@code rv} of the
 * tracestate when present, else the low 56 bits of the trace id. {@code th} is {@code T} as up to
 * 14 hexadecimal digits with trailing zeros removed ({@code th:0} keeps everything, {@code th:8}
 * keeps half). Because every replica derives {@code R} from the trace alone, all of them reach the
 * same decision for all spans of a trace.
 *
 * <p>Stateless and thread-safe.
 */
public final class SamplingThreshold {

  /** 2^56: one more than the largest randomness value. */
  static final long MAX = 1L << 56;

  private static final int DIGITS = 14;

  private SamplingThreshold() {}

  /**
   * The rejection threshold for keeping a fraction {@code rate} of traces: 0 for a rate of 1 or
   * more, and {@link #MAX} (nothing passes) for a rate of 0 or less.
   */
  static long forRate(double rate) {
    if (!(rate > 0)) {
      return MAX;
    }
    if (rate >= 1) {
      return 0;
    }
    long kept = Math.round(rate * MAX);
    return Math.max(0, Math.min(MAX, MAX - kept));
  }

  /**
   * The 56 random bits of a trace: {@code rv} of {@code traceState} when valid, else the last 7
   * bytes of {@code traceId}; -1 when the trace id is not 16 bytes and there is no {@code rv}.
   */
  static long randomness(ByteString traceId, String traceState) {
    String rv = otSubKey(traceState, "rv");
    if (rv != null && rv.length() == DIGITS) {
      long parsed = parseHex(rv);
      if (parsed >= 0) {
        return parsed;
      }
    }
    if (traceId.size() != 16) {
      return -1;
    }
    long r = 0;
    for (int k = 9; k < 16; k++) {
      r = (r << 8) | (traceId.byteAt(k) & 0xff);
    }
    return r;
  }

  /** The threshold in {@code th} of {@code traceState}, or -1 when absent or malformed. */
  static long threshold(String traceState) {
    String th = otSubKey(traceState, "th");
    if (th == null || th.isEmpty() || th.length() > DIGITS) {
      return -1;
    }
    long digits = parseHex(th);
    if (digits < 0) {
      return -1;
    }
    // Trailing zeros were removed: shift the digits back to 14 places.
    return digits << (4 * (DIGITS - th.length()));
  }

  /**
   * How many spans one span sampled upstream stands for: {@code 2^56 / (2^56 - T)} for the
   * threshold {@code T} of {@code traceState}, and 1 when the tracestate carries no valid
   * threshold. A span is never worth less than itself.
   */
  public static double adjustedCount(String traceState) {
    if (traceState == null || traceState.isEmpty()) {
      return 1;
    }
    long t = threshold(traceState);
    if (t <= 0) {
      return 1;
    }
    return (double) MAX / (double) (MAX - t);
  }

  /** {@code threshold} as a {@code th} value: 14 hex digits, trailing zeros removed. */
  static String encode(long threshold) {
    if (threshold == 0) {
      return "0";
    }
    String hex = Long.toHexString(threshold);
    StringBuilder sb = new StringBuilder(DIGITS);
    for (int k = hex.length(); k < DIGITS; k++) {
      sb.append('0');
    }
    sb.append(hex);
    int end = sb.length();
    while (end > 1 && sb.charAt(end - 1) == '0') {
      end--;
    }
    return sb.substring(0, end);
  }

  /**
   * {@code traceState} with {@code th} of its {@code ot} member set to {@code threshold}, the
   * member's other sub-keys kept and the member moved to the front, as W3C Trace Context asks of a
   * member that changed. A threshold of {@link #MAX} or more removes {@code th}: nothing is kept at
   * it, so no span can carry it.
   */
  static String withThreshold(String traceState, long threshold) {
    List<String> others = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    if (traceState != null && !traceState.isEmpty()) {
      for (String member : traceState.split(",", -1)) {
        String m = member.trim();
        if (m.isEmpty()) {
          continue;
        }
        if (!m.startsWith("ot=")) {
          others.add(m);
          continue;
        }
        for (String field : m.substring(3).split(";", -1)) {
          if (!field.isEmpty() && !field.startsWith("th:")) {
            fields.add(field);
          }
        }
      }
    }
    if (threshold < MAX) {
      fields.add(0, "th:" + encode(threshold));
    }
    StringBuilder out = new StringBuilder();
    if (!fields.isEmpty()) {
      out.append("ot=").append(String.join(";", fields));
    }
    for (String member : others) {
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(member);
    }
    return out.toString();
  }

  // The value of sub-key `key` in the `ot` member of a W3C tracestate, or null.
  static String otSubKey(String traceState, String key) {
    if (traceState == null || traceState.isEmpty()) {
      return null;
    }
    for (String member : traceState.split(",", -1)) {
      String m = member.trim();
      if (!m.startsWith("ot=")) {
        continue;
      }
      for (String field : m.substring(3).split(";", -1)) {
        int colon = field.indexOf(':');
        if (colon > 0 && field.substring(0, colon).equals(key)) {
          return field.substring(colon + 1);
        }
      }
      return null;
    }
    return null;
  }

  private static long parseHex(String s) {
    long value = 0;
    for (int k = 0; k < s.length(); k++) {
      int d = Character.digit(s.charAt(k), 16);
      if (d < 0 || Character.isUpperCase(s.charAt(k))) {
        return -1;
      }
      value = (value << 4) | d;
    }
    return value;
  }
}
