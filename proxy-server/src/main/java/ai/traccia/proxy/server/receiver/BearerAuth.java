/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.server.receiver;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks the bearer token of an OTLP request ({@code Authorization: Bearer <token>}), as the
 * OpenTelemetry Collector's {@code bearertokenauth} extension does, and tells which tenant, if any,
 * the token belongs to.
 *
 * <p>Tokens are compared in constant time: the presented token and every configured one are hashed
 * to SHA-256 and the digests compared with {@link MessageDigest#isEqual}, all of them every time,
 * so neither the length of a token nor which token matched shows in the time taken. Tokens are kept
 * only as digests and never logged. Immutable and thread-safe.
 */
public final class BearerAuth {

  private static final BearerAuth NONE = new BearerAuth(List.of());
  private static final String SCHEME = "bearer";

  private final List<Entry> entries;

  private BearerAuth(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Accepts every request: no token is needed. */
  public static BearerAuth none() {
    return NONE;
  }

  /**
   * Requires one of {@code tokens} (without tenant) or of the tokens of {@code tenants}; data sent
   * with a tenant's token is tagged with {@code tenantAttribute} = the tenant's name. With no token
   * at all, the result accepts every request, as {@link #none()}.
   */
  public static BearerAuth of(
      Collection<String> tokens, Map<String, List<String>> tenants, String tenantAttribute) {
    List<Entry> entries = new ArrayList<>();
    for (String token : tokens) {
      entries.add(new Entry(digest(token), null));
    }
    for (Map.Entry<String, List<String>> e : tenants.entrySet()) {
      Tenant tenant = new Tenant(tenantAttribute, e.getKey());
      for (String token : e.getValue()) {
        entries.add(new Entry(digest(token), tenant));
      }
    }
    return entries.isEmpty() ? NONE : new BearerAuth(entries);
  }

  /** Whether requests need a token. */
  public boolean isEnabled() {
    return !entries.isEmpty();
  }

  /**
   * Checks the value of an {@code Authorization} header (null when there is none). Never throws.
   */
  Result check(String authorization) {
    if (entries.isEmpty()) {
      return Result.ANONYMOUS;
    }
    if (authorization == null) {
      return Result.MISSING;
    }
    String value = authorization.trim();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).equalsIgnoreCase(SCHEME)) {
      return Result.MISSING;
    }
    byte[] presented = digest(value.substring(space + 1).trim());
    Entry found = null;
    for (Entry entry : entries) {
      // No early exit: every digest is compared, whatever matched.
      if (MessageDigest.isEqual(entry.digest(), presented)) {
        found = entry;
      }
    }
    if (found == null) {
      return Result.INVALID;
    }
    return found.tenant() == null ? Result.ANONYMOUS : Result.accepted(found.tenant());
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** One accepted token, as its digest, with its tenant or null. */
  private record Entry(byte[] digest, Tenant tenant) {}

  /**
   * The outcome of {@link #check}.
   *
   * @param tenant the tenant of the token, or null when it has none (or no token was needed)
   * @param message what the client is told when refused; names no token
   * @param challenge the {@code WWW-Authenticate} value of a refusal (RFC 6750)
   */
  record Result(boolean isAccepted, Tenant tenant, String message, String challenge) {
    static final Result ANONYMOUS = new Result(true, null, null, null);
    static final Result MISSING =
        new Result(
            false,
            null,
            "this OTLP endpoint requires a bearer token: send the header"
                + " 'Authorization: Bearer <token>'",
            "Bearer");
    static final Result INVALID =
        new Result(
            false,
            null,
            "the bearer token was not accepted; check the token the exporter sends",
            "Bearer error=\"invalid_token\"");

    static Result accepted(Tenant tenant) {
      return new Result(true, Objects.requireNonNull(tenant), null, null);
    }
  }
}
