/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tokens;

/**
 * Splits text into the pieces a tiktoken encoding's pre-tokenizer pattern matches, without {@code
 * java.util.regex}.
 *
 * <p>Each constant reproduces one pattern exactly, as {@link java.util.regex.Pattern} runs it with
 * {@code UNICODE_CHARACTER_CLASS}: {@code \s} is Unicode White_Space, {@code \p{L}}, {@code \p{N}},
 * {@code \p{M}} and {@code \p{Lu}} are general categories, contractions match case-insensitively
 * with Unicode case (so {@code 'ſ} is {@code 's}), and code points, not chars, are the unit (a lone
 * surrogate is a code point of its own, of category Cs). The alternatives are tried in the
 * pattern's order and the first that matches wins, as in the regex; each comment shows the pattern
 * and the backtracking it needs. Every position starts some alternative, so the pieces tile the
 * text.
 *
 * <p>Why: with the regex, splitting took more CPU than merging (character-class predicates and
 * branch nodes per character). This is one table or {@link Character#getType(int)} lookup per code
 * point and allocates nothing. The regexes are kept in the tests, which compare the pieces of both
 * on random and hand-picked text.
 *
 * <p>Stateless and thread-safe.
 */
enum PreTokenizer {

  /**
   * r50k_base and p50k_base (GPT-2 and Codex): {@code '(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+|
   * ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}.
   */
  GPT2 {
    @Override
    int end(String text, int start) {
      int n = text.length();
      char c = text.charAt(start);
      int contracted = contraction(text, start, false);
      if (contracted != start) {
        return contracted;
      }
      // " ?X+" for X in letters, numbers, other: the space only when X follows it.
      int at = c == ' ' && start + 1 < n ? start + 1 : start;
      int kind = kindAt(text, at);
      if ((kind & LETTER) != 0) {
        return skip(text, at, LETTER);
      }
      if ((kind & NUMBER) != 0) {
        return skip(text, at, NUMBER);
      }
      if ((kind & PUNCT) != 0) {
        return skip(text, at, PUNCT);
      }
      return spaces(text, start);
    }
  },

  /**
   * cl100k_base: {@code '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}|
   * ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+}.
   */
  CL100K {
    @Override
    int end(String text, int start) {
      int n = text.length();
      char c = text.charAt(start);
      int contracted = contraction(text, start, true);
      if (contracted != start) {
        return contracted;
      }
      int kind = kindAt(text, start);
      // [^\r\n\p{L}\p{N}]?+\p{L}+: one prefix code point, then letters.
      if ((kind & LETTER) != 0) {
        return skip(text, start, LETTER);
      }
      if ((kind & PREFIX) != 0) {
        int at = codePointEnd(text, start);
        if (at < n && (kindAt(text, at) & LETTER) != 0) {
          return skip(text, at, LETTER);
        }
      }
      if ((kind & NUMBER) != 0) {
        return digits(text, start);
      }
      // " ?[^\s\p{L}\p{N}]++[\r\n]*"
      int at = c == ' ' && start + 1 < n ? start + 1 : start;
      if ((kindAt(text, at) & PUNCT) != 0) {
        return skip(text, skip(text, at, PUNCT), NEWLINE);
      }
      return spacesWithNewline(text, start);
    }
  },

  /**
   * o200k_base: {@code [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+
   * (?i:'s|'t|'re|'ve|'m|'ll|'d)?}, then the same with {@code +} and {@code *} swapped, then {@code
   * \p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+}.
   */
  O200K {
    @Override
    int end(String text, int start) {
      int n = text.length();
      int kind = kindAt(text, start);
      // The prefix is optional and not possessive: a combining mark may be the prefix or the first
      // letter, so each alternative is tried with the prefix, then without, as the regex
      // backtracks. The whole first alternative is tried before the second.
      int afterPrefix = (kind & PREFIX) != 0 ? codePointEnd(text, start) : -1;
      if (afterPrefix >= 0 && afterPrefix < n) {
        int end = lowerEnd(text, afterPrefix);
        if (end >= 0) {
          return contraction(text, end, true);
        }
      }
      if ((kind & (UPPER | LOWER)) != 0) {
        int end = lowerEnd(text, start);
        if (end >= 0) {
          return contraction(text, end, true);
        }
      }
      if (afterPrefix >= 0 && afterPrefix < n && (kindAt(text, afterPrefix) & UPPER) != 0) {
        return contraction(text, skip(text, skip(text, afterPrefix, UPPER), LOWER), true);
      }
      if ((kind & UPPER) != 0) {
        return contraction(text, skip(text, skip(text, start, UPPER), LOWER), true);
      }
      if ((kind & NUMBER) != 0) {
        return digits(text, start);
      }
      // " ?[^\s\p{L}\p{N}]+[\r\n/]*"
      int at = text.charAt(start) == ' ' && start + 1 < n ? start + 1 : start;
      if ((kindAt(text, at) & PUNCT) != 0) {
        return skip(text, skip(text, at, PUNCT), NEWLINE_OR_SLASH);
      }
      // \s*[\r\n]+ ends where \s*[\r\n] does: at the last line break of the run.
      return spacesWithNewline(text, start);
    }

    /**
     * Where {@code [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+} from {@code start}
     * ends, or -1. The upper run is greedy: when no lower code point follows it, it gives back code
     * points until the last one that is also lower (Lm, Lo or M), which alone is the lower run.
     */
    private int lowerEnd(String text, int start) {
      int n = text.length();
      int i = start;
      int lastLowerEnd = -1;
      while (i < n) {
        int kind = kindAt(text, i);
        if ((kind & UPPER) == 0) {
          break;
        }
        i = codePointEnd(text, i);
        if ((kind & LOWER) != 0) {
          lastLowerEnd = i;
        }
      }
      if (i < n && (kindAt(text, i) & LOWER) != 0) {
        return skip(text, i, LOWER);
      }
      return lastLowerEnd;
    }
  };

  // Classes of a code point, as bits; a pattern's class is one bit, so a run is one mask test.
  /** {@code \s}: Unicode White_Space. */
  static final int SPACE = 1;

  /** {@code [\r\n]}. */
  static final int NEWLINE = 1 << 1;

  /** {@code \p{L}}. */
  static final int LETTER = 1 << 2;

  /** {@code \p{N}}. */
  static final int NUMBER = 1 << 3;

  /** {@code [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]}. */
  static final int UPPER = 1 << 4;

  /** {@code [\p{Ll}\p{Lm}\p{Lo}\p{M}]}. */
  static final int LOWER = 1 << 5;

  /** {@code [^\s\p{L}\p{N}]}. */
  static final int PUNCT = 1 << 6;

  /** {@code [^\r\n\p{L}\p{N}]}. */
  static final int PREFIX = 1 << 7;

  /** {@code [\r\n/]}. */
  static final int NEWLINE_OR_SLASH = 1 << 8;

  private static final int[] ASCII = new int[128];

  static {
    for (int c = 0; c < ASCII.length; c++) {
      ASCII[c] = classify(c);
    }
  }

  /**
   * The end (exclusive) of the piece of {@code text} that starts at {@code start}, which is less
   * than {@code text.length()}; the end is greater than {@code start}.
   */
  abstract int end(String text, int start);

  /** The classes of {@code cp}, for the ASCII table and every other code point. */
  private static int classify(int cp) {
    int kind;
    switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER:
      case Character.TITLECASE_LETTER:
        kind = LETTER | UPPER;
        break;
      case Character.LOWERCASE_LETTER:
        kind = LETTER | LOWER;
        break;
      case Character.MODIFIER_LETTER:
      case Character.OTHER_LETTER:
        kind = LETTER | UPPER | LOWER;
        break;
      case Character.NON_SPACING_MARK:
      case Character.ENCLOSING_MARK:
      case Character.COMBINING_SPACING_MARK:
        kind = UPPER | LOWER;
        break;
      case Character.DECIMAL_DIGIT_NUMBER:
      case Character.LETTER_NUMBER:
      case Character.OTHER_NUMBER:
        kind = NUMBER;
        break;
      case Character.SPACE_SEPARATOR:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
        kind = SPACE;
        break;
      default:
        // Pattern's White_Space adds the controls \t to \r and NEL to the separators.
        kind = (cp >= 0x9 && cp <= 0xd) || cp == 0x85 ? SPACE : 0;
        break;
    }
    if (cp == '\r' || cp == '\n') {
      kind |= NEWLINE | NEWLINE_OR_SLASH;
    }
    if (cp == '/') {
      kind |= NEWLINE_OR_SLASH;
    }
    if ((kind & (SPACE | LETTER | NUMBER)) == 0) {
      kind |= PUNCT;
    }
    if ((kind & (NEWLINE | LETTER | NUMBER)) == 0) {
      kind |= PREFIX;
    }
    return kind;
  }

  /** The classes of the code point at {@code i}. */
  static int kindAt(String text, int i) {
    char c = text.charAt(i);
    return c < 128 ? ASCII[c] : classify(Character.codePointAt(text, i));
  }

  /** The index after the code point at {@code i}: a surrogate pair is one code point. */
  private static int codePointEnd(String text, int i) {
    int next = i + 1;
    if (Character.isHighSurrogate(text.charAt(i))
        && next < text.length()
        && Character.isLowSurrogate(text.charAt(next))) {
      return next + 1;
    }
    return next;
  }

  /** The end of the run of code points from {@code i} that are all in {@code mask}. */
  private static int skip(String text, int i, int mask) {
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c < 128) {
        if ((ASCII[c] & mask) == 0) {
          break;
        }
        i++;
      } else {
        int cp = Character.codePointAt(text, i);
        if ((classify(cp) & mask) == 0) {
          break;
        }
        i += Character.charCount(cp);
      }
    }
    return i;
  }

  /** {@code \p{N}{1,3}} at {@code start}, which is a number. */
  private static int digits(String text, int start) {
    int end = codePointEnd(text, start);
    for (int k = 1; k < 3 && end < text.length() && (kindAt(text, end) & NUMBER) != 0; k++) {
      end = codePointEnd(text, end);
    }
    return end;
  }

  /**
   * {@code \s*[\r\n]|\s+(?!\S)|\s+} at {@code start}, which is white space: up to the run's last
   * line break if it has one, else as {@link #spaces}.
   */
  private static int spacesWithNewline(String text, int start) {
    // White space is all in the BMP, so the run is counted in chars.
    int runEnd = skip(text, start, SPACE);
    for (int i = runEnd - 1; i >= start; i--) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n') {
        return i + 1;
      }
    }
    return spaces(text, start, runEnd);
  }

  /** {@code \s+(?!\S)|\s+} at {@code start}, which is white space. */
  private static int spaces(String text, int start) {
    return spaces(text, start, skip(text, start, SPACE));
  }

  // A run that reaches the end is one piece; otherwise its last space is left to start the next
  // piece (" word"), unless it is the only one.
  private static int spaces(String text, int start, int runEnd) {
    if (runEnd == text.length() || runEnd - start < 2) {
      return runEnd;
    }
    return runEnd - 1;
  }

  /**
   * Whether {@code c} equals {@code lower}, an ASCII lower-case letter, ignoring case as the regex
   * does with Unicode case: only the ASCII pair and, for 's', the long s (U+017F) fold to it.
   */
  /**
   * The end of a contraction ({@code 's 't 're 've 'm 'll 'd}, case-insensitively with {@code
   * ignoreCase}, as {@code (?i:...)} folds them) at {@code at}, or {@code at} when there is none.
   * The two-letter and three-letter forms differ in their first letter, so the patterns' different
   * orders of these alternatives match the same text.
   */
  private static int contraction(String text, int at, boolean ignoreCase) {
    int n = text.length();
    if (at + 1 >= n || text.charAt(at) != '\'') {
      return at;
    }
    char d = text.charAt(at + 1);
    if (is(d, 's', ignoreCase)
        || is(d, 't', ignoreCase)
        || is(d, 'm', ignoreCase)
        || is(d, 'd', ignoreCase)) {
      return at + 2;
    }
    if (at + 2 < n) {
      char e = text.charAt(at + 2);
      if ((is(d, 'r', ignoreCase) && is(e, 'e', ignoreCase))
          || (is(d, 'v', ignoreCase) && is(e, 'e', ignoreCase))
          || (is(d, 'l', ignoreCase) && is(e, 'l', ignoreCase))) {
        return at + 3;
      }
    }
    return at;
  }

  private static boolean is(char c, char lower, boolean ignoreCase) {
    return ignoreCase ? folds(c, lower) : c == lower;
  }

  private static boolean folds(char c, char lower) {
    return (c | 0x20) == lower || (lower == 's' && c == '\u017f');
  }
}
