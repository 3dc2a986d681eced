"""Convert the CMU Sphinx US English trigram (Debian pocketsphinx-en-us, en-us.lm.bin) into cmu-trigram.bin for the
engine, and write the check fixture: libsphinxbase's own scores for sampled queries.

Source: /usr/share/pocketsphinx/model/en-us/en-us.lm.bin, CMU Sphinx generic US English trigram, BSD-2-clause,
(c) 1995-2014 Carnegie Mellon University, 2014-2015 Alpha Cephei Inc. (/usr/share/doc/pocketsphinx-en-us/copyright).

Reading en-us.lm.bin (sphinxbase's trie format: ngram_model_trie.c, lm_trie.c, lm_trie_quant.c, bitarr.c; a port of
KenLM's quantised trie). Everything little-endian:
  "Trie Language Model" (19 bytes, no NUL), order (uint8 = 3), counts (uint32 x order: 72547, 2051547, 1669625; the
  bigram count is sphinxbase's lm_trie_fix_counts estimate, 6 more than the entries written, so the true counts come
  from the trie's own pointers below);
  quantiser: int32 (quantisation type, 1), then float32 codebooks of 65536 entries: bigram prob, bigram backoff,
  trigram prob; values in logmath units of base 1.0001 (ln P / ln 1.0001), as written by sphinx_lm_convert;
  unigrams: (count + 1) x {float32 prob, float32 backoff, uint32 next}; the last is a sentinel; next..next' is the range
  of the word's entries in the middle (bigram) array;
  middle array: bit-packed entries of 70 bits (LSB first): word (17 bits = bits to hold the unigram count), backoff
  code (16), prob code (16), next (21 bits = bits to hold the trigram count: start of its trigram range); one extra
  entry holds the final next;
  longest array: entries of 33 bits: word (17), prob code (16);
  vocabulary: int32 byte count, then NUL-terminated words.
  The trie is REVERSED (KenLM's layout): the path unigram w3 -> middle w2 -> longest w1 is the trigram "w1 w2 w3", and
  the middle entry (w3, w2) holds the bigram "w2 w3" and its backoff. Where a trigram "w1 w2 w3" has no bigram
  "w2 w3", lm_trie.c's recursive_insert adds a blank middle entry with prob P(w3) + bo(w2) and backoff 0, so the
  trigram is reachable; we drop those again (they are not bigrams of the model; see PRUNING).

Writing cmu-trigram.bin (format TLSPTRI1 version 1, little-endian; this docstring is its specification, README.md's
model-folder paragraph points here, and server/TransformerLsp.Engine/Words/WordTrigram.cs reads it). The n-grams are
stored forward: bigrams grouped by their first word, trigrams grouped by their bigram (w1 w2), each group sorted by
word id. Word ids in the groups are delta-coded
varints (LEB128: 7 bits a byte, low first, high bit = more; at most 3 bytes, as ids are < 2^21): the first id of a
group as is, every next one as the difference from the previous (>= 1). Fixed 3-byte ids made the file ~17 MB; varints
make it 11.96 MB with nothing pruned but the blank entries. Probabilities are log10, as in ARPA files.
  header: "TLSPTRI1", uint32 version (1), uint32 V (words), uint32 B (bigrams), uint32 C (context bigrams: those with
          a backoff or trigrams), uint32 T (trigrams), int32 id of <s>, int32 id of </s> (-1 if absent),
          uint32 byte count of the vocabulary block
  vocabulary: V words, UTF-8, each followed by a NUL byte; word id = position; sphinxbase's order (byte order)
  unigrams: float32[V] log10 prob, then float32[V] log10 backoff (not quantised: 0.6 MB)
  codebooks: float32[256] bigram log10 prob, float32[256] bigram log10 backoff, float32[256] trigram log10 prob
  bigram groups: V varints, the number of bigrams whose first word is w (sum B)
  bigram words: B varints, second word ids, delta-coded within each group
  bigram probs: B bytes, codes into the bigram prob codebook
  context bigrams: C varints, indices into the bigrams (the first as is, then the difference from the previous, >= 1)
  context backoffs: C bytes, codes into the bigram backoff codebook (every other bigram has backoff 0)
  context trigram counts: C varints, the number of trigrams under each context bigram (sum T)
  trigram words: T varints, third word ids, delta-coded within each group
  trigram probs: T bytes, codes into the trigram prob codebook
  and nothing after.

QUANTISATION: each codebook has 256 centres: 64 evenly spaced over the range (they bound the largest error) and the
rest placed by Lloyd's algorithm (1-D k-means, which sets the mean error) over the values sphinxbase stores (themselves
16-bit codebook values); the backoff codebook keeps 0.0 exact. The check's tolerance is the
sum of the three codebooks' largest errors plus the pruning threshold (in nats) plus 2e-4 for sphinxbase's integer
scores: a query uses at most one value of each kind.

PRUNING: only the blank entries: a bigram with backoff 0, no trigrams and prob within 0.002 log10 of its backoff
estimate P(w2) + bo(w1) is dropped (55,485 of 2,051,541; the blanks recursive_insert adds, and any real bigram that
backoff reproduces within 0.002 log10). Nothing else is pruned: every trigram is kept.

SCORES (check fixture): libsphinxbase.so.3 (Debian libsphinxbase3) through ctypes: ngram_model_read on the ORIGINAL
en-us.lm.bin with a logmath of base 1.0001 (the base the file's floats are in: the reader does not convert),
ngram_tg_score(model, w3, w2, w1), converted to natural logs by logmath_log_to_ln. Its rules, which WordTrigram follows:
an unknown w3 scores logmath's zero (we store null; the engine returns -infinity); the vocabulary has no <UNK>, so an
unknown history word cuts the history there (unknown w2: the unigram P(w3); unknown w1: P(w3 | w2)); <s> and </s> are
ordinary vocabulary entries (P(<s>) is 10^-99).

Usage: python3 cmu_trigram.py [--lm PATH] [--out models/default/cmu-trigram.bin]
                              [--check-out tests/fixtures/cmu-trigram/check.json] [--queries 2000] [--no-check]
"""
from __future__ import annotations

import argparse
import ctypes
import json
import math
import os
import struct
import sys
import time

import numpy as np

LM_PATH = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin"
TRIE_MAGIC = b"Trie Language Model"
LOG_BASE = 1.0001  # the logmath base of en-us.lm.bin's floats (sphinx_lm_convert's default)
UNIT_TO_LOG10 = math.log(LOG_BASE) / math.log(10.0)
LN10 = math.log(10.0)
MAGIC = b"TLSPTRI1"
VERSION = 1
BLANK_TOLERANCE_LOG10 = 0.002
SEED = 20260101


# ---------------------------------------------------------------------------------------------------------------------
# Reading sphinxbase's trie


def _bits(buf: np.ndarray, bitoff: np.ndarray, n: int) -> np.ndarray:
    """Fields of n <= 32 bits at the given bit offsets, LSB first (sphinxbase bitarr_read_int25 on little-endian)."""
    byte = bitoff >> 3
    v = np.zeros(len(bitoff), np.uint64)
    for k in range(8):
        v |= buf[byte + k].astype(np.uint64) << np.uint64(8 * k)
    return ((v >> (bitoff & 7).astype(np.uint64)) & np.uint64((1 << n) - 1)).astype(np.int64)


def _required_bits(max_value: int) -> int:
    return max_value.bit_length()  # bitarr_required_bits


def read_sphinx_trie(path: str) -> dict:
    """The n-grams of a sphinxbase binary trie trigram, as forward arrays with values in log10."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(TRIE_MAGIC):
        raise SystemExit(f"{path}: not a sphinxbase trie LM")
    pos = len(TRIE_MAGIC)
    order = data[pos]
    if order != 3:
        raise SystemExit(f"{path}: order {order}, a trigram was expected")
    counts = struct.unpack_from("<3I", data, pos + 1)
    pos += 1 + 12
    (quant_type,) = struct.unpack_from("<i", data, pos)
    pos += 4
    q = np.frombuffer(data, "<f4", 3 * 65536, pos).astype(np.float64)
    mid_prob, mid_bo, long_prob = q[:65536], q[65536:131072], q[131072:]
    pos += 3 * 65536 * 4
    n1 = counts[0]
    uni = np.frombuffer(data, np.dtype([("p", "<f4"), ("b", "<f4"), ("n", "<u4")]), n1 + 1, pos)
    pos += 12 * (n1 + 1)
    word_bits = _required_bits(n1)
    mid_total = word_bits + 32 + _required_bits(counts[2])
    mid_size = ((1 + counts[1]) * mid_total + 7) // 8 + 8
    long_total = word_bits + 16
    long_size = ((1 + counts[2]) * long_total + 7) // 8 + 8
    buf = np.frombuffer(data, np.uint8)
    mid = np.concatenate([buf[pos : pos + mid_size], np.zeros(8, np.uint8)])
    pos += mid_size
    lng = np.concatenate([buf[pos : pos + long_size], np.zeros(8, np.uint8)])
    pos += long_size
    (k,) = struct.unpack_from("<i", data, pos)
    words = [w.decode("utf-8") for w in data[pos + 4 : pos + 4 + k].split(b"\0")[:-1]]
    if pos + 4 + k != len(data) or len(words) != n1:
        raise SystemExit(f"{path}: layout mismatch (vocabulary block at {pos}, {len(words)} words)")

    uni_next = uni["n"].astype(np.int64)
    n2 = int(uni_next[-1])  # the bigram entries actually written (the header's count is lm_trie_fix_counts' estimate)
    i = np.arange(n2 + 1, dtype=np.int64) * mid_total
    m_word = _bits(mid, i, word_bits)[:n2]
    m_bo = _bits(mid, i + word_bits, 16)[:n2]  # lm_trie_quant_mwrite: (prob << 16 | backoff), LSB first
    m_prob = _bits(mid, i + word_bits + 16, 16)[:n2]
    m_next = _bits(mid, i + word_bits + 32, _required_bits(counts[2]))
    n3 = int(m_next[-1])
    j = np.arange(n3, dtype=np.int64) * long_total
    l_word = _bits(lng, j, word_bits)
    l_prob = _bits(lng, j + word_bits, 16)
    if np.any(np.diff(uni_next) < 0) or np.any(np.diff(m_next) < 0):
        raise SystemExit(f"{path}: trie pointers not monotone")

    # Reverse trie -> forward n-grams.
    b_second = np.repeat(np.arange(n1, dtype=np.int64), np.diff(uni_next))  # unigram w3 = the bigram's second word
    b_first = m_word
    t_third = np.repeat(b_second, np.diff(m_next))
    t_second = np.repeat(b_first, np.diff(m_next))
    t_first = l_word
    return {
        "words": words,
        "header_counts": counts,
        "quant_type": quant_type,
        "entries": (n1, n2, n3),
        "uni_prob": uni["p"][:n1].astype(np.float64) * UNIT_TO_LOG10,
        "uni_bo": uni["b"][:n1].astype(np.float64) * UNIT_TO_LOG10,
        "b_first": b_first,
        "b_second": b_second,
        "b_prob": mid_prob[m_prob] * UNIT_TO_LOG10,
        "b_bo": mid_bo[m_bo] * UNIT_TO_LOG10,
        "t_first": t_first,
        "t_second": t_second,
        "t_third": t_third,
        "t_prob": long_prob[l_prob] * UNIT_TO_LOG10,
    }


# ---------------------------------------------------------------------------------------------------------------------
# The forward model and its quantisation


def lloyd_codebook(
    values: np.ndarray, size: int = 256, fixed: list[float] | None = None, grid: int = 64, iters: int = 40
) -> np.ndarray:
    """size centres: `grid` evenly spaced over the values' range (they bound the largest error: plain Lloyd leaves the
    sparse tails, -7 log10 and below, up to 0.75 log10 from a centre), the given fixed values, and the rest placed by
    Lloyd's algorithm (1-D k-means on the distinct values, weighted by count), which sets the mean error."""
    values = np.asarray(values, np.float64)
    uniq, count = np.unique(values, return_counts=True)
    if len(uniq) + len(fixed or []) <= size:
        cb = np.unique(np.concatenate([uniq, fixed or []]))
    else:
        fixed = np.unique(np.concatenate([np.linspace(uniq[0], uniq[-1], grid), fixed or []]))
        free = size - len(fixed)
        cum = np.cumsum(count) / count.sum()
        centres = np.unique(uniq[np.minimum(np.searchsorted(cum, (np.arange(free) + 0.5) / free), len(uniq) - 1)])
        for _ in range(iters):
            allc = np.sort(np.concatenate([centres, fixed]))
            code = encode(uniq, allc)
            sums = np.bincount(code, uniq * count, len(allc))
            ns = np.bincount(code, count, len(allc))
            keep = ~np.isin(allc, fixed)
            centres = np.unique(np.where(ns > 0, sums / np.maximum(ns, 1), allc)[keep])
        cb = np.unique(np.concatenate([centres, fixed]))
    # slots freed by centres that merged: midpoints of the widest gaps, so the codebook has exactly `size` entries
    while len(cb) < size:
        g = int(np.argmax(np.diff(cb))) if len(cb) > 1 else 0
        cb = np.sort(np.append(cb, (cb[g] + cb[g + 1]) / 2 if len(cb) > 1 else cb[0] - 1.0))
    return cb.astype(np.float32)


def encode(values: np.ndarray, codebook: np.ndarray) -> np.ndarray:
    """The nearest codebook entry of each value (codebook sorted)."""
    cb = np.asarray(codebook, np.float64)
    mids = (cb[1:] + cb[:-1]) / 2
    return np.searchsorted(mids, values).astype(np.int64)


def build_forward(src: dict) -> dict:
    V = len(src["words"])
    o = np.lexsort((src["b_second"], src["b_first"]))
    b1, b2, bp, bb = src["b_first"][o], src["b_second"][o], src["b_prob"][o], src["b_bo"][o]
    o = np.lexsort((src["t_third"], src["t_second"], src["t_first"]))
    t1, t2, t3, tp = src["t_first"][o], src["t_second"][o], src["t_third"][o], src["t_prob"][o]
    bkey = b1 * V + b2
    par = np.searchsorted(bkey, t1 * V + t2)
    if np.any(bkey[np.minimum(par, len(bkey) - 1)] != t1 * V + t2):
        raise SystemExit("a trigram without its bigram (w1 w2)")
    children = np.bincount(par, minlength=len(bkey))
    estimate = src["uni_prob"][b2] + src["uni_bo"][b1]
    blank = (bb == 0) & (children == 0) & (np.abs(bp - estimate) < BLANK_TOLERANCE_LOG10)
    keep = ~blank
    remap = np.cumsum(keep) - 1
    b1, b2, bp, bb, children = b1[keep], b2[keep], bp[keep], bb[keep], children[keep]
    par = remap[par]
    context = np.flatnonzero((bb != 0) | (children > 0))
    return {
        "V": V,
        "words": src["words"],
        "up": src["uni_prob"],
        "ub": src["uni_bo"],
        "b1": b1,
        "b2": b2,
        "bp": bp,
        "bb": bb,
        "children": children,
        "context": context,
        "t1": t1,
        "t2": t2,
        "t3": t3,
        "tp": tp,
        "par": par,
        "blank": int(blank.sum()),
    }


def varints(v: np.ndarray) -> bytes:
    v = np.asarray(v, np.int64)
    if len(v) == 0:
        return b""
    if v.min() < 0 or v.max() >= 1 << 21:
        raise ValueError("varint out of range")
    n = 1 + (v >= 128) + (v >= 16384)
    cols = np.stack(
        [(v & 0x7F) | np.where(n > 1, 0x80, 0), ((v >> 7) & 0x7F) | np.where(n > 2, 0x80, 0), (v >> 14) & 0x7F], axis=1
    ).astype(np.uint8)
    mask = np.arange(3)[None, :] < n[:, None]
    return cols[mask].tobytes()


def group_deltas(ids: np.ndarray, group: np.ndarray) -> np.ndarray:
    new = np.r_[True, group[1:] != group[:-1]]
    return np.where(new, ids, ids - np.r_[0, ids[:-1]])


def write_model(fw: dict, path: str) -> dict:
    V = fw["V"]
    words = fw["words"]
    bos = words.index("<s>") if "<s>" in words else -1
    eos = words.index("</s>") if "</s>" in words else -1
    vocab = b"".join(w.encode("utf-8") + b"\0" for w in words)
    cb_bp = lloyd_codebook(fw["bp"])
    ctx = fw["context"]
    cb_bb = lloyd_codebook(fw["bb"][ctx], fixed=[0.0])
    cb_tp = lloyd_codebook(fw["tp"])
    code_bp, code_bb, code_tp = encode(fw["bp"], cb_bp), encode(fw["bb"][ctx], cb_bb), encode(fw["tp"], cb_tp)
    B, C, T = len(fw["b1"]), len(ctx), len(fw["t1"])
    parts = [
        MAGIC,
        struct.pack("<IIIIIiiI", VERSION, V, B, C, T, bos, eos, len(vocab)),
        vocab,
        fw["up"].astype("<f4").tobytes(),
        fw["ub"].astype("<f4").tobytes(),
        cb_bp.astype("<f4").tobytes(),
        cb_bb.astype("<f4").tobytes(),
        cb_tp.astype("<f4").tobytes(),
        varints(np.bincount(fw["b1"], minlength=V)),
        varints(group_deltas(fw["b2"], fw["b1"])),
        code_bp.astype(np.uint8).tobytes(),
        varints(np.diff(np.r_[0, ctx])),
        code_bb.astype(np.uint8).tobytes(),
        varints(fw["children"][ctx]),
        varints(group_deltas(fw["t3"], fw["par"])),
        code_tp.astype(np.uint8).tobytes(),
    ]
    if np.any(fw["children"][np.setdiff1d(np.arange(B), ctx)] != 0):
        raise SystemExit("a trigram group under a non-context bigram")
    blob = b"".join(parts)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(blob)
    os.replace(tmp, path)

    def err(x, cb, code):
        return float(np.max(np.abs(x - cb.astype(np.float64)[code]))) if len(x) else 0.0

    fw["q_bp"], fw["q_bb"], fw["q_tp"] = (
        cb_bp.astype(np.float64)[code_bp],
        fw["bb"].copy(),
        cb_tp.astype(np.float64)[code_tp],
    )
    fw["q_bb"][ctx] = cb_bb.astype(np.float64)[code_bb]
    return {
        "bytes": len(blob),
        "words": V,
        "bigrams": B,
        "context_bigrams": C,
        "trigrams": T,
        "max_error_log10": {
            "bigram_prob": err(fw["bp"], cb_bp, code_bp),
            "bigram_backoff": err(fw["bb"][ctx], cb_bb, code_bb),
            "trigram_prob": err(fw["tp"], cb_tp, code_tp),
        },
    }


def log10_prob(fw: dict, w1: int, w2: int, w3: int) -> float:
    """log10 P(w3 | w1 w2) from the quantised forward arrays, by sphinxbase's rules (-1 = unknown)."""
    V = fw["V"]
    if w3 < 0:
        return -math.inf
    if w2 < 0:
        return float(fw["up"][w3])

    def bigram(a, b):
        k = a * V + b
        i = int(np.searchsorted(fw["bkey"], k))
        return i if i < len(fw["bkey"]) and fw["bkey"][i] == k else -1

    b23 = bigram(w2, w3)
    p2 = float(fw["q_bp"][b23]) if b23 >= 0 else float(fw["up"][w3] + fw["ub"][w2])
    if w1 < 0:
        return p2
    b12 = bigram(w1, w2)
    if b12 < 0:
        return p2
    i = int(np.searchsorted(fw["tkey"], b12 * V + w3))
    if i < len(fw["tkey"]) and fw["tkey"][i] == b12 * V + w3:
        return float(fw["q_tp"][i])
    return p2 + float(fw["q_bb"][b12])


# ---------------------------------------------------------------------------------------------------------------------
# The reference: libsphinxbase's own scores


class Sphinx:
    def __init__(self, path: str):
        lib = ctypes.CDLL("libsphinxbase.so.3")
        lib.logmath_init.restype = ctypes.c_void_p
        lib.logmath_init.argtypes = [ctypes.c_double, ctypes.c_int, ctypes.c_int]
        lib.ngram_model_read.restype = ctypes.c_void_p
        lib.ngram_model_read.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p]
        lib.ngram_wid.restype = ctypes.c_int32
        lib.ngram_wid.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.ngram_tg_score.restype = ctypes.c_int32
        lib.ngram_tg_score.argtypes = [
            ctypes.c_void_p,
            ctypes.c_int32,
            ctypes.c_int32,
            ctypes.c_int32,
            ctypes.POINTER(ctypes.c_int32),
        ]
        lib.logmath_log_to_ln.restype = ctypes.c_double
        lib.logmath_log_to_ln.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.ngram_zero.restype = ctypes.c_int32
        lib.ngram_zero.argtypes = [ctypes.c_void_p]
        self.lib = lib
        self.lmath = lib.logmath_init(LOG_BASE, 0, 0)  # shift 0, no table: scores are exact integers of base 1.0001
        self.model = lib.ngram_model_read(None, path.encode(), 2, self.lmath)  # 2 = NGRAM_BIN
        if not self.model:
            raise SystemExit(f"libsphinxbase could not read {path}")
        self.zero = lib.ngram_zero(self.model)

    def wid(self, word: str) -> int:
        return self.lib.ngram_wid(self.model, word.encode("utf-8"))

    def ln_score(self, w1: str, w2: str, w3: str) -> tuple[float | None, int]:
        n = ctypes.c_int32()
        s = self.lib.ngram_tg_score(self.model, self.wid(w3), self.wid(w2), self.wid(w1), ctypes.byref(n))
        return (None if s <= self.zero else self.lib.logmath_log_to_ln(self.lmath, s)), n.value


def sample_queries(fw: dict, count: int) -> list[tuple[str, str, str]]:
    rng = np.random.default_rng(SEED)
    w = fw["words"]
    V = fw["V"]
    unknown = ["qxzv", "blorftastic", "zzyzzq", "transformerlsp", "qwfpgj"]
    bos = w.index("<s>")
    out = []
    n_tri, n_big, n_bos, n_rand, n_unk = int(count * 0.6), int(count * 0.15), int(count * 0.08), int(count * 0.07), 0
    n_unk = count - n_tri - n_big - n_bos - n_rand
    for i in rng.integers(0, len(fw["t1"]), n_tri):  # existing trigrams
        out.append((w[fw["t1"][i]], w[fw["t2"][i]], w[fw["t3"][i]]))
    for i in rng.integers(0, len(fw["b1"]), n_big):  # an existing bigram after a random word: mostly bigram backoff
        out.append((w[rng.integers(0, V)], w[fw["b1"][i]], w[fw["b2"][i]]))
    starts = np.flatnonzero(fw["t1"] == bos)
    for i in rng.choice(starts, n_bos):  # sentence starts: <s> w2 w3
        out.append(("<s>", w[fw["t2"][i]], w[fw["t3"][i]]))
    for _ in range(n_rand):  # random words: mostly unigram backoff
        a, b, c = rng.integers(0, V, 3)
        out.append((w[a], w[b], w[c]))
    for k in range(n_unk):  # an unknown word in each position
        i = rng.integers(0, len(fw["t1"]))
        tri = [w[fw["t1"][i]], w[fw["t2"][i]], w[fw["t3"][i]]]
        tri[k % 3] = unknown[k % len(unknown)]
        out.append(tuple(tri))
    return out


def check(fw: dict, lm: str, count: int, tolerance: float) -> dict:
    sphinx = Sphinx(lm)
    V = fw["V"]
    fw["bkey"] = fw["b1"] * V + fw["b2"]
    fw["tkey"] = fw["par"] * V + fw["t3"]
    index = {w: i for i, w in enumerate(fw["words"])}
    rows, errors, used = [], [], [0, 0, 0, 0]
    for w1, w2, w3 in sample_queries(fw, count):
        ref, n_used = sphinx.ln_score(w1, w2, w3)
        ours = log10_prob(fw, index.get(w1, -1), index.get(w2, -1), index.get(w3, -1)) * LN10
        if ref is None:
            if ours != -math.inf:
                raise SystemExit(f"{w1} {w2} {w3}: libsphinxbase says zero, we say {ours}")
        else:
            errors.append(abs(ours - ref))
        used[n_used if ref is not None else 0] += 1
        rows.append([w1, w2, w3, None if ref is None else round(ref, 6)])
    errors = np.array(errors)
    return {
        "rows": rows,
        "max_error_nats": float(errors.max()),
        "mean_error_nats": float(errors.mean()),
        "within_tolerance": bool(np.all(errors <= tolerance)),
        "n_used": {"zero (unknown w3)": used[0], "unigram": used[1], "bigram": used[2], "trigram": used[3]},
    }


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    ap = argparse.ArgumentParser()
    ap.add_argument("--lm", default=LM_PATH)
    ap.add_argument("--out", default=os.path.join(root, "models", "default", "cmu-trigram.bin"))
    ap.add_argument("--check-out", default=os.path.join(root, "tests", "fixtures", "cmu-trigram", "check.json"))
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--no-check", action="store_true", help="skip the libsphinxbase reference (no check.json)")
    args = ap.parse_args()
    t0 = time.time()
    src = read_sphinx_trie(args.lm)
    fw = build_forward(src)
    stats = write_model(fw, args.out)
    mx = stats["max_error_log10"]
    tolerance = (mx["bigram_prob"] + mx["bigram_backoff"] + mx["trigram_prob"] + BLANK_TOLERANCE_LOG10) * LN10 + 2e-4
    stats.update(
        {
            "source": os.path.basename(args.lm),
            "source_bytes": os.path.getsize(args.lm),
            "source_entries": list(src["entries"]),
            "blank_bigrams_dropped": fw["blank"],
            "blank_tolerance_log10": BLANK_TOLERANCE_LOG10,
            "tolerance_nats": round(tolerance, 6),
        }
    )
    print(f"{args.out}: {stats['bytes']:,} bytes in {time.time() - t0:.1f}s", file=sys.stderr)
    if not args.no_check:
        res = check(fw, args.lm, args.queries, tolerance)
        stats.update({k: v for k, v in res.items() if k != "rows"})
        if not res["within_tolerance"]:
            raise SystemExit(f"check failed: largest error {res['max_error_nats']:.4f} nats > {tolerance:.4f}")
        os.makedirs(os.path.dirname(os.path.abspath(args.check_out)), exist_ok=True)
        doc = {
            "about": "libsphinxbase ngram_tg_score(w3 | w1 w2) on the original en-us.lm.bin, in natural logs "
            "(null: logmath zero, an unknown w3); written by models/recipe/cmu_trigram.py",
            "summary": stats,
            "queries": res["rows"],
        }
        with open(args.check_out, "w", encoding="utf-8", newline="\n") as f:
            json.dump(doc, f, separators=(",", ":"), ensure_ascii=False)
            f.write("\n")
    print(json.dumps(stats), file=sys.stderr)


if __name__ == "__main__":
    main()
