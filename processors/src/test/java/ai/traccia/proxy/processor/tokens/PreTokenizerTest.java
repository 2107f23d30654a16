/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link PreTokenizer} must split text into exactly the pieces the encodings' regexes match, which
 * are the specification (tiktoken's patterns, as JTokkit compiles them with {@code
 * UNICODE_CHARACTER_CLASS}): on hand-picked edge cases, on every code point alone and after a
 * space, a letter and a mark, and on seeded random strings of every class the patterns tell apart.
 */
class PreTokenizerTest {

  private static final int FLAGS = Pattern.UNICODE_CHARACTER_CLASS;

  /** The pre-tokenizer of r50k_base and p50k_base (GPT-2 and Codex). */
  static final Pattern GPT2 =
      Pattern.compile(
          "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", FLAGS);

  /** The pre-tokenizer of cl100k_base. */
  static final Pattern CL100K =
      Pattern.compile(
          "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}+|\\p{N}{1,3}"
              + "| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+",
          FLAGS);

  /** The pre-tokenizer of o200k_base. */
  static final Pattern O200K =
      Pattern.compile(
          String.join(
              "|",
              "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
                  + "(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
              "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"
                  + "(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
              "\\p{N}{1,3}",
              " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
              "\\s*[\\r\\n]+",
              "\\s+(?!\\S)",
              "\\s+"),
          FLAGS);

  /** Random strings per encoding; under half a second each. */
  private static final int RANDOM_TEXTS = 50_000;

  private static final String[] EDGE_CASES = {
    "",
    " ",
    "    ",
    "\t",
    "\n",
    "\r\n",
    "  a",
    "a  ",
    "a \n",
    "a   \nb",
    "a \t \n \t b",
    " \n \n ",
    "\n\n\nx",
    "x\n\n  ",
    "  \u00a0 x",
    "\u3000\u3000word",
    "\tword",
    "\u0085x",
    "12",
    "1234",
    "1234567",
    " 1234",
    "a1234b",
    "\u0663\u0664\u0665\u0666",
    "\u00bd\u2167x",
    "'s",
    "'S",
    "'s'S't",
    "'ll",
    "'LL",
    "'Ll",
    "'lx",
    "'",
    "''",
    "' s",
    "don't",
    "DON'T",
    "Don'T",
    "they'll've",
    "I'M",
    "we'RE",
    "x'\u017f",
    "'\u017f",
    "!!!\r\n",
    "!!!\r\n\r\nx",
    ";;/\n/x",
    " ...//\n",
    "http://a/b",
    "a//b",
    "(x)",
    " (x)",
    "HELLOworld",
    "helloWORLD",
    "CamelCaseWord",
    "\u01c5ungla",
    "\u0301",
    "\u0301a",
    "\u0301A",
    "!\u0301",
    "!\u0301A",
    " \u0301\u0301",
    "e\u0301\u0301",
    "E\u0301x",
    "\u02b0\u02b0A",
    "A\u02b0",
    "\u4e2d\u6587's",
    "\ud83d\ude00\ud83d\ude00",
    " \ud83d\ude00",
    "\ud83d",
    "\ude00",
    "a\ud83db",
    "\ud835\udc00\ud835\udc00x",
    "\ud801\udc00\ud801\udc28",
    " \ud835\udfd8\ud835\udfd8\ud835\udfd8\ud835\udfd8",
  };

  enum Case {
    GPT2(PreTokenizer.GPT2, PreTokenizerTest.GPT2),
    CL100K(PreTokenizer.CL100K, PreTokenizerTest.CL100K),
    O200K(PreTokenizer.O200K, PreTokenizerTest.O200K);

    final PreTokenizer splitter;
    final Pattern regex;

    Case(PreTokenizer splitter, Pattern regex) {
      this.splitter = splitter;
      this.regex = regex;
    }
  }

  @ParameterizedTest
  @EnumSource(Case.class)
  void end_edgeCases(Case c) {
    for (String text : EDGE_CASES) {
      assertSamePieces(c, text);
    }
  }

  @ParameterizedTest
  @EnumSource(Case.class)
  void end_everyCodePointInContext(Case c) {
    // Every code point alone and in the contexts that change its piece: after a space, a letter,
    // a mark, an apostrophe and a digit, and before a letter, a mark and a line break.
    for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
      if (!isInteresting(cp)) {
        continue;
      }
      String s = new String(Character.toChars(cp));
      for (String text :
          new String[] {
            s,
            " " + s,
            "a" + s,
            "\u0301" + s,
            "'" + s,
            "1" + s,
            s + "a",
            s + "\u0301",
            s + "\n",
            s + s
          }) {
        assertSamePieces(c, text);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Case.class)
  void end_randomText(Case c) {
    RandomText random = new RandomText(20261206L + c.ordinal());
    for (int i = 0; i < RANDOM_TEXTS; i++) {
      assertSamePieces(c, random.next());
    }
  }

  @Test
  void end_longRunsAreSplitLikeTheRegex() {
    String text =
        Stream.of("a".repeat(3_000), " ".repeat(2_000), "9".repeat(1_000), "!?".repeat(1_000))
            .reduce("", (a, b) -> a + b + "\n");
    for (Case c : Case.values()) {
      assertSamePieces(c, text);
    }
  }

  // The BMP in full; beyond, the first code point of each run of one category, which covers every
  // category the supplementary planes hold (letters, marks, numbers, emoji) at a fraction of the
  // time.
  private static boolean isInteresting(int cp) {
    return cp < 0x10000 || Character.getType(cp) != Character.getType(cp - 1);
  }

  private static void assertSamePieces(Case c, String text) {
    List<String> expected = regexPieces(c.regex, text);
    List<String> actual = pieces(c.splitter, text);
    if (!actual.equals(expected)) {
      assertThat(actual).as("%s on %s", c, escape(text)).isEqualTo(expected);
    }
  }

  static List<String> regexPieces(Pattern pattern, String text) {
    List<String> pieces = new ArrayList<>();
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      pieces.add(m.group());
    }
    return pieces;
  }

  static List<String> pieces(PreTokenizer splitter, String text) {
    List<String> pieces = new ArrayList<>();
    for (int start = 0; start < text.length(); ) {
      int end = splitter.end(text, start);
      pieces.add(text.substring(start, end));
      start = end;
    }
    return pieces;
  }

  private static String escape(String text) {
    StringBuilder sb = new StringBuilder("\"");
    for (char ch : text.toCharArray()) {
      if (ch >= 0x20 && ch < 0x7f) {
        sb.append(ch);
      } else {
        sb.append(String.format("\\u%04x", (int) ch));
      }
    }
    return sb.append('"').toString();
  }
}
