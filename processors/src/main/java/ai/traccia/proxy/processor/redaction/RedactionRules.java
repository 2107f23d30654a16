/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.redaction;

import ai.traccia.proxy.config.ProxyConfig;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One consistent set of redaction settings: the default mode, the modes per service and per
 * attribute, the masking patterns, the hash key and the bounds. Immutable and thread-safe; a reload
 * builds a new one and {@link RedactionProcessor#setRules} swaps it in whole.
 */
public final class RedactionRules {

  /** The default of {@code redaction.truncate_length}. */
  public static final int DEFAULT_TRUNCATE_LENGTH = 64;

  /** The default of {@code redaction.max_scan_chars}. */
  public static final int DEFAULT_MAX_SCAN_CHARS = 65_536;

  final boolean enabled;
  final RedactionMode mode;
  final List<MaskPattern> patterns;
  final Map<String, RedactionMode> attributeModes;
  final Map<String, RedactionMode> serviceModes;
  final int truncateLength;
  final int maxScanChars;
  // A prototype: Mac is not thread-safe, each use works on a clone.
  private final Mac mac;

  private RedactionRules(Builder b) {
    this.enabled = b.enabled;
    this.mode = b.mode;
    List<MaskPattern> all = new ArrayList<>();
    for (String name : MaskPattern.BUILT_IN) {
      if (b.builtIn.contains(name)) {
        all.add(MaskPattern.builtIn(name));
      }
    }
    for (Map.Entry<String, String> e : b.custom.entrySet()) {
      all.add(MaskPattern.user(e.getKey(), e.getValue()));
    }
    this.patterns = List.copyOf(all);
    this.attributeModes = Collections.unmodifiableMap(new LinkedHashMap<>(b.attributeModes));
    this.serviceModes = Collections.unmodifiableMap(new LinkedHashMap<>(b.serviceModes));
    this.truncateLength = b.truncateLength;
    this.maxScanChars = b.maxScanChars;
    if (b.hashKey != null) {
      try {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(b.hashKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        this.mac = m;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
      }
    } else {
      this.mac = null;
    }
  }

  /** Redaction switched off. */
  public static RedactionRules disabled() {
    return builder().setEnabled(false).build();
  }

  /** The rules of the {@code [redaction]} section of {@code config}. */
  public static RedactionRules fromConfig(ProxyConfig config) {
    Builder b =
        builder()
            .setEnabled(config.redactionEnabled())
            .setMode(RedactionMode.parse(config.redactionMode()))
            .setPatterns(config.redactionPatterns())
            .setTruncateLength(config.redactionTruncateLength())
            .setMaxScanChars(config.redactionMaxScanChars());
    config.redactionCustomPatterns().forEach(b::addCustomPattern);
    config
        .redactionAttributeModes()
        .forEach((k, v) -> b.setAttributeMode(k, RedactionMode.parse(v)));
    config.redactionServiceModes().forEach((k, v) -> b.setServiceMode(k, RedactionMode.parse(v)));
    config.redactionHashKey().ifPresent(b::setHashKey);
    return b.build();
  }

  /** A builder: disabled, mask mode, every built-in pattern. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether anything is redacted at all. */
  public boolean isEnabled() {
    return enabled;
  }

  /** The mode for a value of {@code key} on a span of {@code service}. */
  RedactionMode modeFor(RedactionMode serviceMode, String key) {
    RedactionMode m = attributeModes.get(key);
    return m != null ? m : serviceMode;
  }

  /** The mode of the spans of {@code service} (may be null), before attribute modes. */
  RedactionMode serviceMode(String service) {
    RedactionMode m = service == null ? null : serviceModes.get(service);
    return m != null ? m : mode;
  }

  /** The keyed hash of {@code value}: {@code sha256:} and 16 hex digits of its HMAC-SHA256. */
  String hash(String value) {
    Mac m;
    try {
      m = (Mac) mac.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's HmacSHA256 can be cloned", e);
    }
    byte[] digest = m.doFinal(value.getBytes(StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder(23).append("sha256:");
    for (int k = 0; k < 8; k++) {
      out.append(Character.forDigit((digest[k] >> 4) & 0xf, 16))
          .append(Character.forDigit(digest[k] & 0xf, 16));
    }
    return out.toString();
  }

  /** The rules as lines for {@code doctor} and the log; the hash key is never shown. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    if (!enabled) {
      lines.add("redaction: off");
      return lines;
    }
    lines.add("redaction: on, mode " + mode.label());
    List<String> names = new ArrayList<>();
    for (MaskPattern p : patterns) {
      names.add(p.name());
    }
    lines.add("  patterns (mask): " + (names.isEmpty() ? "none" : String.join(", ", names)));
    serviceModes.forEach((k, v) -> lines.add("  service " + k + ": " + v.label()));
    attributeModes.forEach((k, v) -> lines.add("  attribute " + k + ": " + v.label()));
    lines.add("  truncate_length: " + truncateLength + ", max_scan_chars: " + maxScanChars);
    lines.add("  hash key: " + (mac == null ? "not set" : "****"));
    return lines;
  }

  /** Builds {@link RedactionRules}. Not thread-safe. */
  public static final class Builder {
    private boolean enabled;
    private RedactionMode mode = RedactionMode.MASK;
    private List<String> builtIn = MaskPattern.BUILT_IN;
    private final Map<String, String> custom = new LinkedHashMap<>();
    private final Map<String, RedactionMode> attributeModes = new LinkedHashMap<>();
    private final Map<String, RedactionMode> serviceModes = new LinkedHashMap<>();
    private String hashKey;
    private int truncateLength = DEFAULT_TRUNCATE_LENGTH;
    private int maxScanChars = DEFAULT_MAX_SCAN_CHARS;

    private Builder() {}

    /** Whether redaction runs. Default false. */
    public Builder setEnabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /** The default mode; not {@code OFF}. Default mask. */
    public Builder setMode(RedactionMode mode) {
      Objects.requireNonNull(mode, "mode");
      if (mode == RedactionMode.OFF) {
        throw new IllegalArgumentException("mode: off (expected: mask, hash, truncate or drop)");
      }
      this.mode = mode;
      return this;
    }

    /** The built-in patterns to mask, by name. Default all. */
    public Builder setPatterns(List<String> names) {
      for (String n : names) {
        if (!MaskPattern.BUILT_IN.contains(n)) {
          throw new IllegalArgumentException(
              "patterns: \""
                  + n
                  + "\" (expected: "
                  + String.join(", ", MaskPattern.BUILT_IN)
                  + ")");
        }
      }
      this.builtIn = List.copyOf(names);
      return this;
    }

    /** Adds a user pattern; the configuration has checked it (see config/README.md). */
    public Builder addCustomPattern(String name, String regex) {
      custom.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(regex, "regex"));
      return this;
    }

    /** The mode of attribute {@code key} on every span; the key becomes a content key. */
    public Builder setAttributeMode(String key, RedactionMode mode) {
      attributeModes.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(mode, "mode"));
      return this;
    }

    /** The mode of the spans of a {@code service.name}; {@code OFF} exempts the service. */
    public Builder setServiceMode(String service, RedactionMode mode) {
      serviceModes.put(
          Objects.requireNonNull(service, "service"), Objects.requireNonNull(mode, "mode"));
      return this;
    }

    /** The HMAC-SHA256 key of the hash mode. */
    public Builder setHashKey(String key) {
      this.hashKey = Objects.requireNonNull(key, "key");
      return this;
    }

    /** Characters the truncate mode keeps. Default 64. */
    public Builder setTruncateLength(int length) {
      if (length < 0) {
        throw new IllegalArgumentException("truncateLength: " + length + " (expected: >= 0)");
      }
      this.truncateLength = length;
      return this;
    }

    /** Characters of each value the mask mode scans; the rest is cut. Default 65,536. */
    public Builder setMaxScanChars(int chars) {
      if (chars <= 0) {
        throw new IllegalArgumentException("maxScanChars: " + chars + " (expected: > 0)");
      }
      this.maxScanChars = chars;
      return this;
    }

    /** Returns the rules. */
    public RedactionRules build() {
      boolean hashUsed =
          mode == RedactionMode.HASH
              || attributeModes.containsValue(RedactionMode.HASH)
              || serviceModes.containsValue(RedactionMode.HASH);
      if (enabled && hashUsed && hashKey == null) {
        throw new IllegalStateException(
            "the hash mode needs a key: set redaction.hash_key (HMAC-SHA256)");
      }
      return new RedactionRules(this);
    }
  }
}
