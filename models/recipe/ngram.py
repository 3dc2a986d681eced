"""Interpolated Kneser-Ney n-gram language model over token ids: the baseline the transformer must beat.

Chen & Goodman (1998), "An Empirical Study of Smoothing Techniques for Language Modeling", section 3 (interpolated
Kneser-Ney), with one absolute discount per order, D = n1 / (n1 + 2 n2) (their eq. 26):

  highest order:  P(w | h)  = max(c(h w) - D, 0) / c(h)          + D N1+(h .) / c(h)           P(w | h')
  lower orders:   P(w | h') = max(N1+(. h' w) - D, 0) / N1+(. h' .) + D N1+(h' .) / N1+(. h' .)  P(w | h'')
  unigrams:       P(w)      = max(N1+(. w) - D, 0) / N1+(. .)      + D |{w: N1+(. w) > 0}| / N1+(. .)  1 / V

where h' drops the oldest token of h, N1+(. h' w) counts the distinct tokens seen before h' w (continuation
counts), and a history never seen in training passes all its mass to the next lower order.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np


class KneserNey:
    def __init__(self, tokens: np.ndarray, order: int, vocab_size: int):
        self.order, self.vocab_size = order, vocab_size
        toks = tokens.tolist()
        # raw[k]: counts of k-grams (tuples); only the highest order uses raw counts, lower ones continuation counts.
        raw_top = Counter(zip(*[toks[i:] for i in range(order)]))
        self.levels = {}  # k -> (numerator counts of k-grams, denominator per history, distinct followers, D)
        self.levels[order] = self._level(raw_top)
        higher = raw_top
        for k in range(order - 1, 0, -1):
            # N1+(. g) for every k-gram g: the number of distinct (k+1)-grams ending in g. The keys of the level above
            # are exactly the distinct (k+1)-grams (but the stream's very first one), so count over them.
            cont = Counter(g[1:] for g in higher)
            self.levels[k] = self._level(cont)
            higher = cont

    @staticmethod
    def _level(counts: Counter):
        hist_total, hist_types = defaultdict(int), defaultdict(int)
        n1 = n2 = 0
        for g, c in counts.items():
            hist_total[g[:-1]] += c
            hist_types[g[:-1]] += 1
            n1 += c == 1
            n2 += c == 2
        discount = n1 / (n1 + 2 * n2) if n1 + n2 > 0 else 0.5
        return counts, hist_total, hist_types, discount

    def prob(self, history: tuple, w: int) -> float:
        """P(w | the last order-1 tokens of history)."""
        history = history[-(self.order - 1) :] if self.order > 1 else ()
        return self._prob(history, w, len(history) + 1)

    def _prob(self, h: tuple, w: int, k: int) -> float:
        counts, hist_total, hist_types, d = self.levels[k]
        lower = (1.0 / self.vocab_size) if k == 1 else self._prob(h[1:], w, k - 1)
        total = hist_total.get(h, 0)
        if total == 0:
            return lower
        c = counts.get(h + (w,), 0)
        return max(c - d, 0.0) / total + d * hist_types[h] / total * lower

    def bits(self, docs_ids: list[list[int]]) -> tuple[float, int]:
        """Total -log2 P over every token after the first (BOS) of each document, and the number of tokens."""
        total, n = 0.0, 0
        for ids in docs_ids:
            for i in range(1, len(ids)):
                p = self.prob(tuple(ids[max(0, i - self.order + 1) : i]), ids[i])
                total -= math.log2(p)
                n += 1
        return total, n


def unigram_bits(train: np.ndarray, docs_ids: list[list[int]], vocab_size: int) -> tuple[float, int]:
    """Add-one unigram over the training tokens."""
    counts = np.bincount(train, minlength=vocab_size).astype(np.float64) + 1.0
    logp = np.log2(counts / counts.sum())
    total, n = 0.0, 0
    for ids in docs_ids:
        total -= float(logp[np.array(ids[1:], dtype=np.int64)].sum())
        n += len(ids) - 1
    return total, n
