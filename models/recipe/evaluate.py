"""Evaluate a trained checkpoint on the test split and write eval.json.

Measures (all on the test documents, which were never trained or tuned on):
  test_tokens, test_bytes           scored tokens (every token of each document after its BOS, EOS excluded) and the
                                    UTF-8 bytes of the documents' text
  bits_per_byte, perplexity         the transformer, each document read in windows of n_positions tokens that advance
                                    by half a window, so every token but the first half-window sees >= 256 tokens
  ngram_bits_per_byte, ngram_order  interpolated Kneser-Ney over the same tokens, trained on the training split,
                                    order 3..5 chosen by validation bits per byte
  unigram_bits_per_byte             add-one unigram over the training tokens
  xz_bits_per_byte                  xz -9 of the test text (documents joined by a blank line)
  modern_bits_per_byte,             with --modern: the transformer and the same Kneser-Ney model on the modern held-out
  modern_ngram_bits_per_byte        documents (Python 3.11 docs never trained on, models/work/modern/docs_heldout.jsonl)
  next_word_top1, next_word_top5    the next whole word after a left context ending just before a space, found by
                                    beam search over the model's pieces up to the end of the word
  fillin_*                          merged from the C# engine's TextPredictor.FillIn
                                    (models/eval/TransformerLsp.ModelEval) over the cases this script writes to
                                    fillin_cases.json

Usage:
  python3 evaluate.py --data DIR --ckpt CKPT --out eval.json [--fillin-cases cases.json]
  python3 evaluate.py --merge-fillin results.json --out eval.json      (adds the engine's fill-in accuracies)
  python3 evaluate.py --merge hybrid.json --out eval.json              (adds the hybrid's figures)
"""
from __future__ import annotations

import argparse
import json
import lzma
import math
import os
import random
import re
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export import load_checkpoint  # noqa: E402
from ngram import KneserNey, unigram_bits  # noqa: E402
from prepare_data import BOS  # noqa: E402

WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")
LN2 = math.log(2.0)


def log(msg: str) -> None:
    print(f"[evaluate {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def load_docs(data: str, split: str) -> list[dict]:
    return [json.loads(line) for line in open(os.path.join(data, f"docs_{split}.jsonl"), encoding="utf-8")]


@torch.no_grad()
def model_bits(model, docs_ids: list[list[int]], batch: int = 8) -> tuple[float, int]:
    """Total -log2 P(token) over every token after the first of each document, with sliding windows."""
    T = model.config.n_positions
    stride = T // 2
    windows = []  # (ids of the window, index within the window of the first target to score)
    for ids in docs_ids:
        scored_to = 0  # targets ids[1..scored_to] are done
        start = 0
        while scored_to < len(ids) - 1:
            w = ids[start : start + T + 1]
            first = scored_to - start  # target index j (window position j+1 predicted from j) to start from
            windows.append((w, first))
            scored_to = start + len(w) - 1
            start += stride
    total, n = 0.0, 0
    for b in range(0, len(windows), batch):
        chunk = windows[b : b + batch]
        L = max(len(w) for w, _ in chunk) - 1
        x = torch.zeros((len(chunk), L), dtype=torch.long)
        y = torch.full((len(chunk), L), -100, dtype=torch.long)
        for i, (w, first) in enumerate(chunk):
            x[i, : len(w) - 1] = torch.tensor(w[:-1])
            tgt = torch.tensor(w[1:])
            tgt[:first] = -100
            y[i, : len(w) - 1] = tgt
        logits, _ = model(x)
        nll = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), ignore_index=-100, reduction="sum")
        total += nll.item() / LN2
        n += int((y != -100).sum())
    return total, n


class WordPieces:
    """Which pieces start a word ("▁" + letters) and which continue one (letters only)."""

    def __init__(self, sp, vocab_size: int):
        self.start = torch.zeros(vocab_size, dtype=torch.bool)
        self.cont = torch.zeros(vocab_size, dtype=torch.bool)
        self.text = []
        for i in range(vocab_size):
            p = sp.id_to_piece(i) if i < sp.get_piece_size() else ""
            body = p[1:] if p.startswith("\u2581") else p
            is_word = (
                bool(body)
                and not sp.is_byte(i)
                and not sp.is_control(i)
                and all(c.isalpha() or c in "'\u2019" for c in body)
            )
            self.start[i] = is_word and p.startswith("\u2581")
            self.cont[i] = is_word and not p.startswith("\u2581")
            self.text.append(body)


@torch.no_grad()
def next_words(model, last_logits, past, pieces: WordPieces, beam: int = 8, max_steps: int = 4) -> list[str]:
    """Most probable next whole words: P(word) = P(first piece) * P(more pieces) * P(the word ends).

    last_logits (V,) are the model's logits after the context; past its keys/values [(1, H, S, D)] per layer.
    """
    logp = F.log_softmax(last_logits, dim=-1)
    start_lp = logp.masked_fill(~pieces.start, -math.inf)
    top = torch.topk(start_lp, beam)
    beams = [(pieces.text[t], s, t) for s, t in zip(top.values.tolist(), top.indices.tolist())]
    finished: dict[str, float] = {}
    pos = past[0][0].shape[2]
    past = [
        (k.expand(len(beams), -1, -1, -1).contiguous(), v.expand(len(beams), -1, -1, -1).contiguous()) for k, v in past
    ]  # (beams, H, S, D)
    for step in range(max_steps):
        if not beams or pos + step >= model.config.n_positions:
            break
        ids = torch.tensor([[t] for _, _, t in beams])
        S = past[0][0].shape[2] + 1
        logits, past = model(
            ids,
            torch.ones((len(beams), S), dtype=torch.long),
            torch.full((len(beams), 1), pos + step, dtype=torch.long),
            past,
        )
        lp = F.log_softmax(logits[:, -1], dim=-1)  # (beams, V)
        p_cont = lp.masked_fill(~pieces.cont, -math.inf)
        # The word ends unless the next piece continues it: P(end) = 1 - sum of continuing pieces.
        end = torch.log1p(-torch.exp(torch.logsumexp(p_cont, dim=-1)).clamp(max=1 - 1e-7))
        for i, (word, score, _) in enumerate(beams):
            s = score + end[i].item()
            finished[word] = max(finished.get(word, -math.inf), s)
        cand = (p_cont + torch.tensor([b[1] for b in beams]).unsqueeze(1)).reshape(-1)
        top = torch.topk(cand, min(beam, cand.numel()))
        V = lp.shape[1]
        new_beams, parents = [], []
        for s, flat in zip(top.values.tolist(), top.indices.tolist()):
            if s == -math.inf:
                continue
            b, t = divmod(flat, V)
            new_beams.append((beams[b][0] + pieces.text[t], s, t))
            parents.append(b)
        beams = new_beams
        idx = torch.tensor(parents, dtype=torch.long)
        past = [(k[idx], v[idx]) for k, v in past]
    return [w for w, _ in sorted(finished.items(), key=lambda kv: -kv[1])]


def eligible_words(docs: list[dict]) -> list[tuple[int, int, int]]:
    """(document, start, end) of every word preceded by a space, in document order."""
    out = []
    for di, d in enumerate(docs):
        for m in WORD.finditer(d["text"]):
            s = m.start()
            if s > 0 and d["text"][s - 1] == " ":
                out.append((di, s, m.end()))
    return out


def sample_word_positions(docs: list[dict], n: int, seed: int) -> list[tuple[int, int, int]]:
    """n word positions drawn uniformly at random."""
    return sorted(random.Random(seed).sample(eligible_words(docs), n))


def sample_word_runs(docs: list[dict], n: int, seed: int, run: int) -> list[list[tuple[int, int, int]]]:
    """Runs of `run` consecutive words of one document, each run starting at a word drawn uniformly at random,
    until n words are drawn; runs do not overlap."""
    words = eligible_words(docs)
    order = list(range(len(words) - run))
    random.Random(seed).shuffle(order)
    taken, runs, total = set(), [], 0
    for i in order:
        if total >= n:
            break
        r = [i + k for k in range(run) if words[i + k][0] == words[i][0]]
        if any(k in taken for k in r):
            continue
        r = r[: n - total]
        taken.update(r)
        runs.append([words[k] for k in r])
        total += len(r)
    return sorted(runs)


def next_word_accuracy(model, sp, docs, n: int, seed: int, run: int = 10) -> dict:
    """Runs of `run` consecutive words share one forward pass over their window (up to n_positions - 4 tokens of
    context), whose keys/values are then cut at each word's position; beam search finishes each word."""
    pieces = WordPieces(sp, model.config.vocab_size)
    T = model.config.n_positions - 4  # room for the word's extra pieces inside the position table
    doc_ids: dict[int, list[int]] = {}
    groups = []
    for r in sample_word_runs(docs, n, seed, run):
        di = r[0][0]
        if di not in doc_ids:
            doc_ids[di] = [BOS] + sp.encode(docs[di]["text"])
        items = []
        for _, s, e in r:
            # Left context ends before the space: the model then predicts "▁word" pieces as it saw them in
            # training. SentencePiece never merges across a space, so it is a prefix of the document's tokens.
            ctx = [BOS] + sp.encode(docs[di]["text"][: s - 1])
            assert doc_ids[di][: len(ctx)] == ctx, "context is not a prefix of the document's tokens"
            items.append((len(ctx), docs[di]["text"][s:e]))
        groups.append((di, items))
    top1 = top5 = done = 0
    context_lengths = []
    t0 = time.time()
    with torch.no_grad():
        for di, items in groups:
            j_max, j_min = max(j for j, _ in items), min(j for j, _ in items)
            st = max(0, j_max - T)
            assert j_min - st >= 1
            logits, past = model(torch.tensor([doc_ids[di][st:j_max]]))
            for j, answer in items:
                n_ctx = j - st
                context_lengths.append(n_ctx)
                cut = [(k[:, :, :n_ctx], v[:, :, :n_ctx]) for k, v in past]
                words = next_words(model, logits[0, n_ctx - 1], cut, pieces)
                top1 += bool(words) and words[0] == answer
                top5 += answer in words[:5]
                done += 1
                if done % 100 == 0:
                    log(
                        f"next word {done}/{n}: top1 {top1 / done:.3f} top5 {top5 / done:.3f} "
                        f"({time.time() - t0:.0f}s)"
                    )
    return {
        "next_word_top1": top1 / done,
        "next_word_top5": top5 / done,
        "next_word_samples": done,
        "next_word_mean_context_tokens": round(sum(context_lengths) / len(context_lengths), 1),
    }


def fillin_cases(docs, n: int, seed: int, left_chars: int = 1500, right_chars: int = 300) -> list[dict]:
    """Words blanked at random: the engine sees `left`, a blank, `right`; the answer is the blanked word."""
    out = []
    for di, s, e in sample_word_positions(docs, n, seed):
        text = docs[di]["text"]
        out.append(
            {
                "left": text[max(0, s - left_chars) : s],
                "answer": text[s:e],
                "right": text[e : e + right_chars],
                "document": docs[di]["name"],
            }
        )
    return out


def xz_bits_per_byte(texts: list[str]) -> float:
    data = "\n\n".join(texts).encode("utf-8")
    try:
        packed = subprocess.run(["xz", "-9", "-c"], input=data, capture_output=True, check=True).stdout
    except FileNotFoundError:
        packed = lzma.compress(data, preset=9)
    return 8.0 * len(packed) / len(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", help="prepared data folder (docs_*.jsonl, train.bin, tokenizer.model)")
    ap.add_argument("--ckpt", help="trained checkpoint (.pt)")
    ap.add_argument("--out", required=True, help="eval.json to write (or to merge into)")
    ap.add_argument("--fillin-cases", help="where to write the fill-in cases for the C# engine")
    ap.add_argument(
        "--merge-fillin",
        "--merge",
        dest="merge_fillin",
        help="results to merge into eval.json: fill-in (models/eval/TransformerLsp.ModelEval) or the hybrid's "
        "(models/eval/TransformerLsp.HybridEval)",
    )
    ap.add_argument("--modern", help="the modern held-out documents (JSON lines of {text}) for modern_*_bits_per_byte")
    ap.add_argument("--next-word-samples", type=int, default=1000)
    ap.add_argument("--fillin-samples", type=int, default=1000)
    ap.add_argument("--ngram-orders", default="3,4,5")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    if args.merge_fillin:
        result = json.load(open(args.out))
        result.update(json.load(open(args.merge_fillin)))
        json.dump(result, open(args.out, "w"), indent=2)
        log(f"merged {args.merge_fillin} into {args.out}")
        return

    import sentencepiece as spm

    torch.set_num_threads(args.threads)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(args.data, "tokenizer.model"))
    test, val = load_docs(args.data, "test"), load_docs(args.data, "val")
    test_ids = [[BOS] + sp.encode(d["text"]) for d in test]
    val_ids = [[BOS] + sp.encode(d["text"]) for d in val]
    test_bytes = sum(len(d["text"].encode("utf-8")) for d in test)
    val_bytes = sum(len(d["text"].encode("utf-8")) for d in val)
    train = np.fromfile(os.path.join(args.data, "train.bin"), dtype=np.uint16).astype(np.int64)
    model = load_checkpoint(args.ckpt)
    V = model.config.vocab_size
    result = {}

    if args.fillin_cases:
        cases = fillin_cases(test, args.fillin_samples, args.seed + 1)
        json.dump(cases, open(args.fillin_cases, "w"), ensure_ascii=False, indent=0)
        log(f"wrote {len(cases)} fill-in cases to {args.fillin_cases}")

    log("transformer bits on the test split ...")
    t = time.time()
    bits, n = model_bits(model, test_ids)
    result.update(
        test_tokens=n,
        test_bytes=test_bytes,
        bits_per_byte=bits / test_bytes,
        perplexity=2 ** (bits / n),
        bits_per_token=bits / n,
    )
    log(f"  {bits / test_bytes:.4f} bits/byte, perplexity {2 ** (bits / n):.2f} ({time.time() - t:.0f}s)")

    log("n-gram baselines ...")
    best = None
    val_bpb = {}
    for order in [int(o) for o in args.ngram_orders.split(",")]:
        kn = KneserNey(train, order, V)
        b, _ = kn.bits(val_ids)
        val_bpb[order] = b / val_bytes
        log(f"  Kneser-Ney order {order}: validation {b / val_bytes:.4f} bits/byte")
        if best is None or val_bpb[order] < val_bpb[best[0]]:
            best = (order, kn)
        else:
            del kn
    order, kn = best
    b, n_kn = kn.bits(test_ids)
    assert n_kn == n
    if args.modern:
        modern = [json.loads(line) for line in open(args.modern, encoding="utf-8")]
        modern_ids = [[BOS] + sp.encode(d["text"]) for d in modern]
        modern_bytes = sum(len(d["text"].encode("utf-8")) for d in modern)
        mb, _ = kn.bits(modern_ids)
        tb, _ = model_bits(model, modern_ids)
        result.update(
            modern_bytes=modern_bytes,
            modern_ngram_bits_per_byte=mb / modern_bytes,
            modern_bits_per_byte=tb / modern_bytes,
        )
        log(f"  modern held-out: transformer {tb / modern_bytes:.4f}, n-gram {mb / modern_bytes:.4f} bits/byte")
    del kn
    ub, _ = unigram_bits(train, test_ids, V)
    result.update(
        ngram_bits_per_byte=b / test_bytes,
        ngram_order=order,
        ngram_perplexity=2 ** (b / n),
        ngram_validation_bits_per_byte={str(k): v for k, v in val_bpb.items()},
        unigram_bits_per_byte=ub / test_bytes,
        xz_bits_per_byte=xz_bits_per_byte([d["text"] for d in test]),
    )
    log(
        f"  n-gram (order {order}) {b / test_bytes:.4f}, unigram {ub / test_bytes:.4f}, "
        f"xz {result['xz_bits_per_byte']:.4f} bits/byte"
    )

    log(f"next-word accuracy on {args.next_word_samples} positions ...")
    result.update(next_word_accuracy(model, sp, test, args.next_word_samples, args.seed))
    log(f"  top1 {result['next_word_top1']:.4f} top5 {result['next_word_top5']:.4f}")

    json.dump(result, open(args.out, "w"), indent=2)
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
