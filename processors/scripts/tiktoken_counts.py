#!/usr/bin/env python3
# Copyright 2026 Traccia Proxy authors
# SPDX-License-Identifier: Apache-2.0
"""Prints tiktoken's own token counts for the fixed cases TokenCountingProcessorTest checks.

The output is committed as
processors/src/test/resources/ai/traccia/proxy/processor/tokens/tiktoken-counts.json, so the Java
tests compare JTokkit-based counts against tiktoken itself without Python at test time.

tiktoken downloads its vocabulary files on first use. Where that host cannot be reached, this
script fills tiktoken's cache (TIKTOKEN_CACHE_DIR) from the vocabulary files bundled in the JTokkit
jar instead. tiktoken checks every cached file against the SHA-256 it expects for OpenAI's
published file, so the counts are tiktoken's own: a jar file that differed from OpenAI's would be
rejected, and tiktoken would fail trying to download it.

Usage:
  python3 -m venv .venv-tiktoken && .venv-tiktoken/bin/pip install tiktoken==0.14.0
  .venv-tiktoken/bin/python processors/scripts/tiktoken_counts.py \
      > processors/src/test/resources/ai/traccia/proxy/processor/tokens/tiktoken-counts.json

Options: --jtokkit-jar PATH (default: the jtokkit jar in the local Maven repository).
"""

import argparse
import glob
import hashlib
import json
import os
import sys
import tempfile
import zipfile

ENCODING_URLS = {
    "r50k_base": "https://openaipublic.blob.core.windows.net/encodings/r50k_base.tiktoken",
    "p50k_base": "https://openaipublic.blob.core.windows.net/encodings/p50k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}

# Model names whose encoding the Java table must resolve as tiktoken does (None: tiktoken has none).
MODELS = [
    "gpt-4o", "gpt-4o-mini", "gpt-4o-2024-08-06", "chatgpt-4o-latest", "gpt-4.1", "gpt-4.1-mini",
    "gpt-4.1-nano-2025-04-14", "gpt-4.5-preview", "gpt-5", "gpt-5-mini", "gpt-5.1", "gpt-5-nano",
    "o1", "o1-mini", "o1-preview", "o3", "o3-mini", "o4-mini", "o4-mini-2025-04-16",
    "gpt-4", "gpt-4-turbo", "gpt-4-32k", "gpt-4-0613", "gpt-3.5-turbo", "gpt-3.5-turbo-0125",
    "gpt-3.5", "gpt-35-turbo", "gpt-35-turbo-16k", "gpt-oss-120b", "gpt-oss-20b",
    "ft:gpt-4o-mini:org::abc123", "ft:gpt-4-0613:org::x", "ft:gpt-3.5-turbo:org::y",
    "ft:davinci-002:org::z", "davinci-002", "babbage-002", "text-embedding-3-small",
    "text-embedding-3-large", "text-embedding-ada-002", "text-davinci-003", "code-davinci-002",
    "text-davinci-edit-001", "davinci", "text-ada-001",
    # tiktoken knows none of these.
    "claude-3-5-sonnet-20241022", "gemini-2.5-pro", "llama-3.1-70b", "o2", "gpt4", "GPT-4o",
    "openai/gpt-4o", "o4", "gpt-oss",
]

TEXTS = [
    "",
    "Hello, world!",
    "What is the capital of France?",
    "You are a helpful assistant. Answer in one short sentence.",
    "The quick brown fox jumps over the lazy dog. " * 3,
    "def add(a, b):\n    return a + b\n\nprint(add(2, 3))  # 5\n",
    '{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}',
    "Prices: $1,234.56 on 2026-11-25 at 09:45; ids 0x1F, 314159265358979.",
    "Ünïcödé façade, naïve café — “quotes” and emoji 🎉🚀👍🏽.",
    "東京は日本の首都です。今日はいい天気ですね。",
    "Привет, как дела? Это тест токенизации.",
    "Special tokens are plain text here: <|endoftext|> <|im_start|>user<|im_end|> <|fim_prefix|>",
    "   leading spaces, trailing spaces   \n\n\n\tTabs\tand\r\nCRLF line ends\r\n",
    "x" * 5000,
    "antidisestablishmentarianism " * 40,
]

TEXT_MODELS = ["gpt-4o", "gpt-4.1", "gpt-5", "o3-mini", "gpt-4", "gpt-3.5-turbo",
               "gpt-oss-120b", "text-davinci-003", "davinci"]

CHATS = [
    [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hi"}],
    [{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Capital of France?"},
     {"role": "assistant", "content": "Paris."}, {"role": "user", "content": "And of Italy?"}],
    [{"role": "user", "name": "alice", "content": "Summarise: <|endoftext|> is a special token."},
     {"role": "tool", "content": '{"temperature": 21, "unit": "C"}'}],
    [{"role": "user", "content": ""}],
]

CHAT_MODELS = ["gpt-4o-mini", "gpt-4", "gpt-5"]

# The chat framing tiktoken's guidance documents for these models (and the Traccia SDK uses).
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3


def fill_cache(jar):
    cache = tempfile.mkdtemp(prefix="tiktoken-cache-")
    with zipfile.ZipFile(jar) as z:
        for name, url in ENCODING_URLS.items():
            data = z.read("com/knuddels/jtokkit/%s.tiktoken" % name)
            key = hashlib.sha1(url.encode()).hexdigest()
            with open(os.path.join(cache, key), "wb") as f:
                f.write(data)
    return cache


def default_jar():
    pattern = os.path.expanduser("~/.m2/repository/com/knuddels/jtokkit/*/jtokkit-*.jar")
    jars = sorted(j for j in glob.glob(pattern) if not j.endswith("-sources.jar"))
    if not jars:
        sys.exit("no jtokkit jar under ~/.m2; build the processors module first or pass --jtokkit-jar")
    return jars[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jtokkit-jar", default=None)
    args = parser.parse_args()
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        os.environ["TIKTOKEN_CACHE_DIR"] = fill_cache(args.jtokkit_jar or default_jar())
    import tiktoken  # imported after the cache is set

    def encoding_name(model):
        try:
            return tiktoken.encoding_name_for_model(model)
        except KeyError:
            return None

    def count(enc, text):
        return len(enc.encode_ordinary(text))

    out = {
        "tiktoken_version": tiktoken.__version__,
        "models": {m: encoding_name(m) for m in MODELS},
        "texts": [],
        "chats": [],
    }
    for model in TEXT_MODELS:
        enc = tiktoken.encoding_for_model(model)
        for text in TEXTS:
            out["texts"].append({"model": model, "encoding": enc.name, "text": text,
                                 "tokens": count(enc, text)})
    for model in CHAT_MODELS:
        enc = tiktoken.encoding_for_model(model)
        for messages in CHATS:
            tokens = REPLY_PRIMING
            for m in messages:
                tokens += TOKENS_PER_MESSAGE + count(enc, m["role"]) + count(enc, m["content"])
                if "name" in m:
                    tokens += TOKENS_PER_NAME + count(enc, m["name"])
            out["chats"].append({"model": model, "messages": messages, "tokens": tokens})
    json.dump(out, sys.stdout, indent=1, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
