/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.config;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean ...?" for misspelt keys, by edit distance. Stateless. */
public final class Suggestions {

  private Suggestions() {}

  /**
   * The candidate closest to {@code given}, or null if none is close enough to be a likely typo:
   * one edit for names up to 4 characters, two up to 10, three beyond. Ties go to the earlier
   * candidate. Case, '_', '-' and '.' are ignored.
   */
  public static String closest(String given, Collection<String> candidates) {
    String g = normalize(given);
    int limit = g.length() <= 4 ? 1 : g.length() <= 10 ? 2 : 3;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(g, normalize(candidate));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return bestDistance <= limit ? best : null;
  }

  private static String normalize(String s) {
    return s.toLowerCase(Locale.ROOT).replace('_', '.').replace('-', '.');
  }

  /** Levenshtein distance, with a transposition of neighbours counted as one edit. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
