/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.redaction;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One masking rule: a name, the regular expressions it looks for, and a check each match must pass
 * (the Luhn check of card numbers). Immutable and thread-safe.
 *
 * <p>The built-in patterns are conservative: they would rather miss an odd format than mask
 * ordinary numbers. Each is anchored on word boundaries and written without nested quantifiers, so
 * it runs in time linear in the text. User patterns are checked for nested quantifiers when loaded,
 * and run on a character sequence that stops a match after a budget of reads (see {@link Budget}).
 */
record MaskPattern(
    String name,
    List<Pattern> patterns,
    // Per pattern, a cheap test that the text may hold a match at all: most text holds none of
    // these shapes, and a regular expression tried at every position costs far more than a scan.
    List<Predicate<String>> gates,
    Predicate<String> check,
    boolean user) {

  static final List<String> BUILT_IN = List.of("api_key", "email", "card", "phone", "ip");

  /** The built-in pattern {@code name}, one of {@link #BUILT_IN}. */
  static MaskPattern builtIn(String name) {
    switch (name) {
      case "email":
        return of(
            name,
            s -> true,
            s -> s.indexOf('@') >= 0,
            "(?<![\\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]{1,63}"
                + "(?:\\.[A-Za-z0-9-]{1,63}){0,8}\\.[A-Za-z]{2,24}(?![\\w-])");
      case "phone":
        return of(
            name,
            MaskPattern::phoneDigits,
            s -> digits(s, 8),
            // E.164, with or without separators: +44 20 7946 0958, +14155552671.
            "(?<![\\w+])\\+[1-9]\\d{0,3}(?:[ .-]?\\(?\\d{1,4}\\)?){1,5}[ .-]?\\d{2,4}(?![\\w])",
            // North American and common national forms with separators: (415) 555-2671,
            // 415-555-2671, 020 7946 0958.
            "(?<![\\w+.-])\\(?\\d{3}\\)?[ .-]\\d{3}[ .-]\\d{4}(?![\\w]|[.-]\\d)",
            "(?<![\\w+.-])0\\d{2,4}[ -]\\d{3,4}[ -]\\d{3,4}(?![\\w]|[.-]\\d)");
      case "card":
        return of(
            name,
            MaskPattern::luhn,
            s -> digits(s, 13),
            "(?<![\\w-])\\d(?:[ -]?\\d){12,18}(?![\\w]|-\\d)");
      case "ip":
        return new MaskPattern(
            name,
            List.of(
                Pattern.compile(
                    "(?<![\\w.])(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}"
                        + "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?![\\w]|\\.\\d)"),
                // IPv6, full or with one "::".
                Pattern.compile("(?<![\\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\\w:])"),
                Pattern.compile(
                    "(?<![\\w:])(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?::"
                        + "(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?(?![\\w:])")),
            List.of(
                s -> s.indexOf('.') >= 0 && digits(s, 4),
                s -> count(s, ':') >= 7,
                s -> s.contains("::")),
            MaskPattern::notBareColons,
            false);
      case "api_key":
        return of(
            name,
            s -> true,
            s ->
                s.contains("sk-")
                    || s.contains("AKIA")
                    || s.contains("ASIA")
                    || s.contains("gh")
                    || s.contains("xox")
                    || s.contains("earer")
                    || s.contains("eyJ"),
            "(?<![\\w-])sk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{16,}",
            "(?<![\\w])(?:AKIA|ASIA)[0-9A-Z]{16}(?![\\w])",
            "(?<![\\w])gh[pousr]_[A-Za-z0-9]{36,}",
            "(?<![\\w])xox[abposr]-[A-Za-z0-9-]{10,}",
            "(?<![\\w])[Bb]earer\\s{1,4}[A-Za-z0-9._~+/-]{16,}=*",
            "(?<![\\w-])eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}");
      default:
        throw new IllegalArgumentException("no built-in pattern \"" + name + "\"");
    }
  }

  /** A user pattern, already validated by the configuration. */
  static MaskPattern user(String name, String regex) {
    return new MaskPattern(
        name, List.of(Pattern.compile(regex)), List.of(s -> true), s -> true, true);
  }

  private static MaskPattern of(
      String name, Predicate<String> check, Predicate<String> gate, String... regexes) {
    Pattern[] compiled = new Pattern[regexes.length];
    @SuppressWarnings("unchecked")
    Predicate<String>[] gateEach = new Predicate[regexes.length];
    for (int k = 0; k < regexes.length; k++) {
      compiled[k] = Pattern.compile(regexes[k]);
      gateEach[k] = gate;
    }
    return new MaskPattern(name, List.of(compiled), List.of(gateEach), check, false);
  }

  /** Whether {@code s} holds at least {@code min} ASCII digits. */
  private static boolean digits(String s, int min) {
    int n = 0;
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c >= '0' && c <= '9' && ++n >= min) {
        return true;
      }
    }
    return false;
  }

  private static int count(String s, char c) {
    int n = 0;
    for (int k = s.indexOf(c); k >= 0; k = s.indexOf(c, k + 1)) {
      n++;
    }
    return n;
  }

  /** An IPv6-shaped match with at least one hex digit: a lone "::" is not an address. */
  private static boolean notBareColons(String match) {
    return match.length() > 2;
  }

  /**
   * {@code text} with every accepted match replaced by {@code [REDACTED:<name>]}; {@code counts}
   * gets the number of replacements. Returns {@code text} itself when nothing matched.
   *
   * @throws Budget.Exceeded when a user pattern reads the text too often
   */
  String mask(String text, int[] count) {
    String out = text;
    for (int p = 0; p < patterns.size(); p++) {
      if (!gates.get(p).test(out)) {
        continue;
      }
      Pattern pattern = patterns.get(p);
      CharSequence input = user ? new Budget(out) : out;
      Matcher m = pattern.matcher(input);
      StringBuilder sb = null;
      int last = 0;
      while (find(m)) {
        String match = m.group();
        if (match.isEmpty() || !check.test(match)) {
          continue;
        }
        if (sb == null) {
          sb = new StringBuilder(out.length());
        }
        sb.append(out, last, m.start()).append("[REDACTED:").append(name).append(']');
        last = m.end();
        count[0]++;
      }
      if (sb != null) {
        out = sb.append(out, last, out.length()).toString();
      }
    }
    return out;
  }

  /**
   * {@link Matcher#find()}, where a user pattern's recursion too deep for the stack
   * (java.util.regex recurses on alternations and groups) counts as going over the budget.
   */
  private boolean find(Matcher m) {
    if (!user) {
      return m.find();
    }
    try {
      return m.find();
    } catch (StackOverflowError e) {
      throw new Budget.Exceeded();
    }
  }

  /** Whether a card-shaped match passes the Luhn check, with 13 to 19 digits. */
  static boolean luhn(String match) {
    int digits = 0;
    int sum = 0;
    for (int k = match.length() - 1; k >= 0; k--) {
      char c = match.charAt(k);
      if (c < '0' || c > '9') {
        continue;
      }
      int d = c - '0';
      if (digits % 2 == 1) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      digits++;
    }
    return digits >= 13 && digits <= 19 && sum % 10 == 0;
  }

  /** Whether a phone-shaped match has 8 to 15 digits, as E.164 numbers do. */
  private static boolean phoneDigits(String match) {
    int digits = 0;
    for (int k = 0; k < match.length(); k++) {
      if (Character.isDigit(match.charAt(k))) {
        digits++;
      }
    }
    return digits >= 8 && digits <= 15;
  }

  /**
   * The text a user pattern runs on: it stops the match with {@link Exceeded} after 1,000 reads per
   * character (and at least 100,000), which a linear pattern never comes near and a backtracking
   * one reaches in milliseconds. The simple guard the configuration's static check backs up.
   */
  static final class Budget implements CharSequence {
    private final String text;
    private long left;

    Budget(String text) {
      this(text, Math.max(100_000L, 1_000L * text.length()));
    }

    private Budget(String text, long left) {
      this.text = text;
      this.left = left;
    }

    @Override
    public char charAt(int index) {
      if (--left < 0) {
        throw new Exceeded();
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Budget(text.substring(start, end), left);
    }

    @Override
    public String toString() {
      return text;
    }

    /** A user pattern used up its budget on a value. */
    static final class Exceeded extends RuntimeException {
      private static final long serialVersionUID = 1L;

      Exceeded() {
        super("a redaction pattern took too long", null, false, false);
      }
    }
  }
}
