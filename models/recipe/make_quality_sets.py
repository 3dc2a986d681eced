"""Write the data of the suggestion-quality benchmark: bench/quality/{next-word,fill-in,hints}.jsonl.

Two held-out sets:
  test    the model's TEST split (models/work/data/docs_test.jsonl, from prepare_data.py; public domain).
  modern  modern technical English prose: the Python 3.11 documentation's reStructuredText sources shipped by Debian's
          python3.11-doc (/usr/share/doc/python3.11/html/_sources/{tutorial,howto,faq,whatsnew,using,installing,
          distributing}; PSF License Agreement). Cleaned into plain prose paragraphs (see clean_rst) and split by whole
          documents: a document is held out when sha1(its path) % 4 == 0 (stable when documents are added or removed).
          The held-out document names go to bench/quality/modern-heldout-docs.txt; the cleaned documents of both parts
          to models/work/modern/docs_{heldout,rest}.jsonl (the rest: future training material).

A word is a maximal run of letters or digits with internal apostrophes: [^\\W_]+(?:['\u2019][^\\W_]+)*.
The baseline in fill-in.jsonl (bigram_top5) is an interpolated Kneser-Ney word bigram (absolute discount
D = n1 / (n1 + 2 n2), lower order = continuation counts with add-1/2) trained on the TRAIN split, tokens = words and
single punctuation characters, case kept, U+2019 read as '. A blank is scored with both sides:
P(w | previous token) * P(next token | w) for every word w of the vocabulary.

Everything is seeded: the same inputs give the same bytes. Debian's fortunes files are not used here.

Usage: /usr/bin/python3 models/recipe/make_quality_sets.py [--data models/work/data] [--out bench/quality]
"""
from __future__ import annotations

import argparse
import collections
import glob
import hashlib
import json
import math
import os
import random
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_lexicon  # noqa: E402
from sources import is_classic  # noqa: E402

SEED = 20240601
DOC_ROOT = "/usr/share/doc/python3.11/html/_sources"
DOC_DIRS = ("tutorial", "howto", "faq", "whatsnew", "using", "installing", "distributing")
DOC_SKIP = ("whatsnew/changelog.rst.txt",)  # the changelog is one bullet per commit, not prose
HELDOUT_MOD = 4
N_NEXT, N_FILL, N_HINTS = 300, 200, 30
LEFT_CHARS, RIGHT_CHARS, MIN_LEFT = 1500, 300, 300
WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*|[^\s]")
LETTERS = re.compile(r"^[^\W\d_]{2,}$")
ASCII_LOWER = re.compile(r"^[a-z]+$")


# ---------------------------------------------------------------- the modern set: Python docs, reST -> prose

ROLE = re.compile(r":[\w:.+-]+:`([^`]*)`")
LINK = re.compile(r"`([^`<]+?)\s*<[^`>]*>`__?")
REF = re.compile(r"`([^`]+)`__?")
LITERAL = re.compile(r"``([^`]+)``")
INTERPRETED = re.compile(r"`([^`]+)`")
STRONG = re.compile(r"\*\*([^*]+)\*\*")
EMPH = re.compile(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])")
FOOTNOTE = re.compile(r"\s*\[(?:#\w*|\*|\d+)\]_")
SUBST = re.compile(r"\|[^|\s][^|]*\|_?")


def role_text(m: re.Match) -> str:
    t = m.group(1)
    role = m.group(0)[1:].split(":`")[0].split(":")[-1]
    if role in ("pep", "rfc") and re.fullmatch(r"\d+(#[\w-]+)?", t):
        return f"{role.upper()} {t.split('#')[0]}"
    link = re.match(r"^(.*?)\s*<[^>]*>$", t)
    if link and link.group(1):
        return link.group(1)
    t = t.lstrip("!")
    return t.split(".")[-1] if t.startswith("~") else t


def inline(text: str) -> str:
    text = text.replace("\\ ", "").replace("\\", "")
    text = ROLE.sub(role_text, text)
    text = LINK.sub(r"\1", text)
    text = LITERAL.sub(r"\1", text)
    text = REF.sub(r"\1", text)
    text = INTERPRETED.sub(r"\1", text)
    text = STRONG.sub(r"\1", text)
    text = EMPH.sub(r"\1", text)
    text = FOOTNOTE.sub("", text)
    text = SUBST.sub("", text)
    text = re.sub(r"\s+", " ", text).strip()
    if text.endswith(" ::"):
        text = text[:-3]
    elif text.endswith("::"):
        text = text[:-1]
    return text


def is_prose(p: str) -> bool:
    words = WORD.findall(p)
    if len(words) < 8 or not re.match(r"^[A-Z\"'(]", p) or not re.search(r"[.!?:][\"')]?$", p):
        return False
    if re.search(r"https?:|www\.|[`|{}<>\\]|\.\.|==|->|\(\)|_\w|\w_|>>>|\t", p):
        return False
    tokens = p.split()
    odd = sum(1 for t in tokens if re.search(r"[^\w\s,.;:!?'\"()\-\u2019\u201c\u201d]|\w\.\w|\w\(", t))
    return odd <= 0.05 * len(tokens) and sum(c.isalpha() for c in p) >= 0.7 * len(p)


def clean_rst(src: str) -> list[str]:
    """Plain prose paragraphs of a reST file: only top-level paragraphs (column 0) that are not directives, comments,
    titles, lists, tables, field lists or doctest; inline markup reduced to its text; prose test in is_prose."""
    paragraphs, block = [], []

    def flush():
        if block and all(not line[:1].isspace() for line in block):
            first = block[0]
            if not (
                re.match(r"^(\.\.|[-*+#=~^\"'`:|>]|\d+[.)]\s|[a-zA-Z][.)]\s|\(\w\)\s)", first)
                or any(re.match(r"^([=\-~^*#\"'`+])\1{3,}\s*$", line) for line in block)
            ):
                text = inline(" ".join(line.strip() for line in block))
                if is_prose(text):
                    paragraphs.append(text)
        block.clear()

    for line in src.splitlines():
        if line.strip():
            block.append(line.rstrip())
        else:
            flush()
    flush()
    return paragraphs


def modern_documents() -> list[dict]:
    docs = []
    for d in DOC_DIRS:
        for path in sorted(glob.glob(os.path.join(DOC_ROOT, d, "**", "*.rst.txt"), recursive=True)):
            name = os.path.relpath(path, DOC_ROOT)
            if name in DOC_SKIP or name.endswith("index.rst.txt"):
                continue
            with open(path, encoding="utf-8") as f:
                paragraphs = clean_rst(f.read())
            text = "\n\n".join(paragraphs)
            if len(WORD.findall(text)) >= 200:
                held = int(hashlib.sha1(name.encode()).hexdigest(), 16) % HELDOUT_MOD == 0
                docs.append({"source": "python3.11-doc", "name": name, "heldout": held, "text": text})
    return docs


# ---------------------------------------------------------------- cutting windows


def cut_left(text: str, p: int) -> str:
    """text[:p] limited to about LEFT_CHARS, starting at a word boundary."""
    s = max(0, p - LEFT_CHARS)
    if s > 0:
        while s < p and not (text[s - 1].isspace() and not text[s].isspace()):
            s += 1
    return text[s:p]


def cut_right(text: str, e: int) -> str:
    r = text[e : e + RIGHT_CHARS]
    if e + RIGHT_CHARS < len(text):
        k = max(r.rfind(" "), r.rfind("\n"))
        if k > 0:
            r = r[:k]
    return r


def next_word_positions(text: str) -> list[tuple[int, str, str]]:
    """(p, w1, w2): text[p-1] is one space after a non-space, then word w1, one space, word w2 (both maximal)."""
    out = []
    words = list(WORD.finditer(text))
    for a, b in zip(words, words[1:]):
        p = a.start()
        if p < MIN_LEFT or text[p - 1] != " " or text[p - 2].isspace() or text[a.end() : b.start()] != " ":
            continue
        out.append((p, a.group(), b.group()))
    return out


def fill_positions(text: str) -> list[tuple[int, int]]:
    out = []
    for m in WORD.finditer(text):
        p = m.start()
        if (
            p >= MIN_LEFT
            and LETTERS.match(m.group())
            and text[p - 1] == " "
            and not text[p - 2].isspace()
            and m.end() < len(text)
        ):
            out.append((p, m.end()))
    return out


def doc_id(name: str, offset: int) -> str:
    return f"{name}@{offset:07d}"


# ---------------------------------------------------------------- the bigram baseline


def norm(t: str) -> str:
    return t.replace("\u2019", "'")


class KneserNeyBigram:
    """Interpolated Kneser-Ney bigram over words and punctuation characters (case kept)."""

    def __init__(self, docs: list[str]):
        ids, seqs = {"<s>": 0, "</s>": 1}, []
        for text in docs:
            seq = [0] + [ids.setdefault(norm(t), len(ids)) for t in TOKEN.findall(text)] + [1]
            seqs.append(np.array(seq, dtype=np.int64))
        self.ids, self.words = ids, [None] * len(ids)
        for w, i in ids.items():
            self.words[i] = w
        V = len(ids)
        pairs = np.concatenate([s[:-1] * V + s[1:] for s in seqs])
        keys, counts = np.unique(pairs, return_counts=True)
        left, right = keys // V, keys % V
        n1, n2 = (counts == 1).sum(), (counts == 2).sum()
        self.D = n1 / (n1 + 2 * n2)
        self.ctx = np.bincount(left, weights=counts, minlength=V)  # c(v .)
        self.follow = np.bincount(left, minlength=V).astype(float)  # N1+(v .)
        cont = np.bincount(right, minlength=V).astype(float)  # N1+(. w)
        self.lower = (cont + 0.5) / (cont.sum() + 0.5 * (V + 1))  # V + 1: room for an unknown word
        self.lower_unk = 0.5 / (cont.sum() + 0.5 * (V + 1))
        self.by_left = collections.defaultdict(dict)
        self.by_right = collections.defaultdict(dict)
        for lw, rw, c in zip(left.tolist(), right.tolist(), counts.tolist()):
            self.by_left[lw][rw] = c
            self.by_right[rw][lw] = c
        self.V = V
        self.candidates = np.array([bool(WORD.fullmatch(w)) for w in self.words])

    def prob_after(self, v: int | None) -> np.ndarray:
        """P(. | v) over the vocabulary."""
        if v is None or self.ctx[v] == 0:
            return self.lower.copy()
        p = self.D * self.follow[v] / self.ctx[v] * self.lower
        for r, c in self.by_left[v].items():
            p[r] += max(c - self.D, 0) / self.ctx[v]
        return p

    def prob_of(self, x: int | None) -> np.ndarray:
        """P(x | w) for every w of the vocabulary (x None: an unknown token)."""
        ctx = np.maximum(self.ctx, 1)
        lower = self.lower_unk if x is None else self.lower[x]
        p = np.where(self.ctx > 0, self.D * self.follow / ctx * lower, lower)
        if x is not None:
            for lw, c in self.by_right[x].items():
                p[lw] += max(c - self.D, 0) / self.ctx[lw]
        return p

    def fill(self, left: str, right: str, k: int = 5) -> list[str]:
        lt, rt = TOKEN.findall(left), TOKEN.findall(right)
        v = self.ids.get(norm(lt[-1])) if lt else 0
        x = self.ids.get(norm(rt[0])) if rt else 1
        score = self.prob_after(v) * self.prob_of(x)
        score[~self.candidates] = -1.0
        top = np.argsort(-score, kind="stable")[:k]
        return [self.words[i] for i in top]


# ---------------------------------------------------------------- hints: passages with injected errors

SENTENCE_START = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'\u201d\u2019)]))\s+(?=[A-Z\"'\u201c(])")


def passages(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of 80-200 words made of whole consecutive sentences."""
    starts = [0] + [m.end() for m in SENTENCE_START.finditer(text)]
    ends = [m.start() for m in SENTENCE_START.finditer(text)] + [len(text.rstrip())]
    out = []
    for i, s in enumerate(starts):
        for j in range(i, len(ends)):
            n = len(WORD.findall(text[s : ends[j]]))
            if n > 200:
                break
            if n >= 80:
                out.append((s, ends[j]))
                break
    return out


def utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def misspell(word: str, lexicon: set[str], rng: random.Random) -> str | None:
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(50):
        kind = rng.choice(("drop", "insert", "swap", "replace"))
        i = rng.randrange(len(word))
        if kind == "drop":
            out = word[:i] + word[i + 1 :]
        elif kind == "insert":
            out = word[:i] + rng.choice(letters) + word[i:]
        elif kind == "swap":
            if i + 1 >= len(word):
                continue
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            out = word[:i] + rng.choice(letters) + word[i + 1 :]
        if out != word and len(out) >= 2 and out not in lexicon and out.lower() not in lexicon:
            return out
    return None


def make_hint(
    rec_set: str,
    name: str,
    text: str,
    span: tuple[int, int],
    lexicon: set[str],
    by_band: dict,
    band_of: dict,
    rng: random.Random,
) -> dict | None:
    s, e = span
    clean = text[s:e]
    words = list(WORD.finditer(clean))
    ok = [
        i
        for i, m in enumerate(words)
        if i >= 15
        and ASCII_LOWER.match(m.group())
        and len(m.group()) >= 3
        and m.start() > 0
        and clean[m.start() - 1] == " "
        and (m.end() == len(clean) or clean[m.end()] in " ,;:.!?)")
        and (m.end() + 1 >= len(clean) or clean[m.end()] == " " or clean[m.end() + 1] in " \n")
    ]
    chosen = {}  # word index -> kind; the kinds are drawn first, then a word that suits each
    for kind in [rng.choice(("random-word", "misspelling")) for _ in range(3)]:
        pool = [
            i
            for i in ok
            if all(abs(i - j) >= 2 for j in chosen) and (kind == "misspelling" or words[i].group() in band_of)
        ]
        if not pool:
            return None
        chosen[rng.choice(pool)] = kind
    edits = []
    for i in sorted(chosen):
        w, kind = words[i].group(), chosen[i]
        if kind == "misspelling":
            rep = misspell(w, lexicon, rng)
            if rep is None:
                return None
        else:
            pool = [c for c in by_band[band_of[w]] if c != w and not c.startswith(w[:3]) and not w.startswith(c[:3])]
            rep = rng.choice(pool)
        edits.append((words[i].start(), words[i].end(), w, rep, kind))
    corrupted, errors, pos = "", [], 0
    for a, b, w, rep, kind in edits:
        corrupted += clean[pos:a]
        errors.append(
            {"start": utf16(corrupted), "length": utf16(rep), "original": w, "replacement": rep, "kind": kind}
        )
        corrupted += rep
        pos = b
    corrupted += clean[pos:]
    units = corrupted.encode("utf-16-le")
    for err in errors:  # offsets in UTF-16 code units must be exact
        got = units[2 * err["start"] : 2 * (err["start"] + err["length"])].decode("utf-16-le")
        assert got == err["replacement"], (got, err)
    return {"set": rec_set, "id": doc_id(name, s), "clean": clean, "corrupted": corrupted, "errors": errors}


# ---------------------------------------------------------------- main


def sample(rng: random.Random, items: list, n: int) -> list:
    if len(items) < n:
        raise SystemExit(f"only {len(items)} candidates for {n} records")
    return rng.sample(items, n)


def write_jsonl(path: str, records: list[dict]) -> None:
    records = sorted(records, key=lambda r: (r["set"], r["id"]))
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(root, "models", "work", "data"))
    ap.add_argument("--lexicon", default=os.path.join(root, "models", "default", "lexicon.txt"))
    ap.add_argument("--out", default=os.path.join(root, "bench", "quality"))
    ap.add_argument("--modern-out", default=os.path.join(root, "models", "work", "modern"))
    args = ap.parse_args()

    # The baselines and word bands come from the classic training documents only (the v1 corpus), so the sets stay the
    # same when the modern half joins the training corpus (model v2).
    train = [d for d in read_jsonl(os.path.join(args.data, "docs_train.jsonl")) if is_classic(d)]
    test = read_jsonl(os.path.join(args.data, "docs_test.jsonl"))
    modern = modern_documents()
    os.makedirs(args.modern_out, exist_ok=True)
    for part, held in (("heldout", True), ("rest", False)):
        with open(os.path.join(args.modern_out, f"docs_{part}.jsonl"), "w", encoding="utf-8") as f:
            for d in modern:
                if d["heldout"] == held:
                    f.write(json.dumps({k: d[k] for k in ("source", "name", "text")}, ensure_ascii=False) + "\n")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "modern-heldout-docs.txt"), "w", encoding="utf-8") as f:
        f.write(
            "# python3.11-doc reST sources (relative to /usr/share/doc/python3.11/html/_sources) held out "
            "for bench/quality; exclude them from any training corpus.\n"
        )
        f.write("".join(d["name"] + "\n" for d in modern if d["heldout"]))
    sets = {
        "test": [(d["name"], d["text"]) for d in test],
        "modern": [(d["name"], d["text"]) for d in modern if d["heldout"]],
    }
    for part in (True, False):
        ds = [d for d in modern if d["heldout"] == part]
        print(
            f"modern {'heldout' if part else 'rest'}: {len(ds)} documents, "
            f"{sum(len(WORD.findall(d['text'])) for d in ds)} words, "
            f"{sum(len(d['text'].encode()) for d in ds)} bytes",
            file=sys.stderr,
        )

    lexicon = make_lexicon.load(args.lexicon)
    print("training the bigram baseline ...", file=sys.stderr)
    bigram = KneserNeyBigram([d["text"] for d in train])
    freq = collections.Counter(norm(w) for d in train for w in WORD.findall(d["text"]))
    # Frequency bands for random-word errors: lowercase letter-only training words (3+ letters), by log2 of their count.
    # The 100 most frequent words (the, of, is ...) are left out: swapping one for another is a grammar slip.
    common = {w for w, _ in sorted(freq.items(), key=lambda x: (-x[1], x[0]))[:100]}
    band_of = {
        w: int(math.log2(c)) for w, c in freq.items() if ASCII_LOWER.match(w) and len(w) >= 3 and w not in common
    }
    by_band = collections.defaultdict(list)
    for w in sorted(band_of):
        by_band[band_of[w]].append(w)

    next_recs, fill_recs, hint_recs = [], [], []
    for set_name, docs in sets.items():
        rng = random.Random(f"{SEED}-{set_name}")
        nw = [(name, text, p, w1, w2) for name, text in docs for p, w1, w2 in next_word_positions(text)]
        for name, text, p, w1, w2 in sample(rng, nw, N_NEXT):
            next_recs.append({"set": set_name, "id": doc_id(name, p), "left": cut_left(text, p), "next": [w1, w2]})
        fp = [(name, text, p, e) for name, text in docs for p, e in fill_positions(text)]
        top1 = top5 = 0
        for name, text, p, e in sample(rng, fp, N_FILL):
            left, right = cut_left(text, p), cut_right(text, e)
            top = bigram.fill(left, right)
            top1 += top[0] == text[p:e]
            top5 += text[p:e] in top
            fill_recs.append(
                {
                    "set": set_name,
                    "id": doc_id(name, p),
                    "left": left,
                    "answer": text[p:e],
                    "right": right,
                    "bigram_top5": top,
                }
            )
        print(
            f"bigram baseline, {set_name}: fill-in top-1 {top1 / N_FILL:.3f}, top-5 {top5 / N_FILL:.3f} "
            f"({N_FILL} blanks; D = {bigram.D:.3f}, vocabulary {bigram.V})",
            file=sys.stderr,
        )
        spans = [(name, text, sp) for name, text in docs for sp in passages(text)]
        rng.shuffle(spans)
        used = set()
        for name, text, sp in spans:
            if len(hint_recs) - sum(r["set"] != set_name for r in hint_recs) >= N_HINTS:
                break
            if any(n == name and not (sp[1] <= a or b <= sp[0]) for n, a, b in used):
                continue  # passages do not overlap
            rec = make_hint(set_name, name, text, sp, lexicon, by_band, band_of, rng)
            if rec:
                hint_recs.append(rec)
                used.add((name, sp[0], sp[1]))
        if sum(r["set"] == set_name for r in hint_recs) < N_HINTS:
            raise SystemExit(f"only {sum(r['set'] == set_name for r in hint_recs)} hint passages for {set_name}")

    write_jsonl(os.path.join(args.out, "next-word.jsonl"), next_recs)
    write_jsonl(os.path.join(args.out, "fill-in.jsonl"), fill_recs)
    write_jsonl(os.path.join(args.out, "hints.jsonl"), hint_recs)
    for fname, recs in (("next-word", next_recs), ("fill-in", fill_recs), ("hints", hint_recs)):
        c = collections.Counter(r["set"] for r in recs)
        print(f"{fname}.jsonl: {dict(sorted(c.items()))}", file=sys.stderr)
    kinds = collections.Counter((r["set"], e["kind"]) for r in hint_recs for e in r["errors"])
    print(f"hint errors: {dict(sorted(kinds.items()))}", file=sys.stderr)


if __name__ == "__main__":
    main()
