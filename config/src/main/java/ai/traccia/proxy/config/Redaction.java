/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * How secrets inside values are shown in logs, messages and command output: the one rule every
 * printer of an endpoint uses, so that none of them shows a token the others hide.
 *
 * <p>A URL may carry credentials in its user information ({@code https://user:token@host}) or its
 * query ({@code ?api_key=...}, as some vendors' ingest URLs do); both are shown as {@value #MASK}.
 * Stateless and thread-safe.
 */
public final class Redaction {

  /** What a hidden secret is shown as. */
  public static final String MASK = "****";

  private static final Pattern USER_INFO =
      Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@]*@");

  private Redaction() {}

  /**
   * {@code url} with its user information and everything from its query or fragment on replaced by
   * {@value #MASK}: {@code https://****@host/v1/traces?****}. Safe for any string, URL or not.
   */
  public static String url(String url) {
    String shown = USER_INFO.matcher(url).replaceFirst("$1" + MASK + "@");
    int query = shown.indexOf('?');
    int fragment = shown.indexOf('#');
    int cut = query < 0 ? fragment : fragment < 0 ? query : Math.min(query, fragment);
    return cut < 0 ? shown : shown.substring(0, cut + 1) + MASK;
  }

  /** {@link #url(String)} of {@code url.toString()}. */
  public static String url(URI url) {
    return url(url.toString());
  }
}
