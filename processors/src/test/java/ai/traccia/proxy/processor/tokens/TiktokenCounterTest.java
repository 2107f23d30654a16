/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link TiktokenCounter} must count exactly what JTokkit's {@code countTokensOrdinary} counts (the
 * fixture texts also pin both to tiktoken itself, in TokenEstimatorTest): on prose, code, JSON,
 * numbers, whitespace runs, every script and emoji, special-token strings, broken surrogates, and
 * pieces long enough to take the heap path, which is also checked against the scan path.
 */
class TiktokenCounterTest {

  private static final EncodingRegistry JTOKKIT = Encodings.newLazyEncodingRegistry();

  private static final String[] FRAGMENTS = {
    "The quick brown fox jumps over the lazy dog.",
    " I'm sure they'll say it's fine, but we've seen what's coming; DON'T worry",
    "def count(xs):\n    return sum(1 for x in xs if x % 2 == 0)\n\n",
    "{\"role\": \"assistant\", \"content\": \"Hello!\", \"tool_calls\": []}",
    "1234567890 3.14159 -42 1e10 0x7fffffff 2026-12-06T04:50:08Z",
    "   \t\t  \n\n\r\n   trailing   ",
    "Grüße aus Köln — naïve café, façade, Ærøskøbing.",
    "Привет, как дела? Всё хорошо.",
    "日本語のテキストと漢字、カタカナ。",
    "مرحبا بالعالم",
    "👋🏽 emoji 👨‍👩‍👧‍👦 and ✓ marks ★★★",
    "<|endoftext|> <|fim_prefix|>x<|fim_suffix|>",
    "CamelCaseIdentifiersLikeThisOne andALLCAPS andMixedUPPERlower",
    "https://example.com/path/to/resource?query=1&other=two#frag",
    "!!!???...,,,;;;:::---___===+++***&&&%%%$$$###@@@",
    "tab\there\u00a0nbsp\u2003em-space\u200bzero-width",
    "\ud83d broken high surrogate, and low \ude00 alone",
  };

  private static EncodingType jtokkitType(String name) {
    switch (name) {
      case "o200k_base":
        return EncodingType.O200K_BASE;
      case "cl100k_base":
        return EncodingType.CL100K_BASE;
      case "p50k_base":
        return EncodingType.P50K_BASE;
      default:
        return EncodingType.R50K_BASE;
    }
  }

  enum Vocabulary {
    O200K_BASE,
    CL100K_BASE,
    P50K_BASE,
    R50K_BASE;

    String fileName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static List<String> texts(long seed) {
    Random random = new Random(seed);
    List<String> texts = new ArrayList<>();
    for (String f : FRAGMENTS) {
      texts.add(f);
    }
    for (int i = 0; i < 400; i++) {
      StringBuilder sb = new StringBuilder();
      int parts = 1 + random.nextInt(12);
      for (int p = 0; p < parts; p++) {
        String f = FRAGMENTS[random.nextInt(FRAGMENTS.length)];
        int from = random.nextInt(f.length());
        sb.append(f, from, from + random.nextInt(f.length() - from + 1));
        if (random.nextInt(4) == 0) {
          sb.append((char) (0x20 + random.nextInt(0x2fff)));
        }
      }
      texts.add(sb.toString());
    }
    // Long single pieces: letters, digits glued to letters, punctuation runs, whitespace runs.
    texts.add("a".repeat(5_000));
    texts.add("ab".repeat(3_000) + "xyz".repeat(1_000));
    texts.add("Supercalifragilisticexpialidocious".repeat(60));
    texts.add("=-".repeat(2_000));
    texts.add(" ".repeat(3_000) + "x");
    texts.add("\n".repeat(1_000) + "end");
    StringBuilder randomLetters = new StringBuilder();
    for (int i = 0; i < 4_000; i++) {
      randomLetters.append((char) ('a' + random.nextInt(26)));
    }
    texts.add(randomLetters.toString());
    return texts;
  }

  @ParameterizedTest
  @EnumSource(Vocabulary.class)
  void countsWhatJtokkitCounts(Vocabulary vocabulary) {
    TiktokenCounter counter = TiktokenCounter.load(vocabulary.fileName());
    Encoding reference = JTOKKIT.getEncoding(jtokkitType(vocabulary.fileName()));
    List<String> texts = texts(20261206L + vocabulary.ordinal());
    int compared = 0;
    for (String text : texts) {
      int expected;
      try {
        expected = reference.countTokensOrdinary(text);
      } catch (IllegalArgumentException | AssertionError e) {
        // JTokkit's cl100k parser asserts on a lone surrogate ("Input is not UTF-8"); the counter
        // counts it as the '?' Java's UTF-8 encoder writes in its place.
        assertThat(hasLoneSurrogate(text)).as(text).isTrue();
        assertThat(counter.count(text)).isPositive();
        continue;
      }
      assertThat(counter.count(text))
          .as("%s: %s", vocabulary, text.length() > 200 ? text.substring(0, 200) + "..." : text)
          .isEqualTo(expected);
      compared++;
    }
    assertThat(compared).isGreaterThan(300);
  }

  @ParameterizedTest
  @EnumSource(Vocabulary.class)
  void countsWhatJtokkitCountsOnRandomText(Vocabulary vocabulary) {
    TiktokenCounter counter = TiktokenCounter.load(vocabulary.fileName());
    Encoding reference = JTOKKIT.getEncoding(jtokkitType(vocabulary.fileName()));
    RandomText random = new RandomText(31L + vocabulary.ordinal());
    int compared = 0;
    for (int i = 0; i < 5_000; i++) {
      String text = random.next();
      if (hasLoneSurrogate(text)) {
        continue; // JTokkit's cl100k parser rejects those; countsWhatJtokkitCounts covers them
      }
      assertThat(counter.count(text))
          .as("%s: %s", vocabulary, text)
          .isEqualTo(reference.countTokensOrdinary(text));
      compared++;
    }
    assertThat(compared).isGreaterThan(3_000);
  }

  @Test
  void utf8Length_isWhatGetBytesWrites() {
    RandomText random = new RandomText(5L);
    for (int i = 0; i < 5_000; i++) {
      String text = random.next();
      assertThat(TiktokenCounter.utf8Length(text, 0, text.length()))
          .as(text)
          .isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
    }
    assertThat(TiktokenCounter.utf8Length("\ud83d\ude00\ud83d", 0, 3)).isEqualTo(5);
    assertThat(TiktokenCounter.utf8Length("\ude00\ud83d", 0, 2)).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Vocabulary.class)
  void rank_findsEveryTokenOfTheVocabularyAndNothingElse(Vocabulary vocabulary) throws IOException {
    TiktokenCounter counter = TiktokenCounter.load(vocabulary.fileName());
    String resource = "/com/knuddels/jtokkit/" + vocabulary.fileName() + ".tiktoken";
    Set<String> tokens = new HashSet<>();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                TiktokenCounter.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isEmpty()) {
          continue;
        }
        String[] fields = line.split(" ");
        byte[] token = Base64.getDecoder().decode(fields[0]);
        // At an offset, as the counter looks pieces up inside the text's bytes.
        byte[] padded = new byte[token.length + 3];
        System.arraycopy(token, 0, padded, 2, token.length);
        assertThat(counter.rank(padded, 2, token.length))
            .as(fields[0])
            .isEqualTo(Integer.parseInt(fields[1]));
        tokens.add(fields[0]);
      }
    }
    Random random = new Random(11L + vocabulary.ordinal());
    int absent = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[2 + random.nextInt(5)];
      random.nextBytes(bytes);
      if (!tokens.contains(Base64.getEncoder().encodeToString(bytes))) {
        assertThat(counter.rank(bytes, 0, bytes.length)).isEqualTo(TiktokenCounter.NONE);
        absent++;
      }
    }
    assertThat(absent).isGreaterThan(10_000);
  }

  @ParameterizedTest
  @EnumSource(Vocabulary.class)
  void heapAndScanMergesAgree(Vocabulary vocabulary) {
    TiktokenCounter counter = TiktokenCounter.load(vocabulary.fileName());
    for (String text : texts(7L + vocabulary.ordinal())) {
      // A scan limit of 1 sends every piece of two bytes or more through the heap.
      assertThat(counter.count(text, 1)).as(text).isEqualTo(counter.count(text));
    }
  }

  private static boolean hasLoneSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return true;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }
}
