/*
 * Copyright 2026 Traccia Proxy authors
 * SPDX-License-Identifier: Apache-2.0
 */
package ai.traccia.proxy.processor.tokens;

import java.util.Random;

/**
 * Seeded random strings that exercise every class the tiktoken pre-tokenizer patterns tell apart:
 * ASCII letters, digits and punctuation, contractions in every case, each kind of white space,
 * upper, lower, title-case, modifier and other letters, combining marks, numbers of other scripts,
 * supplementary code points (emoji, letters, digits) and lone surrogates, alone and in runs, and
 * now and then any BMP char at all.
 */
final class RandomText {

  private static final String[] ATOMS = {
    // ASCII
    "a",
    "b",
    "x",
    "Z",
    "Q",
    "s",
    "t",
    "d",
    "m",
    "l",
    "e",
    "r",
    "v",
    "S",
    "T",
    "D",
    "M",
    "L",
    "0",
    "1",
    "7",
    "9",
    "!",
    "?",
    ".",
    ",",
    "-",
    "_",
    "=",
    "(",
    ")",
    "{",
    "\"",
    "#",
    "/",
    "\\",
    "'",
    "'",
    "'",
    // contractions, in every case, and the long s that folds to s
    "'s",
    "'S",
    "'t",
    "'T",
    "'d",
    "'D",
    "'m",
    "'M",
    "'ll",
    "'LL",
    "'Ll",
    "'lL",
    "'ve",
    "'VE",
    "'Ve",
    "'re",
    "'RE",
    "'rE",
    "'\u017f",
    "\u017f",
    "'\u212a",
    "n't",
    "N'T",
    // white space, and look-alikes that are not
    " ",
    " ",
    " ",
    "  ",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "\u000b",
    "\u000c",
    "\u00a0",
    "\u0085",
    "\u1680",
    "\u2003",
    "\u2028",
    "\u2029",
    "\u202f",
    "\u205f",
    "\u3000",
    "\u200b",
    "\u180e",
    "\u001c",
    // upper, lower, title case
    "\u00c9",
    "\u00e9",
    "\u00df",
    "\u01c5",
    "\u1f88",
    "\u0391",
    "\u03b1",
    "\u0416",
    "\u0436",
    // modifier letters (Lm) and other letters (Lo)
    "\u02b0",
    "\u02c6",
    "\u30fc",
    "\u3005",
    "\u4e2d",
    "\u6587",
    "\u3042",
    "\u05d0",
    "\u0627",
    "\u0e01",
    // combining marks: Mn, Mc, Me
    "\u0301",
    "\u0308",
    "\u0903",
    "\u20dd",
    "\u0e31",
    // numbers: Nd, Nl, No of other scripts
    "\u0663",
    "\u0967",
    "\u2167",
    "\u3007",
    "\u00bd",
    "\u00b2",
    "\u2460",
    // supplementary: emoji, letters (Lu, Ll, Lo), digit
    "\ud83d\ude00",
    "\ud83d\udc4d\ud83c\udffd",
    "\ud835\udc00",
    "\ud801\udc00",
    "\ud801\udc28",
    "\ud840\udc00",
    "\ud835\udfd8",
    // lone surrogates
    "\ud83d",
    "\ude00",
  };

  private final Random random;

  RandomText(long seed) {
    this.random = new Random(seed);
  }

  /** The next string, up to about 60 chars. */
  String next() {
    StringBuilder sb = new StringBuilder();
    int parts = random.nextInt(16);
    for (int p = 0; p < parts; p++) {
      int choice = random.nextInt(20);
      if (choice == 0) {
        sb.append((char) random.nextInt(0x10000));
      } else if (choice == 1) {
        // A run: digits, spaces or letters several long.
        String atom = ATOMS[random.nextInt(ATOMS.length)];
        sb.append(atom.repeat(2 + random.nextInt(5)));
      } else {
        sb.append(ATOMS[random.nextInt(ATOMS.length)]);
      }
    }
    return sb.toString();
  }
}
